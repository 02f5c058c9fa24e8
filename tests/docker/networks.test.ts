/**
 * The tier networks exactly as the docker platform renders them (names, `internal`, and each
 * container's networks and aliases, from the dev plan), created on a real engine: PostgreSQL on
 * the data network is unreachable from a container with the edge's networks — by name and by
 * address — and reachable from one with the API's; and only the edge publishes a host port.
 *
 * What `internal` itself does (docker drops forwarding between the bridge and anything off it;
 * the container still has a default route via the bridge) is checked as the engine's network
 * flag, not with a packet: that would need a destination off the host, which the tests never
 * contact.
 */
import { strict as assert } from "node:assert";
import { dockerHealthcheck } from "../../components/platform/docker-builders";
import { docker, DockerSession, requireEngine, timed } from "./support/engine";
import { plainEnv, TEST_PASSWORD as PASSWORD, testImage, testPostgresSpec, withTestTiming } from "./support/images";
import { ContainerDefinition, definitionOf, hardeningOf, RenderedNetwork, renderedStack, RenderedStack } from "./support/rendered";


/** What a probe container found: exit status of each attempt (0 = connected). */
interface ProbeResult {
    /** `pg_isready -h postgres`: name resolution plus a PostgreSQL handshake. */
    readonly byName: number;
    /** A TCP connect to PostgreSQL's address on the data network. */
    readonly byAddress: number;
}

/** Tier of a rendered network ("ptc-dev-data" → "data"), from the platform's `<prefix>-<tier>` naming. */
function tierOf(n: RenderedNetwork): string {
    return n.name.slice(n.name.lastIndexOf("-") + 1);
}

describe("docker tier networks, as rendered, on a real engine", function () {
    let session: DockerSession;
    let dev: RenderedStack;
    let edge: ContainerDefinition;
    let api: ContainerDefinition;
    let postgres: ContainerDefinition;
    let image: string;
    /** Rendered network name → the session's network of the same kind. */
    const live = new Map<string, string>();
    let postgresAddress: string;

    before(async function () {
        await requireEngine(this);
        session = new DockerSession();
        dev = await renderedStack("dev");
        edge = definitionOf(dev, "edge");
        api = definitionOf(dev, "api");
        postgres = definitionOf(dev, "postgres");
    });
    after(async () => {
        await session?.cleanup();
    });

    describe("the rendered definitions", () => {
        it("render one network per tier, and only the data network is internal", () => {
            assert.deepStrictEqual(dev.networks.map(tierOf).sort(), ["app", "data", "edge", "ops"]);
            const internal = dev.networks.filter((n) => n.internal).map(tierOf);
            assert.deepStrictEqual(internal, ["data"], "internal networks");
        });

        it("put PostgreSQL on the data network and, for its WAL archive (MinIO), the ops network; the edge on neither", () => {
            const data = dev.networks.find((n) => tierOf(n) === "data");
            const ops = dev.networks.find((n) => tierOf(n) === "ops");
            assert.ok(data && ops);
            // reachesTiers: ["ops"]: archive-push and the pitr sidecar's backups go to MinIO (ops tier).
            assert.deepStrictEqual((postgres.networksAdvanced ?? []).map((n) => n.name).sort(), [data.name, ops.name].sort());
            assert.ok(!(edge.networksAdvanced ?? []).some((n) => n.name === data.name), "the edge is not on the data network");
            assert.ok(!(edge.networksAdvanced ?? []).some((n) => n.name === ops.name), "the edge is not on the ops network");
            assert.ok((api.networksAdvanced ?? []).some((n) => n.name === data.name), "the API is on the data network");
        });

        it("publish host ports for the edge only", () => {
            const publishing = [...dev.containers.values()].filter((d) => (d.ports ?? []).some((p) => p.external !== undefined)).map((d) => d.name);
            assert.deepStrictEqual(publishing, [edge.name]);
        });
    });

    describe("live", () => {
        /** Runs a probe with a rendered definition's networks (and no aliases: it is not that workload). */
        async function probe(role: string, def: ContainerDefinition): Promise<ProbeResult> {
            const script = [
                "pg_isready -q -h postgres -p 5432 -t 3; echo byName=$?",
                `timeout 5 bash -c 'exec 3<>/dev/tcp/${postgresAddress}/5432' 2>/dev/null; echo byAddress=$?`,
            ].join("\n");
            const r = await session.runToCompletion({
                role,
                image,
                command: ["bash", "-c", script],
                networks: (def.networksAdvanced ?? []).map((n) => ({ name: live.get(n.name) ?? assert.fail(`no live network for ${n.name}`) })),
            });
            const get = (k: string): string => {
                const m = new RegExp(`^${k}=(\\S+)$`, "m").exec(r.stdout);
                if (!m) assert.fail(`probe ${role} printed no ${k}: ${r.stdout}${r.stderr}`);
                return m[1];
            };
            return { byName: Number(get("byName")), byAddress: Number(get("byAddress")) };
        }

        before(() => timed("networks: set-up (networks, PostgreSQL healthy)", setUp));

        async function setUp(): Promise<void> {
            image = await testImage("postgres");
            for (const n of dev.networks) live.set(n.name, await session.createNetwork(n.name, { internal: n.internal }));
            const spec = testPostgresSpec();
            assert.ok(spec.healthCheck);
            const name = await session.startContainer({
                role: "postgres",
                image,
                ...hardeningOf(postgres),
                env: { ...plainEnv(spec), POSTGRES_PASSWORD: PASSWORD },
                healthcheck: withTestTiming(dockerHealthcheck(spec.healthCheck)),
                networks: (postgres.networksAdvanced ?? []).map((n) => ({ name: live.get(n.name) ?? assert.fail(`no live network for ${n.name}`), aliases: n.aliases })),
            });
            await session.waitForHealth(name, "healthy", 90_000);
            const data = postgres.networksAdvanced?.[0]?.name ?? assert.fail("postgres has no network");
            postgresAddress = (await docker(["inspect", "--format", `{{(index .NetworkSettings.Networks "${live.get(data)}").IPAddress}}`, name])).trim();
            assert.match(postgresAddress, /^\d+\.\d+\.\d+\.\d+$/);
        }

        it("creates the networks with the rendered internal flags", async () => {
            for (const n of dev.networks) {
                const internal = (await docker(["network", "inspect", "--format", "{{.Internal}}", live.get(n.name) ?? ""])).trim();
                assert.equal(internal, String(n.internal), n.name);
            }
        });

        it("a container with the edge's networks cannot reach PostgreSQL, by name or by address", async () => {
            const r = await probe("probe-edge", edge);
            assert.notEqual(r.byName, 0, "pg_isready -h postgres from the edge's networks");
            assert.notEqual(r.byAddress, 0, `TCP ${postgresAddress}:5432 from the edge's networks`);
        });

        it("a container with the API's networks reaches PostgreSQL, by name and by address", async () => {
            const r = await probe("probe-api", api);
            assert.equal(r.byName, 0, "pg_isready -h postgres from the API's networks");
            assert.equal(r.byAddress, 0, `TCP ${postgresAddress}:5432 from the API's networks`);
        });

        it("a container on the data network alone reaches PostgreSQL (the internal network still carries its own traffic)", async () => {
            const r = await probe("probe-data", postgres);
            assert.equal(r.byName, 0, "pg_isready -h postgres on the data network");
        });
    });
});
