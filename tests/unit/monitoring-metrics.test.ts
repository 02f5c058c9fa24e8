/**
 * The metric catalogue: every series name a rule or a dashboard query reads must be one that
 * something really exposes — an exporter at its pinned version, the API's instrumentation,
 * Prometheus itself, the backup tool's Pushgateway contract — or a recording rule of the rule
 * file. A typo (`pg_stat_archiver_archive_count`) would otherwise be a panel that stays empty and
 * an alert that never fires. The postgres-exporter entries were checked against the Debian
 * exporter on a real PostgreSQL 15 (tests/integration/monitoring-wal-archiving.test.ts scrapes
 * the archiver ones), the pushed ones against issue 11's shared contract.
 */
import * as assert from "assert";
import { buildDashboards, dashboardExpressions } from "../../components/monitoring/grafana-config";
import { buildRuleGroups, RecordingRule } from "../../components/monitoring/rules";

/** Every metric the rules and dashboards may read, by where it comes from. */
const CATALOGUE: Readonly<Record<string, readonly string[]>> = {
    "Prometheus (scrape health)": ["up"],
    "the API (prometheus-fastapi-instrumentator)": ["http_requests_total", "http_request_duration_seconds_bucket"],
    "postgres-exporter v0.17 (default metrics; pg_postmaster_* from --collector.postmaster)": [
        "pg_up",
        "pg_database_size_bytes",
        "pg_settings_max_connections",
        "pg_settings_checkpoint_timeout_seconds",
        "pg_postmaster_start_time_seconds",
        "pg_stat_archiver_archived_count",
        "pg_stat_archiver_failed_count",
        "pg_stat_archiver_last_archive_age",
        "pg_stat_database_numbackends",
        "pg_stat_database_blks_hit",
        "pg_stat_database_blks_read",
        "pg_stat_database_xact_commit",
        "pg_stat_database_xact_rollback",
        "pg_stat_database_tup_fetched",
        "pg_stat_database_tup_inserted",
        "pg_stat_database_tup_updated",
        "pg_stat_database_tup_deleted",
        "pg_stat_database_deadlocks",
        "pg_stat_database_conflicts",
    ],
    "redis-exporter": [
        "redis_up",
        "redis_commands_processed_total",
        "redis_connected_clients",
        "redis_db_keys",
        "redis_evicted_keys_total",
        "redis_keyspace_hits_total",
        "redis_keyspace_misses_total",
        "redis_memory_max_bytes",
        "redis_memory_used_bytes",
        "redis_rejected_connections_total",
    ],
    "node-exporter": [
        "node_cpu_seconds_total",
        "node_disk_io_time_seconds_total",
        "node_filesystem_avail_bytes",
        "node_filesystem_readonly",
        "node_filesystem_size_bytes",
        "node_load5",
        "node_memory_MemAvailable_bytes",
        "node_memory_MemTotal_bytes",
        "node_network_receive_bytes_total",
        "node_network_transmit_bytes_total",
    ],
    "blackbox-exporter": ["probe_success", "probe_ssl_earliest_cert_expiry"],
    "the Pushgateway's own process": ["process_start_time_seconds"],
    "ptc-backup, logical (job ptc_backup / ptc_restore_drill)": [
        "ptc_backup_last_success_timestamp_seconds",
        "ptc_backup_last_failure_timestamp_seconds",
        "ptc_backup_duration_seconds",
        "ptc_backup_size_bytes",
        "ptc_restore_drill_last_success_timestamp_seconds",
        "ptc_restore_drill_last_failure_timestamp_seconds",
        "ptc_restore_drill_duration_seconds",
    ],
    "ptc-backup, physical (issue 11: job ptc_pitr_backup; drill store postgres-physical)": [
        "ptc_pitr_backup_last_success_timestamp_seconds",
        "ptc_pitr_backup_last_failure_timestamp_seconds",
        "ptc_pitr_backup_duration_seconds",
        "ptc_pitr_backup_size_bytes",
        "ptc_restore_drill_physical_rto_seconds",
        "ptc_restore_drill_physical_last_success_timestamp_seconds",
    ],
};

const KEYWORDS = new Set(["and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset"]);

/**
 * The series names a PromQL expression reads: identifiers left once strings, label matchers,
 * ranges and grouping clauses are gone, that are neither a keyword nor a function call.
 */
function metricNames(expr: string): string[] {
    const e = expr
        .replace(/"(?:[^"\\]|\\.)*"/g, '""')
        .replace(/\{[^}]*\}/g, " ")
        .replace(/\[[^\]]*\]/g, " ")
        .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
    const out: string[] = [];
    for (const m of e.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
        const rest = e.slice((m.index ?? 0) + m[0].length).trimStart();
        if (rest.startsWith("(") || KEYWORDS.has(m[0])) continue;
        out.push(m[0]);
    }
    return out;
}

describe("monitoring: metric catalogue", () => {
    const known = new Set(Object.values(CATALOGUE).flat());
    const groups = buildRuleGroups();
    const recorded = new Set(groups.flatMap((g) => g.rules.filter((r): r is RecordingRule => "record" in r).map((r) => r.record)));
    const uses = [
        ...dashboardExpressions(buildDashboards()).map((e) => ({ where: `dashboard ${e.dashboard} / ${e.panel}`, expr: e.expr })),
        ...groups.flatMap((g) => g.rules.map((r) => ({ where: `rule ${"alert" in r ? r.alert : r.record}`, expr: r.expr }))),
    ];

    it("reads names out of PromQL (and only names)", () => {
        assert.deepStrictEqual(
            metricNames('sum by (instance) (increase(pg_stat_archiver_failed_count{job="postgres",x=~"a|b"}[5m])) > on(instance) max(up) unless absent(foo_bar) and time() - 3'),
            ["pg_stat_archiver_failed_count", "up", "foo_bar"],
        );
    });

    it("every series a rule or a dashboard reads is exposed by something or recorded by the rule file", () => {
        assert.ok(uses.length > 60, `only ${uses.length} expressions`);
        for (const u of uses) {
            for (const n of metricNames(u.expr)) {
                assert.ok(known.has(n) || recorded.has(n), `${u.where} reads ${n}, which nothing in the catalogue exposes (a typo, or add it under its source)`);
            }
        }
    });

    it("every catalogued metric is read somewhere (the catalogue stays current)", () => {
        const read = new Set(uses.flatMap((u) => metricNames(u.expr)));
        for (const n of known) assert.ok(read.has(n), `${n} is catalogued but no rule or dashboard reads it`);
    });

    it("the WAL archiving and physical backup rules read the issue 11 contract's metrics", () => {
        const pitrRules = uses.filter((u) => /rule (WalArchiving|Physical)/.test(u.where)).flatMap((u) => metricNames(u.expr));
        for (const n of [
            "pg_stat_archiver_archived_count",
            "pg_stat_archiver_failed_count",
            "ptc_pitr_backup_last_success_timestamp_seconds",
            "ptc_pitr_backup_last_failure_timestamp_seconds",
            "ptc_restore_drill_physical_rto_seconds",
            "ptc_restore_drill_physical_last_success_timestamp_seconds",
        ]) {
            assert.ok(pitrRules.includes(n), `no WAL/physical rule reads ${n}`);
        }
    });
});
