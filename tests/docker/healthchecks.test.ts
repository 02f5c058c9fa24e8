/**
 * The docker health checks the program renders, run by a real Docker engine.
 *
 * Each check comes from the program's own pure builders (postgresSpec, redisSpec, edgeSpec and
 * the stack's api definition through dockerHealthcheck) and must equal what the dev plan
 * renders. The containers run with the rendered definition's hardening (user, read-only root,
 * tmpfs, init, capabilities) on images built from the local Debian base with Debian's
 * postgresql, redis and nginx — the tools the official images carry. Only the timing differs
 * from production: interval 1 s and no start period (see withTestTiming); the command, its
 * timeout and its retries are the rendered ones.
 *
 * Each store is healthy with its check, and the same check aimed at a wrong port (or, for HTTP,
 * a wrong path) is unhealthy while the server demonstrably runs.
 */
import { strict as assert } from "node:assert";
import { REDIS_CONF_PATH, redisSpec, renderRedisConf } from "../../components/data/redis";
import { edgeSpec, NGINX_CONF_PATH } from "../../components/edge/edge";
import { TLS_PATHS } from "../../components/edge/nginx";
import { dockerHealthcheck } from "../../components/platform/docker-builders";
import { HealthCheck, WorkloadSpec } from "../../components/platform/spec";
import { DockerSession, HealthcheckSettings, requireEngine } from "./support/engine";
import { devCertificate, nginxConfFor122, renderedEdgeConf } from "./support/edge";
import { expectUnhealthyWhileServing, plainEnv, retargetPort, startNow, TEST_PASSWORD as PASSWORD, testImage, testPostgresSpec, withTestTiming } from "./support/images";
import { ContainerDefinition, definitionOf, hardeningOf, renderedStack, RenderedStack } from "./support/rendered";

/** Generous: a cold machine builds the image first (in `before`), this covers start-up only. */
const HEALTHY_WITHIN_MS = 90_000;

/** A spec's command as plain strings (the stores' commands are literals). */
function plainCommand(spec: WorkloadSpec): string[] | undefined {
    return spec.command?.map((c) => {
        assert.equal(typeof c, "string", "a literal command");
        return c as string;
    });
}

/** The rendered check, as the program builds it, and a check that the plan renders the same. */
function checkOf(spec: WorkloadSpec, def: ContainerDefinition): HealthcheckSettings {
    assert.ok(spec.healthCheck, "the spec declares a health check");
    const built = dockerHealthcheck(spec.healthCheck);
    assert.ok(def.healthcheck, `${def.name} renders a health check`);
    assert.deepStrictEqual(def.healthcheck.tests, built.tests, `${def.name}: the plan renders the builder's check`);
    return built;
}

