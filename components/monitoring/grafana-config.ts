/**
 * Grafana's configuration as pure functions: datasource and dashboard provisioning files, the
 * dashboard JSON models, and the server settings passed as environment variables.
 *
 * Grafana is not installed here, so the tests check these files against the fields Grafana's
 * provisioning and dashboard JSON model documentation defines (every panel's datasource uid is a
 * provisioned one; every PromQL expression is handed to promtool by the integration tests).
 */
import * as YAML from "yaml";
import { JOBS, promDuration } from "./prometheus-config";
import { BURN_RATE_WINDOWS, errorRatioRecord } from "./rules";

/** Fixed datasource uids: dashboards reference these, so they must never change. */
export const DATASOURCE_UIDS = {
    prometheus: "ptc-prometheus",
    loki: "ptc-loki",
    alertmanager: "ptc-alertmanager",
} as const;

/** A panel's or target's reference to a provisioned datasource. */
export interface DatasourceRef {
    /** Plugin type: "prometheus", "loki" or "alertmanager". */
    readonly type: string;
    /** A uid from {@link DATASOURCE_UIDS}. */
    readonly uid: string;
}

/** The Prometheus datasource reference. */
export const PROMETHEUS_DS: DatasourceRef = { type: "prometheus", uid: DATASOURCE_UIDS.prometheus };
/** The Loki datasource reference. */
export const LOKI_DS: DatasourceRef = { type: "loki", uid: DATASOURCE_UIDS.loki };

/** Where the Grafana container finds its files. */
export const GRAFANA_PATHS = {
    /** Datasource provisioning file. */
    datasources: "/etc/grafana/provisioning/datasources/pro-team-care.yaml",
    /** Dashboard provider file. */
    dashboardProviders: "/etc/grafana/provisioning/dashboards/pro-team-care.yaml",
    /** Directory of the dashboard JSON files (outside the data volume, so a volume never hides them). */
    dashboards: "/etc/grafana/dashboards",
    /** Secret file holding the admin password. */
    adminPasswordFile: "/etc/grafana/secrets/admin-password",
    /** Data directory (the volume). */
    data: "/var/lib/grafana",
} as const;

/** Where the datasources are reached from Grafana. */
export interface GrafanaDatasourcesInput {
    /** Prometheus base URL, e.g. "http://prometheus:9090". */
    readonly prometheusUrl: string;
    /** Loki base URL, e.g. "http://loki:3100". */
    readonly lokiUrl: string;
    /** Alertmanager base URL, e.g. "http://alertmanager:9093". */
    readonly alertmanagerUrl: string;
    /** Prometheus scrape interval in seconds (Grafana's minimum step). Defaults to 15. */
    readonly scrapeIntervalSeconds?: number;
}

function checkUrl(what: string, url: string): void {
    if (!/^https?:\/\/[^\s/]+/.test(url)) {
        throw new Error(`${what} "${url}" must be an absolute http(s) URL such as http://prometheus:9090`);
    }
}

/** Renders the datasource provisioning file (apiVersion 1) with the fixed uids; Prometheus is the default. */
export function renderDatasources(input: GrafanaDatasourcesInput): string {
    checkUrl("prometheusUrl", input.prometheusUrl);
    checkUrl("lokiUrl", input.lokiUrl);
    checkUrl("alertmanagerUrl", input.alertmanagerUrl);
    const doc = {
        apiVersion: 1,
        prune: true,
        datasources: [
            {
                name: "Prometheus",
                type: "prometheus",
                uid: DATASOURCE_UIDS.prometheus,
                access: "proxy",
                url: input.prometheusUrl,
                isDefault: true,
                editable: false,
                jsonData: {
                    httpMethod: "POST",
                    timeInterval: `${input.scrapeIntervalSeconds ?? 15}s`,
                    alertmanagerUid: DATASOURCE_UIDS.alertmanager,
                },
            },
            {
                name: "Loki",
                type: "loki",
                uid: DATASOURCE_UIDS.loki,
                access: "proxy",
                url: input.lokiUrl,
                isDefault: false,
                editable: false,
                jsonData: { maxLines: 1000 },
            },
            {
                name: "Alertmanager",
                type: "alertmanager",
                uid: DATASOURCE_UIDS.alertmanager,
                access: "proxy",
                url: input.alertmanagerUrl,
                isDefault: false,
                editable: false,
                jsonData: { implementation: "prometheus", handleGrafanaManagedAlerts: false },
            },
        ],
    };
    return YAML.stringify(doc);
}

