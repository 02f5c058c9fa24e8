/**
 * Pure renderer for the Prometheus rule file: SLO recording rules and the alert contract.
 *
 * The alert names are a contract (runbooks, the README catalogue and Alertmanager's routes and
 * inhibitions use them): Watchdog, TargetDown, UptimeProbeFailing, ApiErrorBudgetBurnFast,
 * ApiErrorBudgetBurnSlow, ApiErrorBudgetBurnTicket, PostgresDown, RedisDown, BackupStale,
 * BackupFailed, RestoreDrillFailed, RestoreDrillSlow, DiskWillFillIn4h, CertificateExpiresSoon.
 *
 * API metrics: we assume the defaults of `prometheus-fastapi-instrumentator`:
 * `http_requests_total{handler, method, status}` with status grouped as `"2xx"`…`"5xx"` and
 * `http_request_duration_seconds_bucket{handler, method, le}`. Errors are `status=~"5.."` (matches
 * both grouped `"5xx"` and ungrouped `"503"`); the `/metrics` handler is left out of the SLI.
 *
 * Backup metrics are the ones `ptc-backup` pushes to the Pushgateway (issue 3):
 * `ptc_backup_last_success_timestamp_seconds`, `ptc_backup_last_failure_timestamp_seconds`,
 * `ptc_backup_duration_seconds`, `ptc_backup_size_bytes` (label `store`),
 * `ptc_restore_drill_last_success_timestamp_seconds`, `ptc_restore_drill_duration_seconds`, and,
 * when the tool publishes it, `ptc_restore_drill_last_failure_timestamp_seconds`.
 *
 * Annotations use only `$labels` (never `$value`) so `promtool test rules` can assert them exactly.
 */
import { stringify } from "yaml";
import { JOBS, promDuration } from "./prometheus-config";

/** Alert severities; Alertmanager routes on them. `none` is only the Watchdog. */
export type Severity = "page" | "ticket" | "none";

/** Every alert name of the contract, in catalogue order. */
export const ALERT_NAMES = [
    "Watchdog",
    "TargetDown",
    "UptimeProbeFailing",
    "ApiErrorBudgetBurnFast",
    "ApiErrorBudgetBurnSlow",
    "ApiErrorBudgetBurnTicket",
    "PostgresDown",
    "RedisDown",
    "BackupStale",
    "BackupFailed",
    "RestoreDrillFailed",
    "RestoreDrillSlow",
    "DiskWillFillIn4h",
    "CertificateExpiresSoon",
] as const;

/** One alert name of the contract. */
export type AlertName = (typeof ALERT_NAMES)[number];

/**
 * How the expression of an alert turns true after its reference fault; the latency budget
 * ({@link ./latency}) turns it into seconds.
 * - `failed-scrape`: the next scrape (or probe) fails or reports the fault: up to one scrape
 *   interval until it starts plus the scrape timeout until a hung target gives up.
 * - `next-scrape`: the next successful scrape carries the new value: up to one scrape interval.
 * - `clock`: the condition is a function of `time()` over data already scraped: no scrape wait.
 * - `burn`: a total outage of the API (every request a 5xx) must last `errorSeconds` before the
 *   slowest window's error ratio crosses its threshold, plus one scrape interval.
 */
export type Detection =
    | { readonly kind: "failed-scrape" }
    | { readonly kind: "next-scrape" }
    | { readonly kind: "clock" }
    | { readonly kind: "burn"; readonly errorSeconds: number };

/** Catalogue entry of one alerting rule (an alert name may have a page and a ticket rule). */
export interface AlertInfo {
    /** Unique rule id: `<name>` or `<name>/<severity>` when the name has rules of two severities. */
    readonly id: string;
    /** The alert name (the contract). */
    readonly name: AlertName;
    /** Severity label of this rule. */
    readonly severity: Severity;
    /** What it means, one sentence (README catalogue). */
    readonly meaning: string;
    /** What the on-call does first (README catalogue). */
    readonly firstResponse: string;
    /** The README anchor its runbook_url points at, e.g. `alert-postgresdown`. */
    readonly anchor: string;
    /** The rule's `for`, in seconds. */
    readonly forSeconds: number;
    /** How its expression turns true after the fault (for the latency budget). */
    readonly detection: Detection;
}

