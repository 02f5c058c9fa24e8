/**
 * Rollback by config, offline: planning a stack with the previous release's image references
 * (tests/plan/fixtures/previous-release.yaml merged into `pro-team-care:images`) is what the
 * `pulumi up` of a rollback does after `pulumi config set --path images.api …` or a `git revert`
 * of an image bump (docs/deploy.md). Going back must move the application only: no resource of
 * the data tier (PostgreSQL, Redis, their secrets and services, the backup bucket or MinIO) and no
 * volume (a docker volume, a PersistentVolumeClaim, a StatefulSet's volumeClaimTemplates) may be
 * replaced or changed, while the API, its migration, the web front end, the edge and the backup
 * schedules must change, so that a rollback the diff cannot see fails here too.
 *
 * "Replaced or changed" is what the plan-diff library reports between the two plans (same seed):
 * a resource added or removed (a new URN), or one whose inputs or resource options differ. The
 * data tier is found by what the platforms put on it (the tier and store labels), by type
 * (volumes) and by owner (everything under a `proteamcare:data:*` or the backup-bucket component),
 * never by container or object names.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";

import { LABELS } from "../../components/platform/spec";
import { arr, record, str } from "../../stacks/objects";
import { changedLeaves, diffPlanJson, type JsonDiff, leaves } from "../../tools/plan-diff/diff";
import { planInChildProcess } from "../../tools/plan/child";
import type { PlanJson } from "../../tools/plan/plan";

type Resource = PlanJson["resources"][number];

const ROOT = path.resolve(__dirname, "..", "..");
const FIXTURE = path.join(__dirname, "fixtures", "previous-release.yaml");
const IMAGES_KEY = "pro-team-care:images";
const VOLUME_TYPES = new Set(["docker:index/volume:Volume", "kubernetes:core/v1:PersistentVolumeClaim"]);
const STATEFULSET = "kubernetes:apps/v1:StatefulSet";
const BACKUP_BUCKET = "proteamcare:backup:BackupBucket";
/** What runs a job on each platform (its Secret and ConfigMap carry the same labels but not the image). */
const JOB_TYPES = new Set(["docker:index/container:Container", "kubernetes:batch/v1:Job"]);

/** The fixture's image references (images.<key>). */
function previousImages(): Record<string, string> {
    const images = record(record(YAML.parse(fs.readFileSync(FIXTURE, "utf8"))).images);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(images)) {
        const ref = str(v);
        assert.ok(ref, `${FIXTURE}: images.${k} is not a string`);
        out[k] = ref;
    }
    assert.ok(Object.keys(out).length > 0, `${FIXTURE} sets no image`);
    return out;
}

/**
 * Writes the stack's own config file with the fixture's images merged over its `images` block (the
 * rest, `secure:` values included, untouched) into `dir`, and returns its path.
 */