/** Renders the dashboard provider file: every JSON file under {@link GRAFANA_PATHS.dashboards}, read-only in the UI. */
export function renderDashboardProviders(folder = "Pro Team Care"): string {
    return YAML.stringify({
        apiVersion: 1,
        providers: [
            {
                name: "pro-team-care",
                orgId: 1,
                folder,
                type: "file",
                disableDeletion: true,
                allowUiUpdates: false,
                updateIntervalSeconds: 60,
                options: { path: GRAFANA_PATHS.dashboards, foldersFromFilesStructure: false },
            },
        ],
    });
}

// ---------------------------------------------------------------------------------------------
// Dashboard JSON model

/** One query of a panel. */
export interface DashboardTarget {
    /** Query id within the panel ("A", "B", ...). */
    readonly refId: string;
    /** The query: PromQL for Prometheus, LogQL for Loki. */
    readonly expr: string;
    /** Series legend. Defaults to Grafana's. */
    readonly legendFormat?: string;
    /** Its datasource (the panel's). */
    readonly datasource: DatasourceRef;
    /** Evaluate at one instant (stat panels). Defaults to a range query. */
    readonly instant?: boolean;
    /** Evaluate over the range. */
    readonly range?: boolean;
}

/** A threshold step: the colour from `value` upwards (`null` is the base). */
export interface ThresholdStep {
    readonly color: string;
    readonly value: number | null;
}

/** One dashboard panel, as Grafana's JSON model defines it (the fields used here). */
export interface DashboardPanel {
    readonly id: number;
    readonly type: "timeseries" | "stat" | "gauge" | "logs" | "table";
    readonly title: string;
    readonly description?: string;
    readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
    readonly datasource: DatasourceRef;
    readonly targets: readonly DashboardTarget[];
    readonly fieldConfig: {
        readonly defaults: Record<string, unknown>;
        readonly overrides: readonly unknown[];
    };
    readonly options: Record<string, unknown>;
}

/** A dashboard, as Grafana's JSON model defines it (the fields used here). */
export interface Dashboard {
    readonly uid: string;
    readonly title: string;
    readonly tags: readonly string[];
    readonly timezone: "utc";
    readonly editable: false;
    readonly graphTooltip: 1;
    readonly schemaVersion: number;
    readonly version: 1;
    readonly refresh: string;
    readonly time: { readonly from: string; readonly to: string };
    readonly templating: { readonly list: readonly unknown[] };
    readonly annotations: { readonly list: readonly unknown[] };
    readonly panels: readonly DashboardPanel[];
}

/** Schema version of the JSON model written (Grafana 11/12 migrate older ones on load). */
export const DASHBOARD_SCHEMA_VERSION = 39;

/**
 * The API's request series, as the alert rules read them (prometheus-fastapi-instrumentator's
 * defaults: `http_requests_total{status}` with statuses like "5xx", and
 * `http_request_duration_seconds_bucket`), without the /metrics handler.
 */
export const API_SELECTOR = `job="${JOBS.api}",handler!="/metrics"`;

/** What the dashboards need to know. */
export interface DashboardsInput {
    /** Availability objective of the API. Defaults to 0.999. */
    readonly sloTarget?: number;
    /** SLO window in days. Defaults to 30. */
    readonly sloWindowDays?: number;
    /** Recovery point objective in seconds: the backup age limit. Defaults to 3600. */
    readonly rpoSeconds?: number;
    /** Recovery time objective in seconds: the restore drill duration limit. Defaults to 1800. */
    readonly rtoSeconds?: number;
    /** Longest acceptable age of the last successful restore drill, in seconds. Defaults to 93600 (26 h: daily plus grace). */
    readonly drillMaxAgeSeconds?: number;
}