/** An SLO burn-rate alert: two windows at one burn factor (Google SRE workbook, multiwindow). */
export interface BurnRateWindow {
    /** The alert name. */
    readonly name: "ApiErrorBudgetBurnFast" | "ApiErrorBudgetBurnSlow" | "ApiErrorBudgetBurnTicket";
    /** Long window, seconds. */
    readonly longSeconds: number;
    /** Short window, seconds. */
    readonly shortSeconds: number;
    /** Burn factor: the error ratio must exceed factor × (1 − SLO) in both windows. */
    readonly factor: number;
    /** Severity. */
    readonly severity: Severity;
}

/** The three burn-rate alerts of the brief: 14.4× over 1h/5m, 6× over 6h/30m, 1× over 3d/6h. */
export const BURN_RATE_WINDOWS: readonly BurnRateWindow[] = [
    { name: "ApiErrorBudgetBurnFast", longSeconds: 3600, shortSeconds: 300, factor: 14.4, severity: "page" },
    { name: "ApiErrorBudgetBurnSlow", longSeconds: 6 * 3600, shortSeconds: 1800, factor: 6, severity: "page" },
    { name: "ApiErrorBudgetBurnTicket", longSeconds: 3 * 86400, shortSeconds: 6 * 3600, factor: 1, severity: "ticket" },
];

/** README the runbook links point at until a stack passes its own browse URL. */
export const DEFAULT_RUNBOOK_BASE_URL = "README.md";

/** Input of {@link renderAlertRules}; every field has a production default. */
export interface AlertRulesInput {
    /** Availability SLO of the API, as a ratio. Defaults to 0.999 (the seed's 99.9 %). */
    readonly sloTarget?: number;
    /** Data stores whose backups are alerted on (the `store` label). Defaults to ["postgres", "redis"]. */
    readonly backupStores?: readonly string[];
    /** Recovery point objective: the longest allowed time between successful backups, seconds. Defaults to 3600. */
    readonly rpoSeconds?: number;
    /** Extra time after the RPO (a backup's own run time) before BackupStale fires, seconds. Defaults to 900. */
    readonly backupGraceSeconds?: number;
    /** How often the restore drill runs, seconds. Defaults to 86400 (daily). */
    readonly drillIntervalSeconds?: number;
    /** Extra time after the drill interval before a missing drill counts as failed, seconds. Defaults to 3600. */
    readonly drillGraceSeconds?: number;
    /** RTO target the last drill's duration is held to, seconds. Defaults to 1800 (30 minutes). */
    readonly drillRtoSeconds?: number;
    /** Base of the runbook links; each alert appends `#alert-<name in lower case>`. Defaults to {@link DEFAULT_RUNBOOK_BASE_URL}. */
    readonly runbookBaseUrl?: string;
    /**
     * Test only: replaces every non-zero `for` with this many seconds so a live test sees alerts
     * quickly. Production never sets it; the latency budget is computed without it. Defaults to none.
     */
    readonly forOverrideSeconds?: number;
}

/** A resolved {@link AlertRulesInput}. */
export type ResolvedAlertRulesInput = Required<Omit<AlertRulesInput, "forOverrideSeconds">> & { readonly forOverrideSeconds?: number };

