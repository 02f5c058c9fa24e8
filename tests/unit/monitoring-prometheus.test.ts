import * as assert from "assert";
import { parse } from "yaml";
import { BLACKBOX_MODULES, renderBlackboxConfig } from "../../components/monitoring/blackbox-config";
import {
    DEFAULT_DNS_REFRESH_SECONDS,
    DEFAULT_PROMETHEUS_TIMINGS,
    DEFAULT_RULE_FILES,
    JOBS,
    PrometheusConfigInput,
    promDuration,
    renderPrometheusConfig,
} from "../../components/monitoring/prometheus-config";
import { SAMPLE_PROMETHEUS_INPUT } from "../support/monitoring-fixtures";

interface StaticConfig {
    targets: string[];
    labels: Record<string, string>;
}
interface ScrapeConfig {
    job_name: string;
    metrics_path?: string;
    honor_labels?: boolean;
    static_configs: StaticConfig[];
    dns_sd_configs?: { names: string[]; type: string; port: number; refresh_interval: string }[];
    relabel_configs?: { source_labels?: string[]; target_label: string; replacement?: string; action?: string }[];
}
interface PromConfig {
    global: Record<string, unknown>;
    rule_files: string[];
    alerting: { alertmanagers: { api_version: string; static_configs: { targets: string[] }[] }[] };
    scrape_configs: ScrapeConfig[];
}

const SAMPLE_INPUT: PrometheusConfigInput = SAMPLE_PROMETHEUS_INPUT;

function render(input: PrometheusConfigInput = SAMPLE_INPUT): PromConfig {
    return parse(renderPrometheusConfig(input)) as PromConfig;
}

function job(cfg: PromConfig, name: string): ScrapeConfig {
    const j = cfg.scrape_configs.find((s) => s.job_name === name);
    assert.ok(j, `job ${name} missing`);
    return j;
}

