/** The backups dashboard: backup age against the RPO, restore drills against the RTO, failures, logs. */
import { checkPositive, Dashboard, dashboard, DashboardsInput, GREEN_RED, logs, prom } from "../panels";

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
    ]);
}