describe("docker health checks, run by the engine", function () {
    let session: DockerSession;
    let dev: RenderedStack;

    before(async function () {
        await requireEngine(this);
        session = new DockerSession();
        dev = await renderedStack("dev");
    });
    after(async () => {
        await session?.cleanup();
    });

    describe("PostgreSQL (pg_isready)", () => {
        const spec = testPostgresSpec();
        let check: HealthcheckSettings;
        let good: () => Promise<string>;
        let wrongPort: () => Promise<string>;

        before(async () => {
            const def = definitionOf(dev, "postgres");
            check = checkOf(spec, def);
            const image = await testImage("postgres");
            const base = { image, ...hardeningOf(def), env: { ...plainEnv(spec), POSTGRES_PASSWORD: PASSWORD } };
            const port = spec.ports?.[0]?.port ?? assert.fail("postgres declares no port");
            good = startNow(() => session.startContainer({ ...base, role: "pg-good", healthcheck: withTestTiming(check) }));
            wrongPort = startNow(() =>
                session.startContainer({ ...base, role: "pg-wrong-port", healthcheck: { ...withTestTiming(check), tests: retargetPort(check.tests, port, port + 1) } }),
            );
        });

        it("is healthy with the rendered check", async () => {
            await session.waitForHealth(await good(), "healthy", HEALTHY_WITHIN_MS);
        });

        it("is unhealthy with the same check aimed at a wrong port", async () => {
            await expectUnhealthyWhileServing(session, await wrongPort(), check.tests, check.retries, HEALTHY_WITHIN_MS);
        });
    });

    describe("Redis (authenticated PING)", () => {
        const spec = redisSpec({ image: "redis", password: PASSWORD, volumeSizeGi: 1, resources: { cpu: "50m", memory: "128Mi" }, component: "redis" });
        let check: HealthcheckSettings;
        let good: () => Promise<string>;
        let wrongPort: () => Promise<string>;
        let noAuth: () => Promise<string>;

        before(async () => {
            const def = definitionOf(dev, "redis");
            check = checkOf(spec, def);
            assert.deepStrictEqual(def.command, spec.command, "the plan runs the spec's command");
            const image = await testImage("redis");
            const base = {
                image,
                ...hardeningOf(def),
                command: plainCommand(spec),
                files: [{ path: REDIS_CONF_PATH, content: renderRedisConf(PASSWORD) }],
            };
            // The password reaches the check through REDISCLI_AUTH (secretEnv), never the command line.
            const env = { REDISCLI_AUTH: PASSWORD };
            const port = spec.ports?.[0]?.port ?? assert.fail("redis declares no port");
            good = startNow(() => session.startContainer({ ...base, env, role: "redis-good", healthcheck: withTestTiming(check) }));
            wrongPort = startNow(() =>
                session.startContainer({ ...base, env, role: "redis-wrong-port", healthcheck: { ...withTestTiming(check), tests: retargetPort(check.tests, port, port + 1) } }),
            );
            // Without the password PING answers NOAUTH: the check must not count that as up.
            noAuth = startNow(() => session.startContainer({ ...base, env: {}, role: "redis-no-auth", healthcheck: withTestTiming(check) }));
        });

        it("is healthy with the rendered check", async () => {
            await session.waitForHealth(await good(), "healthy", HEALTHY_WITHIN_MS);
        });

        it("is unhealthy with the same check aimed at a wrong port", async () => {
            await expectUnhealthyWhileServing(session, await wrongPort(), check.tests, check.retries, HEALTHY_WITHIN_MS);
        });

        it("is unhealthy when the check lacks the password (NOAUTH is not PONG)", async () => {
            // The "correct" probe here is a TCP connect: the server is up, only the auth is missing.
            await expectUnhealthyWhileServing(session, await noAuth(), ["CMD", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/6379"], check.retries, HEALTHY_WITHIN_MS);
        });
    });

    describe("edge (GET /healthz on the http port, Debian's nginx)", () => {
        let spec: WorkloadSpec;
        let hc: HealthCheck;
        let check: HealthcheckSettings;
        let good: string;
        let wrongPort: string;
        let statusPort: string;

        before(async () => {
            const def = definitionOf(dev, "edge");
            spec = edgeSpec({
                image: "edge",
                nginxConf: "",
                certificate: "",
                privateKey: "",
                hostPorts: { http: 8080, https: 8443 },
                replicas: 1,
                resources: { cpu: "100m", memory: "64Mi" },
                component: "edge",
            });
            assert.ok(spec.healthCheck && spec.healthCheck.kind === "http");
            hc = spec.healthCheck;
            check = checkOf(spec, def);
            const image = await testImage("edge");
            const tls = devCertificate(dev);
            const base = {
                image,
                ...hardeningOf(def),
                env: plainEnv(spec),
                files: [
                    { path: NGINX_CONF_PATH, content: nginxConfFor122(renderedEdgeConf(dev)).conf },
                    { path: TLS_PATHS.certificate, content: tls.certificate },
                    { path: TLS_PATHS.privateKey, content: tls.privateKey },
                ],
                // nginx as rendered (`nginx -c <live conf>`), without the live-files watcher around
                // it, which tests/docker/rollout.test.ts runs.
                command: def.command,
            };
            const status = 8081;
            [good, wrongPort, statusPort] = await Promise.all([
                session.startContainer({ ...base, role: "edge-good", healthcheck: withTestTiming(check) }),
                session.startContainer({ ...base, role: "edge-wrong-port", healthcheck: withTestTiming(dockerHealthcheck({ ...hc, port: 8089 })) }),
                // A listening port without the path: the status listener answers 404 there.
                session.startContainer({ ...base, role: "edge-status-port", healthcheck: withTestTiming(dockerHealthcheck({ ...hc, port: status })) }),
            ]);
        });

        it("is healthy with the rendered check", async () => {
            await session.waitForHealth(good, "healthy", HEALTHY_WITHIN_MS);
        });

        it("is unhealthy with the same check aimed at a port nothing listens on", async () => {
            await expectUnhealthyWhileServing(session, wrongPort, check.tests, check.retries, HEALTHY_WITHIN_MS);
        });

        it("is unhealthy with the same check on a listener without /healthz (404)", async () => {
            await expectUnhealthyWhileServing(session, statusPort, check.tests, check.retries, HEALTHY_WITHIN_MS);
        });
    });

    describe("API stand-in (GET /api/v1/health, the stub image)", () => {
        let def: ContainerDefinition;
        let check: HealthcheckSettings;
        let good: string;
        let failing: string;
        let wrongPath: string;

        before(async () => {
            // The API's spec is built inside its component, so the check is read from the plan.
            def = definitionOf(dev, "api");
            assert.ok(def.healthcheck);
            check = def.healthcheck;
            const image = await testImage("stub");
            const base = { image, ...hardeningOf(def), env: { STUB_PORT: "8000", STUB_VERSION: "v1" } };
            const wrong = dockerHealthcheck({ kind: "http", port: 8000, path: "/api/v1/no-such-path", timeoutSeconds: 5 });
            [good, failing, wrongPath] = await Promise.all([
                session.startContainer({ ...base, role: "api-good", healthcheck: withTestTiming(check) }),
                session.startContainer({ ...base, role: "api-503", env: { ...base.env, STUB_HEALTH: "fail" }, healthcheck: withTestTiming(check) }),
                session.startContainer({ ...base, role: "api-wrong-path", healthcheck: withTestTiming(wrong) }),
            ]);
        });

        it("is healthy with the rendered check", async () => {
            await session.waitForHealth(good, "healthy", HEALTHY_WITHIN_MS);
        });

        it("is unhealthy when the health path answers 503", async () => {
            const probe = ["CMD", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8000"];
            await expectUnhealthyWhileServing(session, failing, probe, check.retries, HEALTHY_WITHIN_MS);
        });

        it("is unhealthy with the same check aimed at a wrong path (404)", async () => {
            await expectUnhealthyWhileServing(session, wrongPath, check.tests, check.retries, HEALTHY_WITHIN_MS);
        });
    });
});
