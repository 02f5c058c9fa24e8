/**
 * Pure renderer for `prometheus.yml`.
 *
 * Every tier is scraped with `static_configs`: on both platforms the hosts are fixed service names
 * (`api:8000` on docker, `api.<ns>.svc.cluster.local:8000` on Kubernetes), so Kubernetes service
 * discovery would add RBAC and moving parts for nothing. The one exception is node-exporter on
 * Kubernetes, one pod per node behind a single name: there the node job can use DNS discovery
 * ({@link NodeExporterDnsDiscovery}) on a headless Service, which returns every pod's address and
 * needs no access to the Kubernetes API. Every target carries `tier` and `service` labels
 * (the *monitored* service: the postgres-exporter target is `service="postgres"`, `tier="data"`),
 * which the alert rules, the inhibition rules and the dashboards group by.
 *
 * Checked against Prometheus 2.42 (`promtool check config`, Debian bookworm) and written to stay
 * valid on 3.x (no removed fields; `api_version: v2` for Alertmanager).
 */
import { stringify } from "yaml";
import { BLACKBOX_MODULES, BlackboxModule, TLS_ONLY_MODULES } from "./blackbox-config";
import { httpUrlProblem } from "../platform/schemas";

/** Scrape job names; the rules, the dashboards and the tests select on these. */
export const JOBS = {
    api: "api",
    node: "node",
    postgres: "postgres",
    redis: "redis",
    nginx: "nginx",
    blackbox: "blackbox",
    probeHttp: "probe-http",
    pushgateway: "pushgateway",
    alertmanager: "alertmanager",
    grafana: "grafana",
    loki: "loki",
    prometheus: "prometheus",
} as const;

/** A scrape job name (a value of {@link JOBS}). */
export type JobName = (typeof JOBS)[keyof typeof JOBS];

/**
 * Where each scrape target listens, as `host:port` strings as seen from Prometheus
 * (e.g. `"postgres-exporter:9187"`). No scheme, no path.
 */
export interface PrometheusTargets {
    /**
     * The API (FastAPI; `/metrics` on its own port), e.g. `"api:8000"`. Required, unless
     * {@link PrometheusConfigInput.apiDiscovery} finds the replicas instead (then omitted). On
     * Kubernetes the Service name balances each scrape to one random replica: use the discovery.
     */
    readonly api?: string;
    /**
     * node-exporter instances (one per host), e.g. `["node-exporter:9100"]`. At least one, unless
     * {@link PrometheusConfigInput.nodeExporterDiscovery} finds them instead (then none). On
     * Kubernetes a single Service name in front of the DaemonSet reaches one (random) node per
     * scrape: use the DNS discovery there.
     */
    readonly nodeExporters: readonly string[];
    /** postgres-exporter, e.g. `"postgres-exporter:9187"`. */
    readonly postgresExporter: string;
    /** redis-exporter, e.g. `"redis-exporter:9121"`. */
    readonly redisExporter: string;
    /** nginx-prometheus-exporter reading the edge's stub_status, e.g. `"nginx-exporter:9113"`. */
    readonly nginxExporter: string;
    /** blackbox-exporter, e.g. `"blackbox-exporter:9115"` (its own metrics and the probes). */
    readonly blackboxExporter: string;
    /** Pushgateway holding the backup metrics, e.g. `"pushgateway:9091"`. */
    readonly pushgateway: string;
    /** Alertmanager; also where Prometheus sends alerts, e.g. `"alertmanager:9093"`. */
    readonly alertmanager: string;
    /** Grafana (`/metrics` is on by default), e.g. `"grafana:3000"`. */
    readonly grafana: string;
    /** Loki, e.g. `"loki:3100"`. */
    readonly loki: string;
    /** Prometheus itself, e.g. `"prometheus:9090"` (or `"localhost:9090"`). */
    readonly prometheus: string;
}

