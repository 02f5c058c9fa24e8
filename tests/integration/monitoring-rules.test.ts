/**
 * The real Prometheus tools on what the monitoring renderers produce:
 * - `promtool check config` on prometheus.yml (rule files beside it), `promtool check rules`;
 * - `promtool test rules` with a firing and a non-firing case for every alerting rule, generated
 *   from the table below (a rule without both cases fails the suite);
 * - `amtool check-config` on alertmanager.yml with and without Slack;
 * - `prometheus-blackbox-exporter --config.check` on blackbox.yml, with and without the internal
 *   module (its CA file made by openssl), and a live probe through that module of a local TLS
 *   server using the dev stack's self-signed certificate.
 * Under CI a missing tool fails the suite; elsewhere it is skipped with the reason.
 */
import * as assert from "assert";
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as https from "node:https";
import * as path from "node:path";
import { promisify } from "node:util";
import { parse, stringify } from "yaml";
import { renderAlertmanagerConfig } from "../../components/monitoring/alertmanager-config";
import { BLACKBOX_MODULES, renderBlackboxConfig } from "../../components/monitoring/blackbox-config";
import { JOBS, PrometheusConfigInput, renderPrometheusConfig } from "../../components/monitoring/prometheus-config";
import { ALERTS, AlertingRule, buildRuleGroups, renderAlertRules, Severity } from "../../components/monitoring/rules";
import { makeDevCertificate } from "./support/dev-cert";
import { freePort, makeTempDir, missingTools, removeTempDir, requireTool, waitFor } from "./support/services";
import { SAMPLE_PROMETHEUS_INPUT } from "../support/monitoring-fixtures";
import { skipOrFail } from "../support/ci";

const run = promisify(execFile);

const SAMPLE_INPUT: PrometheusConfigInput = SAMPLE_PROMETHEUS_INPUT;

/** One input series in promtool's notation. */
interface Series {
    readonly series: string;
    readonly values: string;
}

/** An expected alert: its labels besides alertname (annotations are derived from the rule). */
type Expected = Readonly<Record<string, string>>;

/** One promtool test case for one rule. */
interface RuleCase {
    /** Rule id (AlertInfo.id). */
    readonly rule: string;
    /** Whether the rule under test fires at evalTime. */
    readonly fires: boolean;
    /** What the case shows. */
    readonly name: string;
    /** Series sample interval. Defaults to 1m. */
    readonly interval?: string;
    /**
     * Rule evaluation interval of the test file the case goes to. Defaults to 1m; multi-day cases
     * use 10m (their rules have no `for`) so promtool does not evaluate every minute of 3 days.
     */
    readonly evaluationInterval?: "1m" | "10m";
    readonly series: readonly Series[];
    readonly evalTime: string;
    /** Every alert of the rule's name expected at evalTime (a twin rule of the same name included). */
    readonly expect: readonly Expected[];
}

const API = `job="api",instance="api:8000",service="api",tier="app",method="GET",handler="/api/v1/patients"`;
const PG = `job="postgres",instance="postgres-exporter:9187",service="postgres",tier="data"`;
const RD = `job="redis",instance="redis-exporter:9121",service="redis",tier="data"`;
const GRAFANA = `job="grafana",instance="grafana:3000",service="grafana",tier="ops"`;
const PROBE = `job="probe-http",instance="https://app.example.com/",probe="public",service="edge",tier="edge"`;
const FS = `job="node",instance="node-exporter:9100",service="node",tier="ops",device="/dev/sda1",fstype="ext4",mountpoint="/"`;
const PUSHED = `job="ptc-backup",instance=""`;
const PITR = `job="ptc_pitr_backup",instance="",store="postgres"`;
const PHYS_DRILL = `job="ptc_restore_drill",instance="",store="postgres-physical"`;
/** postgres-exporter's pg_stat_archiver counters: archived and failed segments. */
const ARCHIVER = (archived: string, failed: string): Series[] => [
    { series: `pg_stat_archiver_archived_count{${PG}}`, values: archived },
    { series: `pg_stat_archiver_failed_count{${PG}}`, values: failed },
];
/** Rows changed (pg_stat_database, one database): inserts as given, no updates or deletes. */
const ROWS = (inserted: string): Series[] => [
    { series: `pg_stat_database_tup_inserted{${PG},datid="16384",datname="app"}`, values: inserted },
    { series: `pg_stat_database_tup_updated{${PG},datid="16384",datname="app"}`, values: "0x240" },
    { series: `pg_stat_database_tup_deleted{${PG},datid="16384",datname="app"}`, values: "0x240" },
];
/** When PostgreSQL started (epoch seconds of the test clock) and its checkpoint_timeout (300 s). */
const PG_STARTED = (startedAt: number): Series[] => [
    { series: `pg_postmaster_start_time_seconds{${PG}}`, values: `${startedAt}x240` },
    { series: `pg_settings_checkpoint_timeout_seconds{${PG}}`, values: "300x240" },
];
/** A physical backup success of `type` at the given timestamps. */
const PITR_OK = (type: string, values: string): Series => ({ series: `ptc_pitr_backup_last_success_timestamp_seconds{${PITR},type="${type}"}`, values });
const PUSHGW_START = (v: string): Series => ({ series: `process_start_time_seconds{job="pushgateway",instance="pushgateway:9091",service="pushgateway",tier="ops"}`, values: v });

