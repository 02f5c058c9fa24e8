import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, isSecretInput, MockRecorder, plaintextStrings, settle, unwrapSecret, valueOf } from "../support/pulumi";

type Platforms = "docker" | "kubernetes";

interface Built {
    mocks: MockRecorder;
    postgres: import("../../components/data").Postgres;
    redis: import("../../components/data").Redis;
    api: import("../../components/app").Api;
    web: import("../../components/app").Web;
}

async function build(kind: Platforms): Promise<Built> {
    const mocks = installMocks(`app-data-${kind}`);
    const { DockerPlatform } = await import("../../components/platform/docker");
    const { KubernetesPlatform } = await import("../../components/platform/kubernetes");
    const { Postgres, Redis } = await import("../../components/data");
    const { Api, Web } = await import("../../components/app");
    const platform = kind === "docker" ? new DockerPlatform(`p-${kind}`, { prefix: "ptc-t" }) : new KubernetesPlatform(`p-${kind}`, { namespace: "ptc-t" });
    const postgres = new Postgres("postgres", { platform, image: "postgres:16.6-bookworm", volumeSizeGi: 5 });
    const redis = new Redis("redis", { platform, image: "redis:7.4.1-bookworm" });
    const api = new Api("api", {
        platform,
        image: "ghcr.io/proteamcare/backend:1.0.0",
        environment: "production",
        postgres: { host: postgres.host, port: postgres.port, password: postgres.password, database: postgres.database, user: postgres.user },
        redis: { host: redis.host, port: redis.port, password: redis.password },
        replicas: kind === "docker" ? 1 : 3,
    });
    const web = new Web("web", { platform, image: "ghcr.io/proteamcare/frontend:1.0.0", replicas: kind === "docker" ? 1 : 2 });
    await settle();
    await valueOf(api.address);
    await settle();
    return { mocks, postgres, redis, api, web };
}