/**
 * URLs the blackbox exporter probes, as reachable *from the blackbox exporter* (inside a docker
 * network `http://localhost:8080` is the exporter itself: use the edge's service name or the real
 * public name). An `https://` URL is probed with the `https_2xx` module (TLS verified, plain HTTP
 * refused) and yields `probe_ssl_earliest_cert_expiry`; an `http://` URL with `http_2xx`
 * (unless {@link PrometheusConfigInput.probeModule} names the module).
 */
export interface ProbeTargets {
    /** The public URL users open (through the edge), e.g. `"https://app.proteamcare.com.br/"`. */
    readonly publicUrl: string;
    /** The API health URL (the uptime SLI), e.g. `"https://app.proteamcare.com.br/api/v1/health"`. */
    readonly apiHealthUrl: string;
}

/** Global timings of Prometheus, in seconds (rendered as Prometheus durations). */
export interface PrometheusTimings {
    /** How often every target is scraped. Defaults to 15. */
    readonly scrapeIntervalSeconds: number;
    /** How long a scrape (or a blackbox probe) may take; must not exceed the interval. Defaults to 10. */
    readonly scrapeTimeoutSeconds: number;
    /** How often recording and alerting rules are evaluated. Defaults to 15. */
    readonly evaluationIntervalSeconds: number;
}

/** Production timings: what the alert-latency budget ({@link ./latency}) is computed from. */
export const DEFAULT_PROMETHEUS_TIMINGS: PrometheusTimings = {
    scrapeIntervalSeconds: 15,
    scrapeTimeoutSeconds: 10,
    evaluationIntervalSeconds: 15,
};

/** Where the rule files are mounted by default (the component puts the rendered rules there). */
export const DEFAULT_RULE_FILES: readonly string[] = ["/etc/prometheus/rules/*.yml"];

/**
 * DNS service discovery (`dns_sd_configs`, A records) for one job: each address a name resolves
 * to becomes one target `<ip>:<port>`, and the `instance` label keeps that address, so every
 * pod's series stay apart. Meant for a headless Kubernetes Service, whose name resolves to every
 * pod behind it.
 */
export interface DnsDiscovery {
    /** Names to resolve, e.g. `["node-exporter.ptc-host.svc.cluster.local"]`. At least one. */
    readonly names: readonly string[];
    /** Port the scraped process listens on at every discovered address, e.g. 9100. */
    readonly port: number;
    /** Seconds between lookups (how soon a new pod is scraped). Defaults to {@link DEFAULT_DNS_REFRESH_SECONDS}. */
    readonly refreshIntervalSeconds?: number;
}

/**
 * DNS discovery of the node-exporters: the headless Service in front of the DaemonSet, one pod
 * per node (e.g. names `["node-exporter.ptc-host.svc.cluster.local"]`, port 9100).
 */
export type NodeExporterDnsDiscovery = DnsDiscovery;

/**
 * DNS discovery of the API replicas: the headless `<api>-pods` Service, one address per ready
 * replica (e.g. names `["api-pods.ptc.svc.cluster.local"]`, port 8000), so each replica's
 * counters and histograms are scraped on their own.
 */
export type ApiDnsDiscovery = DnsDiscovery;

/** How often DNS discovery re-resolves its names, in seconds (Prometheus's own default). */
export const DEFAULT_DNS_REFRESH_SECONDS = 30;

