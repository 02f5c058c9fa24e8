/**
 * The backups dashboard: logical backup age against the RPO, restore drills against the RTO,
 * failures, logs; then the point-in-time-recovery row: WAL archiving (PostgreSQL's
 * pg_stat_archiver through postgres-exporter), physical backups per type and the physical drill.
 */
import { checkPositive, Dashboard, dashboard, DashboardsInput, GREEN_RED, logs, PanelDraft, prom, row, ThresholdStep } from "../panels";

/** Defaults of the physical backup age limits (the PhysicalBackupStale alert's). */
const PHYSICAL_MAX_AGE = { full: 8 * 86400, diff: 26 * 3600, incr: 2 * 3600 } as const;

/** Green below `limit`, orange from it: a value that is high for a harmless reason too (an idle database). */
const GREEN_ORANGE = (limit: number): ThresholdStep[] => [
    { color: "green", value: null },
    { color: "orange", value: limit },
];

/** The point-in-time-recovery row: WAL archiving, physical backups by type, the physical drill. */
function pitrPanels(input: DashboardsInput, rto: number, drillAge: number): PanelDraft[] {
    const archiveTimeout = input.archiveTimeoutSeconds ?? 60;
    checkPositive("archiveTimeoutSeconds", archiveTimeout);
    const late = 3 * archiveTimeout;
    const maxAge = { ...PHYSICAL_MAX_AGE, ...(input.physicalBackupMaxAgeSeconds ?? {}) };
    for (const [t, v] of Object.entries(maxAge)) checkPositive(`physicalBackupMaxAgeSeconds.${t}`, v);
    const pg = 'job="postgres"';
    const archiveAge = `max(pg_stat_archiver_last_archive_age{${pg}})`;
    const success = "ptc_pitr_backup_last_success_timestamp_seconds";
    return [
        row("Point-in-time recovery: WAL archiving and physical backups (pgBackRest)"),
        prom({
            type: "stat",
            title: "Last WAL archive age",
            w: 6, h: 5,
            targets: [{ expr: archiveAge }],
            description: `Seconds since PostgreSQL last archived a WAL segment (pg_stat_archiver). It also grows on an idle database, where there is nothing to archive; orange from 3 × archive_timeout (${late} s), where WalArchivingLate pages only if rows changed meanwhile.`,
            unit: "s",
            thresholds: GREEN_ORANGE(late),
        }),
        prom({
            type: "stat",
            title: "WAL archive failures (1h)",
            w: 6, h: 5,
            targets: [{ expr: `round(sum(increase(pg_stat_archiver_failed_count{${pg}}[1h])))` }],
            description: "Failed archive_command runs (pgbackrest archive-push) in the last hour.",
            thresholds: GREEN_RED(1),
        }),
        prom({
            type: "stat",
            title: "Physical backup age (share of its limit)",
            w: 6, h: 5,
            targets: [
                {
                    expr: (["full", "diff", "incr"] as const).map((t) => `(time() - max by (type) (${success}{type="${t}"})) / ${maxAge[t]}`).join(" or "),
                    legendFormat: "{{type}}",
                },
            ],
            description: `Age of the newest successful backup of each type over its limit (full ${maxAge.full} s, diff ${maxAge.diff} s, incr ${maxAge.incr} s); red at 100 %.`,
            unit: "percentunit",
            thresholds: GREEN_RED(1),
        }),
        prom({
            type: "stat",
            title: "Physical restore drill RTO",
            w: 6, h: 5,
            targets: [{ expr: "max(ptc_restore_drill_physical_rto_seconds)" }],
            description: `Seconds from the start of the physical restore until the scratch PostgreSQL answered queries; red over the RTO (${rto} s).`,
            unit: "s",
            thresholds: GREEN_RED(rto),
        }),
        prom({
            type: "timeseries",
            title: "WAL segments archived and failed (per 5 min)",
            w: 12, h: 8,
            targets: [
                { expr: `sum(increase(pg_stat_archiver_archived_count{${pg}}[5m]))`, legendFormat: "archived" },
                { expr: `sum(increase(pg_stat_archiver_failed_count{${pg}}[5m]))`, legendFormat: "failed" },
            ],
            min: 0,
        }),
        prom({
            type: "timeseries",
            title: "Last WAL archive age",
            w: 12, h: 8,
            targets: [{ expr: archiveAge, legendFormat: "age" }],
            unit: "s",
            min: 0,
            thresholds: GREEN_ORANGE(late),
            thresholdLines: true,
        }),
        prom({
            type: "timeseries",
            title: "Physical backup age",
            w: 8, h: 8,
            targets: [{ expr: `time() - max by (type) (${success})`, legendFormat: "{{type}}" }],
            unit: "s",
            min: 0,
        }),
        prom({
            type: "timeseries",
            title: "Physical backup size",
            w: 8, h: 8,
            targets: [{ expr: "max by (type) (ptc_pitr_backup_size_bytes)", legendFormat: "{{type}}" }],
            description: "pgBackRest's repository size of the newest backup of each type.",
            unit: "bytes",
        }),
        prom({
            type: "timeseries",
            title: "Physical restore drill RTO against the objective",
            w: 8, h: 8,
            targets: [{ expr: "max(ptc_restore_drill_physical_rto_seconds)", legendFormat: "RTO" }],
            unit: "s",
            min: 0,
            thresholds: GREEN_RED(rto),
            thresholdLines: true,
        }),
        prom({
            type: "stat",
            title: "Last physical backup failed",
            w: 8, h: 5,
            targets: [{ expr: `max(ptc_pitr_backup_last_failure_timestamp_seconds) > bool max(${success})` }],
            description: "1 when the latest physical backup run failed (newer than the newest success of any type).",
            thresholds: GREEN_RED(1),
        }),
        prom({
            type: "stat",
            title: "Age of last physical restore drill",
            w: 8, h: 5,
            targets: [{ expr: "time() - max(ptc_restore_drill_physical_last_success_timestamp_seconds)" }],
            unit: "s",
            thresholds: GREEN_RED(drillAge),
        }),
        prom({
            type: "timeseries",
            title: "Physical backup duration",
            w: 8, h: 5,
            targets: [{ expr: "max by (type) (ptc_pitr_backup_duration_seconds)", legendFormat: "{{type}}" }],
            unit: "s",
        }),
    ];
}