describe("monitoring: prometheus.yml renderer", () => {
    it("scrapes every tier, each job once, with tier and service labels", () => {
        const cfg = render();
        const names = cfg.scrape_configs.map((s) => s.job_name);
        assert.deepStrictEqual([...names].sort(), Object.values(JOBS).sort());
        assert.deepStrictEqual(job(cfg, JOBS.node).static_configs[0].targets, ["node-exporter:9100"]);
        assert.strictEqual(job(cfg, JOBS.node).dns_sd_configs, undefined);
        for (const s of cfg.scrape_configs) {
            for (const sc of s.static_configs) {
                assert.ok(sc.labels.tier, `${s.job_name} has no tier label`);
                assert.ok(sc.labels.service, `${s.job_name} has no service label`);
            }
        }
        assert.deepStrictEqual(job(cfg, JOBS.api).static_configs[0].targets, ["api:8000"]);
        assert.strictEqual(job(cfg, JOBS.api).static_configs[0].labels.tier, "app");
        assert.deepStrictEqual(job(cfg, JOBS.postgres).static_configs[0].labels, { service: "postgres", tier: "data" });
        assert.deepStrictEqual(job(cfg, JOBS.redis).static_configs[0].labels, { service: "redis", tier: "data" });
        assert.deepStrictEqual(job(cfg, JOBS.nginx).static_configs[0].targets, ["nginx-exporter:9113"]);
        assert.deepStrictEqual(job(cfg, JOBS.loki).static_configs[0].targets, ["loki:3100"]);
        assert.deepStrictEqual(job(cfg, JOBS.grafana).static_configs[0].targets, ["grafana:3000"]);
        assert.deepStrictEqual(job(cfg, JOBS.prometheus).static_configs[0].targets, ["localhost:9090"]);
    });

    describe("node-exporters by DNS discovery (Kubernetes: a headless Service in front of the DaemonSet)", () => {
        const HEADLESS = "node-exporter.ptc-host.svc.cluster.local";
        const K8S: PrometheusConfigInput = {
            ...SAMPLE_INPUT,
            targets: { ...SAMPLE_INPUT.targets, nodeExporters: [] },
            nodeExporterDiscovery: { names: [HEADLESS], port: 9100 },
        };

        it("resolves the headless name's A records, one target per pod on node-exporter's port", () => {
            const node = job(render(K8S), JOBS.node);
            assert.deepStrictEqual(node.dns_sd_configs, [{ names: [HEADLESS], type: "A", port: 9100, refresh_interval: `${DEFAULT_DNS_REFRESH_SECONDS}s` }]);
            assert.strictEqual(node.static_configs, undefined);
            const custom = job(render({ ...K8S, nodeExporterDiscovery: { names: [HEADLESS], port: 9101, refreshIntervalSeconds: 60 } }), JOBS.node);
            assert.deepStrictEqual(custom.dns_sd_configs?.[0], { names: [HEADLESS], type: "A", port: 9101, refresh_interval: "1m" });
        });

        it("labels every discovered target with tier and service and leaves instance as the pod's address", () => {
            const relabel = job(render(K8S), JOBS.node).relabel_configs ?? [];
            // instance defaults to __address__ (<pod ip>:9100): nothing may rewrite it or the address.
            assert.ok(!relabel.some((r) => r.target_label === "instance" || r.target_label === "__address__" || r.action === "drop"));
            assert.deepStrictEqual(relabel, [
                { target_label: "service", replacement: "node" },
                { target_label: "tier", replacement: "ops" },
            ]);
        });

        it("leaves every other job static", () => {
            const cfg = render(K8S);
            for (const s of cfg.scrape_configs.filter((x) => x.job_name !== JOBS.node)) {
                assert.strictEqual(s.dns_sd_configs, undefined, s.job_name);
                assert.ok(s.static_configs.length > 0, s.job_name);
            }
        });

        it("refuses both static node targets and discovery, bad names, ports and intervals, naming the field", () => {
            assert.throws(() => renderPrometheusConfig({ ...K8S, targets: SAMPLE_INPUT.targets }), /either from targets.nodeExporters or from nodeExporterDiscovery/);
            const bad = (d: Partial<NonNullable<PrometheusConfigInput["nodeExporterDiscovery"]>>): (() => string) => () =>
                renderPrometheusConfig({ ...K8S, nodeExporterDiscovery: { names: [HEADLESS], port: 9100, ...d } });
            assert.throws(bad({ names: [] }), /nodeExporterDiscovery.names/);
            assert.throws(bad({ names: [`${HEADLESS}:9100`] }), /must be a DNS name/);
            assert.throws(bad({ names: [`http://${HEADLESS}`] }), /must be a DNS name/);
            assert.throws(bad({ port: 0 }), /nodeExporterDiscovery.port/);
            assert.throws(bad({ port: 70000 }), /nodeExporterDiscovery.port/);
            assert.throws(bad({ refreshIntervalSeconds: 0 }), /refreshIntervalSeconds/);
            assert.throws(bad({ refreshIntervalSeconds: 1.5 }), /refreshIntervalSeconds/);
            assert.throws(() => renderPrometheusConfig({ ...SAMPLE_INPUT, targets: { ...SAMPLE_INPUT.targets, nodeExporters: [] } }), /or set nodeExporterDiscovery/);
        });
    });

    describe("API replicas by DNS discovery (Kubernetes: the headless api-pods Service)", () => {
        const PODS = "api-pods.ptc.svc.cluster.local";
        const { api: _static, ...withoutApi } = SAMPLE_INPUT.targets;
        const K8S: PrometheusConfigInput = {
            ...SAMPLE_INPUT,
            targets: withoutApi,
            apiDiscovery: { names: [PODS], port: 8000 },
        };

        it("resolves the headless name's A records, one target per replica on the API's port, with the static target's labels", () => {
            assert.strictEqual(_static, "api:8000");
            const api = job(render(K8S), JOBS.api);
            assert.deepStrictEqual(api.dns_sd_configs, [{ names: [PODS], type: "A", port: 8000, refresh_interval: `${DEFAULT_DNS_REFRESH_SECONDS}s` }]);
            assert.strictEqual(api.static_configs, undefined);
            assert.strictEqual(api.metrics_path, undefined, "the default /metrics, as for the static target");
            // The same service and tier as the static target's labels; instance stays the pod's address.
            assert.deepStrictEqual(job(render(), JOBS.api).static_configs[0].labels, { service: "api", tier: "app" });
            assert.deepStrictEqual(api.relabel_configs, [
                { target_label: "service", replacement: "api" },
                { target_label: "tier", replacement: "app" },
            ]);
            const custom = job(render({ ...K8S, apiDiscovery: { names: [PODS], port: 8001, refreshIntervalSeconds: 10 } }), JOBS.api);
            assert.deepStrictEqual(custom.dns_sd_configs?.[0], { names: [PODS], type: "A", port: 8001, refresh_interval: "10s" });
        });

        it("works beside the node-exporter discovery and leaves every other job static", () => {
            const cfg = render({ ...K8S, targets: { ...withoutApi, nodeExporters: [] }, nodeExporterDiscovery: { names: ["node-exporter.ptc-host.svc.cluster.local"], port: 9100 } });
            assert.deepStrictEqual(
                cfg.scrape_configs.filter((s) => s.dns_sd_configs !== undefined).map((s) => s.job_name).sort(),
                [JOBS.api, JOBS.node].sort(),
            );
            for (const s of cfg.scrape_configs.filter((x) => x.job_name !== JOBS.node && x.job_name !== JOBS.api)) {
                assert.ok(s.static_configs.length > 0, s.job_name);
            }
            assert.deepStrictEqual(job(cfg, JOBS.probeHttp).static_configs.map((g) => g.labels.probe), ["public", "api-health"]);
        });

        it("refuses both a static API target and discovery, neither, and bad names, ports and intervals, naming the field", () => {
            assert.throws(() => renderPrometheusConfig({ ...K8S, targets: SAMPLE_INPUT.targets }), /either from targets.api or from apiDiscovery/);
            assert.throws(() => renderPrometheusConfig({ ...SAMPLE_INPUT, targets: withoutApi }), /targets.api .*\(or set apiDiscovery\)/);
            const bad = (d: Partial<NonNullable<PrometheusConfigInput["apiDiscovery"]>>): (() => string) => () =>
                renderPrometheusConfig({ ...K8S, apiDiscovery: { names: [PODS], port: 8000, ...d } });
            assert.throws(bad({ names: [] }), /apiDiscovery.names/);
            assert.throws(bad({ names: [`${PODS}:8000`] }), /apiDiscovery name .* must be a DNS name/);
            assert.throws(bad({ names: [`http://${PODS}`] }), /must be a DNS name/);
            assert.throws(bad({ port: 0 }), /apiDiscovery.port/);
            assert.throws(bad({ port: 65536 }), /apiDiscovery.port/);
            assert.throws(bad({ refreshIntervalSeconds: 0 }), /apiDiscovery.refreshIntervalSeconds/);
            assert.throws(bad({ refreshIntervalSeconds: 2.5 }), /apiDiscovery.refreshIntervalSeconds/);
            // A malformed static target is still refused.
            assert.throws(() => renderPrometheusConfig({ ...SAMPLE_INPUT, targets: { ...SAMPLE_INPUT.targets, api: "http://api:8000" } }), /target api must be "host:port"/);
        });
    });

    it("keeps pushed labels on the Pushgateway job only", () => {
        const cfg = render();
        assert.strictEqual(job(cfg, JOBS.pushgateway).honor_labels, true);
        for (const s of cfg.scrape_configs.filter((x) => x.job_name !== JOBS.pushgateway)) {
            assert.notStrictEqual(s.honor_labels, true, `${s.job_name} must not honor labels`);
        }
    });

    it("probes the public URL and the API health URL through the blackbox exporter, module by scheme", () => {
        const p = job(render(), JOBS.probeHttp);
        assert.strictEqual(p.metrics_path, "/probe");
        const byProbe = Object.fromEntries(p.static_configs.map((s) => [s.labels.probe, s]));
        assert.deepStrictEqual(byProbe.public.targets, ["https://app.example.com/"]);
        assert.strictEqual(byProbe.public.labels.__param_module, BLACKBOX_MODULES.https);
        assert.deepStrictEqual(byProbe["api-health"].targets, ["http://edge:8080/api/v1/health"]);
        assert.strictEqual(byProbe["api-health"].labels.__param_module, BLACKBOX_MODULES.http);
        assert.strictEqual(byProbe["api-health"].labels.service, "api");
        const last = p.relabel_configs?.at(-1);
        assert.deepStrictEqual(last, { target_label: "__address__", replacement: "blackbox-exporter:9115" });
        assert.ok(p.relabel_configs?.some((r) => r.target_label === "__param_target" && r.source_labels?.[0] === "__address__"));
        assert.ok(p.relabel_configs?.some((r) => r.target_label === "instance" && r.source_labels?.[0] === "__param_target"));
    });

    it("uses the probe module it is told to, for both probes, and refuses unknown or mismatched ones", () => {
        const https = { publicUrl: "https://edge:8443/", apiHealthUrl: "https://edge:8443/api/v1/health" };
        const p = job(render({ ...SAMPLE_INPUT, probes: https, probeModule: BLACKBOX_MODULES.httpsInternal }), JOBS.probeHttp);
        assert.deepStrictEqual(
            p.static_configs.map((s) => [s.labels.probe, s.targets[0], s.labels.__param_module]),
            [
                ["public", "https://edge:8443/", BLACKBOX_MODULES.httpsInternal],
                ["api-health", "https://edge:8443/api/v1/health", BLACKBOX_MODULES.httpsInternal],
            ],
        );
        // Without a module the scheme still decides (the default is unchanged).
        const d = job(render({ ...SAMPLE_INPUT, probes: https }), JOBS.probeHttp);
        assert.deepStrictEqual(d.static_configs.map((s) => s.labels.__param_module), [BLACKBOX_MODULES.https, BLACKBOX_MODULES.https]);
        // http_2xx may be forced on an https URL (TLS still verified, plain HTTP tolerated).
        const h = job(render({ ...SAMPLE_INPUT, probeModule: BLACKBOX_MODULES.http }), JOBS.probeHttp);
        assert.deepStrictEqual(h.static_configs.map((s) => s.labels.__param_module), [BLACKBOX_MODULES.http, BLACKBOX_MODULES.http]);
        assert.throws(
            () => renderPrometheusConfig({ ...SAMPLE_INPUT, probeModule: "tcp_connect" as typeof BLACKBOX_MODULES.http }),
            /probeModule must be one of the blackbox modules http_2xx, https_2xx, https_2xx_internal, got "tcp_connect"/,
        );
        // SAMPLE_INPUT's API health URL is plain http: a TLS-only module would always fail on it.
        assert.throws(() => renderPrometheusConfig({ ...SAMPLE_INPUT, probeModule: BLACKBOX_MODULES.httpsInternal }), /apiHealthUrl must be an https URL with probeModule https_2xx_internal/);
    });

    it("sends alerts to Alertmanager over API v2 and loads the rule files", () => {
        const cfg = render();
        assert.deepStrictEqual(cfg.alerting.alertmanagers, [{ api_version: "v2", static_configs: [{ targets: ["alertmanager:9093"] }] }]);
        assert.deepStrictEqual(cfg.rule_files, [...DEFAULT_RULE_FILES]);
        assert.deepStrictEqual(render({ ...SAMPLE_INPUT, ruleFiles: ["/x/*.yml"] }).rule_files, ["/x/*.yml"]);
    });

    it("renders production timings by default and accepts short test timings", () => {
        assert.deepStrictEqual(render().global, {
            scrape_interval: promDuration(DEFAULT_PROMETHEUS_TIMINGS.scrapeIntervalSeconds),
            scrape_timeout: promDuration(DEFAULT_PROMETHEUS_TIMINGS.scrapeTimeoutSeconds),
            evaluation_interval: promDuration(DEFAULT_PROMETHEUS_TIMINGS.evaluationIntervalSeconds),
        });
        const g = render({ ...SAMPLE_INPUT, timings: { scrapeIntervalSeconds: 1, scrapeTimeoutSeconds: 1, evaluationIntervalSeconds: 1 }, externalLabels: { env: "dev" } }).global;
        assert.deepStrictEqual(g, { scrape_interval: "1s", scrape_timeout: "1s", evaluation_interval: "1s", external_labels: { env: "dev" } });
    });

    it("is deterministic", () => {
        assert.strictEqual(renderPrometheusConfig(SAMPLE_INPUT), renderPrometheusConfig(SAMPLE_INPUT));
    });

    it("rejects malformed targets, URLs and timings with a message naming the field", () => {
        assert.throws(() => renderPrometheusConfig({ ...SAMPLE_INPUT, targets: { ...SAMPLE_INPUT.targets, api: "http://api:8000" } }), /target api must be "host:port"/);
        assert.throws(() => renderPrometheusConfig({ ...SAMPLE_INPUT, targets: { ...SAMPLE_INPUT.targets, nodeExporters: [] } }), /nodeExporters/);
        assert.throws(() => renderPrometheusConfig({ ...SAMPLE_INPUT, probes: { ...SAMPLE_INPUT.probes, publicUrl: "ftp://x/" } }), /publicUrl/);
        assert.throws(() => renderPrometheusConfig({ ...SAMPLE_INPUT, timings: { scrapeTimeoutSeconds: 30 } }), /must not exceed scrapeIntervalSeconds/);
        assert.throws(() => renderPrometheusConfig({ ...SAMPLE_INPUT, timings: { evaluationIntervalSeconds: 0 } }), /evaluationIntervalSeconds/);
        assert.throws(() => renderPrometheusConfig({ ...SAMPLE_INPUT, externalLabels: { "bad-name": "x" } }), /external label/);
    });

    it("formats durations the way Prometheus writes them", () => {
        assert.strictEqual(promDuration(0), "0s");
        assert.strictEqual(promDuration(90), "1m30s");
        assert.strictEqual(promDuration(3600), "1h");
        assert.strictEqual(promDuration(3 * 86400), "3d");
        assert.throws(() => promDuration(1.5));
    });
});