/** Env of a workload as NAME → value, whichever platform rendered it (secret values unwrapped). */
function envOf(b: Built, kind: Platforms, workload: string): Record<string, string> {
    if (kind === "docker") {
        const c = b.mocks.get("docker:index/container:Container", workload).inputs;
        const list = unwrapSecret(c.envs) as string[];
        return Object.fromEntries(list.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
    }
    const w = b.mocks.resources.find(
        (r) => /Deployment|StatefulSet|kubernetes:batch\/v1:Job/.test(r.type) && (r.inputs.metadata as { name?: string })?.name === workload,
    );
    if (!w) throw new Error(`no workload ${workload}`);
    const spec = unwrapSecret(w.inputs.spec) as { template: { spec: { containers: { env?: { name: string; value?: string; valueFrom?: unknown }[] }[] } } };
    const out: Record<string, string> = {};
    for (const e of spec.template.spec.containers[0].env ?? []) out[e.name] = e.value ?? (e.valueFrom ? "<secretKeyRef>" : "");
    return out;
}

for (const kind of ["docker", "kubernetes"] as const) {
    describe(`app and data components on ${kind} (mocks)`, () => {
        let b: Built;
        before(async () => {
            b = await build(kind);
        });

        it("generates the store passwords as secrets and never puts them in plain inputs", async () => {
            assert.strictEqual(await pulumi.isSecret(b.postgres.password), true);
            assert.strictEqual(await pulumi.isSecret(b.redis.password), true);
            assert.strictEqual(b.mocks.generatedSecrets.length, 2);
            const plain = plaintextStrings(b.mocks.resources.map((r) => r.inputs)).join("\n");
            for (const s of b.mocks.generatedSecrets) assert.ok(!plain.includes(s), "a generated password leaked into a plain input");
        });

        it("gives postgres pg_isready, a volume and the seed's initdb args", () => {
            const env = envOf(b, kind, "postgres");
            assert.strictEqual(env.POSTGRES_INITDB_ARGS, "--encoding=UTF8 --locale=C");
            assert.strictEqual(env.POSTGRES_DB, "pro_team_care");
            const text = JSON.stringify(b.mocks.resources.filter((r) => JSON.stringify(r.inputs).includes("pg_isready")).map((r) => r.type));
            assert.match(text, kind === "docker" ? /docker:index\/container:Container/ : /StatefulSet/);
            if (kind === "docker") assert.ok(b.mocks.get("docker:index/volume:Volume", "postgres-data"));
            else {
                const sts = b.mocks.ofType("kubernetes:apps/v1:StatefulSet").find((r) => (r.inputs.metadata as { name: string }).name === "postgres");
                assert.ok(sts, "postgres is a StatefulSet");
                const spec = unwrapSecret(sts.inputs.spec) as { volumeClaimTemplates: { spec: { resources: { requests: { storage: string } } } }[] };
                assert.strictEqual(spec.volumeClaimTemplates[0].spec.resources.requests.storage, "5Gi");
            }
        });

        it("runs redis from a secret config with appendonly and requirepass, health by an authenticated PING", () => {
            const all = JSON.stringify(b.mocks.resources.map((r) => unwrapSecret(r.inputs)));
            assert.match(all, /appendonly yes/);
            assert.match(all, /requirepass mockpw/);
            assert.match(all, /redis-cli -h 127\.0\.0\.1 -p 6379 --no-auth-warning ping/);
            const env = envOf(b, kind, "redis");
            assert.ok(env.REDISCLI_AUTH, "the health check authenticates");
        });

        it("passes the API its environment, and DATABASE_URL and REDIS_URL built from the stores, as secrets", () => {
            const env = envOf(b, kind, "api");
            assert.strictEqual(env.ENVIRONMENT, "production");
            if (kind === "docker") {
                const c = b.mocks.get("docker:index/container:Container", "api").inputs;
                assert.ok(isSecretInput(c.envs));
                assert.match(env.DATABASE_URL, /^postgresql:\/\/pro_team_care:mockpw[a-z0-9]+@postgres:5432\/pro_team_care$/);
                assert.match(env.REDIS_URL, /^redis:\/\/:mockpw[a-z0-9]+@redis:6379\/0$/);
            } else {
                assert.strictEqual(env.DATABASE_URL, "<secretKeyRef>");
                assert.strictEqual(env.REDIS_URL, "<secretKeyRef>");
                const secretText = JSON.stringify(b.mocks.ofType("kubernetes:core/v1:Secret").map((s) => unwrapSecret(s.inputs.stringData)));
                assert.match(secretText, /postgresql:\/\/pro_team_care:mockpw[a-z0-9]+@postgres\.ptc-t\.svc\.cluster\.local:5432\/pro_team_care/);
            }
        });

        it("checks the API at GET /api/v1/health on 8000 and the web at GET /", () => {
            const all = JSON.stringify(b.mocks.resources.map((r) => unwrapSecret(r.inputs)));
            assert.match(all, kind === "docker" ? /127\.0\.0\.1:8000\/api\/v1\/health/ : /"path":"\/api\/v1\/health","port":8000/);
            assert.match(all, kind === "docker" ? /127\.0\.0\.1:8080\/'/ : /"path":"\/","port":8080/);
        });

        it("runs the migrations (alembic upgrade head) as a job", () => {
            const job =
                kind === "docker"
                    ? b.mocks.get("docker:index/container:Container", "api-migrate")
                    : b.mocks.ofType("kubernetes:batch/v1:Job").find((j) => /api-migrate/.test((j.inputs.metadata as { name: string }).name));
            assert.ok(job, "a migration job");
            assert.match(JSON.stringify(job.inputs), /alembic.*upgrade.*head/);
        });

        it("exposes internal endpoints", async () => {
            const host = await valueOf(b.api.host);
            assert.strictEqual(host, kind === "docker" ? "api" : "api.ptc-t.svc.cluster.local");
            assert.strictEqual(await valueOf(b.api.port), 8000);
            assert.strictEqual(await valueOf(b.postgres.port), 5432);
        });

        it("exposes a pods host that resolves to every API replica (docker: the shared alias; Kubernetes: the headless Service)", async () => {
            assert.strictEqual(await valueOf(b.api.podsHost), kind === "docker" ? "api" : "api-pods.ptc-t.svc.cluster.local");
        });
    });
}