/** The backups dashboard, with the RPO and RTO as red lines. */
export function backupsDashboard(input: DashboardsInput): Dashboard {
    const rpo = input.rpoSeconds ?? 3600;
    const rto = input.rtoSeconds ?? 1800;
    const drillAge = input.drillMaxAgeSeconds ?? 93600;
    checkPositive("rpoSeconds", rpo);
    checkPositive("rtoSeconds", rto);
    checkPositive("drillMaxAgeSeconds", drillAge);
    const age = "time() - max by (store) (ptc_backup_last_success_timestamp_seconds)";
    return dashboard("ptc-backups", "Pro Team Care / Backups", ["backup"], [
        prom({
            type: "stat",
            title: "Age of last successful backup",
            w: 12, h: 5,
            targets: [{ expr: age, legendFormat: "{{store}}" }],
            description: `Per store; red at the RPO (${rpo} s).`,
            unit: "s",
            thresholds: GREEN_RED(rpo),
        }),
        prom({
            type: "stat",
            title: "Last restore drill duration",
            w: 6, h: 5,
            targets: [{ expr: "max(ptc_restore_drill_duration_seconds)" }],
            description: `Red over the RTO (${rto} s).`,
            unit: "s",
            thresholds: GREEN_RED(rto),
        }),
        prom({
            type: "stat",
            title: "Age of last successful drill",
            w: 6, h: 5,
            targets: [{ expr: "time() - max(ptc_restore_drill_last_success_timestamp_seconds)" }],
            unit: "s",
            thresholds: GREEN_RED(drillAge),
        }),
        prom({
            type: "timeseries",
            title: "Backup age against the RPO",
            w: 12, h: 8,
            targets: [{ expr: age, legendFormat: "{{store}}" }],
            unit: "s",
            min: 0,
            thresholds: GREEN_RED(rpo),
            thresholdLines: true,
        }),
        prom({
            type: "timeseries",
            title: "Restore drill duration against the RTO",
            w: 12, h: 8,
            targets: [{ expr: "max(ptc_restore_drill_duration_seconds)", legendFormat: "drill" }],
            unit: "s",
            min: 0,
            thresholds: GREEN_RED(rto),
            thresholdLines: true,
        }),
        prom({
            type: "stat",
            title: "Last run failed",
            w: 8, h: 5,
            targets: [
                {
                    expr: "max by (store) (ptc_backup_last_failure_timestamp_seconds) > bool max by (store) (ptc_backup_last_success_timestamp_seconds)",
                    legendFormat: "{{store}}",
                },
            ],
            description: "1 when the latest backup run of a store failed.",
            thresholds: GREEN_RED(1),
        }),
        prom({
            type: "timeseries",
            title: "Backup duration",
            w: 8, h: 8,
            targets: [{ expr: "max by (store) (ptc_backup_duration_seconds)", legendFormat: "{{store}}" }],
            unit: "s",
        }),
        prom({
            type: "timeseries",
            title: "Backup size",
            w: 8, h: 8,
            targets: [{ expr: "max by (store) (ptc_backup_size_bytes)", legendFormat: "{{store}}" }],
            unit: "bytes",
        }),
        logs("Backup and drill logs", '{service=~"backup|restore-drill"}'),
        ...pitrPanels(input, rto, drillAge),
    ]);
}

