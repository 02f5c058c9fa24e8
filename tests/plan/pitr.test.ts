/**
 * Point-in-time recovery in the offline plan of both real stacks: the PostgreSQL server archives
 * its WAL through pgBackRest, the backup sidecar runs on its schedules beside it, the generated
 * repository cipher pass never shows in the plan, and (prod) the bucket never expires the
 * pgBackRest repository by lifecycle.
 */
import * as assert from "node:assert/strict";

import { arr, record as obj } from "../../stacks/objects";
import { type ChildPlanResult, planInChildProcess } from "../../tools/plan/child";
import type { PlanJson } from "../../tools/plan/plan";

type Resource = PlanJson["resources"][number];
const ARCHIVE_ARGS = ["postgres", "-c", "archive_mode=on", "-c", "archive_command=pgbackrest archive-push %p", "-c", "archive_timeout=60"];
const TABLE = "15 1 * * 0 --type full\n15 1 * * * --type diff\n15 * * * * --type incr";

function one(json: PlanJson, type: string, name: string): Resource {
    const r = json.resources.find((x) => x.type === type && x.name === name);
    assert.ok(r, `${type} ${name} is in the plan`);
    return r;
}

describe("plan: point-in-time recovery on both stacks", function () {
    this.timeout(300_000);
    let dev: ChildPlanResult;
    let prod: ChildPlanResult;

    before(async () => {
        [dev, prod] = await Promise.all([planInChildProcess({ stack: "dev", seed: 3, recordMockSecrets: true }), planInChildProcess({ stack: "prod", seed: 3, recordMockSecrets: true })]);
        for (const r of [dev, prod]) assert.ok(r.json, `no plan JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    });

    it("generates the repository cipher pass and never shows it: the plan JSON holds no generated secret, the output is [secret]", () => {
        for (const r of [dev, prod]) {
            const json = r.json as PlanJson;
            assert.equal(one(json, "random:index/randomPassword:RandomPassword", "postgres-pitr-cipher-pass").inputs.length, 48);
            assert.ok((r.mockSecrets ?? []).length > 0);
            for (const s of r.mockSecrets ?? []) assert.ok(!(r.jsonText ?? "").includes(s), `a generated secret (${s.slice(0, 6)}…) is in the ${json.stack} plan JSON`);
            assert.equal(obj(json.outputs.backupPitr).cipherPass, "[secret]");
            assert.equal(obj(json.outputs.backupPitr).enabled, true);
        }
    });

    it("prod: the StatefulSet's server archives through pgBackRest, its sidecar backs up on the three schedules, secrets by reference", () => {
        const json = prod.json as PlanJson;
        const sts = one(json, "kubernetes:apps/v1:StatefulSet", "postgres-sts");
        const containers = arr(obj(obj(obj(sts.inputs.spec).template).spec).containers).map(obj);
        assert.deepEqual(containers.map((c) => c.name), ["postgres", "postgres-pitr"]);
        const [server, side] = containers;
        assert.deepEqual(server.args, ARCHIVE_ARGS);
        assert.match(String(arr(server.command)[2]), /ptc-backup pitr-env/);
        assert.match(String(server.image), /^ghcr\.io\/proteamcare\/ptc-postgres:16\.9-1@sha256:[0-9a-f]{64}$/, "prod runs the project's own image by digest");
        assert.deepEqual(side.args, ["ptc-backup", "base-backup"]);
        const env = (c: Record<string, unknown>) => Object.fromEntries(arr(c.env).map(obj).map((e) => [e.name, e.value ?? obj(obj(e.valueFrom).secretKeyRef).key]));
        assert.equal(env(side).CRON_TABLE, TABLE);
        assert.equal(env(side).CRON_AT_START, "--type full --if-none", "the stanza and a first full at start: archiving works from the first minutes");
        for (const c of [server, side]) {
            assert.equal(env(c).BACKUP_S3_URI, "s3://pro-team-care-backups-prod/pro-team-care");
            assert.equal(arr(c.env).map(obj).find((e) => e.name === "BACKUP_REPO_CIPHER_PASS")?.value, undefined, "the cipher pass comes from the Secret");
        }
        const secret = one(json, "kubernetes:core/v1:Secret", "postgres-secret");
        // The whole stringData is one secret, shown redacted.
        assert.equal(secret.inputs.stringData, "[secret]");
        one(json, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "postgres-netpol-reach");
        one(json, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "postgres-netpol-reach-in");
    });

    it("prod: the bucket expires the logical backups after the retention and never the pgBackRest repository; the identity deletes only there", () => {
        const json = prod.json as PlanJson;
        const rules = arr(one(json, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "backup-bucket-lifecycle").inputs.rules).map(obj);
        const expiring = rules.filter((r) => obj(r.expiration).days !== undefined);
        assert.deepEqual(expiring.map((r) => [r.id, obj(r.filter).prefix, obj(r.expiration).days]), [["expire-backups", "pro-team-care/backups/", 30]]);
        const policy = JSON.parse(String(one(json, "aws:iam/userPolicy:UserPolicy", "backup-bucket-writer-policy").inputs.policy)) as { Statement: { Action: unknown; Resource: unknown }[] };
        const deletes = policy.Statement.filter((s) => JSON.stringify(s.Action).includes("Delete"));
        assert.deepEqual(deletes.map((s) => [s.Action, String(s.Resource).replace(/^.*:::[^/]+/, "")]), [["s3:DeleteObject", "/pro-team-care/pgbackrest/*"]]);
    });

    it("dev: the server container archives, the sidecar container shares its data volume and socket volume, envs redacted", () => {
        const json = dev.json as PlanJson;
        const server = one(json, "docker:index/container:Container", "postgres");
        const side = one(json, "docker:index/container:Container", "postgres-pitr");
        assert.deepEqual(server.inputs.command, ARCHIVE_ARGS);
        assert.deepEqual(side.inputs.entrypoints, ["bash", "/opt/proteamcare/cron-loop", "--table", "--"]);
        assert.deepEqual(side.inputs.command, ["ptc-backup", "base-backup"]);
        const mounts = (r: Resource) => arr(r.inputs.volumes).map(obj).map((v) => [v.containerPath, v.volumeName]);
        assert.deepEqual(mounts(side), mounts(server));
        assert.deepEqual(mounts(server).map((m) => m[0]), ["/var/lib/postgresql/data", "/var/run/postgresql"]);
        for (const r of [server, side]) assert.ok(arr(r.inputs.envs).every((e) => e === "[secret]"), `${r.name}: envs are secret`);
        assert.deepEqual(arr(server.inputs.networksAdvanced).map((n) => obj(n).name), ["ptc-dev-data", "ptc-dev-ops"]);
    });
});