/** Resolves defaults and checks values; throws with what to change. */
export function resolveAlertRulesInput(input: AlertRulesInput = {}): ResolvedAlertRulesInput {
    const r = {
        sloTarget: input.sloTarget ?? 0.999,
        backupStores: input.backupStores ?? ["postgres", "redis"],
        rpoSeconds: input.rpoSeconds ?? 3600,
        backupGraceSeconds: input.backupGraceSeconds ?? 900,
        drillIntervalSeconds: input.drillIntervalSeconds ?? 86400,
        drillGraceSeconds: input.drillGraceSeconds ?? 3600,
        drillRtoSeconds: input.drillRtoSeconds ?? 1800,
        runbookBaseUrl: input.runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE_URL,
        forOverrideSeconds: input.forOverrideSeconds,
    };
    if (!(r.sloTarget > 0 && r.sloTarget < 1)) {
        throw new Error(`sloTarget must be a ratio between 0 and 1 (e.g. 0.999), got ${r.sloTarget}`);
    }
    if (r.backupStores.length === 0) throw new Error("backupStores must name at least one store (e.g. postgres)");
    for (const s of r.backupStores) {
        if (!/^[a-z][a-z0-9-]*$/.test(s)) throw new Error(`backup store ${JSON.stringify(s)} must be lower-case letters, digits and "-"`);
    }
    if (new Set(r.backupStores).size !== r.backupStores.length) throw new Error("backupStores lists a store twice");
    for (const k of ["rpoSeconds", "backupGraceSeconds", "drillIntervalSeconds", "drillGraceSeconds", "drillRtoSeconds"] as const) {
        if (!Number.isInteger(r[k]) || r[k] <= 0) throw new Error(`${k} must be a positive whole number of seconds, got ${r[k]}`);
    }
    if (r.forOverrideSeconds !== undefined && (!Number.isInteger(r.forOverrideSeconds) || r.forOverrideSeconds < 0)) {
        throw new Error(`forOverrideSeconds must be a whole, non-negative number of seconds, got ${r.forOverrideSeconds}`);
    }
    if (r.runbookBaseUrl.includes("#")) throw new Error(`runbookBaseUrl must not contain "#" (the anchor is appended), got ${r.runbookBaseUrl}`);
    return r;
}

/** A Prometheus recording rule. */
export interface RecordingRule {
    /** Recorded series name. */
    readonly record: string;
    /** PromQL. */
    readonly expr: string;
}

/** A Prometheus alerting rule, as rendered. */
export interface AlertingRule {
    /** Alert name. */
    readonly alert: AlertName;
    /** PromQL. */
    readonly expr: string;
    /** Pending duration (Prometheus duration) when not zero. */
    readonly for?: string;
    /** Labels; always `severity`. */
    readonly labels: Readonly<Record<string, string>>;
    /** Annotations: summary, description, runbook_url. */
    readonly annotations: Readonly<Record<string, string>>;
}

/** A rule group. */
export interface RuleGroup {
    /** Group name. */
    readonly name: string;
    /** Rules, evaluated in order (recording rules before the alerts that read them). */
    readonly rules: readonly (RecordingRule | AlertingRule)[];
}

/** Error-ratio recording rule name for a window, e.g. `service:http_request_errors:ratio_rate1h`. */
export function errorRatioRecord(windowSeconds: number): string {
    return `service:http_request_errors:ratio_rate${promDuration(windowSeconds)}`;
}

/** The error budget (1 − SLO) rendered without float noise (0.999 → "0.001"). */
export function errorBudget(sloTarget: number): string {
    return String(Number((1 - sloTarget).toPrecision(10)));
}

/** README anchor of an alert name. */
export function alertAnchor(name: AlertName): string {
    return `alert-${name.toLowerCase()}`;
}

interface RuleDef {
    readonly info: Omit<AlertInfo, "anchor" | "id">;
    readonly group: "availability" | "slo" | "backups" | "capacity";
    readonly expr: string;
    readonly extraLabels?: Readonly<Record<string, string>>;
    readonly summary: string;
    readonly description: string;
}

const API_SELECTOR = `job="${JOBS.api}",handler!="/metrics"`;
const FS_SELECTOR = `job="${JOBS.node}",fstype!~"tmpfs|ramfs|squashfs|overlay|nsfs|fuse.lxcfs",mountpoint!~"/run($|/.*)"`;