interface PanelDraft {
    readonly type: DashboardPanel["type"];
    readonly title: string;
    readonly description?: string;
    readonly w: number;
    readonly h: number;
    readonly datasource: DatasourceRef;
    readonly targets: readonly { expr: string; legendFormat?: string }[];
    readonly unit?: string;
    readonly min?: number;
    readonly max?: number;
    /** Thresholds: [base colour, [value, colour]...]. */
    readonly thresholds?: readonly ThresholdStep[];
    /** Draw the thresholds as lines (time series). */
    readonly thresholdLines?: boolean;
}

const GREEN_RED = (limit: number): ThresholdStep[] => [
    { color: "green", value: null },
    { color: "red", value: limit },
];
const RED_GREEN = (limit: number): ThresholdStep[] => [
    { color: "red", value: null },
    { color: "green", value: limit },
];

/** Lays panels out left to right in Grafana's 24-column grid, wrapping rows; ids follow the order. */
function layout(drafts: readonly PanelDraft[]): DashboardPanel[] {
    let x = 0;
    let y = 0;
    let rowHeight = 0;
    return drafts.map((d, i) => {
        if (d.w < 1 || d.w > 24) throw new Error(`panel "${d.title}" width ${d.w} must be 1..24`);
        if (x + d.w > 24) {
            x = 0;
            y += rowHeight;
            rowHeight = 0;
        }
        const gridPos = { x, y, w: d.w, h: d.h };
        x += d.w;
        rowHeight = Math.max(rowHeight, d.h);
        const isStat = d.type === "stat" || d.type === "gauge";
        const defaults: Record<string, unknown> = {
            ...(d.unit ? { unit: d.unit } : {}),
            ...(d.min !== undefined ? { min: d.min } : {}),
            ...(d.max !== undefined ? { max: d.max } : {}),
            thresholds: { mode: "absolute", steps: d.thresholds ?? [{ color: "green", value: null }] },
            color: { mode: d.thresholds && isStat ? "thresholds" : "palette-classic" },
            ...(d.type === "timeseries"
                ? { custom: { thresholdsStyle: { mode: d.thresholdLines ? "line" : "off" }, fillOpacity: 10, lineWidth: 1 } }
                : {}),
        };
        const options: Record<string, unknown> =
            d.type === "logs"
                ? { showTime: true, wrapLogMessage: true, sortOrder: "Descending", enableLogDetails: true }
                : d.type === "timeseries"
                  ? { legend: { displayMode: "list", placement: "bottom", showLegend: true }, tooltip: { mode: "multi", sort: "desc" } }
                  : d.type === "table"
                    ? { showHeader: true }
                    : { reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false }, colorMode: "background", graphMode: "none", textMode: "auto" };
        return {
            id: i + 1,
            type: d.type,
            title: d.title,
            ...(d.description ? { description: d.description } : {}),
            gridPos,
            datasource: d.datasource,
            targets: d.targets.map((t, j) => ({
                refId: String.fromCharCode(65 + j),
                expr: t.expr,
                ...(t.legendFormat !== undefined ? { legendFormat: t.legendFormat } : {}),
                datasource: d.datasource,
                ...(isStat || d.type === "table" ? { instant: true, range: false } : {}),
            })),
            fieldConfig: { defaults, overrides: [] },
            options,
        };
    });
}

function dashboard(uid: string, title: string, tags: string[], drafts: PanelDraft[]): Dashboard {
    return {
        uid,
        title,
        tags: ["pro-team-care", ...tags],
        timezone: "utc",
        editable: false,
        graphTooltip: 1,
        schemaVersion: DASHBOARD_SCHEMA_VERSION,
        version: 1,
        refresh: "30s",
        time: { from: "now-6h", to: "now" },
        templating: { list: [] },
        annotations: { list: [] },
        panels: layout(drafts),
    };
}

const prom = (
    type: DashboardPanel["type"],
    title: string,
    w: number,
    h: number,
    targets: { expr: string; legendFormat?: string }[],
    extra: Partial<PanelDraft> = {},
): PanelDraft => ({ type, title, w, h, datasource: PROMETHEUS_DS, targets, ...extra });