/** Input of {@link renderPrometheusConfig}. */
export interface PrometheusConfigInput {
    /** Scrape targets. Required. */
    readonly targets: PrometheusTargets;
    /** Blackbox probe URLs. Required. */
    readonly probes: ProbeTargets;
    /** Rule file paths or globs, as Prometheus sees them. Defaults to {@link DEFAULT_RULE_FILES}. */
    readonly ruleFiles?: readonly string[];
    /** Timings; partial values are merged over {@link DEFAULT_PROMETHEUS_TIMINGS}. Defaults to those. */
    readonly timings?: Partial<PrometheusTimings>;
    /** Labels added to every series and alert leaving this Prometheus, e.g. `{ env: "prod" }`. Defaults to none. */
    readonly externalLabels?: Readonly<Record<string, string>>;
    /**
     * Find the node-exporters by DNS instead of `targets.nodeExporters` (which must then be empty).
     * Defaults to none: the node job scrapes `targets.nodeExporters`.
     */
    readonly nodeExporterDiscovery?: NodeExporterDnsDiscovery;
    /**
     * Find the API replicas by DNS instead of `targets.api` (which must then be omitted). Defaults
     * to none: the api job scrapes `targets.api`.
     */
    readonly apiDiscovery?: ApiDnsDiscovery;
    /**
     * The blackbox module every probe uses, e.g. `"https_2xx_internal"` for in-platform addresses
     * whose certificate is checked against the public name. A TLS-only module needs https probe
     * URLs. Defaults to none: `https_2xx` for an https URL, `http_2xx` for an http one.
     */
    readonly probeModule?: BlackboxModule;
}

/** One job's identity labels. */
interface TargetLabels {
    readonly tier: "edge" | "app" | "data" | "ops";
    readonly service: string;
}

const HOST_PORT = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?:[0-9]{1,5}$/;
const DNS_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Resolves partial timings over the defaults and checks them; throws with what to change. */
export function resolvePrometheusTimings(t: Partial<PrometheusTimings> = {}): PrometheusTimings {
    const r: PrometheusTimings = { ...DEFAULT_PROMETHEUS_TIMINGS, ...t };
    for (const [k, v] of Object.entries(r)) {
        if (!Number.isInteger(v) || v <= 0) {
            throw new Error(`Prometheus timing ${k} must be a positive whole number of seconds, got ${String(v)}`);
        }
    }
    if (r.scrapeTimeoutSeconds > r.scrapeIntervalSeconds) {
        throw new Error(
            `Prometheus scrapeTimeoutSeconds (${r.scrapeTimeoutSeconds}) must not exceed scrapeIntervalSeconds (${r.scrapeIntervalSeconds}); lower the timeout`,
        );
    }
    return r;
}

/** Renders seconds as a Prometheus duration (`90` → `"90s"`, `3600` → `"1h"`). */
export function promDuration(seconds: number): string {
    if (!Number.isInteger(seconds) || seconds < 0) {
        throw new Error(`a duration must be a whole, non-negative number of seconds, got ${String(seconds)}`);
    }
    if (seconds === 0) return "0s";
    const units: [string, number][] = [
        ["d", 86400],
        ["h", 3600],
        ["m", 60],
        ["s", 1],
    ];
    let rest = seconds;
    let out = "";
    for (const [u, n] of units) {
        const q = Math.floor(rest / n);
        if (q > 0) {
            out += `${q}${u}`;
            rest -= q * n;
        }
    }
    return out;
}

function checkHostPort(what: string, v: string): string {
    if (!HOST_PORT.test(v)) {
        throw new Error(`Prometheus target ${what} must be "host:port" (no scheme or path), got ${JSON.stringify(v)}`);
    }
    return v;
}

function checkUrl(what: string, v: string): URL {
    const why = httpUrlProblem(v);
    // Probe URLs are public addresses, so the message may show the value.
    if (why !== undefined) throw new Error(`probe ${what} must be ${why}, got ${JSON.stringify(v)}`);
    return new URL(v);
}

function staticJob(job: JobName, targets: readonly string[], labels: TargetLabels, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        job_name: job,
        ...extra,
        static_configs: [{ targets: [...targets], labels: { service: labels.service, tier: labels.tier } }],
    };
}