function ruleDefs(r: ResolvedAlertRulesInput): RuleDef[] {
    const budget = errorBudget(r.sloTarget);
    const backupMax = r.rpoSeconds + r.backupGraceSeconds;
    const drillMax = r.drillIntervalSeconds + r.drillGraceSeconds;
    const pushgatewayUpFor = (s: number): string => `on() (time() - max(process_start_time_seconds{job="${JOBS.pushgateway}"}) > ${s})`;
    const stores = [...r.backupStores];
    const storeRe = stores.join("|");
    const sloPct = `${Number((r.sloTarget * 100).toPrecision(10))} %`;

    const burn: RuleDef[] = BURN_RATE_WINDOWS.map((w) => {
        const threshold = `(${w.factor} * ${budget})`;
        return {
            group: "slo",
            info: {
                name: w.name,
                severity: w.severity,
                forSeconds: 0,
                detection: { kind: "burn", errorSeconds: w.factor * Number(budget) * w.longSeconds },
                meaning: `The API is spending its ${sloPct} availability error budget ${w.factor}× too fast over both ${promDuration(w.longSeconds)} and ${promDuration(w.shortSeconds)} (5xx ratio).`,
                firstResponse:
                    w.severity === "page"
                        ? "Open the API dashboard: which handlers return 5xx since when; check PostgresDown/RedisDown and the last deploy; roll back or scale."
                        : "Slow leak of the budget: find the erroring handlers on the API dashboard and file a fix this week.",
            },
            // Multiwindow: the long window proves the burn is real, the short one that it is still going on;
            // both together make a `for` unnecessary.
            expr: `${errorRatioRecord(w.longSeconds)}{service="api"} > ${threshold}\nand\n${errorRatioRecord(w.shortSeconds)}{service="api"} > ${threshold}`,
            extraLabels: { slo: "api-availability" },
            summary: `API error budget burning ${w.factor}x too fast (${promDuration(w.longSeconds)}/${promDuration(w.shortSeconds)} windows)`,
            description: `More than ${w.factor} x ${budget} of API requests failed with 5xx over the last ${promDuration(w.longSeconds)} and ${promDuration(w.shortSeconds)}; at this rate the ${sloPct} availability budget will not last.`,
        };
    });

    return [
        {
            group: "availability",
            info: {
                name: "Watchdog",
                severity: "none",
                forSeconds: 0,
                detection: { kind: "clock" },
                meaning: "Always firing. Alertmanager sends it to the heartbeat URL; when the heartbeat stops, the alerting pipeline itself is broken.",
                firstResponse: "Nothing while it fires. If the heartbeat service reports it missing: check Prometheus, Alertmanager and their link.",
            },
            expr: "vector(1)",
            summary: "Alerting pipeline heartbeat (always firing)",
            description: "This alert always fires so that a dead-man's switch notices when Prometheus or Alertmanager stops working.",
        },
        {
            group: "availability",
            info: {
                name: "TargetDown",
                severity: "page",
                forSeconds: 120,
                detection: { kind: "failed-scrape" },
                meaning: "Prometheus cannot scrape an app, edge or data tier target (the service or its exporter is down or unreachable).",
                firstResponse: "Check the workload named by `service`/`instance`: is it running, healthy, reachable on its port; read its logs in Grafana (Loki).",
            },
            expr: `up{job!="${JOBS.probeHttp}",tier!="ops"} == 0`,
            summary: "Scrape target {{ $labels.instance }} ({{ $labels.service }}) is down",
            description: "Prometheus has failed to scrape {{ $labels.instance }} of job {{ $labels.job }} (tier {{ $labels.tier }}) for 2 minutes.",
        },
        {
            group: "availability",
            info: {
                name: "TargetDown",
                severity: "ticket",
                forSeconds: 600,
                detection: { kind: "failed-scrape" },
                meaning: "Prometheus cannot scrape a monitoring (ops tier) target; monitoring coverage is reduced, users are not affected.",
                firstResponse: "Restart or fix the monitoring workload named by `service` during working hours.",
            },
            expr: `up{job!="${JOBS.probeHttp}",tier="ops"} == 0`,
            summary: "Monitoring target {{ $labels.instance }} ({{ $labels.service }}) is down",
            description: "Prometheus has failed to scrape {{ $labels.instance }} of job {{ $labels.job }} (tier ops) for 10 minutes.",
        },
        {
            group: "availability",
            info: {
                name: "UptimeProbeFailing",
                severity: "page",
                forSeconds: 60,
                detection: { kind: "failed-scrape" },
                meaning: "The blackbox probe of the public URL or the API health URL fails: users see the outage (the uptime SLI).",
                firstResponse: "Open the URL yourself; then check the edge (nginx), the API health and the certificate; PostgresDown/RedisDown point at the cause.",
            },
            expr: `probe_success{job="${JOBS.probeHttp}"} == 0`,
            summary: "Uptime probe {{ $labels.probe }} failing for {{ $labels.instance }}",
            description: "The blackbox exporter has failed to get a 2xx from {{ $labels.instance }} for 1 minute.",
        },
        ...burn,
        {
            group: "availability",
            info: {
                name: "PostgresDown",
                severity: "page",
                forSeconds: 60,
                detection: { kind: "failed-scrape" },
                meaning: "postgres-exporter cannot connect to PostgreSQL: the API cannot read or write data.",
                firstResponse: "Check the postgres workload (running, health, disk, logs); if its data is lost follow the DR runbook (restore from the latest backup).",
            },
            expr: `pg_up{job="${JOBS.postgres}"} == 0`,
            extraLabels: { store: "postgres" },
            summary: "PostgreSQL is down ({{ $labels.instance }})",
            description: "postgres-exporter {{ $labels.instance }} has not been able to connect to PostgreSQL for 1 minute.",
        },
        {
            group: "availability",
            info: {
                name: "RedisDown",
                severity: "page",
                forSeconds: 60,
                detection: { kind: "failed-scrape" },
                meaning: "redis-exporter cannot connect to Redis: sessions, caches and queues are unavailable.",
                firstResponse: "Check the redis workload (running, health, memory, logs); restore the RDB from the latest backup if its data is lost.",
            },
            expr: `redis_up{job="${JOBS.redis}"} == 0`,
            extraLabels: { store: "redis" },
            summary: "Redis is down ({{ $labels.instance }})",
            description: "redis-exporter {{ $labels.instance }} has not been able to connect to Redis for 1 minute.",
        },
        {
            group: "backups",
            info: {
                name: "BackupStale",
                severity: "page",
                forSeconds: 60,
                detection: { kind: "clock" },
                meaning: `No successful backup of a store within the RPO (${promDuration(r.rpoSeconds)}) plus ${promDuration(r.backupGraceSeconds)} grace, or none at all since the Pushgateway started that long ago: the RPO is breached.`,
                firstResponse: "Run `ptc-backup backup` by hand and read its one-line error; check the backup schedule, the bucket credentials and BackupFailed.",
            },
            expr: [
                `(time() - max by (store) (ptc_backup_last_success_timestamp_seconds{store=~"${storeRe}"})) > ${backupMax}`,
                // A store that never reported a success is stale too, once the Pushgateway (which would
                // hold the metric) has been up for longer than the allowed age.
                ...stores.map((s) => `(absent(ptc_backup_last_success_timestamp_seconds{store="${s}"}) and ${pushgatewayUpFor(backupMax)})`),
            ].join("\nor\n"),
            summary: "No successful {{ $labels.store }} backup within the RPO",
            description: `The last successful backup of {{ $labels.store }} is older than ${promDuration(backupMax)} (RPO ${promDuration(r.rpoSeconds)} + grace ${promDuration(r.backupGraceSeconds)}), or there is none.`,
        },
        {
            group: "backups",
            info: {
                name: "BackupFailed",
                severity: "ticket",
                forSeconds: 0,
                detection: { kind: "next-scrape" },
                meaning: "The latest backup run of a store failed (its last failure is newer than its last success).",
                firstResponse: "Read the backup job's log line (what failed); fix it before the RPO runs out (BackupStale pages then).",
            },
            expr: [
                `max by (store) (ptc_backup_last_failure_timestamp_seconds) > max by (store) (ptc_backup_last_success_timestamp_seconds)`,
                `(max by (store) (ptc_backup_last_failure_timestamp_seconds) unless on(store) max by (store) (ptc_backup_last_success_timestamp_seconds))`,
            ].join("\nor\n"),
            summary: "The last {{ $labels.store }} backup failed",
            description: "ptc-backup reported a failure for {{ $labels.store }} after its last success.",
        },
        {
            group: "backups",
            info: {
                name: "RestoreDrillFailed",
                severity: "ticket",
                forSeconds: 0,
                detection: { kind: "clock" },
                meaning: `The restore drill failed, or none succeeded within ${promDuration(drillMax)}: restorability is unproven.`,
                firstResponse: "Run `ptc-backup drill` by hand and read its error; verify the latest backup with `ptc-backup verify`.",
            },
            expr: [
                `(time() - max by (store) (ptc_restore_drill_last_success_timestamp_seconds)) > ${drillMax}`,
                `(absent(ptc_restore_drill_last_success_timestamp_seconds) and ${pushgatewayUpFor(drillMax)})`,
                `max by (store) (ptc_restore_drill_last_failure_timestamp_seconds) > max by (store) (ptc_restore_drill_last_success_timestamp_seconds)`,
                `(max by (store) (ptc_restore_drill_last_failure_timestamp_seconds) unless on(store) max by (store) (ptc_restore_drill_last_success_timestamp_seconds))`,
            ].join("\nor\n"),
            summary: "The restore drill failed or has not succeeded recently",
            description: `No successful restore drill within ${promDuration(drillMax)}, or the last drill failed.`,
        },
        {
            group: "backups",
            info: {
                name: "RestoreDrillSlow",
                severity: "ticket",
                forSeconds: 0,
                detection: { kind: "next-scrape" },
                meaning: `The last restore drill took longer than the RTO target (${promDuration(r.drillRtoSeconds)}).`,
                firstResponse: "Compare the drill duration with the backup size trend; plan a faster restore path (parallel restore, bigger instance) before the RTO is missed for real.",
            },
            expr: `max by (store) (ptc_restore_drill_duration_seconds) > ${r.drillRtoSeconds}`,
            summary: "The last restore drill exceeded the RTO",
            description: `The last restore drill took longer than ${promDuration(r.drillRtoSeconds)}.`,
        },
        {
            group: "capacity",
            info: {
                name: "DiskWillFillIn4h",
                severity: "page",
                forSeconds: 120,
                detection: { kind: "next-scrape" },
                meaning: "At the last hour's rate a filesystem (under 25 % free) will be full within 4 hours.",
                firstResponse: "Find what grows (logs, WAL, backups scratch, Prometheus TSDB) on the node dashboard; free space or grow the volume.",
            },
            expr: [
                `predict_linear(node_filesystem_avail_bytes{${FS_SELECTOR}}[1h], 4 * 3600) < 0`,
                `node_filesystem_avail_bytes{${FS_SELECTOR}} / node_filesystem_size_bytes{${FS_SELECTOR}} < 0.25`,
                `node_filesystem_readonly{${FS_SELECTOR}} == 0`,
            ].join("\nand\n"),
            summary: "Filesystem {{ $labels.mountpoint }} on {{ $labels.instance }} will fill within 4 hours",
            description: "{{ $labels.device }} mounted at {{ $labels.mountpoint }} on {{ $labels.instance }} has under 25 % free and is predicted to be full in under 4 hours.",
        },
        {
            group: "capacity",
            info: {
                name: "CertificateExpiresSoon",
                severity: "ticket",
                forSeconds: 600,
                detection: { kind: "failed-scrape" },
                meaning: "The TLS certificate served at a probed URL expires within 14 days (renewal has not happened).",
                firstResponse: "Check the certificate renewal (cert-manager / ACME client logs) and renew by hand if needed.",
            },
            expr: `probe_ssl_earliest_cert_expiry{job="${JOBS.probeHttp}"} - time() < 14 * 86400`,
            summary: "TLS certificate of {{ $labels.instance }} expires within 14 days",
            description: "The earliest-expiring certificate in the chain served at {{ $labels.instance }} expires in under 14 days.",
        },
        {
            group: "capacity",
            info: {
                name: "CertificateExpiresSoon",
                severity: "page",
                forSeconds: 60,
                detection: { kind: "failed-scrape" },
                meaning: "The TLS certificate served at a probed URL expires within 3 days: browsers will refuse the site.",
                firstResponse: "Renew and install the certificate now; then find why automatic renewal failed.",
            },
            expr: `probe_ssl_earliest_cert_expiry{job="${JOBS.probeHttp}"} - time() < 3 * 86400`,
            summary: "TLS certificate of {{ $labels.instance }} expires within 3 days",
            description: "The earliest-expiring certificate in the chain served at {{ $labels.instance }} expires in under 3 days.",
        },
    ];
}

