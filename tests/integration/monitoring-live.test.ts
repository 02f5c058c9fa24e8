/**
 * Live run on loopback: real Prometheus, Alertmanager, Pushgateway, postgres-exporter,
 * redis-exporter, node-exporter, blackbox-exporter and nginx-exporter with the *rendered*
 * configuration (targets rewritten to 127.0.0.1:<free port>, short test intervals), pointed at a
 * real PostgreSQL and Redis. Then:
 * - every scrape target is up (Prometheus /api/v1/targets);
 * - a stale backup timestamp pushed to the Pushgateway is delivered as BackupStale{store="postgres"};
 * - PostgreSQL is stopped and PostgresDown is delivered; the fault-to-notification time is measured,
 *   printed, and held to the latency model computed for the same test timings.
 * Notifications go to a stub webhook (a node http server) configured as Alertmanager's extra
 * webhook receiver. The API, Grafana and Loki are not installable here: small node http stubs
 * stand in for their /metrics (the API stub also serves the health URL the blackbox probes and an
 * nginx stub_status page for the nginx exporter).
 */
import * as assert from "assert";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { renderAlertmanagerConfig } from "../../components/monitoring/alertmanager-config";
import { renderBlackboxConfig } from "../../components/monitoring/blackbox-config";
import { alertLatencies } from "../../components/monitoring/latency";
import { PrometheusTimings, renderPrometheusConfig } from "../../components/monitoring/prometheus-config";
import { ALERTS, renderAlertRules } from "../../components/monitoring/rules";
import {
    freePort,
    makeTempDir,
    missingTools,
    PgServer,
    RedisServer,
    removeTempDir,
    requireTool,
    sleep,
    startPostgres,
    startRedis,
    waitFor,
} from "./support/services";
import { skipOrFail } from "../support/ci";

// postgres-exporter 0.11 needs about 1.05 s to report pg_up 0 for a refused connection, so the
// scrape timeout (and with it the interval) is 2 s here; production has 10 s of timeout.
const TIMINGS: PrometheusTimings = { scrapeIntervalSeconds: 2, scrapeTimeoutSeconds: 2, evaluationIntervalSeconds: 1 };
const FOR_OVERRIDE_SECONDS = 3;
const ROUTES = {
    page: { groupWaitSeconds: 1, groupIntervalSeconds: 1, repeatIntervalSeconds: 3600 },
    ticket: { groupWaitSeconds: 1, groupIntervalSeconds: 1, repeatIntervalSeconds: 3600 },
    heartbeat: { groupWaitSeconds: 0, groupIntervalSeconds: 1, repeatIntervalSeconds: 60 },
};

const TOOLS = [
    "prometheus",
    "prometheus-alertmanager",
    "prometheus-pushgateway",
    "prometheus-postgres-exporter",
    "prometheus-redis-exporter",
    "prometheus-node-exporter",
    "prometheus-blackbox-exporter",
    "prometheus-nginx-exporter",
    "initdb",
    "redis-server",
];

/** A webhook notification as Alertmanager posts it. */
interface Notification {
    readonly receivedAt: number;
    readonly path: string;
    readonly body: {
        status: string;
        receiver: string;
        alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[];
    };
}

interface Stub {
    readonly port: number;
    close(): Promise<void>;
}

/** A loopback http server answering with `handler`. */
async function httpStub(handler: http.RequestListener): Promise<Stub> {
    const port = await freePort();
    const server = http.createServer(handler);
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", () => resolve());
    });
    return {
        port,
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}

const children: ChildProcess[] = [];

/** Starts a tool with its output in `<dir>/<name>.log`; stopped in `after` (and on exit). */
function startTool(dir: string, name: string, bin: string, args: string[], env: Record<string, string> = {}): ChildProcess {
    const log = fs.openSync(path.join(dir, `${name}.log`), "a");
    const child = spawn(requireTool(bin), args, { stdio: ["ignore", log, log], env: { ...process.env, ...env }, cwd: dir });
    fs.closeSync(log);
    children.push(child);
    return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
}

