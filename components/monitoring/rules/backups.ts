/**
 * The `ptc-backups` group: the RPO (BackupStale, BackupFailed) and restorability (RestoreDrillFailed,
 * RestoreDrillSlow) of the logical dumps, and point-in-time recovery (issue 11): WAL archiving
 * (WalArchivingFailing, WalArchivingLate), physical backups (PhysicalBackupStale,
 * PhysicalBackupFailed) and the physical restore drill (PhysicalRestoreDrillStale,
 * PhysicalRestoreDrillSlow).
 *
 * Backup metrics are the ones `ptc-backup` pushes to the Pushgateway (issue 3):
 * `ptc_backup_last_success_timestamp_seconds`, `ptc_backup_last_failure_timestamp_seconds`,
 * `ptc_backup_duration_seconds`, `ptc_backup_size_bytes` (label `store`),
 * `ptc_restore_drill_last_success_timestamp_seconds`, `ptc_restore_drill_duration_seconds`, and,
 * when the tool publishes it, `ptc_restore_drill_last_failure_timestamp_seconds`.
 *
 * Physical backups push (job `ptc_pitr_backup`) `ptc_pitr_backup_last_success_timestamp_seconds{type}`
 * and `ptc_pitr_backup_last_failure_timestamp_seconds` (no type); the physical drill pushes
 * `ptc_restore_drill_physical_rto_seconds` and `ptc_restore_drill_physical_last_success_timestamp_seconds`.
 *
 * WAL archiving is read from PostgreSQL's own `pg_stat_archiver` through postgres-exporter (its
 * default metrics in v0.17: `pg_stat_archiver_archived_count`, `pg_stat_archiver_failed_count`,
 * `pg_stat_archiver_last_archive_age`). PostgreSQL switches WAL segments on `archive_timeout` only
 * when something was written, so an idle database archives nothing for hours and the archive age
 * alone would page all night: WalArchivingLate asks for rows changed (`pg_stat_database_tup_*`)
 * and no segment archived in the same window. After a start the checkpointer honours
 * archive_timeout only from its first checkpoint (checkpoint_timeout later; measured on
 * PostgreSQL 15): `pg_postmaster_start_time_seconds` (the exporter's postmaster collector) and
 * `pg_settings_checkpoint_timeout_seconds` keep that window quiet.
 */
import { JOBS, promDuration } from "../prometheus-config";
import { PHYSICAL_BACKUP_TYPES, PITR_ALERT_NAMES, WAL_ARCHIVE_LATE_FACTOR } from "./contract";
import { AlertDef, anyOf, RuleDomain } from "./rule";

/**
 * Window in which WalArchivingFailing looks for failures without a success. The archiver retries a
 * failing segment at least every minute (3 tries, then up to 60 s of sleep): 90 s always holds a
 * failed round and the scrape after it, so the condition does not blink while archiving fails.
 */
const ARCHIVE_FAILING_WINDOW_SECONDS = 90;

/** Backup and restore drill alerts, in rule file order. */
const PITR_ALERTS: ReadonlySet<string> = new Set(PITR_ALERT_NAMES);

/** `type` and every larger type as a regex alternation: "incr" → "full|diff|incr". */
function typesAtLeast(t: (typeof PHYSICAL_BACKUP_TYPES)[number]): string {
    return PHYSICAL_BACKUP_TYPES.slice(0, PHYSICAL_BACKUP_TYPES.indexOf(t) + 1).join("|");
}

