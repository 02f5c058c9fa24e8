/**
 * Zero-downtime updates on a real engine, with the dev stack's rendered definitions: the edge
 * (Debian's nginx running the rendered nginx.conf under the rendered live-files watcher, fed by
 * the rendered config-writer job) in front of API stand-ins, while a stream of HTTPS requests
 * goes through the edge's published port.
 *
 * Each update runs the steps `pulumi up` runs for it, in its order:
 * - API update (create-before-delete, docker.ts): create the new revision's container beside
 *   the old one (its own name and revision alias) and wait until Docker reports it healthy
 *   (`wait: true`); replace the config-writer job, which checks the new nginx.conf (now naming
 *   the new revision) with nginx -t and waits until the running edge has reloaded it; at the end
 *   of the update delete the old container (docker stop with its grace period, then remove).
 * - An update whose new revision never turns healthy: the wait fails, so `pulumi up` fails there
 *   and nothing after it (the writer) runs.
 * - A config-only edge change: the writer alone. A broken config: the writer refuses it.
 * - An edge image change: stop-first (the edge holds the host ports), so the edge's own
 *   replacement gap is measured here and printed.
 *
 * What stays outside: the engine's own scheduling (Pulumi deletes replaced resources after every
 * other step of the update; the test deletes right after the writer, which is sooner, so harder),
 * and the image (Debian's nginx 1.22 instead of nginx-unprivileged 1.28, which reads `http2 on;`;
 * see nginxConfFor122, the only line that differs).
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { NGINX_CONF_PATH } from "../../components/edge/edge";
import { TLS_PATHS } from "../../components/edge/nginx";
import { LIVE_FILES_SCRIPT_PATH, LIVE_VOLUME_PATH } from "../../components/platform/docker";
import { docker, DockerSession, recordTiming, requireEngine, runCommand, timed } from "./support/engine";
import { devCertificate, nginxConfFor122, renderedEdgeConf } from "./support/edge";
import { testImage, withTestTiming } from "./support/images";
import { RequestStream, StreamReport, unavailableWindowMs } from "./support/load";
import { ContainerDefinition, definitionOf, hardeningOf, REPO_ROOT, renderedStack, RenderedStack } from "./support/rendered";

/** KEY=value lines into a record. */
function envOf(lines: readonly string[] | undefined): Record<string, string> {
    return Object.fromEntries((lines ?? []).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
}

/** Seconds a test update waits for a new revision to turn healthy (the plan's waitTimeout is minutes). */
const HEALTHY_WAIT_MS = 45_000;

/** Measured figures, printed at the end and quoted in the README. */
const figures: string[] = [];
function report(label: string, r: StreamReport, extra = ""): void {
    const line = `${label}: ${r.sent} requests, ${r.failed.length} failed, over ${(r.durationMs / 1000).toFixed(1)} s; 200s by version ${JSON.stringify(r.byVersion)}${extra}`;
    figures.push(line);
    console.log(`      ${line}`);
}

describe("zero-downtime updates through the rendered edge, on a real engine", function () {
    let session: DockerSession;
    let dev: RenderedStack;
    let edgeDef: ContainerDefinition;
    let writerDef: ContainerDefinition;
    let apiDef: ContainerDefinition;
    let edgeImage: string;
    let stubImage: string;
    let tls: { certificate: string; privateKey: string; domain: string };
    let conf: string;
    let liveVolume: string;
    let httpsPort: number;
    let rev1: string;
    const nets = new Map<string, string>();
    let generation = 0;

    before(async function () {
        await requireEngine(this);
        session = new DockerSession();
        dev = await renderedStack("dev");
        edgeDef = definitionOf(dev, "edge");
        apiDef = definitionOf(dev, "api");
        writerDef = dev.containers.get("ptc-dev-edge-live-files") ?? assert.fail("the dev plan renders no ptc-dev-edge-live-files container");
        tls = devCertificate(dev);
        conf = nginxConfFor122(renderedEdgeConf(dev)).conf;
        [edgeImage, stubImage] = await Promise.all([testImage("edge"), testImage("stub")]);
    });
    after(async () => {
        if (figures.length > 0) console.log(`\n      rollout figures:\n${figures.map((f) => `        ${f}`).join("\n")}`);
        await session?.cleanup();
    });

    const netsOf = (def: ContainerDefinition, aliases?: readonly string[]): { name: string; aliases?: readonly string[] }[] =>
        (def.networksAdvanced ?? []).map((n) => ({ name: nets.get(n.name) ?? assert.fail(`no live network for ${n.name}`), aliases: aliases ?? n.aliases }));

    /** Starts an API revision as the platform renders it: its own name, the aliases `api` and `api-<rev>`. */
    async function startApi(rev: string, env: Record<string, string>): Promise<string> {
        return session.startContainer({
            role: `api-${rev}`,
            image: stubImage,
            ...hardeningOf(apiDef),
            env: { STUB_PORT: "8000", ...env },
            healthcheck: withTestTiming(apiDef.healthcheck ?? assert.fail("api has no healthcheck")),
            networks: netsOf(apiDef, ["api", `api-${rev}`]),
        });
    }

    /** Runs the rendered config-writer job with `nginxConf`; resolves with its status and output. */
    async function runWriter(nginxConf: string): Promise<{ status: number; output: string }> {
        generation++;
        const env = { ...envOf(writerDef.envs), LIVE_GENERATION: `test-gen-${generation}`, LIVE_WAIT_SECONDS: "30" };
        const r = await session.runToCompletion(
            {
                role: `edge-live-files-${generation}`,
                image: edgeImage,
                command: [...(writerDef.entrypoints ?? []), ...(writerDef.command ?? [])],
                env,
                ...hardeningOf(writerDef),
                volumes: [],
                mounts: [{ volume: liveVolume, target: LIVE_VOLUME_PATH }],
                files: [
                    { path: NGINX_CONF_PATH, content: nginxConf },
                    { path: TLS_PATHS.certificate, content: tls.certificate },
                    { path: TLS_PATHS.privateKey, content: tls.privateKey },
                    { path: LIVE_FILES_SCRIPT_PATH, content: dev.file("edge-live-files", LIVE_FILES_SCRIPT_PATH) },
                ],
            },
            90_000,
        );
        return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}`.trim() };
    }

    /** Starts the edge as rendered (the watcher around nginx, the live volume), on `hostPort`. */
    async function startEdge(role: string, hostPort?: number): Promise<string> {
        const name = await session.startContainer({
            role,
            image: edgeImage,
            ...hardeningOf(edgeDef),
            command: [...(edgeDef.entrypoints ?? []), ...(edgeDef.command ?? [])],
            env: envOf(edgeDef.envs),
            volumes: [],
            mounts: [{ volume: liveVolume, target: edgeDef.volumes?.[0]?.containerPath ?? assert.fail("the edge mounts no live volume") }],
            files: [{ path: LIVE_FILES_SCRIPT_PATH, content: dev.file("edge", LIVE_FILES_SCRIPT_PATH) }],
            healthcheck: withTestTiming(edgeDef.healthcheck ?? assert.fail("edge has no healthcheck")),
            networks: netsOf(edgeDef),
            ...(hostPort === undefined ? { publishLoopback: [8443] } : { publishFixed: { 8443: hostPort } }),
        });
        await session.waitForHealth(name, "healthy", 60_000);
        return name;
    }

    const stream = (): RequestStream => new RequestStream({ port: httpsPort, domain: tls.domain, ca: tls.certificate, path: "/api/v1/health" });

    let edge: string;
    let api1: string;
    let api2: string;

    it("renders the edge's upstream as the API revision's own alias, through docker's resolver", () => {
        const m = /set \$api_upstream api-([0-9a-f]{8}):8000;/.exec(conf);
        assert.ok(m, "the rendered nginx.conf proxies /api/ to api-<revision>:8000");
        rev1 = m[1];
        assert.match(conf, /resolver 127\.0\.0\.11 valid=\d+s/);
        assert.ok((apiDef.networksAdvanced ?? []).every((n) => (n.aliases ?? []).includes(`api-${rev1}`)), "the API container holds that alias");
        assert.ok(apiDef.name.endsWith(`-${rev1}`), "and is named after its revision");
    });

    it("sets up: networks, the first API revision, the writer on an empty volume, then the edge", async function () {
        await timed("rollout: set-up", async () => {
            for (const n of dev.networks) nets.set(n.name, await session.createNetwork(n.name, { internal: n.internal }));
            liveVolume = await session.createVolume("edge-live");
            api1 = await startApi(rev1, { STUB_VERSION: "v1" });
            // The web front end's stand-in, under the revision alias the rendered config names, so that / answers.
            const webRev = /set \$web_upstream (web-[0-9a-f]{8}):8080;/.exec(conf)?.[1] ?? assert.fail("the rendered nginx.conf names no web revision");
            const webDef = definitionOf(dev, "web");
            await session.startContainer({
                role: "web",
                image: stubImage,
                ...hardeningOf(webDef),
                env: { STUB_PORT: "8080", STUB_VERSION: "web" },
                networks: netsOf(webDef, ["web", webRev]),
            });
            await session.waitForHealth(api1, "healthy", HEALTHY_WAIT_MS);
            const w = await runWriter(conf);
            assert.equal(w.status, 0, w.output);
            assert.match(w.output, /no running workload watches it/);
            edge = await startEdge("edge");
            httpsPort = await session.hostPort(edge, 8443);
        });
    });

    it("replaces the API create-before-delete under load: zero failed requests, then only the new version", async function () {
        const s = stream();
        await s.waitForMore(20);
        const rev2 = "2b2b2b2b";
        const t0 = Date.now();
        api2 = await startApi(rev2, { STUB_VERSION: "v2" });
        const healthyMs = await session.waitForHealth(api2, "healthy", HEALTHY_WAIT_MS);
        const w = await runWriter(conf.replaceAll(`api-${rev1}:8000`, `api-${rev2}:8000`));
        assert.equal(w.status, 0, w.output);
        assert.match(w.output, /applied by the running workload/);
        const switchedAt = s.now();
        await session.stopAndRemove(api1, apiDef.stopTimeout ?? 30);
        recordTiming("rollout: API replacement (create, healthy, writer, stop old)", Date.now() - t0);
        await s.waitForMore(40);
        const r = await s.stop();
        report("API replacement", r, `; new revision healthy after ${(healthyMs / 1000).toFixed(1)} s`);
        assert.equal(r.failed.length, 0, `failed: ${JSON.stringify(r.failed.slice(0, 5))}`);
        assert.ok((r.byVersion.v1 ?? 0) > 0 && (r.byVersion.v2 ?? 0) > 0, "both versions served during the stream");
        const lateV1 = r.outcomes.filter((x) => x.start > switchedAt && x.version === "v1");
        assert.deepEqual(lateV1, [], "no request sent after the switch reached the old revision");
    });

    it("keeps serving the old revision while a new one answers errors and never turns healthy, and the update fails", async function () {
        const s = stream();
        await s.waitForMore(20);
        const bad = await startApi("3c3c3c3c", { STUB_VERSION: "v3-broken", STUB_HEALTH: "fail" });
        // `pulumi up` waits for healthy (wait: true) and fails when it does not come.
        await assert.rejects(session.waitForHealth(bad, "healthy", 20_000), /is not healthy/);
        // The broken revision holds the service alias `api` all along: the edge never asks for it.
        const direct = await session.exec(bad, ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:8000/api/v1/health"]);
        assert.equal(direct.stdout.trim(), "503", "the broken revision is up and answering errors");
        await s.waitForMore(40);
        const r = await s.stop();
        report("never-healthy update", r);
        assert.equal(r.failed.length, 0, `failed: ${JSON.stringify(r.failed.slice(0, 5))}`);
        assert.deepEqual(Object.keys(r.byVersion), ["v2"], "only the old (current) revision served");
        await session.remove(bad);
    });

    it("applies a config-only edge change as a reload, with zero failed requests", async function () {
        const s = stream();
        await s.waitForMore(20);
        const before = (await docker(["inspect", "--format", "{{.State.StartedAt}}", edge])).trim();
        const w = await runWriter(conf.replaceAll(`api-${rev1}:8000`, "api-2b2b2b2b:8000").replace("client_max_body_size 10m;", "client_max_body_size 11m;"));
        assert.equal(w.status, 0, w.output);
        assert.match(w.output, /applied by the running workload/);
        await s.waitForMore(40);
        const r = await s.stop();
        report("edge config reload", r);
        assert.equal(r.failed.length, 0, `failed: ${JSON.stringify(r.failed.slice(0, 5))}`);
        assert.equal((await docker(["inspect", "--format", "{{.State.StartedAt}}", edge])).trim(), before, "the edge container was not restarted");
        const served = await session.exec(edge, ["cat", "/etc/nginx/live/nginx.conf"]);
        assert.match(served.stdout, /client_max_body_size 11m;/);
    });

    it("refuses a config that fails nginx -t: the writer fails, the files stay, the edge keeps serving", async function () {
        const s = stream();
        await s.waitForMore(10);
        const before = (await session.exec(edge, ["cat", "/etc/nginx/live/.generation"])).stdout;
        const w = await runWriter(conf.replace("worker_processes", "worker_processesss"));
        assert.notEqual(w.status, 0, "the writer must fail on a broken config");
        assert.match(w.output, /fails its check \(nginx -t/);
        assert.match(w.output, /nothing changed/);
        assert.equal((await session.exec(edge, ["cat", "/etc/nginx/live/.generation"])).stdout, before, "the live generation is unchanged");
        await s.waitForMore(20);
        const r = await s.stop();
        report("refused edge config", r);
        assert.equal(r.failed.length, 0, `failed: ${JSON.stringify(r.failed.slice(0, 5))}`);
    });

    it("measures the edge's own replacement gap (an image change: stop-first, it holds the host ports)", async function () {
        const s = stream();
        await s.waitForMore(20);
        const t0 = Date.now();
        await session.stopAndRemove(edge, edgeDef.stopTimeout ?? 30);
        const stopMs = Date.now() - t0;
        edge = await startEdge("edge-2", httpsPort);
        const replaceMs = Date.now() - t0;
        await s.waitForMore(40);
        const r = await s.stop();
        const gap = unavailableWindowMs(r.outcomes);
        report("edge replacement", r, `; unavailable for ${gap} ms; stop ${stopMs} ms, then create + start + healthy ${replaceMs - stopMs} ms`);
        recordTiming("rollout: edge replacement gap", gap);
        assert.ok((r.byVersion.v2 ?? 0) > 0, "the new edge serves");
        // Not zero by nature; bounded so that a regression (a slow start, a lost volume) shows.
        assert.ok(gap < 15_000, `the edge was unavailable for ${gap} ms`);
    });

    describe("the post-deploy gate against the live edge", () => {
        const SCRIPT = path.join(REPO_ROOT, "components", "deploy", "scripts", "post-deploy-gate.sh");
        /** The gate as the dev stack runs it: the public URLs through the edge's published port, the dev certificate trusted. */
        function gate(budgetSeconds: number): Promise<{ status: number | null; stdout: string; stderr: string }> {
            const publicPort = (edgeDef.ports ?? []).find((p) => p.internal === 8443)?.external ?? assert.fail("the edge publishes no https port");
            const base = `https://${tls.domain}${publicPort === 443 ? "" : `:${publicPort}`}`;
            return runCommand("bash", [SCRIPT], {
                env: {
                    ...process.env,
                    GATE_URLS: `${base}/api/v1/health ${base}/`,
                    GATE_CONNECT_TO: `127.0.0.1:${httpsPort}`,
                    GATE_CA_PEM: tls.certificate,
                    GATE_BUDGET_SECONDS: String(budgetSeconds),
                    GATE_INTERVAL_SECONDS: "1",
                },
                timeoutMs: (budgetSeconds + 30) * 1000,
            });
        }

        it("passes while the edge serves a healthy API and web", async () => {
            const r = await gate(20);
            assert.equal(r.status, 0, r.stderr);
            assert.equal(r.stdout.trim().split("\n").length, 2, r.stdout);
        });

        it("fails with one line naming the URL and 503 when the API answers 503", async () => {
            const broken = await startApi("4d4d4d4d", { STUB_VERSION: "v4-503", STUB_HEALTH: "fail" });
            // Route the edge to it (as a wrong config would), then ask the gate.
            const w = await runWriter(conf.replaceAll(`api-${rev1}:8000`, "api-4d4d4d4d:8000"));
            assert.equal(w.status, 0, w.output);
            const t0 = Date.now();
            const r = await gate(5);
            const ms = Date.now() - t0;
            figures.push(`post-deploy gate against a 503 API: exit ${r.status} after ${(ms / 1000).toFixed(1)} s (budget 5 s): ${r.stderr.trim()}`);
            assert.equal(r.status, 1, r.stdout + r.stderr);
            const lines = r.stderr.trim().split("\n");
            assert.equal(lines.length, 1, r.stderr);
            assert.match(lines[0], /^post-deploy gate: https:\/\/\S+\/api\/v1\/health .*answered 503/);
            assert.ok(ms < 15_000, `the gate ran ${ms} ms for a 5 s budget`);
            await session.remove(broken);
        });
    });
});