/** Labels of a selector string, for the expected alert. */
function labelsOf(selector: string): Record<string, string> {
    return Object.fromEntries([...selector.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
}

/** API traffic: `ok` and `errors` requests per minute, for `minutes` minutes (1m samples). */
function traffic(okPerMin: number, errorsPerMin: number, steps: number): Series[] {
    return [
        { series: `http_requests_total{${API},status="2xx"}`, values: `0+${okPerMin}x${steps}` },
        { series: `http_requests_total{${API},status="5xx"}`, values: `0+${errorsPerMin}x${steps}` },
        // Scrapes of /metrics are left out of the SLI: a flood of them must not dilute the errors.
        { series: `http_requests_total{job="api",instance="api:8000",service="api",tier="app",method="GET",handler="/metrics",status="2xx"}`, values: `0+100000x${steps}` },
    ];
}

const BURN = { service: "api", slo: "api-availability" };

/** The table: every rule gets at least one firing and one quiet case. */
const CASES: readonly RuleCase[] = [
    { rule: "Watchdog", fires: true, name: "always fires, with no data at all", series: [], evalTime: "1m", expect: [{ severity: "none" }] },
    {
        rule: "TargetDown/page",
        fires: true,
        name: "an app target unreachable for 5m",
        series: [{ series: `up{job="api",instance="api:8000",service="api",tier="app"}`, values: "0x10" }],
        evalTime: "5m",
        expect: [{ job: "api", instance: "api:8000", service: "api", tier: "app", severity: "page" }],
    },
    {
        rule: "TargetDown/page",
        fires: false,
        name: "a one-minute blip of an app target, and a probe job's up are not pages",
        series: [
            { series: `up{job="api",instance="api:8000",service="api",tier="app"}`, values: "1 1 0 1 1 1 1 1" },
            { series: `up{${PROBE}}`, values: "0x10" },
        ],
        evalTime: "6m",
        expect: [],
    },
    {
        rule: "TargetDown/ticket",
        fires: true,
        name: "an ops target (grafana) down for 15m",
        series: [{ series: `up{${GRAFANA}}`, values: "0x20" }],
        evalTime: "15m",
        expect: [{ ...labelsOf(GRAFANA), severity: "ticket" }],
    },
    {
        rule: "TargetDown/ticket",
        fires: false,
        name: "an ops target down for 5m only",
        series: [{ series: `up{${GRAFANA}}`, values: "0x5 1x15" }],
        evalTime: "15m",
        expect: [],
    },
    {
        rule: "UptimeProbeFailing",
        fires: true,
        name: "public probe failing for 3m",
        series: [{ series: `probe_success{${PROBE}}`, values: "0x5" }],
        evalTime: "3m",
        expect: [{ ...labelsOf(PROBE), severity: "page" }],
    },
    {
        rule: "UptimeProbeFailing",
        fires: false,
        name: "probe succeeding",
        series: [{ series: `probe_success{${PROBE}}`, values: "1x5" }],
        evalTime: "3m",
        expect: [],
    },
    {
        rule: "ApiErrorBudgetBurnFast",
        fires: true,
        name: "10 % errors for the last 20 minutes",
        series: [
            { series: `http_requests_total{${API},status="2xx"}`, values: "0+900x120" },
            { series: `http_requests_total{${API},status="5xx"}`, values: "0x60 0+100x60" },
        ],
        evalTime: "80m",
        expect: [{ ...BURN, severity: "page" }],
    },
    {
        rule: "ApiErrorBudgetBurnFast",
        fires: false,
        name: "1 % errors for 2h (below 14.4 × 0.1 %), even with many /metrics scrapes",
        series: traffic(990, 10, 120),
        evalTime: "2h",
        expect: [],
    },
    {
        rule: "ApiErrorBudgetBurnSlow",
        fires: true,
        name: "1 % errors for 7h (above 6 × 0.1 %)",
        series: traffic(990, 10, 420),
        evalTime: "7h",
        expect: [{ ...BURN, severity: "page" }],
    },
    {
        rule: "ApiErrorBudgetBurnSlow",
        fires: false,
        name: "0.5 % errors for 7h",
        series: traffic(995, 5, 420),
        evalTime: "7h",
        expect: [],
    },
    {
        rule: "ApiErrorBudgetBurnTicket",
        fires: true,
        name: "0.3 % errors for 3 days",
        evaluationInterval: "10m",
        interval: "10m",
        series: traffic(9970, 30, 450),
        evalTime: "74h",
        expect: [{ ...BURN, severity: "ticket" }],
    },
    {
        rule: "ApiErrorBudgetBurnTicket",
        fires: false,
        name: "0.05 % errors for 3 days",
        evaluationInterval: "10m",
        interval: "10m",
        series: traffic(9995, 5, 450),
        evalTime: "74h",
        expect: [],
    },
    {
        rule: "PostgresDown",
        fires: true,
        name: "pg_up 0 for 3m",
        series: [{ series: `pg_up{${PG}}`, values: "0x5" }],
        evalTime: "3m",
        expect: [{ ...labelsOf(PG), store: "postgres", severity: "page" }],
    },
    {
        rule: "PostgresDown",
        fires: false,
        name: "pg_up 1",
        series: [{ series: `pg_up{${PG}}`, values: "1x5" }],
        evalTime: "3m",
        expect: [],
    },
    {
        rule: "RedisDown",
        fires: true,
        name: "redis_up 0 for 3m",
        series: [{ series: `redis_up{${RD}}`, values: "0x5" }],
        evalTime: "3m",
        expect: [{ ...labelsOf(RD), store: "redis", severity: "page" }],
    },
    {
        rule: "RedisDown",
        fires: false,
        name: "redis_up 1",
        series: [{ series: `redis_up{${RD}}`, values: "1x5" }],
        evalTime: "3m",
        expect: [],
    },
    {
        rule: "BackupStale",
        fires: true,
        name: "postgres last success at t=0, checked at 80m (> 1h + 15m); redis fresh",
        series: [
            { series: `ptc_backup_last_success_timestamp_seconds{${PUSHED},store="postgres"}`, values: "0x100" },
            { series: `ptc_backup_last_success_timestamp_seconds{${PUSHED},store="redis"}`, values: "0+60x100" },
            PUSHGW_START("0x100"),
        ],
        evalTime: "80m",
        expect: [{ store: "postgres", severity: "page" }],
    },
    {
        rule: "BackupStale",
        fires: true,
        name: "no redis metric at all while the Pushgateway has been up for 80m",
        series: [{ series: `ptc_backup_last_success_timestamp_seconds{${PUSHED},store="postgres"}`, values: "0+60x100" }, PUSHGW_START("0x100")],
        evalTime: "80m",
        expect: [{ store: "redis", severity: "page" }],
    },
    {
        rule: "BackupStale",
        fires: false,
        name: "both stores backed up within the last hour",
        series: [
            { series: `ptc_backup_last_success_timestamp_seconds{${PUSHED},store="postgres"}`, values: "0+60x100" },
            { series: `ptc_backup_last_success_timestamp_seconds{${PUSHED},store="redis"}`, values: "0+60x100" },
            PUSHGW_START("0x100"),
        ],
        evalTime: "80m",
        expect: [],
    },
    {
        rule: "BackupStale",
        fires: false,
        name: "no redis metric yet, but the Pushgateway only started 20m ago",
        series: [{ series: `ptc_backup_last_success_timestamp_seconds{${PUSHED},store="postgres"}`, values: "0+60x100" }, PUSHGW_START("3600x100")],
        evalTime: "80m",
        expect: [],
    },
    {
        rule: "BackupFailed",
        fires: true,
        name: "the last failure is newer than the last success",
        series: [
            { series: `ptc_backup_last_success_timestamp_seconds{${PUSHED},store="postgres"}`, values: "50x5" },
            { series: `ptc_backup_last_failure_timestamp_seconds{${PUSHED},store="postgres"}`, values: "100x5" },
        ],
        evalTime: "2m",
        expect: [{ store: "postgres", severity: "ticket" }],
    },
    {
        rule: "BackupFailed",
        fires: true,
        name: "a failure and never a success",
        series: [{ series: `ptc_backup_last_failure_timestamp_seconds{${PUSHED},store="redis"}`, values: "100x5" }],
        evalTime: "2m",
        expect: [{ store: "redis", severity: "ticket" }],
    },
    {
        rule: "BackupFailed",
        fires: false,
        name: "a success after the last failure",
        series: [
            { series: `ptc_backup_last_success_timestamp_seconds{${PUSHED},store="postgres"}`, values: "200x5" },
            { series: `ptc_backup_last_failure_timestamp_seconds{${PUSHED},store="postgres"}`, values: "100x5" },
        ],
        evalTime: "2m",
        expect: [],
    },
    {
        rule: "RestoreDrillFailed",
        fires: true,
        name: "the last drill failed",
        series: [
            { series: `ptc_restore_drill_last_success_timestamp_seconds{${PUSHED}}`, values: "50x5" },
            { series: `ptc_restore_drill_last_failure_timestamp_seconds{${PUSHED}}`, values: "100x5" },
        ],
        evalTime: "2m",
        expect: [{ severity: "ticket" }],
    },
    {
        rule: "RestoreDrillFailed",
        fires: true,
        name: "no successful drill for 26h (> 24h + 1h)",
        evaluationInterval: "10m",
        interval: "1h",
        series: [{ series: `ptc_restore_drill_last_success_timestamp_seconds{${PUSHED}}`, values: "0x30" }, PUSHGW_START("0x30")],
        evalTime: "26h",
        expect: [{ severity: "ticket" }],
    },
    {
        rule: "RestoreDrillFailed",
        fires: false,
        name: "a drill succeeded within the last day",
        evaluationInterval: "10m",
        interval: "1h",
        series: [{ series: `ptc_restore_drill_last_success_timestamp_seconds{${PUSHED}}`, values: "0 0 0 7200x27" }, PUSHGW_START("0x30")],
        evalTime: "26h",
        expect: [],
    },
    {
        rule: "RestoreDrillSlow",
        fires: true,
        name: "the last drill took 40 minutes",
        series: [{ series: `ptc_restore_drill_duration_seconds{${PUSHED}}`, values: "2400x5" }],
        evalTime: "2m",
        expect: [{ severity: "ticket" }],
    },
    {
        rule: "RestoreDrillSlow",
        fires: false,
        name: "the last drill took 15 minutes",
        series: [{ series: `ptc_restore_drill_duration_seconds{${PUSHED}}`, values: "900x5" }],
        evalTime: "2m",
        expect: [],
    },
    {
        rule: "WalArchivingFailing",
        fires: true,
        name: "archive-push fails every minute (3 tries each) and nothing is archived",
        series: [...ARCHIVER("10x20", "0+3x20")],
        evalTime: "10m",
        expect: [{ ...labelsOf(PG), store: "postgres", severity: "page" }],
    },
    {
        rule: "WalArchivingFailing",
        fires: false,
        name: "one failed round, then the retry succeeds and archiving goes on every minute",
        series: [...ARCHIVER("0+1x20", "0x5 3x15")],
        evalTime: "7m",
        expect: [],
    },
    {
        rule: "WalArchivingFailing",
        fires: false,
        name: "in the middle of a 1-minute S3 outage on an idle database that the next retry heals (pending 1m < the 90 s for)",
        series: [...ARCHIVER("10x6 11x14", "0x4 3 6 6x14")],
        evalTime: "5m",
        expect: [],
    },
    {
        rule: "WalArchivingFailing",
        fires: false,
        name: "an idle database: no attempts, no failures",
        series: [...ARCHIVER("10x20", "0x20")],
        evalTime: "15m",
        expect: [],
    },
    {
        rule: "WalArchivingLate",
        fires: true,
        name: "rows keep changing, the archiver is stuck (no archive for 20m, no failure either)",
        series: [...ARCHIVER("5x30", "0x30"), ...ROWS("0+100x30"), ...PG_STARTED(0)],
        evalTime: "20m",
        expect: [{ ...labelsOf(PG), store: "postgres", severity: "page" }],
    },
    {
        rule: "WalArchivingLate",
        fires: false,
        name: "an idle database for an hour: the archive age grows to 1h, but there is nothing to archive",
        series: [
            ...ARCHIVER("5x60", "0x60"),
            ...ROWS("700x60"),
            ...PG_STARTED(0),
            { series: `pg_stat_archiver_last_archive_age{${PG}}`, values: "0+60x60" },
        ],
        evalTime: "60m",
        expect: [],
    },
    {
        rule: "WalArchivingLate",
        fires: false,
        name: "one write on an idle database, archived a minute later, then idle again",
        series: [...ARCHIVER("3x6 4x24", "0x30"), ...ROWS("0x5 10x25"), ...PG_STARTED(0)],
        evalTime: "20m",
        expect: [],
    },
    {
        rule: "WalArchivingLate",
        fires: false,
        name: "rows changing and a segment archived every minute",
        series: [...ARCHIVER("0+1x30", "0x30"), ...ROWS("0+100x30"), ...PG_STARTED(0)],
        evalTime: "20m",
        expect: [],
    },
    {
        rule: "WalArchivingLate",
        fires: false,
        name: "PostgreSQL started 5m ago after a long idle time: the first timed WAL switch waits for checkpoint_timeout",
        series: [...ARCHIVER("5x30", "0x30"), ...ROWS("0x10 0+100x20"), ...PG_STARTED(600)],
        evalTime: "15m",
        expect: [],
    },
    {
        rule: "PhysicalBackupStale",
        fires: true,
        name: "the newest full backup is 9 days old; diff and incr are fresh",
        evaluationInterval: "10m",
        interval: "1h",
        series: [PITR_OK("full", "0x220"), PITR_OK("diff", "0+3600x220"), PITR_OK("incr", "0+3600x220"), PUSHGW_START("0x220")],
        evalTime: "9d",
        expect: [{ type: "full", store: "postgres", severity: "ticket" }],
    },
    {
        rule: "PhysicalBackupStale",
        fires: true,
        name: "the newest backup of any type is 3h old: incr is stale (> 2h), diff and full are not",
        series: [PITR_OK("full", "0x200"), PITR_OK("diff", "0x200"), PITR_OK("incr", "0x200"), PUSHGW_START("0x200")],
        evalTime: "3h",
        expect: [{ type: "incr", store: "postgres", severity: "ticket" }],
    },
    {
        rule: "PhysicalBackupStale",
        fires: false,
        name: "the full's day: no diff for 2 days and no incr for 3h, but the full ran 1h ago (it counts for both)",
        evaluationInterval: "10m",
        interval: "10m",
        series: [PITR_OK("full", "0x10 7200x30"), PITR_OK("diff", "0x40"), PITR_OK("incr", "0x40"), PUSHGW_START("0x40")],
        evalTime: "3h",
        expect: [],
    },
    {
        rule: "PhysicalBackupStale",
        fires: true,
        name: "no differential ever and the full 27h old, with the Pushgateway up for 27h",
        evaluationInterval: "10m",
        interval: "1h",
        series: [PITR_OK("full", "0x30"), PITR_OK("incr", "0+3600x30"), PUSHGW_START("0x30")],
        evalTime: "27h",
        expect: [{ type: "diff", store: "postgres", severity: "ticket" }],
    },
    {
        rule: "PhysicalBackupStale",
        fires: false,
        name: "every type within its limit (full 2d, diff 20h, incr 1h old)",
        evaluationInterval: "10m",
        interval: "10m",
        series: [PITR_OK("full", "0x400"), PITR_OK("diff", "0x170 100800x230"), PITR_OK("incr", "0x200 169200x200"), PUSHGW_START("0x400")],
        evalTime: "2d",
        expect: [],
    },
    {
        rule: "PhysicalBackupStale",
        fires: false,
        name: "no physical backup metric yet, but the Pushgateway only started 1h ago",
        series: [PUSHGW_START("7200x200")],
        evalTime: "3h",
        expect: [],
    },
    {
        rule: "PhysicalBackupFailed",
        fires: true,
        name: "a failure newer than the newest success (incr)",
        series: [PITR_OK("incr", "50x5"), PITR_OK("full", "10x5"), { series: `ptc_pitr_backup_last_failure_timestamp_seconds{${PITR}}`, values: "100x5" }],
        evalTime: "2m",
        expect: [{ store: "postgres", severity: "ticket" }],
    },
    {
        rule: "PhysicalBackupFailed",
        fires: true,
        name: "a failure and never a success",
        series: [{ series: `ptc_pitr_backup_last_failure_timestamp_seconds{${PITR}}`, values: "100x5" }],
        evalTime: "2m",
        expect: [{ store: "postgres", severity: "ticket" }],
    },
    {
        rule: "PhysicalBackupFailed",
        fires: false,
        name: "an incremental succeeded after the failure",
        series: [PITR_OK("incr", "200x5"), { series: `ptc_pitr_backup_last_failure_timestamp_seconds{${PITR}}`, values: "100x5" }],
        evalTime: "2m",
        expect: [],
    },
    {
        rule: "PhysicalRestoreDrillStale",
        fires: true,
        name: "no successful physical drill for 26h (> 24h + 1h)",
        evaluationInterval: "10m",
        interval: "1h",
        series: [{ series: `ptc_restore_drill_physical_last_success_timestamp_seconds{${PHYS_DRILL}}`, values: "0x30" }, PUSHGW_START("0x30")],
        evalTime: "26h",
        expect: [{ store: "postgres", severity: "ticket" }],
    },
    {
        rule: "PhysicalRestoreDrillStale",
        fires: true,
        name: "the physical drill never reported, with the Pushgateway up for 26h (auto skipped it?)",
        evaluationInterval: "10m",
        interval: "1h",
        series: [{ series: `ptc_restore_drill_last_success_timestamp_seconds{${PUSHED}}`, values: "0+3600x30" }, PUSHGW_START("0x30")],
        evalTime: "26h",
        expect: [{ store: "postgres", severity: "ticket" }],
    },
    {
        rule: "PhysicalRestoreDrillStale",
        fires: false,
        name: "a physical drill succeeded within the last day",
        evaluationInterval: "10m",
        interval: "1h",
        series: [{ series: `ptc_restore_drill_physical_last_success_timestamp_seconds{${PHYS_DRILL}}`, values: "0 0 0 7200x27" }, PUSHGW_START("0x30")],
        evalTime: "26h",
        expect: [],
    },
    {
        rule: "PhysicalRestoreDrillSlow",
        fires: true,
        name: "the last physical drill answered after 40 minutes",
        series: [{ series: `ptc_restore_drill_physical_rto_seconds{${PHYS_DRILL}}`, values: "2400x5" }],
        evalTime: "2m",
        expect: [{ store: "postgres", severity: "ticket" }],
    },
    {
        rule: "PhysicalRestoreDrillSlow",
        fires: false,
        name: "the last physical drill answered after 5 minutes",
        series: [{ series: `ptc_restore_drill_physical_rto_seconds{${PHYS_DRILL}}`, values: "300x5" }],
        evalTime: "2m",
        expect: [],
    },
    {
        rule: "DiskWillFillIn4h",
        fires: true,
        name: "20 GB free of 100 GB, shrinking 100 MB a minute",
        series: [
            { series: `node_filesystem_avail_bytes{${FS}}`, values: "20000000000-100000000x120" },
            { series: `node_filesystem_size_bytes{${FS}}`, values: "100000000000x120" },
            { series: `node_filesystem_readonly{${FS}}`, values: "0x120" },
        ],
        evalTime: "90m",
        expect: [{ ...labelsOf(FS), severity: "page" }],
    },
    {
        rule: "DiskWillFillIn4h",
        fires: false,
        name: "10 % free but steady; and a tmpfs filling fast",
        series: [
            { series: `node_filesystem_avail_bytes{${FS}}`, values: "10000000000x120" },
            { series: `node_filesystem_size_bytes{${FS}}`, values: "100000000000x120" },
            { series: `node_filesystem_readonly{${FS}}`, values: "0x120" },
            { series: `node_filesystem_avail_bytes{${FS.replace('fstype="ext4"', 'fstype="tmpfs"').replace('mountpoint="/"', 'mountpoint="/dev/shm"')}}`, values: "2000000000-20000000x120" },
            { series: `node_filesystem_size_bytes{${FS.replace('fstype="ext4"', 'fstype="tmpfs"').replace('mountpoint="/"', 'mountpoint="/dev/shm"')}}`, values: "4000000000x120" },
            { series: `node_filesystem_readonly{${FS.replace('fstype="ext4"', 'fstype="tmpfs"').replace('mountpoint="/"', 'mountpoint="/dev/shm"')}}`, values: "0x120" },
        ],
        evalTime: "90m",
        expect: [],
    },
    {
        rule: "CertificateExpiresSoon/ticket",
        fires: true,
        name: "certificate expires in 10 days",
        series: [{ series: `probe_ssl_earliest_cert_expiry{${PROBE}}`, values: "864000x20" }],
        evalTime: "15m",
        expect: [{ ...labelsOf(PROBE), severity: "ticket" }],
    },
    {
        rule: "CertificateExpiresSoon/ticket",
        fires: false,
        name: "certificate expires in 30 days",
        series: [{ series: `probe_ssl_earliest_cert_expiry{${PROBE}}`, values: "2592000x20" }],
        evalTime: "15m",
        expect: [],
    },
    {
        rule: "CertificateExpiresSoon/page",
        fires: true,
        name: "certificate expires in 2 days (the ticket fires too)",
        series: [{ series: `probe_ssl_earliest_cert_expiry{${PROBE}}`, values: "172800x20" }],
        evalTime: "15m",
        expect: [
            { ...labelsOf(PROBE), severity: "ticket" },
            { ...labelsOf(PROBE), severity: "page" },
        ],
    },
    {
        rule: "CertificateExpiresSoon/page",
        fires: false,
        name: "certificate expires in 10 days: ticket only",
        series: [{ series: `probe_ssl_earliest_cert_expiry{${PROBE}}`, values: "864000x20" }],
        evalTime: "15m",
        expect: [{ ...labelsOf(PROBE), severity: "ticket" }],
    },
];

/** Rules that cannot have a quiet case, and why. */
const NO_QUIET_CASE: Readonly<Record<string, string>> = { Watchdog: "vector(1) fires always: that is its purpose" };

/** Expands the `{{ $labels.x }}` templates the rules use (they never use $value). */
function expand(template: string, labels: Record<string, string>): string {
    return template.replace(/\{\{\s*\$labels\.(\w+)\s*\}\}/g, (_m, k: string) => labels[k] ?? "");
}

function ruleOf(id: string): AlertingRule {
    const info = ALERTS.find((a) => a.id === id);
    assert.ok(info, `unknown rule id ${id}`);
    const rule = buildRuleGroups()
        .flatMap((g) => g.rules)
        .find((r): r is AlertingRule => "alert" in r && r.alert === info.name && r.labels.severity === info.severity);
    assert.ok(rule, `no rendered rule for ${id}`);
    return rule;
}

/** A promtool unit-test file for `cases`, all of which must share one evaluation interval. */
function promtoolTestFile(ruleFile: string, evaluationInterval: string, cases: readonly RuleCase[]): string {
    return stringify(
        {
            rule_files: [ruleFile],
            evaluation_interval: evaluationInterval,
            tests: cases.map((c) => ({
                name: `${c.rule} ${c.fires ? "fires" : "stays quiet"}: ${c.name}`,
                interval: c.interval ?? "1m",
                input_series: c.series.map((s) => ({ series: s.series, values: s.values })),
                alert_rule_test: [
                    {
                        eval_time: c.evalTime,
                        alertname: ruleOf(c.rule).alert,
                        exp_alerts: c.expect.map((labels) => {
                            const sev = labels.severity as Severity;
                            const twin = ALERTS.find((a) => a.name === ruleOf(c.rule).alert && a.severity === sev);
                            assert.ok(twin, `${c.rule}: no rule of severity ${sev}`);
                            const rule = ruleOf(twin.id);
                            const all = { ...labels, alertname: rule.alert };
                            return {
                                exp_labels: { ...labels },
                                exp_annotations: Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, expand(v, all)])),
                            };
                        }),
                    },
                ],
            })),
        },
        { lineWidth: 0 },
    );
}

