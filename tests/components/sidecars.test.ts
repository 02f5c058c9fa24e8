/**
 * WorkloadSpec.sidecars and reachesTiers on both platforms (mocks): the sidecar runs the cron loop
 * over its schedules on the workload's volume and shared socket directory, as the workload's user,
 * its secrets kept secret; the workload reaches the tiers it names; both platforms refuse the same
 * bad sidecar specs with the same message.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import type { Platform, WorkloadSpec } from "../../components/platform/spec";
import { installMocks, isSecretInput, type MockRecorder, plaintextStrings, settle, unwrapSecret } from "../support/pulumi";

class Owner extends pulumi.ComponentResource {
    constructor(name: string) {
        super("test:index:Owner", name, {}, {});
    }
}

const SECRET = "sidecar-test-secret-5d1e";

/** A database with a scheduled sidecar on its data volume and socket directory. */
function db(overrides: Partial<WorkloadSpec> = {}): WorkloadSpec {
    return {
        image: "ghcr.io/proteamcare/ptc-postgres:16.9-1",
        tier: "data",
        ports: [{ name: "pg", port: 5432 }],
        secretEnv: { POSTGRES_PASSWORD: pulumi.secret("pw") },
        volumes: [{ name: "data", mountPath: "/var/lib/postgresql/data", sizeGi: 5 }],
        scratch: [{ mountPath: "/var/run/postgresql", sizeMi: 16 }, { mountPath: "/tmp", sizeMi: 64 }],
        healthCheck: { kind: "exec", command: ["pg_isready"], intervalSeconds: 10, timeoutSeconds: 5 },
        resources: { cpu: "250m", memory: "512Mi" },
        user: "999:999",
        readOnlyRootFilesystem: true,
        labels: { "proteamcare.io/component": "owner", "proteamcare.io/store": "postgres" },
        reachesTiers: ["ops"],
        sidecars: [
            {
                name: "pitr",
                env: { BACKUP_S3_URI: "s3://b/p" },
                secretEnv: { BACKUP_REPO_CIPHER_PASS: pulumi.secret(SECRET) },
                resources: { cpu: "100m", memory: "128Mi" },
                volumes: ["data"],
                sharedScratch: ["/var/run/postgresql"],
                schedule: {
                    command: ["ptc-backup", "base-backup"],
                    runs: [
                        { cron: "15 1 * * 0", args: ["--type", "full"] },
                        { cron: "15 1 * * *", args: ["--type", "diff"] },
                        { cron: "15 * * * *", args: ["--type", "incr"] },
                    ],
                },
                labels: { "proteamcare.io/role": "pitr-backup" },
            },
        ],
        ...overrides,
    };
}
const TABLE = "15 1 * * 0 --type full\n15 1 * * * --type diff\n15 * * * * --type incr";

function field(o: unknown, ...path: string[]): unknown {
    let cur = unwrapSecret(o);
    for (const p of path) cur = unwrapSecret((cur as Record<string, unknown> | undefined)?.[p]);
    return cur;
}
type Obj = Record<string, unknown>;
const list = (v: unknown): Obj[] => (unwrapSecret(v) as Obj[] | undefined) ?? [];