const logs = (title: string, expr: string): PanelDraft => ({
    type: "logs",
    title,
    w: 24,
    h: 10,
    datasource: LOKI_DS,
    targets: [{ expr }],
});

function checkFraction(what: string, v: number): void {
    if (!(v > 0 && v < 1)) throw new Error(`${what} must be a fraction strictly between 0 and 1 (e.g. 0.999), got ${v}`);
}
function checkPositive(what: string, v: number): void {
    if (!(Number.isFinite(v) && v > 0)) throw new Error(`${what} must be a positive number of seconds, got ${v}`);
}

/** The API dashboard: request rate, error ratio, latency percentiles, SLO and remaining error budget, logs. */
function apiDashboard(input: DashboardsInput): Dashboard {
    const slo = input.sloTarget ?? 0.999;
    checkFraction("sloTarget", slo);
    const windowDays = input.sloWindowDays ?? 30;
    if (!(Number.isInteger(windowDays) && windowDays > 0)) throw new Error(`sloWindowDays must be a positive integer, got ${windowDays}`);
    const budget = Number((1 - slo).toPrecision(12));
    const total = "http_requests_total";
    const bucket = "http_request_duration_seconds_bucket";
    const status = "status";
    const sel = API_SELECTOR;
    const errSel = `${sel},${status}=~"5.."`;
    // The burn-rate panels read the same recorded ratios the burn alerts fire on.
    const ratioRecord = (seconds: number): string => `${errorRatioRecord(seconds)}{service="api"}`;
    const windowRatio = `sum(increase(${total}{${errSel}}[${windowDays}d])) / sum(increase(${total}{${sel}}[${windowDays}d]))`;
    const q = (p: number): string => `histogram_quantile(${p}, sum by (le) (rate(${bucket}{${sel}}[5m])))`;
    const pct = (v: number): string => `${Number((v * 100).toPrecision(6))} %`;
    const burnSeconds = [...new Set(BURN_RATE_WINDOWS.flatMap((w) => [w.shortSeconds, w.longSeconds]))].sort((x, y) => x - y);
    const fastest = [...BURN_RATE_WINDOWS].sort((x, y) => y.factor - x.factor)[0];
    const factors = [...new Set(BURN_RATE_WINDOWS.map((w) => w.factor))].sort((x, y) => x - y);
    const burnThresholds: ThresholdStep[] = [
        { color: "green", value: null },
        ...factors.filter((f) => f > 1).map((f, i, all) => ({ color: i === all.length - 1 ? "red" : "orange", value: f })),
    ];
    return dashboard("ptc-api", "Pro Team Care / API", ["api", "slo"], [
        prom("stat", `Availability (${windowDays} d)`, 6, 5, [{ expr: `1 - (${windowRatio})` }], {
            description: `Share of non-5xx API responses over the SLO window; objective ${pct(slo)}.`,
            unit: "percentunit",
            thresholds: RED_GREEN(slo),
        }),
        prom("stat", "Error budget remaining", 6, 5, [{ expr: `1 - ((${windowRatio}) / ${budget})` }], {
            description: `Share of the ${windowDays}-day error budget (${pct(budget)} of requests) not yet spent.`,
            unit: "percentunit",
            thresholds: [
                { color: "red", value: null },
                { color: "orange", value: 0.25 },
                { color: "green", value: 0.5 },
            ],
        }),
        prom("stat", "Uptime probes (24 h)", 6, 5, [{ expr: `avg by (instance) (avg_over_time(probe_success{job="${JOBS.probeHttp}"}[1d]))`, legendFormat: "{{instance}}" }], {
            description: "Share of successful blackbox probes of the public URL and the API health URL.",
            unit: "percentunit",
            thresholds: RED_GREEN(slo),
        }),
        prom("stat", `Error budget burn rate (${promDuration(fastest.longSeconds)})`, 6, 5, [{ expr: `${ratioRecord(fastest.longSeconds)} / ${budget}` }], {
            description: `1 spends the budget exactly over the SLO window; ${fastest.factor} over ${promDuration(fastest.longSeconds)} pages.`,
            thresholds: burnThresholds,
        }),
        prom("timeseries", "Request rate", 12, 8, [{ expr: `sum by (${status}) (rate(${total}{${sel}}[5m]))`, legendFormat: `{{${status}}}` }], {
            unit: "reqps",
        }),
        prom("timeseries", "Error ratio (5xx)", 12, 8, [{ expr: `${ratioRecord(300)}`, legendFormat: "errors (5m)" }], {
            unit: "percentunit",
            min: 0,
            thresholds: GREEN_RED(budget),
            thresholdLines: true,
        }),
        prom(
            "timeseries",
            "Latency",
            12,
            8,
            [
                { expr: q(0.5), legendFormat: "p50" },
                { expr: q(0.95), legendFormat: "p95" },
                { expr: q(0.99), legendFormat: "p99" },
            ],
            { unit: "s", min: 0 },
        ),
        prom(
            "timeseries",
            "Error budget burn rate",
            12,
            8,
            [
                ...burnSeconds.map((sec) => ({ expr: `${ratioRecord(sec)} / ${budget}`, legendFormat: promDuration(sec) })),
            ],
            { min: 0, thresholds: burnThresholds, thresholdLines: true },
        ),
        logs("API logs", '{service="api"}'),
    ]);
}

