/**
 * Ordering the engine sees in the real program (index.ts): the database migration is a job that
 * runs once per trigger, so it must be registered with a dependency on the stores' running
 * workloads; otherwise a first `pulumi up` runs it while PostgreSQL is still being created, it
 * fails, and it is never retried. The store endpoints are plain host names that carry no
 * dependency, so only an explicit dependsOn orders them.
 *
 * The API rollout in turn depends on the migration of the same image (docs/deploy.md, Migrations):
 * the job runs the image the API is about to run, and the API's workload (docker containers, the
 * Kubernetes Deployment) names the job in its `dependsOn`, so no new API code starts before its
 * schema is in place. Both read the plan's JSON (`options.dependsOn`), selected by labels.
 */
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";

import { AFTER_LABEL } from "../../components/platform/docker";
import { TRIGGER_LABEL } from "../../components/platform/docker-builders";
import { shortHash } from "../../components/platform/hash";
import { LABELS } from "../../components/platform/spec";
import { descendants } from "../support/plan-json";
import { arr, record, str } from "../../stacks/objects";
import type { PlanJson } from "../../tools/plan/plan";

const ROOT = path.resolve(__dirname, "..", "..");
const TSX_LOADER = pathToFileURL(path.join(path.dirname(require.resolve("tsx/package.json")), "dist", "loader.mjs")).href;

interface Registered {
    urn: string;
    type: string;
    name: string;
    dependencies: string[];
}

/**
 * Plans a stack in a child process (the runtime is process-global) and returns every registration
 * with its dependencies, and the plan's `--json` document.
 */
