/**
 * The `ptc-backups` group: the RPO (BackupStale, BackupFailed) and restorability (RestoreDrillFailed,
 * RestoreDrillSlow).
 *
 * Backup metrics are the ones `ptc-backup` pushes to the Pushgateway (issue 3):
 * `ptc_backup_last_success_timestamp_seconds`, `ptc_backup_last_failure_timestamp_seconds`,
 * `ptc_backup_duration_seconds`, `ptc_backup_size_bytes` (label `store`),
 * `ptc_restore_drill_last_success_timestamp_seconds`, `ptc_restore_drill_duration_seconds`, and,
 * when the tool publishes it, `ptc_restore_drill_last_failure_timestamp_seconds`.
 */
import { JOBS, promDuration } from "../prometheus-config";
import { anyOf, RuleDomain } from "./rule";

/** Backup and restore drill alerts, in rule file order. */
export const BACKUP_RULES: RuleDomain = {
    group: "backups",
    alerts: (r) => {
        const backupMax = r.rpoSeconds + r.backupGraceSeconds;
        const drillMax = r.drillIntervalSeconds + r.drillGraceSeconds;
        const pushgatewayUpFor = (s: number): string => `on() (time() - max(process_start_time_seconds{job="${JOBS.pushgateway}"}) > ${s})`;
        const stores = [...r.backupStores];
        const storeRe = stores.join("|");
        return [
            {
                name: "BackupStale",
                severity: "page",
                forSeconds: 60,
                detection: { kind: "clock" },
                meaning: `No successful backup of a store within the RPO (${promDuration(r.rpoSeconds)}) plus ${promDuration(r.backupGraceSeconds)} grace, or none at all since the Pushgateway started that long ago: the RPO is breached.`,
                firstResponse: "Run `ptc-backup backup` by hand and read its one-line error; check the backup schedule, the bucket credentials and BackupFailed.",
                expr: anyOf(
                    `(time() - max by (store) (ptc_backup_last_success_timestamp_seconds{store=~"${storeRe}"})) > ${backupMax}`,
                    // A store that never reported a success is stale too, once the Pushgateway (which would
                    // hold the metric) has been up for longer than the allowed age.
                    ...stores.map((s) => `(absent(ptc_backup_last_success_timestamp_seconds{store="${s}"}) and ${pushgatewayUpFor(backupMax)})`),
                ),
                summary: "No successful {{ $labels.store }} backup within the RPO",
                description: `The last successful backup of {{ $labels.store }} is older than ${promDuration(backupMax)} (RPO ${promDuration(r.rpoSeconds)} + grace ${promDuration(r.backupGraceSeconds)}), or there is none.`,
            },
            {
                name: "BackupFailed",
                severity: "ticket",
                forSeconds: 0,
                detection: { kind: "next-scrape" },
                meaning: "The latest backup run of a store failed (its last failure is newer than its last success).",
                firstResponse: "Read the backup job's log line (what failed); fix it before the RPO runs out (BackupStale pages then).",
                expr: anyOf(
                    `max by (store) (ptc_backup_last_failure_timestamp_seconds) > max by (store) (ptc_backup_last_success_timestamp_seconds)`,
                    `(max by (store) (ptc_backup_last_failure_timestamp_seconds) unless on(store) max by (store) (ptc_backup_last_success_timestamp_seconds))`,
                ),
                summary: "The last {{ $labels.store }} backup failed",
                description: "ptc-backup reported a failure for {{ $labels.store }} after its last success.",
            },
            {
                name: "RestoreDrillFailed",
                severity: "ticket",
                forSeconds: 0,
                detection: { kind: "clock" },
                meaning: `The restore drill failed, or none succeeded within ${promDuration(drillMax)}: restorability is unproven.`,
                firstResponse: "Run `ptc-backup drill` by hand and read its error; verify the latest backup with `ptc-backup verify`.",
                expr: anyOf(
                    `(time() - max by (store) (ptc_restore_drill_last_success_timestamp_seconds)) > ${drillMax}`,
                    `(absent(ptc_restore_drill_last_success_timestamp_seconds) and ${pushgatewayUpFor(drillMax)})`,
                    `max by (store) (ptc_restore_drill_last_failure_timestamp_seconds) > max by (store) (ptc_restore_drill_last_success_timestamp_seconds)`,
                    `(max by (store) (ptc_restore_drill_last_failure_timestamp_seconds) unless on(store) max by (store) (ptc_restore_drill_last_success_timestamp_seconds))`,
                ),
                summary: "The restore drill failed or has not succeeded recently",
                description: `No successful restore drill within ${promDuration(drillMax)}, or the last drill failed.`,
            },
            {
                name: "RestoreDrillSlow",
                severity: "ticket",
                forSeconds: 0,
                detection: { kind: "next-scrape" },
                meaning: `The last restore drill took longer than the RTO target (${promDuration(r.drillRtoSeconds)}).`,
                firstResponse: "Compare the drill duration with the backup size trend; plan a faster restore path (parallel restore, bigger instance) before the RTO is missed for real.",
                expr: `max by (store) (ptc_restore_drill_duration_seconds) > ${r.drillRtoSeconds}`,
                summary: "The last restore drill exceeded the RTO",
                description: `The last restore drill took longer than ${promDuration(r.drillRtoSeconds)}.`,
            },
        ];
    },
};