function postgresDashboard(): Dashboard {
    return dashboard("ptc-postgres", "Pro Team Care / PostgreSQL", ["postgres", "data"], [
        prom("stat", "Up", 6, 5, [{ expr: "min(pg_up)" }], { thresholds: RED_GREEN(1) }),
        prom(
            "stat",
            "Connections used",
            6,
            5,
            [{ expr: "sum(pg_stat_database_numbackends) / max(pg_settings_max_connections)" }],
            { unit: "percentunit", thresholds: [{ color: "green", value: null }, { color: "orange", value: 0.7 }, { color: "red", value: 0.9 }] },
        ),
        prom("stat", "Cache hit ratio (5m)", 6, 5, [
            {
                expr: "sum(rate(pg_stat_database_blks_hit[5m])) / (sum(rate(pg_stat_database_blks_hit[5m])) + sum(rate(pg_stat_database_blks_read[5m])))",
            },
        ], { unit: "percentunit", thresholds: [{ color: "red", value: null }, { color: "orange", value: 0.9 }, { color: "green", value: 0.99 }] }),
        prom("stat", "Database size", 6, 5, [{ expr: "sum(pg_database_size_bytes)" }], { unit: "bytes" }),
        prom("timeseries", "Connections by database", 12, 8, [{ expr: "sum by (datname) (pg_stat_database_numbackends)", legendFormat: "{{datname}}" }]),
        prom(
            "timeseries",
            "Transactions",
            12,
            8,
            [
                { expr: "sum by (datname) (rate(pg_stat_database_xact_commit[5m]))", legendFormat: "commit {{datname}}" },
                { expr: "sum by (datname) (rate(pg_stat_database_xact_rollback[5m]))", legendFormat: "rollback {{datname}}" },
            ],
            { unit: "ops" },
        ),
        prom(
            "timeseries",
            "Rows",
            12,
            8,
            [
                { expr: "sum(rate(pg_stat_database_tup_fetched[5m]))", legendFormat: "fetched" },
                { expr: "sum(rate(pg_stat_database_tup_inserted[5m]))", legendFormat: "inserted" },
                { expr: "sum(rate(pg_stat_database_tup_updated[5m]))", legendFormat: "updated" },
                { expr: "sum(rate(pg_stat_database_tup_deleted[5m]))", legendFormat: "deleted" },
            ],
            { unit: "ops" },
        ),
        prom(
            "timeseries",
            "Deadlocks and conflicts",
            12,
            8,
            [
                { expr: "sum(increase(pg_stat_database_deadlocks[5m]))", legendFormat: "deadlocks" },
                { expr: "sum(increase(pg_stat_database_conflicts[5m]))", legendFormat: "conflicts" },
            ],
            { min: 0 },
        ),
        logs("PostgreSQL logs", '{service="postgres"}'),
    ]);
}