process.on("exit", () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

async function httpOk(url: string): Promise<boolean> {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok;
}

describe("monitoring: live run on loopback (Prometheus, Alertmanager, exporters, PostgreSQL, Redis)", function () {
    this.timeout(240000);
    let dir = "";
    let pg: PgServer | undefined;
    let redis: RedisServer | undefined;
    let pushgatewayUrl = "";
    const stubs: Stub[] = [];
    const notifications: Notification[] = [];
    let promUrl = "";

    before(async function () {
        const missing = missingTools(TOOLS);
        if (missing) skipOrFail(this, missing);
        dir = makeTempDir("ptc-monitoring-live");
        [pg, redis] = await Promise.all([startPostgres(), startRedis()]);

        // Stubs: notification receiver, the API (metrics, health, stub_status), Grafana, Loki.
        const receiver = await httpStub((req, res) => {
            let data = "";
            req.on("data", (c: Buffer) => (data += c.toString()));
            req.on("end", () => {
                try {
                    notifications.push({ receivedAt: Date.now(), path: req.url ?? "", body: JSON.parse(data) as Notification["body"] });
                } catch {
                    // not JSON: ignore
                }
                res.end("ok");
            });
        });
        let requests = 0;
        const api = await httpStub((req, res) => {
            requests++;
            if (req.url === "/metrics") {
                res.setHeader("content-type", "text/plain; version=0.0.4");
                res.end(
                    [
                        "# HELP http_requests_total Total number of requests by method, status and handler.",
                        "# TYPE http_requests_total counter",
                        `http_requests_total{handler="/api/v1/health",method="GET",status="2xx"} ${requests}`,
                        "",
                    ].join("\n"),
                );
            } else if (req.url === "/stub_status") {
                res.end(`Active connections: 1 \nserver accepts handled requests\n ${requests} ${requests} ${requests} \nReading: 0 Writing: 1 Waiting: 0 \n`);
            } else if (req.url === "/" || req.url === "/api/v1/health") {
                res.setHeader("content-type", "application/json");
                res.end('{"status":"ok"}');
            } else {
                res.statusCode = 404;
                res.end();
            }
        });
        const fakeMetrics = (): Promise<Stub> =>
            httpStub((_req, res) => {
                res.setHeader("content-type", "text/plain; version=0.0.4");
                res.end("# TYPE stub_up gauge\nstub_up 1\n");
            });
        const grafana = await fakeMetrics();
        const loki = await fakeMetrics();
        stubs.push(receiver, api, grafana, loki);

        const ports = {
            prometheus: await freePort(),
            alertmanager: await freePort(),
            pushgateway: await freePort(),
            postgresExporter: await freePort(),
            redisExporter: await freePort(),
            nodeExporter: await freePort(),
            blackbox: await freePort(),
            nginxExporter: await freePort(),
        };
        const local = (p: number): string => `127.0.0.1:${p}`;

        fs.mkdirSync(path.join(dir, "rules"));
        fs.writeFileSync(path.join(dir, "rules", "ptc.yml"), renderAlertRules({ forOverrideSeconds: FOR_OVERRIDE_SECONDS }));
        fs.writeFileSync(
            path.join(dir, "prometheus.yml"),
            renderPrometheusConfig({
                targets: {
                    api: local(api.port),
                    nodeExporters: [local(ports.nodeExporter)],
                    postgresExporter: local(ports.postgresExporter),
                    redisExporter: local(ports.redisExporter),
                    nginxExporter: local(ports.nginxExporter),
                    blackboxExporter: local(ports.blackbox),
                    pushgateway: local(ports.pushgateway),
                    alertmanager: local(ports.alertmanager),
                    grafana: local(grafana.port),
                    loki: local(loki.port),
                    prometheus: local(ports.prometheus),
                },
                probes: { publicUrl: `http://127.0.0.1:${api.port}/`, apiHealthUrl: `http://127.0.0.1:${api.port}/api/v1/health` },
                ruleFiles: [path.join(dir, "rules", "*.yml")],
                timings: TIMINGS,
                externalLabels: { env: "test" },
            }),
        );
        fs.writeFileSync(
            path.join(dir, "alertmanager.yml"),
            renderAlertmanagerConfig({
                webhookUrl: `http://127.0.0.1:${receiver.port}/hook`,
                heartbeatUrl: `http://127.0.0.1:${receiver.port}/heartbeat`,
                timings: ROUTES,
            }),
        );
        fs.writeFileSync(path.join(dir, "blackbox.yml"), renderBlackboxConfig());

        fs.mkdirSync(path.join(dir, "am-data"));
        fs.mkdirSync(path.join(dir, "tsdb"));
        startTool(dir, "alertmanager", "prometheus-alertmanager", [
            `--config.file=${path.join(dir, "alertmanager.yml")}`,
            `--storage.path=${path.join(dir, "am-data")}`,
            `--web.listen-address=${local(ports.alertmanager)}`,
            "--cluster.listen-address=",
        ]);
        // Debian's pushgateway persists to /var/lib/prometheus/pushgateway.data by default, shared
        // by every instance on the machine: an empty --persistence.file keeps this one in memory.
        startTool(dir, "pushgateway", "prometheus-pushgateway", [`--web.listen-address=${local(ports.pushgateway)}`, "--persistence.file="]);
        pushgatewayUrl = `http://${local(ports.pushgateway)}`;
        startTool(dir, "postgres-exporter", "prometheus-postgres-exporter", [`--web.listen-address=${local(ports.postgresExporter)}`], {
            DATA_SOURCE_NAME: `postgresql://${pg.user}:${encodeURIComponent(pg.password)}@127.0.0.1:${pg.port}/${pg.database}?sslmode=disable`,
        });
        startTool(dir, "redis-exporter", "prometheus-redis-exporter", [`-web.listen-address=${local(ports.redisExporter)}`], {
            REDIS_ADDR: `redis://127.0.0.1:${redis.port}`,
            REDIS_PASSWORD: redis.password,
        });
        startTool(dir, "node-exporter", "prometheus-node-exporter", [
            `--web.listen-address=${local(ports.nodeExporter)}`,
            "--collector.disable-defaults",
            "--collector.filesystem",
            "--collector.meminfo",
            "--collector.loadavg",
        ]);
        startTool(dir, "blackbox-exporter", "prometheus-blackbox-exporter", [
            `--config.file=${path.join(dir, "blackbox.yml")}`,
            `--web.listen-address=${local(ports.blackbox)}`,
        ]);
        startTool(dir, "nginx-exporter", "prometheus-nginx-exporter", [
            `-web.listen-address=${local(ports.nginxExporter)}`,
            `-nginx.scrape-uri=http://127.0.0.1:${api.port}/stub_status`,
        ]);
        startTool(dir, "prometheus", "prometheus", [
            `--config.file=${path.join(dir, "prometheus.yml")}`,
            `--storage.tsdb.path=${path.join(dir, "tsdb")}`,
            `--web.listen-address=${local(ports.prometheus)}`,
            // A firing alert is re-sent every resend-delay (1m by default); alerts evaluated before
            // Alertmanager was discovered at start-up are dropped until then. 2s keeps the test short.
            "--rules.alert.resend-delay=2s",
        ]);
        promUrl = `http://${local(ports.prometheus)}`;
        await waitFor("Prometheus ready", () => httpOk(`${promUrl}/-/ready`), 30000);
        await waitFor("Alertmanager ready", () => httpOk(`http://${local(ports.alertmanager)}/-/ready`), 30000);
        await waitFor("Pushgateway ready", () => httpOk(`${pushgatewayUrl}/-/ready`), 30000);
        // A tool that lost its port to another process exits at once; all must still be running.
        await sleep(500);
        const dead = children.filter((c) => c.exitCode !== null || c.signalCode !== null);
        assert.deepStrictEqual(dead.map((c) => c.spawnargs[0]), [], "a tool exited at start (see its log)");
    });

    after(async () => {
        await Promise.all(children.map(stopChild));
        await Promise.all(stubs.map((s) => s.close()));
        await Promise.all([pg?.destroy(), redis?.stop()]);
        if (dir) removeTempDir(dir);
    });

    /** Waits (bounded) for a firing notification matching `pred`; returns it. */
    async function notified(what: string, pred: (labels: Record<string, string>) => boolean, timeoutMs: number): Promise<Notification> {
        let found: Notification | undefined;
        await waitFor(
            what,
            async () => {
                found = notifications.find((n) => n.path === "/hook" && n.body.alerts.some((a) => a.status === "firing" && pred(a.labels)));
                return found !== undefined;
            },
            timeoutMs,
        ).catch((err: Error) => {
            const seen = notifications.map((n) => `${n.path} ${n.body.alerts.map((a) => `${a.labels.alertname}/${a.status}`).join(",")}`);
            throw new Error(`${err.message}; notifications so far: ${JSON.stringify(seen)}`);
        });
        assert.ok(found);
        return found;
    }

    it("scrapes every target of the rendered config, and all are up", async () => {
        interface Target {
            labels: Record<string, string>;
            health: string;
            lastError: string;
        }
        let targets: Target[] = [];
        await waitFor(
            "all scrape targets up",
            async () => {
                const res = await fetch(`${promUrl}/api/v1/targets?state=active`);
                targets = ((await res.json()) as { data: { activeTargets: Target[] } }).data.activeTargets;
                return targets.length > 0 && targets.every((t) => t.health === "up");
            },
            60000,
        ).catch((err: Error) => {
            throw new Error(`${err.message}: ${JSON.stringify(targets.filter((t) => t.health !== "up").map((t) => [t.labels.job, t.lastError]))}`);
        });
        const jobs = [...new Set(targets.map((t) => t.labels.job))].sort();
        console.log(`      ${targets.length} targets up: ${jobs.join(", ")}`);
        assert.deepStrictEqual(jobs, ["alertmanager", "api", "blackbox", "grafana", "loki", "nginx", "node", "postgres", "probe-http", "prometheus", "pushgateway", "redis"]);
        // The exporters really reach their stores, and the probes really succeed.
        const query = async (q: string): Promise<number[]> => {
            const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
            return ((await res.json()) as { data: { result: { value: [number, string] }[] } }).data.result.map((r) => Number(r.value[1]));
        };
        await waitFor("pg_up, redis_up and probe_success are 1", async () => {
            const v = [...(await query("pg_up")), ...(await query("redis_up")), ...(await query("probe_success"))];
            return v.length === 4 && v.every((x) => x === 1);
        }, 30000);
    });

    it("delivers the Watchdog to the heartbeat receiver only", async () => {
        await waitFor("a heartbeat", async () => notifications.some((n) => n.path === "/heartbeat"), 30000);
        const hb = notifications.filter((n) => n.path === "/heartbeat");
        assert.ok(hb.every((n) => n.body.alerts.every((a) => a.labels.alertname === "Watchdog")));
        assert.ok(!notifications.some((n) => n.path === "/hook" && n.body.alerts.some((a) => a.labels.alertname === "Watchdog")));
    });

    it("a stale backup timestamp pushed to the Pushgateway is delivered as BackupStale for that store", async () => {
        const now = Math.floor(Date.now() / 1000);
        const push = async (store: string, ts: number): Promise<void> => {
            const body = `# TYPE ptc_backup_last_success_timestamp_seconds gauge\nptc_backup_last_success_timestamp_seconds ${ts}\n`;
            const res = await fetch(`${pushgatewayUrl}/metrics/job/ptc_backup/store/${store}`, { method: "PUT", body });
            assert.ok(res.ok, `push failed: ${res.status}`);
        };
        const isStale = (n: Notification): boolean => n.body.alerts.some((a) => a.labels.alertname === "BackupStale");
        assert.ok(!notifications.some(isStale), "BackupStale before any push: the Pushgateway was not fresh");
        await push("redis", now);
        await push("postgres", now - 2 * 86400);
        const n = await notified("BackupStale{store=postgres} delivered", (l) => l.alertname === "BackupStale" && l.store === "postgres", 60000);
        const alert = n.body.alerts.find((a) => a.labels.alertname === "BackupStale");
        assert.strictEqual(alert?.labels.severity, "page");
        assert.match(alert?.annotations.runbook_url ?? "", /#alert-backupstale$/);
        assert.ok(!notifications.some((x) => x.body.alerts.some((a) => a.labels.alertname === "BackupStale" && a.labels.store === "redis")), "redis is fresh");
    });

    it("stopping PostgreSQL delivers PostgresDown within the modelled worst case; prints the measured time", async () => {
        assert.ok(pg);
        const t0 = Date.now();
        await pg.stop();
        const stoppedAt = Date.now();
        const n = await notified("PostgresDown delivered", (l) => l.alertname === "PostgresDown", 60000);
        const measured = (n.receivedAt - t0) / 1000;
        const model = alertLatencies({
            prometheus: TIMINGS,
            routes: ROUTES,
            alerts: ALERTS.map((a) => ({ ...a, forSeconds: a.forSeconds === 0 ? 0 : FOR_OVERRIDE_SECONDS })),
        }).find((l) => l.id === "PostgresDown");
        assert.ok(model);
        console.log(
            `      PostgresDown: fault (stop requested) to notification ${measured.toFixed(2)} s ` +
                `(PostgreSQL took ${((stoppedAt - t0) / 1000).toFixed(2)} s to stop); modelled worst case ${model.totalSeconds} s ` +
                `with scrape ${TIMINGS.scrapeIntervalSeconds}s, timeout ${TIMINGS.scrapeTimeoutSeconds}s, eval ${TIMINGS.evaluationIntervalSeconds}s, ` +
                `for ${FOR_OVERRIDE_SECONDS}s, group_wait/interval ${ROUTES.page.groupWaitSeconds}s`,
        );
        const alert = n.body.alerts.find((a) => a.labels.alertname === "PostgresDown");
        assert.strictEqual(alert?.labels.severity, "page");
        assert.strictEqual(alert?.labels.store, "postgres");
        assert.strictEqual(alert?.labels.env, "test", "external labels reach Alertmanager");
        // The `for` is a floor: an alert faster than it would mean the rule does not wait.
        assert.ok(measured >= FOR_OVERRIDE_SECONDS, `${measured}s is faster than for=${FOR_OVERRIDE_SECONDS}s`);
        // 3 s of slack for process scheduling and HTTP on a shared machine.
        assert.ok(measured <= model.totalSeconds + 3, `measured ${measured}s exceeds the modelled ${model.totalSeconds}s + 3s`);
        await sleep(0);
    });
});