export const BACKUP_RULES: RuleDomain = {
    group: "backups",
    alerts: (r) => {
        const backupMax = r.rpoSeconds + r.backupGraceSeconds;
        const drillMax = r.drillIntervalSeconds + r.drillGraceSeconds;
        const pushgatewayUpFor = (s: number): string => `on() (time() - max(process_start_time_seconds{job="${JOBS.pushgateway}"}) > ${s})`;
        const stores = [...r.backupStores];
        const storeRe = stores.join("|");
        const pg = `job="${JOBS.postgres}"`;
        const lateSeconds = WAL_ARCHIVE_LATE_FACTOR * r.archiveTimeoutSeconds;
        const late = promDuration(lateSeconds);
        const failWindow = promDuration(ARCHIVE_FAILING_WINDOW_SECONDS);
        const rowsChanged = (["inserted", "updated", "deleted"] as const)
            .map((k) => `sum by (instance) (increase(pg_stat_database_tup_${k}{${pg}}[${late}]))`)
            .join(" + ");
        const maxAge = r.physicalBackupMaxAgeSeconds;
        const maxAgeText = PHYSICAL_BACKUP_TYPES.map((t) => `${t} ${promDuration(maxAge[t])}`).join(", ");
        const all: AlertDef[] = [
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
            {
                name: "WalArchivingFailing",
                severity: "page",
                // Longer than a failed round's wait for the next try (60 s): one S3 blip that the
                // retry heals does not page.
                forSeconds: 90,
                detection: { kind: "quiet-window", windowSeconds: ARCHIVE_FAILING_WINDOW_SECONDS },
                meaning: `PostgreSQL's archiver keeps failing to push WAL to the pgBackRest repository (failures and no success for ${failWindow}): point-in-time recovery stops at the last archived segment, and pg_wal grows until the disk is full.`,
                firstResponse:
                    "Read the PostgreSQL log for the `archive-push` error (S3 unreachable, credentials, TLS, stanza); in the postgres container run `eval \"$(ptc-backup pitr-env)\"; pgbackrest check`; fix the cause. Never delete files from pg_wal.",
                expr: `increase(pg_stat_archiver_failed_count{${pg}}[${failWindow}]) > 0\nand on(instance)\nincrease(pg_stat_archiver_archived_count{${pg}}[${failWindow}]) == 0`,
                labels: { store: "postgres" },
                summary: "WAL archiving is failing on {{ $labels.instance }}",
                description: `PostgreSQL's archiver failed to archive WAL and archived nothing for ${failWindow} (pg_stat_archiver); changes committed since the last archived segment are not in the backup repository.`,
                runbook: "disaster-recovery",
            },
            {
                name: "WalArchivingLate",
                severity: "page",
                // Covers the seconds a write's statistics may be scraped after its segment's archive.
                forSeconds: 60,
                detection: { kind: "clock" },
                meaning: `Rows changed but PostgreSQL archived no WAL segment for ${late} (${WAL_ARCHIVE_LATE_FACTOR} × archive_timeout ${promDuration(r.archiveTimeoutSeconds)}): the archiver is stuck or archiving is off, and the point-in-time RPO is exceeded. Quiet on an idle database (nothing to archive) and for checkpoint_timeout + ${late} after PostgreSQL starts.`,
                firstResponse:
                    "In the postgres container: `SELECT * FROM pg_stat_archiver`, `SHOW archive_mode`, `SHOW archive_command` (must be pgBackRest's); look for a hung `pgbackrest archive-push` process and read the PostgreSQL log; WalArchivingFailing fires too when it fails outright.",
                expr: [
                    `(increase(pg_stat_archiver_archived_count{${pg}}[${late}]) == 0)`,
                    "and on(instance)",
                    `(${rowsChanged} > 0)`,
                    // The first timed WAL switch after a start waits for the first checkpoint.
                    "unless on(instance)",
                    `((time() - max by (instance) (pg_postmaster_start_time_seconds{${pg}})) < on(instance) (max by (instance) (pg_settings_checkpoint_timeout_seconds{${pg}}) + ${lateSeconds}))`,
                ].join("\n"),
                labels: { store: "postgres" },
                summary: "WAL archiving is late on {{ $labels.instance }}",
                description: `Rows were inserted, updated or deleted in the last ${late}, yet PostgreSQL archived no WAL segment in that time (archive_timeout ${promDuration(r.archiveTimeoutSeconds)}).`,
                runbook: "disaster-recovery",
            },
            {
                name: "PhysicalBackupStale",
                severity: "ticket",
                forSeconds: 0,
                detection: { kind: "clock" },
                meaning: `The newest successful physical (pgBackRest) backup of a type is older than its limit (${maxAgeText}), or there is none since the Pushgateway started that long ago: a restore replays more WAL (a longer RTO), and without a full backup there is nothing to restore once retention expires.`,
                firstResponse:
                    "Run `ptc-backup base-backup --type <type>` by hand and read its one-line error; check that type's schedule, the bucket credentials and PhysicalBackupFailed.",
                // A backup of a type counts for every smaller type too (a full is a base for what a
                // diff or incr would give): the sidecar's schedule table runs only the first type due
                // in a minute, so on the full's day there is no diff, and at the diff's hour no incr.
                expr: anyOf(
                    ...PHYSICAL_BACKUP_TYPES.map(
                        (t) =>
                            `label_replace((time() - max(ptc_pitr_backup_last_success_timestamp_seconds{type=~"${typesAtLeast(t)}"})) > ${maxAge[t]}, "type", "${t}", "", "")`,
                    ),
                    ...PHYSICAL_BACKUP_TYPES.map(
                        (t) =>
                            `label_replace(absent(ptc_pitr_backup_last_success_timestamp_seconds{type=~"${typesAtLeast(t)}"}) and ${pushgatewayUpFor(maxAge[t])}, "type", "${t}", "", "")`,
                    ),
                ),
                labels: { store: "postgres" },
                summary: "No successful {{ $labels.type }} (or larger) physical backup within its schedule",
                description: `The newest successful {{ $labels.type }} backup (pgBackRest), or a larger one (full ⊃ diff ⊃ incr), is older than its limit (${maxAgeText}), or there is none.`,
                runbook: "disaster-recovery",
            },
            {
                name: "PhysicalBackupFailed",
                severity: "ticket",
                forSeconds: 0,
                detection: { kind: "next-scrape" },
                meaning: "The latest physical backup run failed: its failure is newer than the newest successful physical backup of any type.",
                firstResponse:
                    "Read the base-backup job's log line (S3, credentials, stanza, PostgreSQL unreachable, archive_command not pgBackRest's); fix it and run `ptc-backup base-backup` by hand before PhysicalBackupStale fires.",
                expr: anyOf(
                    "max(ptc_pitr_backup_last_failure_timestamp_seconds) > on() max(ptc_pitr_backup_last_success_timestamp_seconds)",
                    "(max(ptc_pitr_backup_last_failure_timestamp_seconds) unless on() max(ptc_pitr_backup_last_success_timestamp_seconds))",
                ),
                labels: { store: "postgres" },
                summary: "The last physical backup failed",
                description: "ptc-backup base-backup reported a failure after the newest successful physical backup.",
                runbook: "disaster-recovery",
            },
            {
                name: "PhysicalRestoreDrillStale",
                severity: "ticket",
                forSeconds: 0,
                detection: { kind: "clock" },
                meaning: `No successful physical restore drill (pgBackRest restore, recovery, a scratch PostgreSQL answering) within ${promDuration(drillMax)}, or none since the Pushgateway started that long ago: point-in-time recovery is unproven.`,
                firstResponse:
                    "Run `ptc-backup drill` by hand and read its error; with BACKUP_DRILL_PHYSICAL=auto the drill skips the physical path where PGDATA or pgbackrest is missing: set it to `on` to see why.",
                expr: anyOf(
                    `(time() - max(ptc_restore_drill_physical_last_success_timestamp_seconds)) > ${drillMax}`,
                    `(absent(ptc_restore_drill_physical_last_success_timestamp_seconds) and ${pushgatewayUpFor(drillMax)})`,
                ),
                labels: { store: "postgres" },
                summary: "The physical restore drill has not succeeded recently",
                description: `No successful physical restore drill within ${promDuration(drillMax)}.`,
                runbook: "disaster-recovery",
            },
            {
                name: "PhysicalRestoreDrillSlow",
                severity: "ticket",
                forSeconds: 0,
                detection: { kind: "next-scrape" },
                meaning: `The last physical restore drill took longer than the RTO (${promDuration(r.drillRtoSeconds)}) until the restored PostgreSQL answered queries.`,
                firstResponse:
                    "Compare the drill's RTO with the physical backup size and the WAL written since the last full or differential backup; take a fresh full or differential backup (less WAL to replay), and give the restore more CPU, disk throughput or pgBackRest processes.",
                expr: `max(ptc_restore_drill_physical_rto_seconds) > ${r.drillRtoSeconds}`,
                labels: { store: "postgres" },
                summary: "The last physical restore drill exceeded the RTO",
                description: `The last physical restore drill needed more than ${promDuration(r.drillRtoSeconds)} until PostgreSQL answered queries.`,
                runbook: "disaster-recovery",
            },
        ];
        return r.pitr ? all : all.filter((a) => !PITR_ALERTS.has(a.name));
    },
};