function redisDashboard(): Dashboard {
    return dashboard("ptc-redis", "Pro Team Care / Redis", ["redis", "data"], [
        prom("stat", "Up", 6, 5, [{ expr: "min(redis_up)" }], { thresholds: RED_GREEN(1) }),
        prom("stat", "Connected clients", 6, 5, [{ expr: "sum(redis_connected_clients)" }]),
        prom("stat", "Memory used", 6, 5, [{ expr: "sum(redis_memory_used_bytes)" }], { unit: "bytes" }),
        prom("stat", "Keyspace hit ratio (5m)", 6, 5, [
            {
                expr: "sum(rate(redis_keyspace_hits_total[5m])) / (sum(rate(redis_keyspace_hits_total[5m])) + sum(rate(redis_keyspace_misses_total[5m])))",
            },
        ], { unit: "percentunit" }),
        prom("timeseries", "Commands", 12, 8, [{ expr: "sum(rate(redis_commands_processed_total[5m]))", legendFormat: "commands" }], { unit: "ops" }),
        prom(
            "timeseries",
            "Memory",
            12,
            8,
            [
                { expr: "sum(redis_memory_used_bytes)", legendFormat: "used" },
                { expr: "sum(redis_memory_max_bytes)", legendFormat: "max" },
            ],
            { unit: "bytes" },
        ),
        prom("timeseries", "Keys by database", 12, 8, [{ expr: "sum by (db) (redis_db_keys)", legendFormat: "{{db}}" }]),
        prom(
            "timeseries",
            "Evictions and rejected connections",
            12,
            8,
            [
                { expr: "sum(rate(redis_evicted_keys_total[5m]))", legendFormat: "evicted keys" },
                { expr: "sum(rate(redis_rejected_connections_total[5m]))", legendFormat: "rejected connections" },
            ],
            { min: 0 },
        ),
        logs("Redis logs", '{service="redis"}'),
    ]);
}

function nodeDashboard(): Dashboard {
    const fs = 'fstype!~"tmpfs|overlay|squashfs|nsfs"';
    return dashboard("ptc-node", "Pro Team Care / Nodes", ["node"], [
        prom(
            "timeseries",
            "CPU busy",
            12,
            8,
            [{ expr: '1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m]))', legendFormat: "{{instance}}" }],
            { unit: "percentunit", min: 0, max: 1 },
        ),
        prom(
            "timeseries",
            "Memory used",
            12,
            8,
            [{ expr: "1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes", legendFormat: "{{instance}}" }],
            { unit: "percentunit", min: 0, max: 1, thresholds: GREEN_RED(0.9), thresholdLines: true },
        ),
        prom(
            "timeseries",
            "Filesystem used",
            12,
            8,
            [{ expr: `1 - node_filesystem_avail_bytes{${fs}} / node_filesystem_size_bytes{${fs}}`, legendFormat: "{{instance}} {{mountpoint}}" }],
            { unit: "percentunit", min: 0, max: 1, thresholds: GREEN_RED(0.85), thresholdLines: true },
        ),
        prom(
            "timeseries",
            "Load per CPU",
            12,
            8,
            [{ expr: 'node_load5 / on (instance) count by (instance) (node_cpu_seconds_total{mode="idle"})', legendFormat: "{{instance}}" }],
            { min: 0 },
        ),
        prom(
            "timeseries",
            "Network",
            12,
            8,
            [
                { expr: 'sum by (instance) (rate(node_network_receive_bytes_total{device!="lo"}[5m]))', legendFormat: "rx {{instance}}" },
                { expr: 'sum by (instance) (rate(node_network_transmit_bytes_total{device!="lo"}[5m]))', legendFormat: "tx {{instance}}" },
            ],
            { unit: "Bps" },
        ),
        prom(
            "timeseries",
            "Disk busy",
            12,
            8,
            [{ expr: "rate(node_disk_io_time_seconds_total[5m])", legendFormat: "{{instance}} {{device}}" }],
            { unit: "percentunit", min: 0 },
        ),
    ]);
}