/** Checks a DNS discovery; `field` names it in errors, `example` is a name to suggest. */
function checkDnsDiscovery(field: string, example: string, d: DnsDiscovery): void {
    if (d.names.length === 0) throw new Error(`${field}.names must list at least one DNS name`);
    for (const n of d.names) {
        if (n.length > 253 || !DNS_NAME.test(n)) {
            throw new Error(`${field} name ${JSON.stringify(n)} must be a DNS name such as ${example} (no port, scheme or path)`);
        }
    }
    if (!(Number.isInteger(d.port) && d.port >= 1 && d.port <= 65535)) {
        throw new Error(`${field}.port must be an integer from 1 to 65535, got ${String(d.port)}`);
    }
    const r = d.refreshIntervalSeconds;
    if (r !== undefined && !(Number.isInteger(r) && r > 0)) {
        throw new Error(`${field}.refreshIntervalSeconds must be a positive whole number of seconds, got ${String(r)}`);
    }
}

/**
 * A job whose targets are the A records of DNS names. Discovery configs carry no labels, so the
 * tier and service labels are set by relabelling; `instance` stays the discovered `<ip>:<port>`.
 */
function dnsJob(job: JobName, d: DnsDiscovery, labels: TargetLabels): Record<string, unknown> {
    return {
        job_name: job,
        dns_sd_configs: [
            {
                names: [...d.names].sort(),
                type: "A",
                port: d.port,
                refresh_interval: promDuration(d.refreshIntervalSeconds ?? DEFAULT_DNS_REFRESH_SECONDS),
            },
        ],
        relabel_configs: [
            { target_label: "service", replacement: labels.service },
            { target_label: "tier", replacement: labels.tier },
        ],
    };
}

/**
 * Renders `prometheus.yml`: global intervals, rule files, alerting to Alertmanager (API v2) and
 * one scrape job per tier ({@link JOBS}). Deterministic; throws on malformed targets or timings.
 */
