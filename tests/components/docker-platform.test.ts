import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, isSecretInput, MockRecorder, plaintextStrings, settle, unwrapSecret, valueOf } from "../support/pulumi";

type Mod = typeof import("../../components/platform/docker");

class Owner extends pulumi.ComponentResource {
    constructor(name: string) {
        super("test:index:Owner", name, {}, {});
    }
}

const CONTAINER = "docker:index/container:Container";

describe("DockerPlatform (mocks)", () => {
    let mocks: MockRecorder;
    let mod: Mod;
    let dbResources: pulumi.Resource[] = [];

    before(async () => {
        mocks = installMocks("docker-test");
        mod = await import("../../components/platform/docker");
        const platform = new mod.DockerPlatform("plat", { prefix: "ptc-t" });
        const owner = new Owner("owner");
        dbResources = platform.service(
            "db",
            {
                image: "postgres:16.6-bookworm",
                tier: "data",
                ports: [{ name: "pg", port: 5432 }],
                env: { POSTGRES_DB: "x" },
                secretEnv: { POSTGRES_PASSWORD: pulumi.secret("s3cr3t-value") },
                volumes: [{ name: "data", mountPath: "/var/lib/postgresql/data", sizeGi: 5 }],
                healthCheck: { kind: "exec", command: ["pg_isready"], intervalSeconds: 10, timeoutSeconds: 5 },
                resources: { cpu: "250m", memory: "512Mi", memoryLimit: "1Gi" },
                user: "999:999",
                labels: { "proteamcare.io/store": "postgres" },
            },
            { parent: owner },
        ).resources;
        platform.service(
            "front",
            {
                image: "nginx:1.27",
                tier: "edge",
                ports: [{ name: "https", port: 8443, hostPort: 443 }],
                files: [
                    { path: "/etc/nginx/nginx.conf", content: "events {}" },
                    { path: "/etc/tls/key.pem", content: pulumi.secret("PRIVATE-KEY-MATERIAL"), secret: true },
                ],
                healthCheck: { kind: "http", path: "/healthz", port: 8080 },
                resources: { cpu: "50m", memory: "64Mi" },
                readOnlyRootFilesystem: true,
                scratch: [{ mountPath: "/tmp" }],
            },
            { parent: owner },
        );
        platform.job(
            "migrate",
            { image: "api:1", tier: "app", command: ["alembic", "upgrade", "head"], resources: { cpu: "100m", memory: "128Mi" }, trigger: "api:1" },
            { parent: owner },
        );
        platform.schedule(
            "nightly",
            { image: "backup:1", tier: "ops", command: ["ptc-backup", "backup"], cron: "0 * * * *", resources: { cpu: "100m", memory: "128Mi" } },
            { parent: owner },
        );
        await settle();
    });

    it("makes one network per tier and only the data network is internal", () => {
        const nets = mocks.ofType("docker:index/network:Network");
        assert.deepStrictEqual(nets.map((n) => n.inputs.name).sort(), ["ptc-t-app", "ptc-t-data", "ptc-t-edge", "ptc-t-ops"]);
        for (const n of nets) assert.strictEqual(n.inputs.internal, n.inputs.name === "ptc-t-data", `${n.inputs.name}`);
    });

    it("gives a service a healthcheck, restart policy, log rotation, wait-for-healthy and its user", () => {
        const db = mocks.get(CONTAINER, "db").inputs;
        assert.strictEqual(db.restart, "unless-stopped");
        assert.strictEqual(db.wait, true);
        assert.deepStrictEqual((db.healthcheck as { tests: string[] }).tests, ["CMD", "pg_isready"]);
        assert.strictEqual((db.healthcheck as { interval: string }).interval, "10s");
        assert.strictEqual(db.logDriver, "json-file");
        assert.deepStrictEqual(db.logOpts, {
            "max-file": "5",
            "max-size": "10m",
            labels: "proteamcare.io/workload,proteamcare.io/tier,proteamcare.io/component",
        });
        assert.strictEqual(db.user, "999:999");
        assert.strictEqual(db.memory, 1024);
        assert.deepStrictEqual(db.capabilities, { drops: ["ALL"] });
        assert.deepStrictEqual(db.securityOpts, ["no-new-privileges:true"]);
    });

    it("keeps the data tier on the data network only, with no host ports", () => {
        const db = mocks.get(CONTAINER, "db").inputs;
        assert.deepStrictEqual((db.networksAdvanced as { name: string }[]).map((n) => n.name), ["ptc-t-data"]);
        assert.ok(!db.ports || (db.ports as unknown[]).length === 0);
    });

    it("publishes host ports only for the edge, which reaches the app network", () => {
        const front = mocks.get(CONTAINER, "front").inputs;
        assert.deepStrictEqual(front.ports, [{ internal: 8443, external: 443, protocol: "tcp" }]);
        assert.deepStrictEqual((front.networksAdvanced as { name: string }[]).map((n) => n.name), ["ptc-t-edge", "ptc-t-app"]);
        // Docker cannot copy files into a read-only root (moby/moby#43015): files mean a writable root.
        assert.strictEqual(front.readOnly, false);
        assert.deepStrictEqual(front.tmpfs, { "/tmp": "rw,nosuid,nodev,size=64m" });
    });

    it("refuses host ports outside the edge tier", () => {
        const platform = new mod.DockerPlatform("plat2", { prefix: "ptc-u" });
        assert.throws(
            () =>
                platform.service(
                    "leaky",
                    { image: "redis:7.4.1", tier: "data", ports: [{ name: "r", port: 6379, hostPort: 6379 }], healthCheck: { kind: "tcp", port: 6379 }, resources: { cpu: "1", memory: "1Gi" } },
                    { parent: platform },
                ),
            /only the edge tier may publish host ports/,
        );
    });

    it("passes secret env and secret files only as secrets", () => {
        const db = mocks.get(CONTAINER, "db").inputs;
        assert.ok(isSecretInput(db.envs), "envs holding a secret must be secret as a whole");
        assert.deepStrictEqual(unwrapSecret(db.envs), ["POSTGRES_DB=x", "POSTGRES_PASSWORD=s3cr3t-value"]);
        const front = mocks.get(CONTAINER, "front").inputs;
        const strings = plaintextStrings(front).join("\n");
        assert.ok(!strings.includes("PRIVATE-KEY-MATERIAL"), "the key must not be plaintext");
        // The SDK lifts secrecy to the top-level property: one secret file makes `uploads` secret whole.
        assert.ok(isSecretInput(front.uploads));
        assert.ok(!plaintextStrings(mocks.resources.map((r) => r.inputs)).some((s) => s.includes("s3cr3t-value")));
    });

    it("keeps volumes named per workload and labels the store", () => {
        const vol = mocks.get("docker:index/volume:Volume", "db-data").inputs;
        assert.strictEqual(vol.name, "ptc-t-db-data");
        const labels = mocks.get(CONTAINER, "db").inputs.labels as { label: string; value: string }[];
        const map = Object.fromEntries(labels.map((l) => [l.label, l.value]));
        assert.strictEqual(map["proteamcare.io/store"], "postgres");
        assert.strictEqual(map["proteamcare.io/tier"], "data");
        assert.strictEqual(map["proteamcare.io/kind"], "service");
    });

    it("runs a job once per trigger: restart no, attached, replaced when the trigger changes", () => {
        const job = mocks.get(CONTAINER, "migrate").inputs;
        assert.strictEqual(job.restart, "no");
        assert.strictEqual(job.attach, true);
        assert.strictEqual(job.mustRun, false);
        assert.strictEqual(job.healthcheck, undefined);
        const labels = Object.fromEntries((job.labels as { label: string; value: string }[]).map((l) => [l.label, l.value]));
        assert.strictEqual(labels["proteamcare.io/kind"], "job");
        assert.match(labels["proteamcare.io/trigger"], /^[0-9a-f]{12}$/);
    });

    it("runs a schedule from the cron loop, with its heartbeat as health and the cron in a label", () => {
        const s = mocks.get(CONTAINER, "nightly").inputs;
        assert.deepStrictEqual(s.entrypoints, ["bash", "/opt/proteamcare/cron-loop"]);
        assert.deepStrictEqual(s.command, ["0 * * * *", "--", "ptc-backup", "backup"]);
        const uploads = s.uploads as { file: string; content: string }[];
        assert.ok(uploads.some((u) => u.file === "/opt/proteamcare/cron-loop" && u.content.includes("cron_matches")));
        const labels = Object.fromEntries((s.labels as { label: string; value: string }[]).map((l) => [l.label, l.value]));
        assert.strictEqual(labels["proteamcare.io/schedule"], "0 * * * *");
        assert.strictEqual(labels["proteamcare.io/kind"], "schedule");
        assert.match((s.healthcheck as { tests: string[] }).tests.join(" "), /proteamcare-cron\.heartbeat/);
        // The loop touches the file the health check reads.
        assert.ok((unwrapSecret(s.envs) as string[]).includes("CRON_HEARTBEAT=/tmp/proteamcare-cron.heartbeat"));
    });

    it("parents workload resources to the calling component, not to the platform", async () => {
        // A child's URN carries its parent's type in the qualified type.
        const urns = await Promise.all(dbResources.map((r) => valueOf(r.urn)));
        assert.strictEqual(urns.length, 2);
        for (const urn of urns) assert.match(urn, /::test:index:Owner\$docker:index\/(container|volume):/);
    });
});