function ruleId(def: RuleDef, all: readonly RuleDef[]): string {
    const twins = all.filter((d) => d.info.name === def.info.name).length;
    return twins > 1 ? `${def.info.name}/${def.info.severity}` : def.info.name;
}

/** The alert catalogue (one entry per alerting rule) for the given input. */
export function alertCatalogue(input: AlertRulesInput = {}): AlertInfo[] {
    const defs = ruleDefs(resolveAlertRulesInput(input));
    return defs.map((d) => ({ ...d.info, id: ruleId(d, defs), anchor: alertAnchor(d.info.name) }));
}

/** The alert catalogue with production defaults: name, severity, meaning, first response (README). */
export const ALERTS: readonly AlertInfo[] = alertCatalogue();

/** Recording rules of the API availability SLO: one 5xx ratio per window any burn alert uses. */
export function sloRecordingRules(): RecordingRule[] {
    const windows = [...new Set(BURN_RATE_WINDOWS.flatMap((w) => [w.shortSeconds, w.longSeconds]))].sort((a, b) => a - b);
    return windows.map((s) => {
        const d = promDuration(s);
        const total = `sum by (service) (rate(http_requests_total{${API_SELECTOR}}[${d}]))`;
        const errors = `sum by (service) (rate(http_requests_total{${API_SELECTOR},status=~"5.."}[${d}]))`;
        // `or … * 0` keeps the ratio at 0 (not absent) while there are no 5xx series at all.
        return { record: errorRatioRecord(s), expr: `(${errors} or ${total} * 0)\n/\n${total}` };
    });
}