async function registrations(stack: string): Promise<{ regs: Registered[]; json: PlanJson }> {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ptc-deps-"));
    try {
        const out = path.join(tmp, "deps.json");
        const jsonOut = path.join(tmp, "plan.json");
        const script = path.join(tmp, "deps.ts");
        fs.writeFileSync(
            script,
            [
                `import * as fs from "node:fs";`,
                `import { runPlan, toPlanJson } from ${JSON.stringify(path.join(ROOT, "tools", "plan", "plan.ts"))};`,
                `runPlan({ stack: ${JSON.stringify(stack)}, projectDir: ${JSON.stringify(ROOT)} }).then((r) => {`,
                `    const rows = r.resources.map((x) => ({ urn: x.urn, type: x.type, name: x.name, dependencies: (x as { dependencies?: string[] }).dependencies ?? [] }));`,
                `    fs.writeFileSync(${JSON.stringify(out)}, JSON.stringify(rows));`,
                `    fs.writeFileSync(${JSON.stringify(jsonOut)}, JSON.stringify(toPlanJson(r)));`,
                `    process.exit(0);`,
                `}, (e) => { console.error(e); process.exit(2); });`,
            ].join("\n"),
        );
        const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve, reject) => {
            const child = spawn(process.execPath, ["--import", TSX_LOADER, script], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
            let err = "";
            child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
            child.on("error", reject);
            child.on("close", (c) => resolve({ code: c ?? 1, stderr: err }));
        });
        assert.equal(code, 0, `the ${stack} plan failed:\n${stderr}`);
        return { regs: JSON.parse(fs.readFileSync(out, "utf8")) as Registered[], json: JSON.parse(fs.readFileSync(jsonOut, "utf8")) as PlanJson };
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

const CASES = [
    { stack: "dev", migrate: ["docker:index/container:Container", "api-migrate"], stores: ["docker:index/container:Container", ["postgres", "redis"]] },
    { stack: "prod", migrate: ["kubernetes:batch/v1:Job", "api-migrate-job"], stores: ["kubernetes:apps/v1:StatefulSet", ["postgres-sts", "redis-sts"]] },
] as const;

for (const c of CASES) {
    describe(`plan: resource ordering of the ${c.stack} stack`, function () {
        this.timeout(300_000);
        let regs: Registered[];
        let json: PlanJson;
        before(async () => {
            ({ regs, json } = await registrations(c.stack));
        });

        it("registers the migration job after the postgres and redis workloads are up", () => {
            const migrate = regs.find((r) => r.type === c.migrate[0] && r.name === c.migrate[1]);
            assert.ok(migrate, `no ${c.migrate[0]} named ${c.migrate[1]}`);
            for (const store of c.stores[1]) {
                const workload = regs.find((r) => r.type === c.stores[0] && r.name === store);
                assert.ok(workload, `no ${c.stores[0]} named ${store}`);
                assert.ok(migrate.dependencies.includes(workload.urn), `${c.migrate[1]} does not depend on ${workload.urn}; it has ${JSON.stringify(migrate.dependencies)}`);
            }
        });

        it("registers the API after its migration job", () => {
            const migrate = regs.find((r) => r.type === c.migrate[0] && r.name === c.migrate[1]);
            const api = regs.find((r) => ["api", "api-deploy"].includes(r.name) && /Container|Deployment/.test(r.type));
            assert.ok(migrate && api);
            assert.ok(api.dependencies.includes(migrate.urn), `api does not depend on ${migrate.urn}`);
        });

        it("runs the migration job with the API's own image", () => {
            const jobs = migrationJobs(json);
            const api = apiWorkloads(json);
            assert.ok(jobs.length > 0, "no migration job (a resource labelled role=migration)");
            assert.ok(api.length > 0, "no API workload (a resource of the Api labelled kind=service)");
            const apiImages = new Set(api.flatMap(images));
            assert.equal(apiImages.size, 1, `the API runs ${apiImages.size} images: ${[...apiImages].join(", ")}`);
            for (const j of jobs) assert.deepEqual(images(j), [...apiImages], `${j.urn} does not run the API's image`);
        });

        it("orders every API workload after its migration job (options.dependsOn, or on docker its success as an input)", () => {
            const jobs = migrationJobs(json);
            assert.ok(jobs.length > 0);
            for (const w of apiWorkloads(json)) {
                for (const j of jobs) {
                    // On docker the API takes the job's success as an input (its `after` label,
                    // the hash of the job's trigger): an input dependency, stronger than a
                    // dependsOn, which the plan JSON leaves out of options.dependsOn.
                    const trigger = label(j, TRIGGER_LABEL);
                    const after = label(w, AFTER_LABEL);
                    if (trigger !== undefined && after !== undefined) {
                        assert.equal(after, shortHash(trigger, 12), `${w.urn} waits for another job's success than ${j.urn}`);
                    } else {
                        assert.ok(w.options?.dependsOn?.includes(j.urn), `${w.urn} does not dependsOn ${j.urn}; it has ${JSON.stringify(w.options?.dependsOn)}`);
                    }
                }
            }
        });
    });
}

type Resource = PlanJson["resources"][number];

/** What runs a workload or a job on either platform (a Secret or ConfigMap carries the same labels but no image). */
const RUNNERS = new Set(["docker:index/container:Container", "kubernetes:batch/v1:Job", "kubernetes:apps/v1:Deployment"]);

/** A label of a resource: docker's `labels` list or Kubernetes' `metadata.labels`. */
function label(r: Resource, key: string): string | undefined {
    const docker = arr(r.inputs.labels)
        .map(record)
        .find((l) => l.label === key);
    return str(docker?.value) ?? str(record(record(r.inputs.metadata).labels)[key]);
}

/** The image(s) a runner runs: docker's `image`, or every container of a Kubernetes pod template. */
function images(r: Resource): string[] {
    const docker = str(r.inputs.image);
    if (docker !== undefined) return [docker];
    return arr(record(record(record(r.inputs.spec).template).spec).containers).map((c) => str(record(c).image) ?? "");
}

/** URNs of the API components and everything under them. */
function underApi(json: PlanJson): Set<string> {
    const apis = json.resources.filter((r) => r.type === "proteamcare:app:Api");
    return new Set([...apis, ...descendants(json, apis)].map((r) => r.urn));
}

/** The migration jobs (labelled role=migration). */
function migrationJobs(json: PlanJson): Resource[] {
    return json.resources.filter((r) => RUNNERS.has(r.type) && label(r, LABELS.role) === "migration");
}

/** The API's long-running workloads: its runners labelled kind=service. */
function apiWorkloads(json: PlanJson): Resource[] {
    const api = underApi(json);
    return json.resources.filter((r) => api.has(r.urn) && RUNNERS.has(r.type) && label(r, LABELS.kind) === "service");
}