function previousReleaseConfig(stack: string, dir: string): string {
    const doc = record(YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")));
    const config = record(doc.config);
    config[IMAGES_KEY] = { ...record(config[IMAGES_KEY]), ...previousImages() };
    const file = path.join(dir, `Pulumi.${stack}.previous-release.yaml`);
    fs.writeFileSync(file, YAML.stringify({ ...doc, config }));
    return file;
}

/** A label of a resource: docker's `labels` list or Kubernetes' `metadata.labels`. */
function label(r: Resource, key: string): string | undefined {
    const docker = arr(r.inputs.labels)
        .map(record)
        .find((l) => l.label === key);
    return str(docker?.value) ?? str(record(record(r.inputs.metadata).labels)[key]);
}

/** Every resource of the data tier (URN → why it counts), as described in the file's header. */
function dataTier(json: PlanJson): Map<string, string> {
    const byUrn = new Map(json.resources.map((r) => [r.urn, r]));
    const out = new Map<string, string>();
    for (const r of json.resources) {
        if (!r.custom) continue;
        if (VOLUME_TYPES.has(r.type)) out.set(r.urn, "a volume");
        else if (label(r, LABELS.tier) === "data") out.set(r.urn, "labelled tier data");
        else if (label(r, LABELS.store) !== undefined) out.set(r.urn, `labelled store ${label(r, LABELS.store)}`);
        else {
            for (let p = byUrn.get(r.parent ?? ""); p; p = byUrn.get(p.parent ?? "")) {
                if (p.type.startsWith("proteamcare:data:") || p.type === BACKUP_BUCKET) {
                    out.set(r.urn, `part of ${p.type} ${p.name}`);
                    break;
                }
            }
        }
    }
    return out;
}

/** True when `r` sits (at any depth) under a component of type `type`. */
function under(json: PlanJson, r: { readonly urn: string }, type: string): boolean {
    const byUrn = new Map(json.resources.map((x) => [x.urn, x]));
    for (let p = byUrn.get(byUrn.get(r.urn)?.parent ?? ""); p; p = byUrn.get(p.parent ?? "")) if (p.type === type) return true;
    return false;
}

/** Every image reference the plan's inputs carry (any leaf whose key is `image`). */
function imagesIn(json: PlanJson): Set<string> {
    const out = new Set<string>();
    for (const r of json.resources) {
        for (const [p, v] of leaves(r.inputs)) if (/(^|\.)image$/.test(p) && typeof v === "string") out.add(v);
    }
    return out;
}

/** Plans `stack` (seed 1) with its own config or `config`, in a child process; the plan must exit 0. */
async function plan(stack: string, config?: string): Promise<PlanJson> {
    const run = await planInChildProcess({ stack, seed: 1, ...(config !== undefined ? { config } : {}) });
    assert.equal(run.code, 0, `the ${stack} plan${config ? " with the previous release's images" : ""} exited ${run.code}:\n${run.stdout}\n${run.stderr}`);
    assert.ok(run.json);
    return run.json;
}

/** What each stack's data tier must at least hold, so that an empty selection cannot pass. */
const EXPECTED: Record<string, readonly string[]> = {
    dev: ["docker:index/container:Container", "docker:index/volume:Volume", "docker:index/network:Network"],
    prod: [STATEFULSET, "kubernetes:core/v1:Secret", "kubernetes:core/v1:Service", "aws:s3/bucket:Bucket"],
};

for (const stack of ["dev", "prod"] as const) {
    describe(`plan: rolling the ${stack} stack back to the previous release's images`, function () {
        this.timeout(300_000);
        let current: PlanJson;
        let previous: PlanJson;
        let diff: JsonDiff;
        let tmp: string;

        before(async () => {
            tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ptc-rollback-"));
            [current, previous] = await Promise.all([plan(stack), plan(stack, previousReleaseConfig(stack, tmp))]);
            diff = diffPlanJson(current, previous);
        });

        after(() => fs.rmSync(tmp, { recursive: true, force: true }));

        it("plans the previous release's images, none of which the current plan uses", () => {
            const now = imagesIn(current);
            const then = imagesIn(previous);
            for (const [key, ref] of Object.entries(previousImages())) {
                assert.ok(!now.has(ref), `images.${key}: ${ref} is already the ${stack} stack's image; the fixture must name an older one`);
                assert.ok(then.has(ref), `images.${key}: ${ref} does not appear in the plan with the fixture`);
            }
        });

        it("finds the data tier: PostgreSQL, Redis, their volumes and the backup bucket", () => {
            const data = dataTier(current);
            const byUrn = new Map(current.resources.map((r) => [r.urn, r]));
            const held = [...data.keys()].map((u) => byUrn.get(u) as Resource);
            for (const type of EXPECTED[stack]) assert.ok(held.some((r) => r.type === type), `no ${type} in the data tier: ${[...data.keys()].join(", ")}`);
            for (const store of ["postgres", "redis"]) assert.ok(held.some((r) => label(r, LABELS.store) === store), `no resource labelled store ${store} in the data tier`);
            assert.ok(held.some((r) => under(current, r, BACKUP_BUCKET)), "nothing of the backup bucket in the data tier");
        });

        it("replaces or changes no data-tier resource", () => {
            const before = dataTier(current);
            const after = dataTier(previous);
            const problems = [
                ...diff.changed.filter((c) => before.has(c.urn) || after.has(c.urn)).map((c) => `~ ${c.urn} (${before.get(c.urn) ?? after.get(c.urn)})\n${c.lines.join("\n")}`),
                ...diff.removed.filter((r) => before.has(r.urn)).map((r) => `- ${r.urn} (${before.get(r.urn)})`),
                ...diff.added.filter((r) => after.has(r.urn)).map((r) => `+ ${r.urn} (${after.get(r.urn)})`),
            ];
            assert.deepEqual(problems, [], `a rollback of the images would touch the data tier:\n${problems.join("\n")}`);
        });

        it("changes no volume: no docker volume or claim, no StatefulSet's volumeClaimTemplates", () => {
            const head = new Map(previous.resources.map((r) => [r.urn, r]));
            const volumes = current.resources.filter((r) => VOLUME_TYPES.has(r.type) || r.type === STATEFULSET);
            assert.ok(volumes.length > 0, "no volume in the plan");
            const problems: string[] = [];
            for (const r of volumes) {
                const h = head.get(r.urn);
                if (!h) {
                    problems.push(`- ${r.urn} (gone)`);
                    continue;
                }
                const lines = VOLUME_TYPES.has(r.type)
                    ? [...changedLeaves(r.inputs, h.inputs), ...changedLeaves({ options: r.options ?? {} }, { options: h.options ?? {} })]
                    : changedLeaves(record(r.inputs.spec).volumeClaimTemplates, record(h.inputs.spec).volumeClaimTemplates);
                if (lines.length > 0) problems.push(`~ ${r.urn}\n${lines.join("\n")}`);
            }
            assert.deepEqual(problems, [], problems.join("\n"));
        });

        it("changes the application: the API, its migration job, the web front end, the edge and the backup schedules", () => {
            const moved = [...diff.changed, ...diff.added, ...diff.removed];
            for (const type of ["proteamcare:app:Api", "proteamcare:app:Web", "proteamcare:edge:Edge", "proteamcare:backup:Backups"]) {
                assert.ok(
                    moved.some((r) => under(current, r, type) || under(previous, r, type)),
                    `nothing under ${type} changed: the rollback would not reach it`,
                );
            }
            const migration = current.resources.filter((r) => JOB_TYPES.has(r.type) && label(r, LABELS.role) === "migration");
            assert.ok(migration.length > 0, "no migration job in the plan");
            for (const m of migration) assert.ok(moved.some((r) => r.urn === m.urn), `the migration job ${m.urn} does not change with the API image`);
        });
    });
}