const GROUP_ORDER = ["slo", "availability", "backups", "capacity"] as const;

/** The rule groups, as data (what {@link renderAlertRules} serialises). */
export function buildRuleGroups(input: AlertRulesInput = {}): RuleGroup[] {
    const r = resolveAlertRulesInput(input);
    const defs = ruleDefs(r);
    return GROUP_ORDER.map((g) => {
        const alerts: AlertingRule[] = defs
            .filter((d) => d.group === g)
            .map((d) => {
                const forSeconds = d.info.forSeconds === 0 ? 0 : (r.forOverrideSeconds ?? d.info.forSeconds);
                return {
                    alert: d.info.name,
                    expr: d.expr,
                    ...(forSeconds > 0 ? { for: promDuration(forSeconds) } : {}),
                    labels: { ...(d.extraLabels ?? {}), severity: d.info.severity },
                    annotations: {
                        description: d.description,
                        runbook_url: `${r.runbookBaseUrl}#${alertAnchor(d.info.name)}`,
                        summary: d.summary,
                    },
                };
            });
        // Recording rules first: a group evaluates in order, so the burn alerts read this cycle's ratios.
        const rules: (RecordingRule | AlertingRule)[] = g === "slo" ? [...sloRecordingRules(), ...alerts] : alerts;
        return { name: `ptc-${g}`, rules };
    });
}

/** Renders the rule file (YAML, top-level `groups`) for Prometheus. */
export function renderAlertRules(input: AlertRulesInput = {}): string {
    return stringify({ groups: buildRuleGroups(input) }, { lineWidth: 0 });
}

/** Renders the README alert catalogue: a Markdown table with an anchor per alert name. */
export function renderAlertCatalogueMarkdown(alerts: readonly AlertInfo[] = ALERTS): string {
    const esc = (s: string): string => s.replace(/\|/g, "\\|");
    const seen = new Set<string>();
    const rows = alerts.map((a) => {
        const anchor = seen.has(a.anchor) ? "" : `<a id="${a.anchor}"></a>`;
        seen.add(a.anchor);
        return `| ${anchor}${a.name} | ${a.severity} | ${esc(a.meaning)} | ${esc(a.firstResponse)} |`;
    });
    return ["| Alert | Severity | Meaning | First response |", "| --- | --- | --- | --- |", ...rows].join("\n") + "\n";
}