describe("monitoring: blackbox.yml renderer", () => {
    interface Module {
        prober: string;
        http: { fail_if_not_ssl: boolean; preferred_ip_protocol: string; tls_config: { insecure_skip_verify: boolean } };
    }
    const cfg = parse(renderBlackboxConfig()) as { modules: Record<string, Module> };

    it("has an http and an https module, both verifying TLS and preferring IPv4", () => {
        assert.deepStrictEqual(Object.keys(cfg.modules).sort(), [BLACKBOX_MODULES.http, BLACKBOX_MODULES.https].sort());
        for (const m of Object.values(cfg.modules)) {
            assert.strictEqual(m.prober, "http");
            assert.strictEqual(m.http.tls_config.insecure_skip_verify, false);
            assert.strictEqual(m.http.preferred_ip_protocol, "ip4");
        }
    });

    it("fails an https probe that did not end on TLS, and only that one", () => {
        assert.strictEqual(cfg.modules[BLACKBOX_MODULES.https].http.fail_if_not_ssl, true);
        assert.strictEqual(cfg.modules[BLACKBOX_MODULES.http].http.fail_if_not_ssl, false);
    });

    it("has no internal module unless asked for", () => {
        assert.ok(!(BLACKBOX_MODULES.httpsInternal in cfg.modules));
        assert.strictEqual(renderBlackboxConfig({}), renderBlackboxConfig());
    });

    interface TlsModule {
        prober: string;
        http: Record<string, unknown> & { tls_config: Record<string, unknown> };
    }
    const modulesOf = (text: string): Record<string, TlsModule> => (parse(text) as { modules: Record<string, TlsModule> }).modules;

    it("adds https_2xx_internal: the https module plus the server name and CA file to verify with", () => {
        const m = modulesOf(renderBlackboxConfig({ internalTls: { serverName: "localhost", caFile: "/etc/blackbox_exporter/ca.pem" } }));
        assert.deepStrictEqual(Object.keys(m).sort(), [BLACKBOX_MODULES.http, BLACKBOX_MODULES.https, BLACKBOX_MODULES.httpsInternal].sort());
        const internal = m[BLACKBOX_MODULES.httpsInternal];
        const https = m[BLACKBOX_MODULES.https];
        assert.deepStrictEqual(internal.http.tls_config, { insecure_skip_verify: false, server_name: "localhost", ca_file: "/etc/blackbox_exporter/ca.pem" });
        // Everything else is the https module's: TLS required, IPv4 preferred, redirects followed.
        assert.deepStrictEqual({ ...internal, http: { ...internal.http, tls_config: https.http.tls_config } }, https);
        assert.strictEqual(internal.http.fail_if_not_ssl, true);
        assert.strictEqual(internal.http.preferred_ip_protocol, "ip4");
        // The two public modules are untouched by the option.
        assert.deepStrictEqual(m[BLACKBOX_MODULES.https], modulesOf(renderBlackboxConfig()).https_2xx);
        assert.deepStrictEqual(m[BLACKBOX_MODULES.http], modulesOf(renderBlackboxConfig()).http_2xx);
    });

    it("without a CA file sets only the server name (the system CAs verify)", () => {
        const m = modulesOf(renderBlackboxConfig({ internalTls: { serverName: "app.example.com" } }));
        assert.deepStrictEqual(m[BLACKBOX_MODULES.httpsInternal].http.tls_config, { insecure_skip_verify: false, server_name: "app.example.com" });
    });

    it("refuses a malformed server name or CA path, saying what to write", () => {
        assert.throws(() => renderBlackboxConfig({ internalTls: { serverName: "https://app.example.com" } }), /serverName must be a DNS name/);
        assert.throws(() => renderBlackboxConfig({ internalTls: { serverName: "app.example.com:443" } }), /serverName must be a DNS name/);
        assert.throws(() => renderBlackboxConfig({ internalTls: { serverName: "localhost", caFile: "ca.pem" } }), /caFile must be an absolute file path/);
        assert.throws(() => renderBlackboxConfig({ internalTls: { serverName: "localhost", caFile: "/etc/" } }), /caFile must be an absolute file path/);
    });
});
