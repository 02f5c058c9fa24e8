/**
 * The alert contract: names, severities, catalogue entries and the input every rule domain reads.
 *
 * The alert names are a contract (runbooks, the README catalogue and Alertmanager's routes and
 * inhibitions use them): Watchdog, TargetDown, UptimeProbeFailing, ApiErrorBudgetBurnFast,
 * ApiErrorBudgetBurnSlow, ApiErrorBudgetBurnTicket, PostgresDown, RedisDown, BackupStale,
 * BackupFailed, RestoreDrillFailed, RestoreDrillSlow, WalArchivingFailing, WalArchivingLate,
 * PhysicalBackupStale, PhysicalBackupFailed, PhysicalRestoreDrillStale, PhysicalRestoreDrillSlow,
 * DiskWillFillIn4h, CertificateExpiresSoon.
 */

/** Alert severities; Alertmanager routes on them. `none` is only the Watchdog. */
export type Severity = "page" | "ticket" | "none";

/** The alerts about WAL archiving and physical backups: left out when the stack has no PITR. */
export const PITR_ALERT_NAMES = [
    "WalArchivingFailing",
    "WalArchivingLate",
    "PhysicalBackupStale",
    "PhysicalBackupFailed",
    "PhysicalRestoreDrillStale",
    "PhysicalRestoreDrillSlow",
] as const;

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
    ...PITR_ALERT_NAMES,
    "DiskWillFillIn4h",
    "CertificateExpiresSoon",
] as const;

/** One alert name of the contract. */
export type AlertName = (typeof ALERT_NAMES)[number];

/**
 * How the expression of an alert turns true after its reference fault; the latency budget
 * ({@link ../latency}) turns it into seconds.
 * - `failed-scrape`: the next scrape (or probe) fails or reports the fault: up to one scrape
 *   interval until it starts plus the scrape timeout until a hung target gives up.
 * - `next-scrape`: the next successful scrape carries the new value: up to one scrape interval.
 * - `clock`: the condition is a function of `time()` over data already scraped: no scrape wait.
 * - `burn`: a total outage of the API (every request a 5xx) must last `errorSeconds` before the
 *   slowest window's error ratio crosses its threshold, plus one scrape interval.
 * - `quiet-window`: the condition asks for a window of `windowSeconds` without a success (e.g. no
 *   WAL segment archived): a success just before the fault keeps it false for up to that window,
 *   plus one scrape interval until the first failure is scraped.
 */
export type Detection =
    | { readonly kind: "failed-scrape" }
    | { readonly kind: "next-scrape" }
    | { readonly kind: "clock" }
    | { readonly kind: "burn"; readonly errorSeconds: number }
    | { readonly kind: "quiet-window"; readonly windowSeconds: number };

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
    /** The anchor its runbook_url points at, e.g. `alert-postgresdown` (in the README or the DR runbook). */
    readonly anchor: string;
    /** The document its runbook_url points at. */
    readonly runbook: RunbookDoc;
    /** The rule's `for`, in seconds. */
    readonly forSeconds: number;
    /** How its expression turns true after the fault (for the latency budget). */
    readonly detection: Detection;
}

/** README the runbook links point at until a stack passes its own browse URL. */
export const DEFAULT_RUNBOOK_BASE_URL = "README.md";

/** The disaster-recovery runbook the point-in-time-recovery alerts link to, until a stack passes its own browse URL. */
export const DEFAULT_DR_RUNBOOK_URL = "docs/disaster-recovery.md";

/** Which document an alert's runbook link points at: the README catalogue or the disaster-recovery runbook. */
export type RunbookDoc = "readme" | "disaster-recovery";

/** The physical (pgBackRest) backup types, the `type` label of `ptc_pitr_backup_*`. */
export const PHYSICAL_BACKUP_TYPES = ["full", "diff", "incr"] as const;

/** One physical backup type. */
export type PhysicalBackupType = (typeof PHYSICAL_BACKUP_TYPES)[number];

/**
 * Longest age of the newest successful physical backup of each type before PhysicalBackupStale:
 * the default schedules (full weekly, differential daily, incremental hourly) plus a margin for a
 * late or slow run: full 8 d, diff 26 h, incr 2 h.
 */
export const DEFAULT_PHYSICAL_BACKUP_MAX_AGE_SECONDS: Readonly<Record<PhysicalBackupType, number>> = {
    full: 8 * 86400,
    diff: 26 * 3600,
    incr: 2 * 3600,
};