describe("monitoring: rule and config checks with promtool, amtool and blackbox_exporter", function () {
    this.timeout(180000);
    let dir = "";

    before(function () {
        const missing = missingTools(["promtool", "amtool", "prometheus-blackbox-exporter", "openssl"]);
        if (missing) skipOrFail(this, missing);
        dir = makeTempDir("ptc-promtool");
        fs.mkdirSync(path.join(dir, "rules"));
        fs.writeFileSync(path.join(dir, "rules", "ptc.yml"), renderAlertRules());
    });
    after(() => {
        if (dir) removeTempDir(dir);
    });

    it("the table has a firing and a quiet case for every alerting rule, consistent with its expectations", () => {
        for (const a of ALERTS) {
            const cases = CASES.filter((c) => c.rule === a.id);
            assert.ok(cases.some((c) => c.fires), `${a.id} has no firing case`);
            assert.ok(cases.some((c) => !c.fires) || NO_QUIET_CASE[a.id], `${a.id} has no quiet case`);
        }
        for (const c of CASES) {
            const sev = ALERTS.find((a) => a.id === c.rule)?.severity;
            assert.strictEqual(c.expect.some((e) => e.severity === sev), c.fires, `${c.rule} "${c.name}": expectations contradict fires=${c.fires}`);
        }
    });

    it("promtool check rules accepts the rendered rule file", async () => {
        const { stdout } = await run(requireTool("promtool"), ["check", "rules", path.join(dir, "rules", "ptc.yml")]);
        assert.match(stdout, /SUCCESS: \d+ rules found/);
    });

    it("promtool check config accepts the rendered prometheus.yml with the rule file beside it", async () => {
        const cfg = path.join(dir, "prometheus.yml");
        fs.writeFileSync(cfg, renderPrometheusConfig({ ...SAMPLE_INPUT, ruleFiles: ["rules/*.yml"], externalLabels: { env: "prod" } }));
        const { stdout } = await run(requireTool("promtool"), ["check", "config", cfg]);
        assert.match(stdout, /SUCCESS: 1 rule files found/);
        assert.match(stdout, /is valid prometheus config file syntax/);
    });

    it("promtool check config accepts the Kubernetes prometheus.yml (node-exporters and API replicas by DNS discovery), and refuses a broken discovery", async () => {
        const { api: _static, ...targets } = SAMPLE_INPUT.targets;
        assert.ok(_static);
        const k8s: PrometheusConfigInput = {
            ...SAMPLE_INPUT,
            targets: { ...targets, nodeExporters: [] },
            nodeExporterDiscovery: { names: ["node-exporter.ptc-host.svc.cluster.local"], port: 9100 },
            apiDiscovery: { names: ["api-pods.ptc.svc.cluster.local"], port: 8000 },
        };
        const text = renderPrometheusConfig({ ...k8s, ruleFiles: ["rules/*.yml"], externalLabels: { env: "prod" } });
        assert.match(text, /dns_sd_configs:/);
        // Both discoveries are in the file promtool checks: the api job has no static target left.
        assert.strictEqual(text.match(/dns_sd_configs:/g)?.length, 2);
        assert.match(text, /- job_name: api\n\s+dns_sd_configs:\n\s+- names:\n\s+- api-pods\.ptc\.svc\.cluster\.local\n\s+type: A\n\s+port: 8000\n/);
        const cfg = path.join(dir, "prometheus-k8s.yml");
        fs.writeFileSync(cfg, text);
        const { stdout } = await run(requireTool("promtool"), ["check", "config", cfg]);
        assert.match(stdout, /SUCCESS: 1 rule files found/);
        assert.match(stdout, /is valid prometheus config file syntax/);
        // A record type Prometheus does not know: the same check must refuse it.
        const broken = path.join(dir, "prometheus-k8s-broken.yml");
        assert.ok(text.includes("type: A\n"));
        fs.writeFileSync(broken, text.replace("type: A\n", "type: CNAME\n"));
        await assert.rejects(run(requireTool("promtool"), ["check", "config", broken]), /invalid DNS-SD records type|CNAME/);
        // The first discovery is the api job's (it comes before node); the node job's is checked too.
        const nodeJob = text.indexOf("- job_name: node\n");
        assert.ok(nodeJob > text.indexOf("- job_name: api\n"));
        const brokenNode = path.join(dir, "prometheus-k8s-broken-node.yml");
        const brokenNodeText = text.slice(0, nodeJob) + text.slice(nodeJob).replace("type: A\n", "type: CNAME\n");
        assert.notStrictEqual(brokenNodeText, text);
        fs.writeFileSync(brokenNode, brokenNodeText);
        await assert.rejects(run(requireTool("promtool"), ["check", "config", brokenNode]), /invalid DNS-SD records type|CNAME/);
    });

    it("promtool check config refuses a broken config (the check can fail)", async () => {
        const cfg = path.join(dir, "broken.yml");
        fs.writeFileSync(cfg, renderPrometheusConfig(SAMPLE_INPUT).replace("scrape_timeout: 10s", "scrape_timeout: 1m"));
        await assert.rejects(run(requireTool("promtool"), ["check", "config", cfg]));
    });

    for (const ei of ["1m", "10m"] as const) {
        it(`promtool test rules: every case evaluated every ${ei} passes`, async () => {
            const cases = CASES.filter((c) => (c.evaluationInterval ?? "1m") === ei);
            assert.ok(cases.length > 0);
            const file = path.join(dir, `ptc-${ei}.test.yml`);
            fs.writeFileSync(file, promtoolTestFile("rules/ptc.yml", ei, cases));
            const out = await run(requireTool("promtool"), ["test", "rules", file], { cwd: dir, maxBuffer: 16 * 1024 * 1024 }).catch(
                (e: Error & { stdout?: string; stderr?: string }) => {
                    throw new Error(`promtool test rules failed:\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
                },
            );
            assert.match(out.stdout, /SUCCESS/);
        });
    }

    it("promtool test rules fails when an expectation is wrong (the harness can fail)", async () => {
        const good = CASES.find((c) => c.rule === "PostgresDown" && c.fires);
        assert.ok(good);
        const wrongLabel: RuleCase = { ...good, expect: [{ ...good.expect[0], store: "redis" }] };
        const wrongQuiet: RuleCase = { ...good, expect: [] };
        for (const [i, c] of [wrongLabel, wrongQuiet].entries()) {
            const file = path.join(dir, `wrong-${i}.test.yml`);
            fs.writeFileSync(file, promtoolTestFile("rules/ptc.yml", "1m", [c]));
            await assert.rejects(run(requireTool("promtool"), ["test", "rules", file], { cwd: dir }), /FAILED|exp_alerts|got/);
        }
    });

    for (const [label, input] of [
        ["with Slack, heartbeat and webhook", { slack: { apiUrlFile: "/etc/alertmanager/secrets/slack-webhook-url", pageChannel: "#ptc-oncall" }, heartbeatUrl: "https://hc-ping.com/x", webhookUrl: "http://127.0.0.1:9/hook" }],
        ["without Slack (dev)", {}],
    ] as const) {
        it(`amtool check-config accepts alertmanager.yml ${label}`, async () => {
            const file = path.join(dir, `am-${label.length}.yml`);
            fs.writeFileSync(file, renderAlertmanagerConfig(input));
            const { stdout } = await run(requireTool("amtool"), ["check-config", file]);
            assert.match(stdout, /SUCCESS/);
            assert.match(stdout, /6 inhibit rules/);
        });
    }

    it("amtool check-config refuses a broken alertmanager.yml (the check can fail)", async () => {
        const file = path.join(dir, "am-broken.yml");
        fs.writeFileSync(file, renderAlertmanagerConfig({}).replace("receiver: blackhole", "receiver: nowhere"));
        await assert.rejects(run(requireTool("amtool"), ["check-config", file]));
    });

    it("blackbox_exporter --config.check accepts blackbox.yml, and refuses a broken one", async () => {
        const bin = requireTool("prometheus-blackbox-exporter");
        const file = path.join(dir, "blackbox.yml");
        fs.writeFileSync(file, renderBlackboxConfig());
        const { stderr } = await run(bin, ["--config.check", `--config.file=${file}`]);
        assert.match(stderr, /Config file is ok/);
        fs.writeFileSync(file, renderBlackboxConfig().replace("fail_if_not_ssl", "fail_if_not_tls"));
        await assert.rejects(run(bin, ["--config.check", `--config.file=${file}`]));
    });

    /** A dev-stack certificate for `domain` (the SelfSignedCertificate profile, issued by openssl). */
    async function selfSigned(domain: string): Promise<{ key: string; cert: string }> {
        const pair = makeDevCertificate(domain, 30);
        assert.match(pair.cert, /^-----BEGIN CERTIFICATE-----/);
        return pair;
    }

    it("blackbox_exporter --config.check accepts blackbox.yml with the internal module and its CA file, and refuses a broken one", async () => {
        const bin = requireTool("prometheus-blackbox-exporter");
        const caFile = path.join(dir, "ca.pem");
        fs.writeFileSync(caFile, (await selfSigned("localhost")).cert);
        const text = renderBlackboxConfig({ internalTls: { serverName: "localhost", caFile } });
        assert.ok(text.includes(`ca_file: ${caFile}`) && text.includes("server_name: localhost"), text);
        const file = path.join(dir, "blackbox-internal.yml");
        fs.writeFileSync(file, text);
        const { stderr } = await run(bin, ["--config.check", `--config.file=${file}`]);
        assert.match(stderr, /Config file is ok/);
        fs.writeFileSync(file, text.replace("server_name:", "servername:"));
        await assert.rejects(run(bin, ["--config.check", `--config.file=${file}`]));
    });

    it("promtool check config accepts prometheus.yml probing in-platform https URLs with the internal module", async () => {
        const text = renderPrometheusConfig({
            ...SAMPLE_INPUT,
            ruleFiles: ["rules/*.yml"],
            probes: { publicUrl: "https://edge:8443/", apiHealthUrl: "https://edge:8443/api/v1/health" },
            probeModule: BLACKBOX_MODULES.httpsInternal,
        });
        assert.strictEqual(text.match(/__param_module: https_2xx_internal/g)?.length, 2);
        const cfg = path.join(dir, "prometheus-internal.yml");
        fs.writeFileSync(cfg, text);
        const { stdout } = await run(requireTool("promtool"), ["check", "config", cfg]);
        assert.match(stdout, /is valid prometheus config file syntax/);
    });

    it("the internal module verifies a self-signed edge certificate against its CA file and the public name (live probe)", async () => {
        const bin = requireTool("prometheus-blackbox-exporter");
        const { key, cert } = await selfSigned("localhost");
        const caFile = path.join(dir, "live-ca.pem");
        fs.writeFileSync(caFile, cert);
        // The edge stand-in: TLS with the dev certificate, 200 on every path.
        const server = https.createServer({ key, cert }, (_req, res) => res.end("ok\n"));
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const edgePort = (server.address() as { port: number }).port;
        const bbPort = await freePort();
        const cfgFile = path.join(dir, "blackbox-live.yml");
        // Three internal-module variants: right name and CA, wrong name, no CA (system CAs).
        const modulesOf = (text: string): Record<string, unknown> => (parse(text) as { modules: Record<string, unknown> }).modules;
        const internal = (serverName: string, withCa: boolean): unknown =>
            modulesOf(renderBlackboxConfig({ internalTls: { serverName, ...(withCa ? { caFile } : {}) } }))[BLACKBOX_MODULES.httpsInternal];
        const modules = {
            ...modulesOf(renderBlackboxConfig()),
            ok: internal("localhost", true),
            wrong_name: internal("app.example.com", true),
            no_ca: internal("localhost", false),
        };
        fs.writeFileSync(cfgFile, stringify({ modules }));
        const bb = spawn(bin, [`--config.file=${cfgFile}`, `--web.listen-address=127.0.0.1:${bbPort}`], { stdio: "ignore" });
        try {
            const probe = async (module: string): Promise<string> => {
                const target = encodeURIComponent(`https://127.0.0.1:${edgePort}/api/v1/health`);
                const r = await fetch(`http://127.0.0.1:${bbPort}/probe?module=${module}&target=${target}`);
                return r.text();
            };
            await waitFor("blackbox_exporter", async () => (await fetch(`http://127.0.0.1:${bbPort}/-/healthy`)).ok, 15000);
            assert.match(await probe("ok"), /^probe_success 1$/m);
            assert.match(await probe("ok"), /^probe_ssl_earliest_cert_expiry \d/m);
            assert.match(await probe("wrong_name"), /^probe_success 0$/m);
            assert.match(await probe("no_ca"), /^probe_success 0$/m);
            assert.match(await probe(BLACKBOX_MODULES.https), /^probe_success 0$/m);
        } finally {
            bb.kill("SIGTERM");
            await new Promise<void>((resolve) => (bb.exitCode !== null ? resolve() : bb.once("exit", () => resolve())));
            await new Promise<void>((resolve) => server.close(() => resolve()));
        }
    });

    it("probe and pushgateway jobs are named as the rules expect", () => {
        const rules = renderAlertRules();
        assert.ok(rules.includes(`job="${JOBS.probeHttp}"`));
        assert.ok(rules.includes(`job="${JOBS.pushgateway}"`));
    });
});