describe("sidecars and reachesTiers (mocks)", () => {
    let mocks: MockRecorder;
    let docker: Platform;
    let kubernetes: Platform;
    let owner: pulumi.Resource;

    before(async () => {
        mocks = installMocks("sidecars-test");
        const d = await import("../../components/platform/docker");
        const k = await import("../../components/platform/kubernetes");
        docker = new d.DockerPlatform("sc-docker", { prefix: "sc" });
        kubernetes = new k.KubernetesPlatform("sc-k8s", { namespace: "sc" });
        owner = new Owner("owner");
        docker.service("db", db(), { parent: owner });
        kubernetes.service("db", db(), { parent: owner });
        await settle();
    });

    describe("docker", () => {
        const container = (name: string): Obj => mocks.get("docker:index/container:Container", name).inputs;

        it("runs the sidecar as its own container: the cron loop over the schedules, first due wins, as the workload's user", () => {
            const c = container("db-pitr");
            assert.strictEqual(c.name, "sc-db-pitr");
            assert.deepStrictEqual(c.entrypoints, ["bash", "/opt/proteamcare/cron-loop", "--table", "--"]);
            assert.deepStrictEqual(c.command, ["ptc-backup", "base-backup"]);
            assert.strictEqual(c.user, "999:999");
            assert.strictEqual(c.image, "ghcr.io/proteamcare/ptc-postgres:16.9-1");
            const envs = list(c.envs).map(String);
            assert.ok(envs.includes(`CRON_TABLE=${TABLE}`), envs.join("\n"));
            assert.ok(list(c.uploads).some((u) => u.file === "/opt/proteamcare/cron-loop" && u.executable === true));
            assert.deepStrictEqual(list(field(c.healthcheck, "tests")).slice(0, 2), ["CMD", "bash"]);
            const labels = Object.fromEntries(list(c.labels).map((l) => [l.label, l.value]));
            assert.strictEqual(labels["proteamcare.io/kind"], "sidecar");
            assert.strictEqual(labels["proteamcare.io/role"], "pitr-backup");
            assert.strictEqual(labels["proteamcare.io/store"], undefined, "the sidecar is not the store");
        });

        it("mounts the workload's data volume and the socket directory as one tmpfs volume both containers share", () => {
            const shared = mocks.ofType("docker:index/volume:Volume").find((v) => String(v.name).startsWith("db-shared-"));
            assert.ok(shared, "a shared volume");
            assert.deepStrictEqual(shared.inputs.driverOpts, { type: "tmpfs", device: "tmpfs", o: "size=16m,uid=999,gid=999,mode=0770" });
            for (const name of ["db", "db-pitr"]) {
                const vols = list(container(name).volumes);
                assert.deepStrictEqual(vols.map((v) => [v.containerPath, v.volumeName]), [
                    ["/var/lib/postgresql/data", "sc-db-data"],
                    ["/var/run/postgresql", shared.inputs.name],
                ], name);
            }
            const tmpfs = field(container("db"), "tmpfs") as Obj;
            assert.deepStrictEqual(Object.keys(tmpfs), ["/tmp"], "the shared directory is no longer a private tmpfs");
        });

        it("keeps the sidecar's secret env secret and joins the tiers the workload reaches", () => {
            const c = container("db-pitr");
            assert.ok(isSecretInput(c.envs) || list(c.envs).some(isSecretInput), "envs are secret");
            const nets = (name: string) => list(container(name).networksAdvanced).map((n) => n.name);
            assert.deepStrictEqual(nets("db"), ["sc-data", "sc-ops"]);
            assert.deepStrictEqual(nets("db-pitr"), ["sc-data", "sc-ops"]);
        });
    });

    describe("kubernetes", () => {
        const sts = (): Obj => mocks.get("kubernetes:apps/v1:StatefulSet", "db-sts").inputs;
        const containers = (): Obj[] => list(field(sts(), "spec", "template", "spec", "containers"));

        it("puts the sidecar in the workload's pod: the cron loop, the claim and the socket emptyDir at the same paths", () => {
            const [server, side] = containers();
            assert.strictEqual(server.name, "db");
            assert.strictEqual(side.name, "db-pitr");
            assert.deepStrictEqual(side.command, ["bash", "/opt/proteamcare/cron-loop", "--table", "--"]);
            assert.deepStrictEqual(side.args, ["ptc-backup", "base-backup"]);
            assert.strictEqual(list(side.env).find((e) => e.name === "CRON_TABLE")?.value, TABLE);
            const mounts = (c: Obj) => Object.fromEntries(list(c.volumeMounts).map((m) => [m.mountPath, m.name]));
            assert.strictEqual(mounts(side)["/var/lib/postgresql/data"], "data");
            assert.strictEqual(mounts(side)["/var/run/postgresql"], mounts(server)["/var/run/postgresql"], "one emptyDir for the socket");
            assert.notStrictEqual(mounts(side)["/tmp"], mounts(server)["/tmp"], "its own /tmp");
            assert.strictEqual(mounts(server)["/opt/proteamcare/cron-loop"], undefined, "the server does not mount the sidecar's files");
            assert.ok(Object.keys(field(side, "readinessProbe") as Obj).length > 0 && Object.keys(field(side, "livenessProbe") as Obj).length > 0);
            assert.strictEqual(field(side, "securityContext", "readOnlyRootFilesystem"), true);
        });

        it("keeps the sidecar's secrets in the pod's Secret under its own keys, never plain in the pod template", () => {
            const side = containers()[1];
            assert.deepStrictEqual(list(side.env).find((e) => e.name === "BACKUP_REPO_CIPHER_PASS")?.valueFrom, { secretKeyRef: { name: "db-secrets", key: "db-pitr.BACKUP_REPO_CIPHER_PASS" } });
            const secret = mocks.get("kubernetes:core/v1:Secret", "db-secret").inputs;
            assert.ok(isSecretInput(secret.stringData));
            assert.strictEqual((unwrapSecret(secret.stringData) as Obj)["db-pitr.BACKUP_REPO_CIPHER_PASS"], SECRET);
            assert.ok(!plaintextStrings(sts()).some((s) => s.includes(SECRET)));
            const files = mocks.get("kubernetes:core/v1:ConfigMap", "db-files").inputs;
            assert.ok(String((field(files, "data") as Obj)["opt-proteamcare-cron-loop"]).includes("--table"));
        });

        it("lets the pod reach the ops tier and S3 (443) and the ops tier admit it, selecting only this workload", () => {
            const egress = mocks.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", "db-netpol-reach").inputs;
            assert.deepStrictEqual(field(egress, "spec", "podSelector"), { matchLabels: { "proteamcare.io/workload": "db" } });
            const rules = list(field(egress, "spec", "egress"));
            assert.deepStrictEqual(field(rules[0], "to"), [
                {
                    namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["sc", "sc-host"] }] },
                    podSelector: { matchExpressions: [{ key: "proteamcare.io/tier", operator: "In", values: ["ops"] }] },
                },
            ]);
            assert.ok(rules.slice(1).every((r) => JSON.stringify(r.ports) === JSON.stringify([{ port: 443, protocol: "TCP" }])));
            const ingress = mocks.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", "db-netpol-reach-in").inputs;
            assert.deepStrictEqual(field(ingress, "spec", "podSelector"), { matchExpressions: [{ key: "proteamcare.io/tier", operator: "In", values: ["ops"] }] });
            assert.deepStrictEqual(field(list(field(ingress, "spec", "ingress"))[0], "from"), [
                { namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["sc"] }] }, podSelector: { matchLabels: { "proteamcare.io/workload": "db" } } },
            ]);
        });
    });

    describe("validation parity", () => {
        const side = db().sidecars?.[0];
        const bad: [string, Partial<WorkloadSpec>, RegExp][] = [
            ["a volume the workload lacks", { sidecars: [{ ...side!, volumes: ["wal"] }] }, /sidecar "pitr" mounts volume "wal", which the workload does not have/],
            ["a shared path that is no scratch directory", { sidecars: [{ ...side!, sharedScratch: ["/run"] }] }, /sidecar "pitr" shares scratch \/run, which is not a scratch directory/],
            ["a bad cron", { sidecars: [{ ...side!, schedule: { command: ["x"], runs: [{ cron: "61 * * * *", args: [] }] } }] }, /sidecar "pitr" cron "61 \* \* \* \*" must be/],
            ["no runs", { sidecars: [{ ...side!, schedule: { command: ["x"], runs: [] } }] }, /sidecar "pitr" needs at least one scheduled run/],
            ["a run argument with a blank", { sidecars: [{ ...side!, schedule: { command: ["x"], runs: [{ cron: "* * * * *", args: ["--type full"] }] } }] }, /run argument "--type full" must be one word/],
            ["a secret-looking plain env", { sidecars: [{ ...side!, env: { AWS_SECRET_ACCESS_KEY: "x" } }] }, /bad-5-pitr: env AWS_SECRET_ACCESS_KEY looks like a secret/],
            ["a sidecar named twice", { sidecars: [side!, side!] }, /sidecar "pitr" is listed twice/],
            ["a bad sidecar name", { sidecars: [{ ...side!, name: "Backup_1" }] }, /sidecar name "Backup_1" must be a DNS label/],
            ["an unknown tier to reach", { reachesTiers: ["storage" as "ops"] }, /reachesTiers entry "storage" is not one of edge, app, data, ops/],
        ];
        bad.forEach(([what, change, says], i) => {
            it(`refuses ${what} on both platforms with the same message`, () => {
                const refusal = (p: Platform): string => {
                    try {
                        p.service(`bad-${i}`, db(change), { parent: owner });
                    } catch (e) {
                        return (e as Error).message;
                    }
                    return "";
                };
                const onDocker = refusal(docker);
                assert.match(onDocker, says);
                assert.strictEqual(refusal(kubernetes), `kubernetes service "bad-${i}" is invalid: ${onDocker}`);
            });
        });
    });
});