/** WalArchivingLate waits this many archive_timeouts without an archived segment (while rows change). */
export const WAL_ARCHIVE_LATE_FACTOR = 3;

/** README anchor of an alert name. */
export function alertAnchor(name: AlertName): string {
    return `alert-${name.toLowerCase()}`;
}

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
    /**
     * PostgreSQL's `archive_timeout`, seconds: with rows changing, a WAL segment is archived at
     * least this often; WalArchivingLate fires after {@link WAL_ARCHIVE_LATE_FACTOR} × this
     * without one. Defaults to 60 (the RPO bound of issue 11).
     */
    readonly archiveTimeoutSeconds?: number;
    /**
     * Longest allowed age of the newest successful physical backup, per type, seconds (its
     * schedule plus a margin). Defaults to {@link DEFAULT_PHYSICAL_BACKUP_MAX_AGE_SECONDS}.
     */
    readonly physicalBackupMaxAgeSeconds?: Partial<Record<PhysicalBackupType, number>>;
    /**
     * Whether PostgreSQL archives WAL and takes physical backups (`backup.pitr.enabled`): without
     * them the WAL archiving and physical backup alerts would only fire about metrics that cannot
     * exist. Defaults to true.
     */
    readonly pitr?: boolean;
    /** Base of the runbook links; each alert appends `#alert-<name in lower case>`. Defaults to {@link DEFAULT_RUNBOOK_BASE_URL}. */
    readonly runbookBaseUrl?: string;
    /**
     * The disaster-recovery runbook the WAL archiving and physical backup alerts link to (same
     * anchors). Defaults to {@link DEFAULT_DR_RUNBOOK_URL}.
     */
    readonly drRunbookUrl?: string;
    /**
     * Test only: replaces every non-zero `for` with this many seconds so a live test sees alerts
     * quickly. Production never sets it; the latency budget is computed without it. Defaults to none.
     */
    readonly forOverrideSeconds?: number;
}

/** A resolved {@link AlertRulesInput}. */
export type ResolvedAlertRulesInput = Required<Omit<AlertRulesInput, "forOverrideSeconds" | "physicalBackupMaxAgeSeconds">> & {
    readonly physicalBackupMaxAgeSeconds: Readonly<Record<PhysicalBackupType, number>>;
    readonly forOverrideSeconds?: number;
};

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
        archiveTimeoutSeconds: input.archiveTimeoutSeconds ?? 60,
        pitr: input.pitr ?? true,
        physicalBackupMaxAgeSeconds: { ...DEFAULT_PHYSICAL_BACKUP_MAX_AGE_SECONDS, ...(input.physicalBackupMaxAgeSeconds ?? {}) },
        runbookBaseUrl: input.runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE_URL,
        drRunbookUrl: input.drRunbookUrl ?? DEFAULT_DR_RUNBOOK_URL,
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
    for (const k of ["rpoSeconds", "backupGraceSeconds", "drillIntervalSeconds", "drillGraceSeconds", "drillRtoSeconds", "archiveTimeoutSeconds"] as const) {
        if (!Number.isInteger(r[k]) || r[k] <= 0) throw new Error(`${k} must be a positive whole number of seconds, got ${r[k]}`);
    }
    for (const [t, v] of Object.entries(r.physicalBackupMaxAgeSeconds)) {
        if (!(PHYSICAL_BACKUP_TYPES as readonly string[]).includes(t)) {
            throw new Error(`physicalBackupMaxAgeSeconds.${t} is not a backup type; use ${PHYSICAL_BACKUP_TYPES.join(", ")}`);
        }
        if (!Number.isInteger(v) || v <= 0) throw new Error(`physicalBackupMaxAgeSeconds.${t} must be a positive whole number of seconds, got ${v}`);
    }
    if (r.forOverrideSeconds !== undefined && (!Number.isInteger(r.forOverrideSeconds) || r.forOverrideSeconds < 0)) {
        throw new Error(`forOverrideSeconds must be a whole, non-negative number of seconds, got ${r.forOverrideSeconds}`);
    }
    for (const k of ["runbookBaseUrl", "drRunbookUrl"] as const) {
        if (r[k].includes("#")) throw new Error(`${k} must not contain "#" (the anchor is appended), got ${r[k]}`);
    }
    return r;
}