function backupsDashboard(input: DashboardsInput): Dashboard {
    const rpo = input.rpoSeconds ?? 3600;
    const rto = input.rtoSeconds ?? 1800;
    const drillAge = input.drillMaxAgeSeconds ?? 93600;
    checkPositive("rpoSeconds", rpo);
    checkPositive("rtoSeconds", rto);
    checkPositive("drillMaxAgeSeconds", drillAge);
    const age = "time() - max by (store) (ptc_backup_last_success_timestamp_seconds)";
    return dashboard("ptc-backups", "Pro Team Care / Backups", ["backup"], [
        prom("stat", "Age of last successful backup", 12, 5, [{ expr: age, legendFormat: "{{store}}" }], {
            description: `Per store; red at the RPO (${rpo} s).`,
            unit: "s",
            thresholds: GREEN_RED(rpo),
        }),
        prom("stat", "Last restore drill duration", 6, 5, [{ expr: "max(ptc_restore_drill_duration_seconds)" }], {
            description: `Red over the RTO (${rto} s).`,
            unit: "s",
            thresholds: GREEN_RED(rto),
        }),
        prom("stat", "Age of last successful drill", 6, 5, [{ expr: "time() - max(ptc_restore_drill_last_success_timestamp_seconds)" }], {
            unit: "s",
            thresholds: GREEN_RED(drillAge),
        }),
        prom("timeseries", "Backup age against the RPO", 12, 8, [{ expr: age, legendFormat: "{{store}}" }], {
            unit: "s",
            min: 0,
            thresholds: GREEN_RED(rpo),
            thresholdLines: true,
        }),
        prom("timeseries", "Restore drill duration against the RTO", 12, 8, [{ expr: "max(ptc_restore_drill_duration_seconds)", legendFormat: "drill" }], {
            unit: "s",
            min: 0,
            thresholds: GREEN_RED(rto),
            thresholdLines: true,
        }),
        prom(
            "stat",
            "Last run failed",
            8,
            5,
            [
                {
                    expr: "max by (store) (ptc_backup_last_failure_timestamp_seconds) > bool max by (store) (ptc_backup_last_success_timestamp_seconds)",
                    legendFormat: "{{store}}",
                },
            ],
            { description: "1 when the latest backup run of a store failed.", thresholds: GREEN_RED(1) },
        ),
        prom("timeseries", "Backup duration", 8, 8, [{ expr: "max by (store) (ptc_backup_duration_seconds)", legendFormat: "{{store}}" }], { unit: "s" }),
        prom("timeseries", "Backup size", 8, 8, [{ expr: "max by (store) (ptc_backup_size_bytes)", legendFormat: "{{store}}" }], { unit: "bytes" }),
        logs("Backup and drill logs", '{service=~"backup|restore-drill"}'),
    ]);
}

/** Builds every dashboard: API, PostgreSQL, Redis, nodes, backups. Deterministic. */
export function buildDashboards(input: DashboardsInput = {}): Dashboard[] {
    return [apiDashboard(input), postgresDashboard(), redisDashboard(), nodeDashboard(), backupsDashboard(input)];
}

/** Renders one dashboard as JSON (the file Grafana's provider reads). */
export function renderDashboard(d: Dashboard): string {
    return `${JSON.stringify(d, null, 2)}\n`;
}

/** One PromQL expression of a dashboard panel, with where it comes from. */
export interface DashboardExpression {
    readonly dashboard: string;
    readonly panel: string;
    readonly refId: string;
    readonly expr: string;
}

/** Every PromQL expression (Prometheus-datasource targets) of the dashboards, in order. */
export function dashboardExpressions(dashboards: readonly Dashboard[]): DashboardExpression[] {
    const out: DashboardExpression[] = [];
    for (const d of dashboards) {
        for (const p of d.panels) {
            for (const t of p.targets) {
                if (t.datasource.type === "prometheus") out.push({ dashboard: d.uid, panel: p.title, refId: t.refId, expr: t.expr });
            }
        }
    }
    return out;
}