export function renderPrometheusConfig(input: PrometheusConfigInput): string {
    const t = resolvePrometheusTimings(input.timings);
    const tg = input.targets;
    const dns = input.nodeExporterDiscovery;
    if (dns === undefined && tg.nodeExporters.length === 0) {
        throw new Error("Prometheus targets.nodeExporters must list at least one node-exporter host:port (or set nodeExporterDiscovery)");
    }
    if (dns !== undefined && tg.nodeExporters.length > 0) {
        throw new Error("Prometheus node-exporters come either from targets.nodeExporters or from nodeExporterDiscovery; empty targets.nodeExporters or drop the discovery");
    }
    if (dns !== undefined) checkDnsDiscovery("nodeExporterDiscovery", "node-exporter.ptc-host.svc.cluster.local", dns);
    const apiDns = input.apiDiscovery;
    if (apiDns === undefined && tg.api === undefined) {
        throw new Error("Prometheus targets.api must be the API's host:port (or set apiDiscovery)");
    }
    if (apiDns !== undefined && tg.api !== undefined) {
        throw new Error("Prometheus API targets come either from targets.api or from apiDiscovery; drop targets.api or the discovery");
    }
    if (apiDns !== undefined) checkDnsDiscovery("apiDiscovery", "api-pods.ptc.svc.cluster.local", apiDns);
    const ext = input.externalLabels ?? {};
    for (const k of Object.keys(ext)) {
        if (!LABEL_NAME.test(k)) throw new Error(`external label name ${JSON.stringify(k)} is not a valid Prometheus label name`);
    }
    if (tg.api !== undefined) checkHostPort("api", tg.api);
    const singles = [
        "postgresExporter",
        "redisExporter",
        "nginxExporter",
        "blackboxExporter",
        "pushgateway",
        "alertmanager",
        "grafana",
        "loki",
        "prometheus",
    ] as const;
    for (const k of singles) checkHostPort(k, tg[k]);
    tg.nodeExporters.forEach((n, i) => checkHostPort(`nodeExporters[${i}]`, n));
    const publicUrl = checkUrl("publicUrl", input.probes.publicUrl);
    const healthUrl = checkUrl("apiHealthUrl", input.probes.apiHealthUrl);
    const probeModule = input.probeModule;
    if (probeModule !== undefined) {
        const known: readonly string[] = Object.values(BLACKBOX_MODULES);
        if (!known.includes(probeModule)) {
            throw new Error(`probeModule must be one of the blackbox modules ${known.join(", ")}, got ${JSON.stringify(probeModule)}`);
        }
        if (TLS_ONLY_MODULES.includes(probeModule)) {
            for (const [what, u] of [["publicUrl", publicUrl], ["apiHealthUrl", healthUrl]] as const) {
                if (u.protocol !== "https:") {
                    throw new Error(`probe ${what} must be an https URL with probeModule ${probeModule} (it refuses plain HTTP), got ${JSON.stringify(u.toString())}`);
                }
            }
        }
    }

    const probeGroup = (u: URL, probe: string, labels: TargetLabels): Record<string, unknown> => ({
        targets: [u.toString()],
        labels: {
            // A `__param_*` target label becomes a URL parameter of the probe request.
            __param_module: probeModule ?? (u.protocol === "https:" ? BLACKBOX_MODULES.https : BLACKBOX_MODULES.http),
            probe,
            service: labels.service,
            tier: labels.tier,
        },
    });

    const config = {
        global: {
            scrape_interval: promDuration(t.scrapeIntervalSeconds),
            scrape_timeout: promDuration(t.scrapeTimeoutSeconds),
            evaluation_interval: promDuration(t.evaluationIntervalSeconds),
            ...(Object.keys(ext).length > 0 ? { external_labels: sortKeys(ext) } : {}),
        },
        rule_files: [...(input.ruleFiles ?? DEFAULT_RULE_FILES)],
        alerting: {
            alertmanagers: [{ api_version: "v2", static_configs: [{ targets: [tg.alertmanager] }] }],
        },
        scrape_configs: [
            staticJob(JOBS.prometheus, [tg.prometheus], { tier: "ops", service: "prometheus" }),
            staticJob(JOBS.alertmanager, [tg.alertmanager], { tier: "ops", service: "alertmanager" }),
            apiDns !== undefined ? dnsJob(JOBS.api, apiDns, { tier: "app", service: "api" }) : staticJob(JOBS.api, [tg.api as string], { tier: "app", service: "api" }),
            staticJob(JOBS.nginx, [tg.nginxExporter], { tier: "edge", service: "edge" }),
            staticJob(JOBS.postgres, [tg.postgresExporter], { tier: "data", service: "postgres" }),
            staticJob(JOBS.redis, [tg.redisExporter], { tier: "data", service: "redis" }),
            dns !== undefined ? dnsJob(JOBS.node, dns, { tier: "ops", service: "node" }) : staticJob(JOBS.node, [...tg.nodeExporters], { tier: "ops", service: "node" }),
            staticJob(JOBS.blackbox, [tg.blackboxExporter], { tier: "ops", service: "blackbox-exporter" }),
            {
                job_name: JOBS.probeHttp,
                metrics_path: "/probe",
                static_configs: [
                    probeGroup(publicUrl, "public", { tier: "edge", service: "edge" }),
                    probeGroup(healthUrl, "api-health", { tier: "app", service: "api" }),
                ],
                relabel_configs: [
                    { source_labels: ["__address__"], target_label: "__param_target" },
                    { source_labels: ["__param_target"], target_label: "instance" },
                    { target_label: "__address__", replacement: tg.blackboxExporter },
                ],
            },
            // Pushed batch-job metrics keep the job/instance they were pushed with.
            staticJob(JOBS.pushgateway, [tg.pushgateway], { tier: "ops", service: "pushgateway" }, { honor_labels: true }),
            staticJob(JOBS.grafana, [tg.grafana], { tier: "ops", service: "grafana" }),
            staticJob(JOBS.loki, [tg.loki], { tier: "ops", service: "loki" }),
        ],
    };
    return stringify(config, { lineWidth: 0 });
}

function sortKeys(o: Readonly<Record<string, string>>): Record<string, string> {
    return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
