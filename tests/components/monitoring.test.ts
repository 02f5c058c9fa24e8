/**
 * The monitoring components under the SDK's mocks:
 * - through a recording platform of each kind (the seam contract: specs as handed over);
 * - on the real DockerPlatform and KubernetesPlatform (what the policy pack and the plan see).
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import type { JobHandle, Platform, PlatformCapabilities, ServiceHandle, WorkloadOptions, WorkloadSpec } from "../../components/platform/spec";
import { installMocks, isSecret, isSecretInput, MockRecorder, plaintextStrings, settle, unwrapSecret, valueOf } from "../support/pulumi";

type MonitoringModule = typeof import("../../components/monitoring");
type DockerModule = typeof import("../../components/platform/docker");
type KubernetesModule = typeof import("../../components/platform/kubernetes");

const PG_PASSWORD = "pg-pass/with:odd@chars";
const REDIS_PASSWORD = "redis-secret-value";
const SLACK_URL = "https://hooks.slack.com/services/T000/B000/SLACKSECRETTOKEN";
const HEARTBEAT_URL = "https://hc-ping.example.com/0f3c-heartbeat-uuid";

/** The real platforms' capabilities, loaded in `before` (after the mocks). */
const CAPABILITIES = {} as Record<"docker" | "kubernetes", PlatformCapabilities>;

/** A platform that records the specs it is given, with either platform's capabilities. */
class RecordingPlatform implements Platform {
    public readonly services = new Map<string, { spec: WorkloadSpec; opts: WorkloadOptions }>();
    constructor(public readonly kind: "docker" | "kubernetes") {}
    get capabilities(): PlatformCapabilities {
        return CAPABILITIES[this.kind];
    }
    service(name: string, spec: WorkloadSpec, opts: WorkloadOptions): ServiceHandle {
        assert.ok(!this.services.has(name), `workload ${name} created twice`);
        this.services.set(name, { spec, opts });
        const host = pulumi.output(this.kind === "docker" ? name : `${name}.ptc.svc.cluster.local`);
        const port = spec.ports[0].port;
        return { endpoint: { host, port, address: pulumi.interpolate`${host}:${port}` }, resources: [] };
    }
    job(): JobHandle {
        throw new Error("monitoring runs no jobs");
    }
    schedule(): JobHandle {
        throw new Error("monitoring runs no schedules");
    }
    spec(name: string): WorkloadSpec {
        const s = this.services.get(name);
        assert.ok(s, `no workload ${name}; have ${[...this.services.keys()].join(", ")}`);
        return s.spec;
    }
}

/** Expected health check per workload (docker kind; the nginx exporter differs on Kubernetes). */
const HEALTH: Record<string, { kind: string; path?: string; port?: number }> = {
    prometheus: { kind: "http", path: "/-/ready", port: 9090 },
    alertmanager: { kind: "http", path: "/-/ready", port: 9093 },
    grafana: { kind: "http", path: "/api/health", port: 3000 },
    loki: { kind: "http", path: "/ready", port: 3100 },
    alloy: { kind: "http", path: "/-/ready", port: 12345 },
    "node-exporter": { kind: "http", path: "/metrics", port: 9100 },
    "postgres-exporter": { kind: "http", path: "/metrics", port: 9187 },
    "redis-exporter": { kind: "http", path: "/health", port: 9121 },
    "nginx-exporter": { kind: "exec" },
    "blackbox-exporter": { kind: "http", path: "/-/healthy", port: 9115 },
    pushgateway: { kind: "http", path: "/-/ready", port: 9091 },
};

/** The numeric user each image runs as (checked against the images' Dockerfiles). */
const USERS: Record<string, string | undefined> = {
    prometheus: "65534:65534",
    alertmanager: "65534:65534",
    grafana: "472:472",
    loki: "10001:10001",
    alloy: undefined,
    "node-exporter": "65534:65534",
    "postgres-exporter": "65534:65534",
    "redis-exporter": "59000:59000",
    "nginx-exporter": "1001:1001",
    "blackbox-exporter": "65534:65534",
    pushgateway: "65534:65534",
};

/** A recorded input with every secret envelope opened (for reading structure, not for secrecy checks). */
function open(v: unknown): unknown {
    const u = unwrapSecret(v);
    if (Array.isArray(u)) return u.map(open);
    if (typeof u === "object" && u !== null) return Object.fromEntries(Object.entries(u).map(([k, x]) => [k, open(x)]));
    return u;
}