/** Every datasource uid the dashboards reference (panels and targets), sorted and unique. */
export function referencedDatasourceUids(dashboards: readonly Dashboard[]): string[] {
    const uids = new Set<string>();
    for (const d of dashboards) {
        for (const p of d.panels) {
            uids.add(p.datasource.uid);
            for (const t of p.targets) uids.add(t.datasource.uid);
        }
    }
    return [...uids].sort();
}

/** A file for the Grafana container. */
export interface GrafanaFile {
    /** Absolute path in the container. */
    readonly path: string;
    /** Content. */
    readonly content: string;
}

/** Input of {@link renderGrafanaFiles}. */
export interface GrafanaFilesInput {
    /** Datasource URLs. */
    readonly datasources: GrafanaDatasourcesInput;
    /** Dashboard parameters. Defaults to {@link DashboardsInput}'s defaults. */
    readonly dashboards?: DashboardsInput;
}

/** Every provisioning file and dashboard, with its container path, in a stable order. */
export function renderGrafanaFiles(input: GrafanaFilesInput): GrafanaFile[] {
    const dashboards = buildDashboards(input.dashboards ?? {});
    return [
        { path: GRAFANA_PATHS.datasources, content: renderDatasources(input.datasources) },
        { path: GRAFANA_PATHS.dashboardProviders, content: renderDashboardProviders() },
        ...dashboards.map((d) => ({ path: `${GRAFANA_PATHS.dashboards}/${d.uid}.json`, content: renderDashboard(d) })),
    ];
}

/** Server settings of {@link grafanaEnv}. */
export interface GrafanaEnvInput {
    /** External URL users open (e.g. "https://grafana.example.com/"). Defaults to Grafana's own. */
    readonly rootUrl?: string;
    /** Admin user name. Defaults to "admin". */
    readonly adminUser?: string;
}

/**
 * grafana.ini settings as GF_* environment variables: sign-up, org creation and anonymous access
 * off, no phoning home. The admin password is not here: it is read from
 * {@link GRAFANA_PATHS.adminPasswordFile} through GF_SECURITY_ADMIN_PASSWORD__FILE, see
 * {@link grafanaSecretEnv}.
 */
export function grafanaEnv(input: GrafanaEnvInput = {}): Record<string, string> {
    const adminUser = input.adminUser ?? "admin";
    if (!/^[A-Za-z0-9._@-]{1,64}$/.test(adminUser)) throw new Error(`adminUser "${adminUser}" must be 1-64 letters, digits or . _ @ -`);
    if (input.rootUrl !== undefined) checkUrl("rootUrl", input.rootUrl);
    const env: Record<string, string> = {
        GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES: "false",
        GF_ANALYTICS_CHECK_FOR_UPDATES: "false",
        GF_ANALYTICS_REPORTING_ENABLED: "false",
        GF_AUTH_ANONYMOUS_ENABLED: "false",
        GF_AUTH_BASIC_ENABLED: "true",
        GF_LOG_MODE: "console",
        GF_PATHS_DATA: GRAFANA_PATHS.data,
        GF_SECURITY_ADMIN_USER: adminUser,
        GF_SECURITY_DISABLE_GRAVATAR: "true",
        GF_SNAPSHOTS_EXTERNAL_ENABLED: "false",
        GF_USERS_ALLOW_ORG_CREATE: "false",
        GF_USERS_ALLOW_SIGN_UP: "false",
    };
    if (input.rootUrl !== undefined) {
        env.GF_SERVER_ROOT_URL = input.rootUrl;
        if (input.rootUrl.startsWith("https://")) env.GF_SECURITY_COOKIE_SECURE = "true";
    }
    return Object.fromEntries(Object.keys(env).sort().map((k) => [k, env[k]]));
}

/**
 * The variables that must travel as secrets: the name matches the platform's secret-name rule,
 * and it points Grafana at the password file rather than holding the password itself.
 */
export function grafanaSecretEnv(): Record<string, string> {
    return { GF_SECURITY_ADMIN_PASSWORD__FILE: GRAFANA_PATHS.adminPasswordFile };
}
