/** The data tier dashboards: PostgreSQL and Redis, as their exporters report them. */
import { Dashboard, dashboard, logs, prom, RED_GREEN } from "../panels";

/** The PostgreSQL dashboard: up, connections, cache hits, size, transactions, rows, conflicts, logs. */
export function postgresDashboard(): Dashboard {
    return dashboard("ptc-postgres", "Pro Team Care / PostgreSQL", ["postgres", "data"], [
        prom({
            type: "stat",
            title: "Up",
            w: 6, h: 5,
            targets: [{ expr: "min(pg_up)" }],
            thresholds: RED_GREEN(1),
        }),
        prom({
            type: "stat",
            title: "Connections used",
            w: 6, h: 5,
            targets: [{ expr: "sum(pg_stat_database_numbackends) / max(pg_settings_max_connections)" }],
            unit: "percentunit",
            thresholds: [{ color: "green", value: null }, { color: "orange", value: 0.7 }, { color: "red", value: 0.9 }],
        }),
        prom({
            type: "stat",
            title: "Cache hit ratio (5m)",
            w: 6, h: 5,
            targets: [
                {
                    expr: "sum(rate(pg_stat_database_blks_hit[5m])) / (sum(rate(pg_stat_database_blks_hit[5m])) + sum(rate(pg_stat_database_blks_read[5m])))",
                },
            ],
            unit: "percentunit",
            thresholds: [{ color: "red", value: null }, { color: "orange", value: 0.9 }, { color: "green", value: 0.99 }],
        }),
        prom({
            type: "stat",
            title: "Database size",
            w: 6, h: 5,
            targets: [{ expr: "sum(pg_database_size_bytes)" }],
            unit: "bytes",
        }),
        prom({
            type: "timeseries",
            title: "Connections by database",
            w: 12, h: 8,
            targets: [{ expr: "sum by (datname) (pg_stat_database_numbackends)", legendFormat: "{{datname}}" }],
        }),
        prom({
            type: "timeseries",
            title: "Transactions",
            w: 12, h: 8,
            targets: [
                { expr: "sum by (datname) (rate(pg_stat_database_xact_commit[5m]))", legendFormat: "commit {{datname}}" },
                { expr: "sum by (datname) (rate(pg_stat_database_xact_rollback[5m]))", legendFormat: "rollback {{datname}}" },
            ],
            unit: "ops",
        }),
        prom({
            type: "timeseries",
            title: "Rows",
            w: 12, h: 8,
            targets: [
                { expr: "sum(rate(pg_stat_database_tup_fetched[5m]))", legendFormat: "fetched" },
                { expr: "sum(rate(pg_stat_database_tup_inserted[5m]))", legendFormat: "inserted" },
                { expr: "sum(rate(pg_stat_database_tup_updated[5m]))", legendFormat: "updated" },
                { expr: "sum(rate(pg_stat_database_tup_deleted[5m]))", legendFormat: "deleted" },
            ],
            unit: "ops",
        }),
        prom({
            type: "timeseries",
            title: "Deadlocks and conflicts",
            w: 12, h: 8,
            targets: [
                { expr: "sum(increase(pg_stat_database_deadlocks[5m]))", legendFormat: "deadlocks" },
                { expr: "sum(increase(pg_stat_database_conflicts[5m]))", legendFormat: "conflicts" },
            ],
            min: 0,
        }),
        logs("PostgreSQL logs", '{service="postgres"}'),
    ]);
}

/** The Redis dashboard: up, clients, memory, hit ratio, commands, keys, evictions, logs. */
export function redisDashboard(): Dashboard {
    return dashboard("ptc-redis", "Pro Team Care / Redis", ["redis", "data"], [
        prom({
            type: "stat",
            title: "Up",
            w: 6, h: 5,
            targets: [{ expr: "min(redis_up)" }],
            thresholds: RED_GREEN(1),
        }),
        prom({
            type: "stat",
            title: "Connected clients",
            w: 6, h: 5,
            targets: [{ expr: "sum(redis_connected_clients)" }],
        }),
        prom({
            type: "stat",
            title: "Memory used",
            w: 6, h: 5,
            targets: [{ expr: "sum(redis_memory_used_bytes)" }],
            unit: "bytes",
        }),
        prom({
            type: "stat",
            title: "Keyspace hit ratio (5m)",
            w: 6, h: 5,
            targets: [
                {
                    expr: "sum(rate(redis_keyspace_hits_total[5m])) / (sum(rate(redis_keyspace_hits_total[5m])) + sum(rate(redis_keyspace_misses_total[5m])))",
                },
            ],
            unit: "percentunit",
        }),
        prom({
            type: "timeseries",
            title: "Commands",
            w: 12, h: 8,
            targets: [{ expr: "sum(rate(redis_commands_processed_total[5m]))", legendFormat: "commands" }],
            unit: "ops",
        }),
        prom({
            type: "timeseries",
            title: "Memory",
            w: 12, h: 8,
            targets: [
                { expr: "sum(redis_memory_used_bytes)", legendFormat: "used" },
                { expr: "sum(redis_memory_max_bytes)", legendFormat: "max" },
            ],
            unit: "bytes",
        }),
        prom({
            type: "timeseries",
            title: "Keys by database",
            w: 12, h: 8,
            targets: [{ expr: "sum by (db) (redis_db_keys)", legendFormat: "{{db}}" }],
        }),
        prom({
            type: "timeseries",
            title: "Evictions and rejected connections",
            w: 12, h: 8,
            targets: [
                { expr: "sum(rate(redis_evicted_keys_total[5m]))", legendFormat: "evicted keys" },
                { expr: "sum(rate(redis_rejected_connections_total[5m]))", legendFormat: "rejected connections" },
            ],
            min: 0,
        }),
        logs("Redis logs", '{service="redis"}'),
    ]);
}