describe("Monitoring (mocks)", function () {
    let mocks: MockRecorder;
    let mon: MonitoringModule;
    let dockerMod: DockerModule;
    let k8sMod: KubernetesModule;

    before(async () => {
        mocks = installMocks("monitoring-test");
        mon = await import("../../components/monitoring");
        dockerMod = await import("../../components/platform/docker");
        k8sMod = await import("../../components/platform/kubernetes");
        CAPABILITIES.docker = dockerMod.DOCKER_CAPABILITIES;
        CAPABILITIES.kubernetes = k8sMod.KUBERNETES_CAPABILITIES;
    });

    /** Which platform a fake imitates, or a real one is (components never ask; the test's expectations do). */
    function kindOf(target: Platform): "docker" | "kubernetes" {
        if (target instanceof RecordingPlatform) return target.kind;
        return target instanceof dockerMod.DockerPlatform ? "docker" : "kubernetes";
    }

    function baseArgs(platform: Platform): import("../../components/monitoring").MonitoringArgs {
        return {
            platform,
            publicUrl: "https://app.example.com/",
            apiHealthUrl: "https://app.example.com/api/v1/health",
            apiAddress: pulumi.output(kindOf(platform) === "docker" ? "api:8000" : "api.ptc.svc.cluster.local:8000"),
            edgeStubStatusUrl: pulumi.output("http://edge:8081/stub_status"),
            postgres: { host: "postgres", port: 5432, database: "ptc", user: "ptc_monitor", password: pulumi.secret(PG_PASSWORD) },
            redis: { address: "redis:6379", password: pulumi.secret(REDIS_PASSWORD) },
            externalLabels: { stack: "test" },
        };
    }

    for (const kind of ["docker", "kubernetes"] as const) {
        describe(`through a recording ${kind} platform`, () => {
            let platform: RecordingPlatform;
            let m: import("../../components/monitoring").Monitoring;

            before(async () => {
                platform = new RecordingPlatform(kind);
                m = new mon.Monitoring(`mon-rec-${kind}`, {
                    ...baseArgs(platform),
                    slackWebhookUrl: pulumi.secret(SLACK_URL),
                    heartbeatUrl: pulumi.secret(HEARTBEAT_URL),
                });
                await settle();
            });

            it("runs the eleven workloads, every one on the ops tier with its health check", () => {
                assert.deepStrictEqual([...platform.services.keys()].sort(), Object.keys(HEALTH).sort());
                for (const [name, { spec }] of platform.services) {
                    assert.strictEqual(spec.tier, "ops", name);
                    const expected = name === "nginx-exporter" && kind === "kubernetes" ? { kind: "http", path: "/metrics", port: 9113 } : HEALTH[name];
                    const hc = spec.healthCheck as { kind: string; path?: string; port?: number };
                    assert.deepStrictEqual({ kind: hc.kind, path: hc.path, port: hc.port }, { kind: expected.kind, path: expected.path, port: expected.port }, name);
                    if (hc.kind === "http") assert.ok(spec.ports.some((p) => p.port === hc.port), `${name}: the probe port is a declared port`);
                }
            });

            it("runs every image as its numeric non-root user; only the log collector is root, and exempted", () => {
                for (const [name, { spec }] of platform.services) {
                    assert.strictEqual(spec.user, USERS[name], name);
                    if (spec.user) assert.ok(!spec.user.startsWith("0:") && !spec.user.endsWith(":0"), `${name} runs as root or group 0`);
                    assert.strictEqual(spec.host?.root === true, name === "alloy", `${name}: root`);
                }
            });

            it("keeps Prometheus, Grafana, Loki and Alertmanager data on volumes (the ones the monitoring-history exemption names)", () => {
                const mounts = Object.fromEntries(
                    [...platform.services].filter(([, s]) => (s.spec.volumes?.length ?? 0) > 0).map(([n, s]) => [n, s.spec.volumes?.map((v) => v.mountPath)]),
                );
                assert.deepStrictEqual(mounts, {
                    prometheus: ["/prometheus"],
                    alertmanager: ["/alertmanager"],
                    grafana: ["/var/lib/grafana"],
                    loki: ["/loki"],
                });
            });

            it("runs node-exporter per node with /proc, /sys and / and host PID, annotated host-metrics-agent", () => {
                const s = platform.spec("node-exporter");
                assert.strictEqual(s.perNode, true);
                assert.strictEqual(s.host?.pid, true);
                assert.deepStrictEqual(
                    s.host?.paths?.map((p) => p.hostPath),
                    ["/proc", "/sys", "/"],
                );
                assert.deepStrictEqual(s.annotations, { "proteamcare.io/policy-exemptions": "host-metrics-agent" });
                assert.ok((s.command as string[]).includes("--path.rootfs=/host/root"));
                assert.ok(!s.volumes, "a DaemonSet cannot have volumes");
            });

            it("runs Alloy per node with read-only container-log access, annotated log-collector; only the history stores carry another exemption", () => {
                const s = platform.spec("alloy");
                assert.strictEqual(s.perNode, true);
                // The same spec on both platforms (each mounts its own log files: see the real-platform tests); no host PID.
                assert.deepStrictEqual(s.host, { root: true, containerLogs: true });
                assert.deepStrictEqual(s.annotations, { "proteamcare.io/policy-exemptions": "log-collector" });
                const history = ["alertmanager", "grafana", "loki", "prometheus"];
                for (const [name, { spec }] of platform.services) {
                    if (name === "alloy" || name === "node-exporter") continue;
                    assert.strictEqual(spec.host, undefined, `${name} has host access`);
                    // The monitoring stores' volumes hold rebuildable history: exempted from backup coverage only.
                    const exemption = spec.annotations?.["proteamcare.io/policy-exemptions"];
                    assert.strictEqual(exemption, history.includes(name) ? "monitoring-history" : undefined, `${name}: ${exemption}`);
                    if (exemption) assert.ok((spec.volumes?.length ?? 0) > 0);
                }
            });

            it(`renders the collector for ${kind}`, async () => {
                const alloy = platform.spec("alloy").files?.find((f) => f.path === "/etc/alloy/config.alloy");
                const text = await valueOf(alloy?.content as pulumi.Input<string>);
                assert.match(text, kind === "docker" ? /\/var\/lib\/docker\/containers\/\*\/\*-json\.log/ : /discovery\.kubernetes "pods"/);
                const host = kind === "docker" ? "loki" : "loki.ptc.svc.cluster.local";
                assert.ok(text.includes(`url = "http://${host}:3100/loki/api/v1/push"`), text);
            });

            it("gives the exporters their credentials only as secrets", async () => {
                const pg = platform.spec("postgres-exporter");
                assert.deepStrictEqual(Object.keys(pg.secretEnv ?? {}), ["DATA_SOURCE_NAME"]);
                assert.strictEqual(pg.env, undefined);
                const dsn = pg.secretEnv?.DATA_SOURCE_NAME as pulumi.Output<string>;
                assert.ok(await isSecret(dsn));
                assert.strictEqual(await valueOf(dsn), `postgresql://ptc_monitor:${encodeURIComponent(PG_PASSWORD)}@postgres:5432/ptc?sslmode=disable`);
                const redis = platform.spec("redis-exporter");
                assert.ok(await isSecret(redis.secretEnv?.REDIS_PASSWORD as pulumi.Output<string>));
                assert.strictEqual(await valueOf(redis.secretEnv?.REDIS_PASSWORD as pulumi.Output<string>), REDIS_PASSWORD);
                assert.strictEqual(await valueOf(redis.env?.REDIS_ADDR as pulumi.Input<string>), "redis://redis:6379");
            });

            it("runs postgres-exporter with its default metrics (pg_stat_archiver, pg_settings) and the postmaster collector the WAL alerts read", async () => {
                const command = await Promise.all((platform.spec("postgres-exporter").command ?? []).map((c) => valueOf(c as pulumi.Input<string>)));
                assert.deepStrictEqual(command, ["--web.listen-address=:9187", "--collector.postmaster"]);
                assert.ok(!command.some((c) => c.startsWith("--disable-default-metrics") || c.startsWith("--no-collector.")), command.join(" "));
            });

            it("keeps the Grafana admin password out of plain inputs: a secret file and a secret output", async () => {
                const g = platform.spec("grafana");
                const pwFile = g.files?.find((f) => f.path === "/etc/grafana/secrets/admin-password");
                assert.ok(pwFile?.secret, "the password file is secret");
                assert.ok(await isSecret(pulumi.output(pwFile.content)));
                const password = await valueOf(m.grafanaAdminPassword);
                assert.ok(await isSecret(m.grafanaAdminPassword));
                assert.ok(mocks.generatedSecrets.includes(password), "generated by RandomPassword");
                for (const v of Object.values(g.env ?? {})) assert.ok(!String(await valueOf(v)).includes(password));
                for (const f of g.files ?? []) {
                    if (f.secret) continue;
                    assert.ok(!(await valueOf(f.content)).includes(password), `${f.path} holds the password`);
                }
                assert.deepStrictEqual(g.secretEnv, { GF_SECURITY_ADMIN_PASSWORD__FILE: "/etc/grafana/secrets/admin-password" });
                assert.strictEqual(g.env?.GF_USERS_ALLOW_SIGN_UP, "false");
                assert.strictEqual(g.env?.GF_AUTH_ANONYMOUS_ENABLED, "false");
            });

            it("provisions Grafana's datasources at the platform's hosts", async () => {
                const ds = platform.spec("grafana").files?.find((f) => f.path.endsWith("/datasources/pro-team-care.yaml"));
                const doc = YAML.parse(await valueOf(ds?.content as pulumi.Input<string>)) as { datasources: { uid: string; url: string }[] };
                const h = (n: string): string => (kind === "docker" ? n : `${n}.ptc.svc.cluster.local`);
                assert.deepStrictEqual(
                    doc.datasources.map((d) => [d.uid, d.url]),
                    [
                        ["ptc-prometheus", `http://${h("prometheus")}:9090`],
                        ["ptc-loki", `http://${h("loki")}:3100`],
                        ["ptc-alertmanager", `http://${h("alertmanager")}:9093`],
                    ],
                );
            });

            it("runs Prometheus with the seed's 200h retention and the lifecycle API off", () => {
                const cmd = platform.spec("prometheus").command as string[];
                assert.ok(cmd.includes("--storage.tsdb.retention.time=200h"), cmd.join(" "));
                assert.ok(!cmd.some((c) => c.includes("enable-lifecycle")));
                assert.ok(cmd.includes("--config.file=/etc/prometheus/prometheus.yml"));
            });

            it("scrapes every tier at the platform's addresses, including Grafana (resolved after it exists)", async () => {
                const file = platform.spec("prometheus").files?.find((f) => f.path === "/etc/prometheus/prometheus.yml");
                const doc = YAML.parse(await valueOf(file?.content as pulumi.Input<string>)) as {
                    scrape_configs: { job_name: string; static_configs?: { targets: string[] }[]; dns_sd_configs?: Record<string, unknown>[] }[];
                    rule_files: string[];
                };
                const targets = Object.fromEntries(doc.scrape_configs.map((j) => [j.job_name, (j.static_configs ?? []).flatMap((s) => s.targets)]));
                const h = (n: string, p: number): string => (kind === "docker" ? `${n}:${p}` : `${n}.ptc.svc.cluster.local:${p}`);
                assert.deepStrictEqual(targets.grafana, [h("grafana", 3000)]);
                const node = doc.scrape_configs.find((j) => j.job_name === "node");
                if (kind === "docker") {
                    // One host: the container's name.
                    assert.deepStrictEqual(targets.node, [h("node-exporter", 9100)]);
                    assert.strictEqual(node?.dns_sd_configs, undefined);
                } else {
                    // One pod per node behind a headless Service: every address the name resolves to is scraped.
                    assert.deepStrictEqual(targets.node, []);
                    assert.deepStrictEqual(node?.dns_sd_configs, [{ names: ["node-exporter.ptc.svc.cluster.local"], type: "A", port: 9100, refresh_interval: "30s" }]);
                }
                assert.deepStrictEqual(targets.postgres, [h("postgres-exporter", 9187)]);
                assert.deepStrictEqual(targets.redis, [h("redis-exporter", 9121)]);
                assert.deepStrictEqual(targets.nginx, [h("nginx-exporter", 9113)]);
                assert.deepStrictEqual(targets.pushgateway, [h("pushgateway", 9091)]);
                assert.deepStrictEqual(targets.loki, [h("loki", 3100)]);
                assert.deepStrictEqual(targets.api, [kind === "docker" ? "api:8000" : "api.ptc.svc.cluster.local:8000"]);
                const ruleFile = platform.spec("prometheus").files?.find((f) => f.path.startsWith("/etc/prometheus/rules/"));
                assert.ok(ruleFile, "the rule file is mounted where rule_files points");
                assert.ok(doc.rule_files.some((g) => g === "/etc/prometheus/rules/*.yml"));
                assert.match(await valueOf(ruleFile.content), /alert: BackupStale/);
            });

            it("mounts the Slack webhook as a secret file the Alertmanager config reads, never inline", async () => {
                const am = platform.spec("alertmanager");
                const slack = am.files?.find((f) => f.path === mon.SLACK_WEBHOOK_FILE);
                assert.ok(slack?.secret);
                assert.ok(await isSecret(pulumi.output(slack.content)));
                assert.strictEqual(await valueOf(slack.content), SLACK_URL);
                const cfgFile = am.files?.find((f) => f.path === "/etc/alertmanager/alertmanager.yml");
                assert.ok(cfgFile?.secret, "alertmanager.yml holds the heartbeat URL: secret");
                const cfg = await valueOf(cfgFile.content);
                assert.ok(!cfg.includes("SLACKSECRETTOKEN"));
                assert.ok(cfg.includes(`api_url_file: ${mon.SLACK_WEBHOOK_FILE}`), cfg);
                assert.ok(cfg.includes(HEARTBEAT_URL));
            });

            it("exposes the Pushgateway URL for the backup jobs", async () => {
                assert.strictEqual(await valueOf(m.pushgatewayUrl), kind === "docker" ? "http://pushgateway:9091" : "http://pushgateway.ptc.svc.cluster.local:9091");
            });
        });
    }

    describe("args", () => {
        it("turns the lifecycle API on and sets the retention when asked", () => {
            const platform = new RecordingPlatform("docker");
            new mon.Monitoring("mon-lifecycle", { ...baseArgs(platform), retention: "15d", retentionSize: "40GB", enableLifecycleApi: true });
            const cmd = platform.spec("prometheus").command as string[];
            assert.ok(cmd.includes("--web.enable-lifecycle"));
            assert.ok(cmd.includes("--storage.tsdb.retention.time=15d"));
            assert.ok(cmd.includes("--storage.tsdb.retention.size=40GB"));
        });

        it("takes pinned images, names and resources from args", () => {
            const platform = new RecordingPlatform("docker");
            new mon.Monitoring("mon-images", {
                ...baseArgs(platform),
                images: { prometheus: "prom/prometheus:v3.5.1" },
                resources: { loki: { cpu: "1", memory: "2Gi" } },
                workloadNames: { grafana: "dashboards" },
            });
            assert.strictEqual(platform.spec("prometheus").image, "prom/prometheus:v3.5.1");
            assert.strictEqual(platform.spec("alertmanager").image, mon.DEFAULT_IMAGES.alertmanager);
            assert.deepStrictEqual(platform.spec("loki").resources, { cpu: "1", memory: "2Gi" });
            assert.ok(platform.services.has("dashboards") && !platform.services.has("grafana"));
            for (const image of Object.values(mon.DEFAULT_IMAGES)) assert.match(image, /:[^:]*\d[^:]*$/, `${image} is not pinned`);
        });

        it("refuses bad args before creating anything", () => {
            const platform = new RecordingPlatform("docker");
            assert.throws(() => new mon.Monitoring("mon-bad1", { ...baseArgs(platform), retention: "200 hours" }), /retention "200 hours" must be a positive Prometheus duration/);
            assert.throws(() => new mon.Monitoring("mon-bad2", { ...baseArgs(platform), requireSlack: true }), /requires a Slack webhook/);
            assert.throws(() => new mon.Monitoring("mon-bad3", { ...baseArgs(platform), publicUrl: "app.example.com" }), /publicUrl "app.example.com"/);
            assert.throws(
                () => new mon.Monitoring("mon-bad4", { ...baseArgs(platform), images: { grafna: "x:1" } as unknown as Record<string, string> }),
                /images.grafna is not a monitoring workload/,
            );
            assert.strictEqual(platform.services.size, 0);
        });

        it("Prometheus takes node-exporters either as static targets or by DNS discovery, and refuses both or neither before creating anything", () => {
            const platform = new RecordingPlatform("kubernetes");
            const targets = {
                api: "api:8000",
                postgresExporter: "pg:9187",
                redisExporter: "redis:9121",
                nginxExporter: "nginx:9113",
                blackboxExporter: "bb:9115",
                pushgateway: "pgw:9091",
                alertmanager: "am:9093",
                grafana: "grafana:3000",
                loki: "loki:3100",
            };
            const probes = { publicUrl: "https://app.example.com/", apiHealthUrl: "https://app.example.com/api/v1/health" };
            const discovery = { names: [pulumi.output("node-exporter.ptc-host.svc.cluster.local")], port: 9100 };
            assert.throws(
                () => new mon.Prometheus("prom-both", { platform, probes, targets: { ...targets, nodeExporters: ["node:9100"] }, nodeExporterDiscovery: discovery }),
                /either as targets.nodeExporters or as nodeExporterDiscovery/,
            );
            assert.throws(() => new mon.Prometheus("prom-none", { platform, probes, targets }), /at least one node-exporter address \(or set nodeExporterDiscovery\)/);
            assert.throws(
                () => new mon.Prometheus("prom-interval", { platform, probes, targets, nodeExporterDiscovery: { ...discovery, refreshIntervalSeconds: -1 } }),
                /refreshIntervalSeconds/,
            );
            assert.strictEqual(platform.services.size, 0);
        });

        it("scrapes each API replica by DNS discovery when given apiDiscovery (Kubernetes), instead of the Service address", async () => {
            const platform = new RecordingPlatform("kubernetes");
            new mon.Monitoring("mon-api-dns", {
                ...baseArgs(platform),
                apiDiscovery: { names: [pulumi.output("api-pods.ptc.svc.cluster.local")], port: pulumi.output(8000) },
            });
            const file = platform.spec("prometheus").files?.find((f) => f.path === "/etc/prometheus/prometheus.yml");
            const doc = YAML.parse(await valueOf(file?.content as pulumi.Input<string>)) as {
                scrape_configs: { job_name: string; static_configs?: unknown[]; dns_sd_configs?: unknown[]; relabel_configs?: unknown[] }[];
            };
            const api = doc.scrape_configs.find((j) => j.job_name === "api");
            assert.strictEqual(api?.static_configs, undefined, "no static target through the load-balanced Service");
            assert.deepStrictEqual(api?.dns_sd_configs, [{ names: ["api-pods.ptc.svc.cluster.local"], type: "A", port: 8000, refresh_interval: "30s" }]);
            assert.deepStrictEqual(api?.relabel_configs, [
                { target_label: "service", replacement: "api" },
                { target_label: "tier", replacement: "app" },
            ]);
            // The node-exporters keep their own discovery.
            assert.ok(doc.scrape_configs.find((j) => j.job_name === "node")?.dns_sd_configs);
        });

        it("Prometheus takes the API either as a static target or by DNS discovery, and refuses both or neither before creating anything", () => {
            const platform = new RecordingPlatform("kubernetes");
            const targets = {
                postgresExporter: "pg:9187",
                redisExporter: "redis:9121",
                nginxExporter: "nginx:9113",
                blackboxExporter: "bb:9115",
                pushgateway: "pgw:9091",
                alertmanager: "am:9093",
                grafana: "grafana:3000",
                loki: "loki:3100",
                nodeExporters: ["node:9100"],
            };
            const probes = { publicUrl: "https://app.example.com/", apiHealthUrl: "https://app.example.com/api/v1/health" };
            const apiDiscovery = { names: [pulumi.output("api-pods.ptc.svc.cluster.local")], port: 8000 };
            assert.throws(
                () => new mon.Prometheus("prom-api-both", { platform, probes, targets: { ...targets, api: "api:8000" }, apiDiscovery }),
                /either as targets.api or as apiDiscovery/,
            );
            assert.throws(() => new mon.Prometheus("prom-api-none", { platform, probes, targets }), /targets.api must be the API's address \(or set apiDiscovery\)/);
            assert.throws(() => new mon.Prometheus("prom-api-empty", { platform, probes, targets, apiDiscovery: { ...apiDiscovery, names: [] } }), /apiDiscovery.names/);
            assert.throws(
                () => new mon.Prometheus("prom-api-interval", { platform, probes, targets, apiDiscovery: { ...apiDiscovery, refreshIntervalSeconds: 0 } }),
                /apiDiscovery.refreshIntervalSeconds/,
            );
            assert.strictEqual(platform.services.size, 0);
        });

        it("without Slack (dev), alerts go nowhere but the config is still valid", async () => {
            const platform = new RecordingPlatform("docker");
            new mon.Monitoring("mon-noslack", baseArgs(platform));
            const am = platform.spec("alertmanager");
            assert.ok(!am.files?.some((f) => f.path === mon.SLACK_WEBHOOK_FILE));
            const cfg = await valueOf(am.files?.find((f) => f.path.endsWith("alertmanager.yml"))?.content as pulumi.Input<string>);
            assert.ok(!cfg.includes("slack_configs"));
        });

        it("takes the probe URLs as outputs (e.g. the edge's) and probes them", async () => {
            const platform = new RecordingPlatform("docker");
            new mon.Monitoring("mon-probes", {
                ...baseArgs(platform),
                publicUrl: pulumi.output("https://edge-output.example.com/"),
                apiHealthUrl: pulumi.output("https://edge-output.example.com/api/v1/health"),
            });
            const file = platform.spec("prometheus").files?.find((f) => f.path === "/etc/prometheus/prometheus.yml");
            const doc = YAML.parse(await valueOf(file?.content as pulumi.Input<string>)) as { scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[] };
            const probe = doc.scrape_configs.find((j) => j.job_name === "probe-http");
            assert.deepStrictEqual(
                probe?.static_configs.flatMap((c) => c.targets),
                ["https://edge-output.example.com/", "https://edge-output.example.com/api/v1/health"],
            );
        });

        it("a stack's own Grafana password is used and stays secret", async () => {
            const platform = new RecordingPlatform("docker");
            const m = new mon.Monitoring("mon-ownpw", { ...baseArgs(platform), grafanaAdminPassword: "stack-set-password" });
            assert.strictEqual(await valueOf(m.grafanaAdminPassword), "stack-set-password");
            assert.ok(await isSecret(m.grafanaAdminPassword));
        });
    });

    describe("on the real platforms", () => {
        let dockerPassword: string;
        let k8sPassword: string;

        before(async () => {
            const docker = new dockerMod.DockerPlatform("mplat", { prefix: "ptc-mon" });
            const md = new mon.Monitoring("mon-docker", { ...baseArgs(docker), slackWebhookUrl: pulumi.secret(SLACK_URL), heartbeatUrl: pulumi.secret(HEARTBEAT_URL) });
            const k8s = new k8sMod.KubernetesPlatform("kplat", { namespace: "ptc" });
            const mk = new mon.Monitoring("mon-k8s", { ...baseArgs(k8s), slackWebhookUrl: pulumi.secret(SLACK_URL), heartbeatUrl: pulumi.secret(HEARTBEAT_URL) });
            dockerPassword = await valueOf(md.grafanaAdminPassword);
            k8sPassword = await valueOf(mk.grafanaAdminPassword);
            await settle();
        });

        const SECRETS = (): string[] => [PG_PASSWORD, encodeURIComponent(PG_PASSWORD), REDIS_PASSWORD, "SLACKSECRETTOKEN", "heartbeat-uuid", dockerPassword, k8sPassword];

        it("docker: one container per workload, each with a healthcheck and the ops tier", () => {
            const containers = mocks.ofType("docker:index/container:Container").filter((c) => String(c.inputs.name).startsWith("ptc-mon-"));
            assert.deepStrictEqual(containers.map((c) => c.name).sort(), Object.keys(HEALTH).sort());
            for (const c of containers) {
                const hc = c.inputs.healthcheck as { tests: string[] } | undefined;
                assert.ok(hc && hc.tests.length > 1, `${c.name} has no healthcheck`);
                const labels = Object.fromEntries((c.inputs.labels as { label: string; value: string }[]).map((l) => [l.label, l.value]));
                assert.strictEqual(labels["proteamcare.io/tier"], "ops", c.name);
                assert.ok(!("ports" in c.inputs) || (c.inputs.ports as unknown[]).length === 0, `${c.name} publishes a host port`);
            }
        });

        it("docker: node-exporter gets host PID and read-only host paths, Alloy the log directory (never the socket), both exempted by name", () => {
            const get = (n: string): Record<string, unknown> => mocks.get("docker:index/container:Container", n).inputs;
            const node = get("node-exporter");
            assert.strictEqual(node.pidMode, "host");
            const nodeVols = node.volumes as { hostPath?: string; readOnly?: boolean }[];
            assert.deepStrictEqual(nodeVols.filter((v) => v.hostPath).map((v) => [v.hostPath, v.readOnly]), [["/proc", true], ["/sys", true], ["/", true]]);
            const alloy = get("alloy");
            const alloyVols = alloy.volumes as { hostPath?: string; readOnly?: boolean }[];
            assert.deepStrictEqual(alloyVols.filter((v) => v.hostPath).map((v) => [v.hostPath, v.readOnly]), [["/var/lib/docker/containers", true]]);
            assert.ok(!alloyVols.some((v) => String(v.hostPath).includes(".sock")), "the engine socket is never mounted");
            const label = (inputs: Record<string, unknown>, key: string): string | undefined =>
                (inputs.labels as { label: string; value: string }[]).find((l) => l.label === key)?.value;
            assert.strictEqual(label(node, "proteamcare.io/policy-exemptions"), "host-metrics-agent");
            assert.strictEqual(label(alloy, "proteamcare.io/policy-exemptions"), "log-collector");
            assert.strictEqual(label(get("prometheus"), "proteamcare.io/policy-exemptions"), "monitoring-history");
            assert.strictEqual(label(get("blackbox-exporter"), "proteamcare.io/policy-exemptions"), undefined);
        });

        it("docker: no secret appears in plaintext in any container input", () => {
            const containers = mocks.ofType("docker:index/container:Container").filter((c) => String(c.inputs.name).startsWith("ptc-mon-"));
            const plain = containers.flatMap((c) => plaintextStrings(c.inputs)).join("\n");
            for (const s of SECRETS()) assert.ok(!plain.includes(s), `plaintext secret ${s.slice(0, 6)}…`);
            const grafana = mocks.get("docker:index/container:Container", "grafana").inputs;
            // One secret upload makes the provider's whole uploads list secret.
            assert.ok(isSecretInput(grafana.uploads), "the uploads holding the password are a secret input");
            const uploads = open(grafana.uploads) as { file: string; content: string }[];
            const pw = uploads.find((u) => u.file === "/etc/grafana/secrets/admin-password");
            assert.strictEqual(pw?.content, dockerPassword);
        });

        it("kubernetes: DaemonSets for the host agents, StatefulSets for the stores, probes on every workload", () => {
            const owned = (type: string): string[] =>
                mocks
                    .ofType(type)
                    .filter((r) => ["ptc", "ptc-host"].includes((r.inputs.metadata as { namespace?: string }).namespace ?? ""))
                    .map((r) => r.name)
                    .sort();
            assert.deepStrictEqual(owned("kubernetes:apps/v1:DaemonSet"), ["alloy-ds", "node-exporter-ds"]);
            assert.deepStrictEqual(owned("kubernetes:apps/v1:StatefulSet"), ["alertmanager-sts", "grafana-sts", "loki-sts", "prometheus-sts"]);
            assert.deepStrictEqual(owned("kubernetes:apps/v1:Deployment"), [
                "blackbox-exporter-deploy",
                "nginx-exporter-deploy",
                "postgres-exporter-deploy",
                "pushgateway-deploy",
                "redis-exporter-deploy",
            ]);
            for (const type of ["kubernetes:apps/v1:DaemonSet", "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:Deployment"]) {
                for (const r of mocks.ofType(type)) {
                    const ns = (r.inputs.metadata as { namespace?: string }).namespace;
                    if (ns !== "ptc" && ns !== "ptc-host") continue;
                    const pod = (open(r.inputs.spec) as { template: { spec: { containers: Record<string, unknown>[] }; metadata: { labels: Record<string, string> } } }).template;
                    const c = pod.spec.containers[0];
                    assert.ok(c.readinessProbe && c.livenessProbe, `${r.name} lacks probes`);
                    assert.strictEqual(pod.metadata.labels["proteamcare.io/tier"], "ops", r.name);
                }
            }
            const ds = open(mocks.get("kubernetes:apps/v1:DaemonSet", "node-exporter-ds").inputs) as {
                metadata: { namespace: string };
                spec: { template: { metadata: { annotations: Record<string, string> }; spec: { hostPID?: boolean } } };
            };
            assert.strictEqual(ds.metadata.namespace, "ptc-host");
            assert.strictEqual(ds.spec.template.spec.hostPID, true);
            assert.strictEqual(ds.spec.template.metadata.annotations["proteamcare.io/policy-exemptions"], "host-metrics-agent");
            const prom = open(mocks.get("kubernetes:apps/v1:StatefulSet", "prometheus-sts").inputs) as {
                spec: { template: { spec: { containers: { readinessProbe: { httpGet: { path: string } }; args: string[] }[] } } };
            };
            assert.strictEqual(prom.spec.template.spec.containers[0].readinessProbe.httpGet.path, "/-/ready");
            assert.ok(prom.spec.template.spec.containers[0].args.includes("--storage.tsdb.retention.time=200h"));
        });

        it("kubernetes: Prometheus finds every node-exporter pod by DNS on the headless Service, with no API access of its own", async () => {
            const svc = mocks.get("kubernetes:core/v1:Service", "node-exporter-svc").inputs as { metadata: { name: string; namespace: string }; spec: { clusterIP?: string } };
            assert.strictEqual(svc.spec.clusterIP, "None");
            const files = open(mocks.get("kubernetes:core/v1:ConfigMap", "prometheus-files").inputs.data) as Record<string, string>;
            const doc = YAML.parse(files["etc-prometheus-prometheus.yml"]) as { scrape_configs: { job_name: string; dns_sd_configs?: { names: string[] }[] }[] };
            const node = doc.scrape_configs.find((j) => j.job_name === "node");
            assert.deepStrictEqual(node?.dns_sd_configs?.[0].names, [`${svc.metadata.name}.${svc.metadata.namespace}.svc.cluster.local`]);
            assert.ok(!doc.scrape_configs.some((j) => "kubernetes_sd_configs" in j), "no Kubernetes API discovery");
            const prom = open(mocks.get("kubernetes:apps/v1:StatefulSet", "prometheus-sts").inputs) as { spec: { template: { spec: Record<string, unknown> } } };
            assert.strictEqual(prom.spec.template.spec.automountServiceAccountToken, false);
        });

        it("kubernetes: only Alloy gets an account (pods read-only), its token and egress to the API server", () => {
            const withToken = ["kubernetes:apps/v1:DaemonSet", "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:Deployment"]
                .flatMap((t) => mocks.ofType(t))
                .filter((r) => ["ptc", "ptc-host"].includes((r.inputs.metadata as { namespace?: string }).namespace ?? ""))
                .filter((r) => (open(r.inputs.spec) as { template: { spec: { automountServiceAccountToken?: boolean } } }).template.spec.automountServiceAccountToken !== false)
                .map((r) => r.name);
            assert.deepStrictEqual(withToken, ["alloy-ds"]);
            const ds = open(mocks.get("kubernetes:apps/v1:DaemonSet", "alloy-ds").inputs) as { spec: { template: { spec: { serviceAccountName?: string } } } };
            assert.strictEqual(ds.spec.template.spec.serviceAccountName, "alloy");
            const role = open(mocks.get("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "alloy-pod-reader").inputs) as { metadata: { name: string }; rules: unknown };
            assert.strictEqual(role.metadata.name, "ptc-host-alloy-pod-reader");
            assert.deepStrictEqual(role.rules, [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] }]);
            const binding = open(mocks.get("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "alloy-pod-reader-binding").inputs) as { subjects: unknown };
            assert.deepStrictEqual(binding.subjects, [{ kind: "ServiceAccount", name: "alloy", namespace: "ptc-host" }]);
            const policy = open(mocks.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", "alloy-netpol-apiserver").inputs) as { metadata: { namespace: string } };
            assert.strictEqual(policy.metadata.namespace, "ptc-host");
        });

        it("kubernetes: no secret appears in plaintext in any object", () => {
            const objects = mocks.resources.filter((r) => r.type.startsWith("kubernetes:"));
            const plain = objects.flatMap((r) => plaintextStrings(r.inputs)).join("\n");
            for (const s of SECRETS()) assert.ok(!plain.includes(s), `plaintext secret ${s.slice(0, 6)}…`);
            const secret = mocks.get("kubernetes:core/v1:Secret", "grafana-secret").inputs;
            assert.ok(isSecretInput(secret.stringData), "the Grafana Secret's data is a secret input");
        });
    });

    describe("probing the edge by its in-platform address (internalProbe, the docker stack)", () => {
        const CA_PEM = "-----BEGIN CERTIFICATE-----\nMIIBdevSelfSignedForTests\n-----END CERTIFICATE-----\n";
        interface ProbeJob {
            job_name: string;
            static_configs: { targets: string[]; labels: Record<string, string> }[];
        }
        const probeJob = (text: string): ProbeJob | undefined => (YAML.parse(text) as { scrape_configs: ProbeJob[] }).scrape_configs.find((j) => j.job_name === "probe-http");
        const uploadsOf = (name: string): { file: string; content: string }[] =>
            open(mocks.get("docker:index/container:Container", name).inputs.uploads) as { file: string; content: string }[];

        let edgeHost: string;

        before(async () => {
            const edgeMod = await import("../../components/edge");
            const docker = new dockerMod.DockerPlatform("iplat", { prefix: "ptc-ip" });
            const edge = new edgeMod.Edge("ip-edge", {
                platform: docker,
                workloadName: "ip-edge",
                domain: "localhost",
                webAddress: "web:8080",
                apiAddress: "api:8000",
                tls: { certificate: CA_PEM, privateKey: pulumi.secret("not-a-real-key") },
                hostPorts: { http: 8080, https: 8443 },
            });
            // As index.ts wires the docker stack: the edge's host, its https container port.
            const host = edge.endpoint.apply((e) => e.host);
            const names = Object.fromEntries(Object.entries(mon.DEFAULT_NAMES).map(([role, n]) => [role, `ip-${n}`]));
            new mon.Monitoring("mon-ip", {
                ...baseArgs(docker),
                publicUrl: edge.publicUrl,
                apiHealthUrl: edge.apiHealthUrl,
                internalProbe: {
                    publicUrl: pulumi.interpolate`https://${host}:${edgeMod.DEFAULT_PORTS.https}/`,
                    apiHealthUrl: pulumi.interpolate`https://${host}:${edgeMod.DEFAULT_PORTS.https}/api/v1/health`,
                    serverName: "localhost",
                    caCertificate: edge.endpoint.apply(() => CA_PEM),
                },
                workloadNames: names,
            });
            edgeHost = await valueOf(host);
            await settle();
        });

        it("docker: the blackbox exporter gets the CA certificate as a file its internal module verifies with", () => {
            assert.strictEqual(edgeHost, "ip-edge");
            const uploads = uploadsOf("ip-blackbox-exporter");
            assert.deepStrictEqual(uploads.map((u) => u.file), [mon.BLACKBOX_CONFIG_PATH, mon.BLACKBOX_CA_PATH]);
            assert.strictEqual(uploads.find((u) => u.file === mon.BLACKBOX_CA_PATH)?.content, CA_PEM);
            const cfg = YAML.parse(uploads[0].content) as { modules: Record<string, { http: { fail_if_not_ssl: boolean; tls_config: Record<string, unknown> } }> };
            const internal = cfg.modules[mon.BLACKBOX_MODULES.httpsInternal];
            assert.deepStrictEqual(internal.http.tls_config, { insecure_skip_verify: false, server_name: "localhost", ca_file: mon.BLACKBOX_CA_PATH });
            assert.strictEqual(internal.http.fail_if_not_ssl, true);
            // The CA is a public certificate: not a secret upload (nothing else in the exporter is).
            assert.ok(!isSecretInput(mocks.get("docker:index/container:Container", "ip-blackbox-exporter").inputs.uploads));
        });

        it("docker: Prometheus probes the edge's https port by its in-platform name with the internal module, not localhost", () => {
            const prom = uploadsOf("ip-prometheus").find((u) => u.file === "/etc/prometheus/prometheus.yml");
            assert.ok(prom, "prometheus.yml is uploaded");
            const probe = probeJob(prom.content);
            assert.deepStrictEqual(
                probe?.static_configs.map((c) => [c.labels.probe, c.targets, c.labels.__param_module]),
                [
                    ["public", ["https://ip-edge:8443/"], mon.BLACKBOX_MODULES.httpsInternal],
                    ["api-health", ["https://ip-edge:8443/api/v1/health"], mon.BLACKBOX_MODULES.httpsInternal],
                ],
            );
            assert.ok(!prom.content.includes("localhost:8443"), "the host's public address is not probed from inside");
        });

        it("without a CA certificate only the server name is set (the system CAs verify) and no CA file is written", async () => {
            const platform = new RecordingPlatform("docker");
            new mon.Monitoring("mon-ip-noca", {
                ...baseArgs(platform),
                internalProbe: { publicUrl: "https://edge:8443/", apiHealthUrl: "https://edge:8443/api/v1/health", serverName: "app.example.com" },
            });
            const files = platform.spec("blackbox-exporter").files ?? [];
            assert.deepStrictEqual(files.map((f) => f.path), [mon.BLACKBOX_CONFIG_PATH]);
            const cfg = YAML.parse(await valueOf(files[0].content)) as { modules: Record<string, { http: { tls_config: Record<string, unknown> } }> };
            assert.deepStrictEqual(cfg.modules[mon.BLACKBOX_MODULES.httpsInternal].http.tls_config, { insecure_skip_verify: false, server_name: "app.example.com" });
            const prom = platform.spec("prometheus").files?.find((f) => f.path === "/etc/prometheus/prometheus.yml");
            const probe = probeJob(await valueOf(prom?.content as pulumi.Input<string>));
            assert.deepStrictEqual(probe?.static_configs.map((c) => c.labels.__param_module), [mon.BLACKBOX_MODULES.httpsInternal, mon.BLACKBOX_MODULES.httpsInternal]);
        });

        it("without internalProbe (Kubernetes, prod) the public URLs are probed by scheme and the exporter has no internal module", async () => {
            const platform = new RecordingPlatform("kubernetes");
            new mon.Monitoring("mon-ip-public", baseArgs(platform));
            const files = platform.spec("blackbox-exporter").files ?? [];
            assert.deepStrictEqual(files.map((f) => f.path), [mon.BLACKBOX_CONFIG_PATH]);
            assert.strictEqual(await valueOf(files[0].content), mon.renderBlackboxConfig());
            const prom = platform.spec("prometheus").files?.find((f) => f.path === "/etc/prometheus/prometheus.yml");
            const probe = probeJob(await valueOf(prom?.content as pulumi.Input<string>));
            assert.deepStrictEqual(
                probe?.static_configs.map((c) => [c.targets[0], c.labels.__param_module]),
                [
                    ["https://app.example.com/", mon.BLACKBOX_MODULES.https],
                    ["https://app.example.com/api/v1/health", mon.BLACKBOX_MODULES.https],
                ],
            );
        });

        it("refuses a bad internal probe before creating anything", () => {
            const platform = new RecordingPlatform("docker");
            assert.throws(
                () =>
                    new mon.Monitoring("mon-ip-bad", {
                        ...baseArgs(platform),
                        internalProbe: { publicUrl: "http://edge:8080/", apiHealthUrl: "https://edge:8443/api/v1/health", serverName: "https://localhost" },
                    }),
                (e: Error) => /internalProbe\.publicUrl "http:\/\/edge:8080\/" must be an absolute https URL/.test(e.message) && /serverName must be a DNS name/.test(e.message),
            );
            assert.strictEqual(platform.services.size, 0);
        });
    });
});
