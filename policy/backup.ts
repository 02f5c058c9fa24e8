/**
 * Backup rules (stack level): every data store is covered by a backup schedule that runs at
 * least once per RPO; in dev, the MinIO object store has its bucket-init job.
 */
import { formatMinutes, maxCronGapMinutes } from "./cron";
import { ANNOTATIONS, LABELS } from "./labels";
import { arr, at, isWorkload, metaOf, splitList, str, Subject, TYPES, workloadName } from "./resources";
import { Finding, stackRule } from "./rule";

/** Resolved config of {@link backupCoverage}. */
export interface BackupConfig {
    /** Recovery point objective: longest allowed time between two backup runs, minutes. */
    readonly rpoMinutes: number;
    /** Values of the proteamcare.io/store label that mark a data store needing backups. */
    readonly storeKinds: readonly string[];
}

/** A backup schedule found in the stack. */
interface BackupSchedule {
    readonly subject: Subject;
    readonly workload: string;
    readonly covers: readonly string[];
    readonly cron?: string;
    readonly gapMinutes: number;
    readonly suspended: boolean;
}

function isRunToCompletion(r: Subject): boolean {
    if (r.type === TYPES.job || r.type === TYPES.cronJob) return true;
    const kind = metaOf(r).labels[LABELS.kind];
    return r.type === TYPES.container && (kind === "job" || kind === "schedule");
}

function backupSchedules(resources: readonly Subject[], out: Finding[]): BackupSchedule[] {
    const schedules: BackupSchedule[] = [];
    for (const r of resources) {
        const isDockerSchedule = r.type === TYPES.container && metaOf(r).labels[LABELS.kind] === "schedule";
        if (!isDockerSchedule && r.type !== TYPES.cronJob) continue;
        const meta = metaOf(r);
        if (meta.labels[LABELS.role] !== "backup") continue;
        const cron = r.type === TYPES.cronJob ? (str(at(r.props, "spec", "schedule")) ?? meta.annotations[ANNOTATIONS.schedule]) : meta.annotations[ANNOTATIONS.schedule];
        const workload = workloadName(r);
        let gapMinutes = Infinity;
        if (cron === undefined || cron.trim() === "") {
            out.push({ check: "invalid-schedule", urn: r.urn, message: `backup schedule "${workload}" has no cron expression; set its schedule (${ANNOTATIONS.schedule} on docker)` });
        } else {
            try {
                gapMinutes = maxCronGapMinutes(cron);
            } catch (e) {
                out.push({ check: "invalid-schedule", urn: r.urn, message: `backup schedule "${workload}": ${(e as Error).message}; fix the cron expression` });
            }
        }
        schedules.push({
            subject: r,
            workload,
            covers: splitList(meta.annotations[ANNOTATIONS.backupOf]),
            cron,
            gapMinutes,
            suspended: r.type === TYPES.cronJob && at(r.props, "spec", "suspend") === true,
        });
    }
    return schedules;
}

/** `backup-coverage`: every data store has a backup schedule within the RPO. */
export const backupCoverage = stackRule<BackupConfig>({
    name: "backup-coverage",
    description:
        "Checks that every data store (a workload labelled proteamcare.io/store postgres or redis, or a StatefulSet with volumeClaimTemplates) " +
        "is named in the proteamcare.io/backup-of annotation of a backup schedule whose cron runs at least once per RPO.",
    checks: {
        "store-unbacked": "a labelled data store has no backup schedule naming it",
        "volume-unbacked": "a StatefulSet with volumeClaimTemplates has no backup schedule naming it",
        "rpo-exceeded": "the store's backup schedule leaves a gap longer than the RPO",
        "invalid-schedule": "a backup schedule has no cron or an invalid one",
        "unknown-store": "a backup schedule names a workload that is not in the stack",
    },
    config: {
        rpoMinutes: { type: "number", exclusiveMinimum: 0, default: 60, description: "Recovery point objective: longest gap between backups, minutes." },
        storeKinds: { type: "array", items: { type: "string" }, default: ["postgres", "redis"], description: "proteamcare.io/store values that need backups." },
    },
    check(resources, cfg): Finding[] {
        const out: Finding[] = [];
        const schedules = backupSchedules(resources, out);
        const workloads = new Set(resources.filter((r) => isWorkload(r.type)).map((r) => workloadName(r)));
        for (const s of schedules) {
            for (const name of s.covers) {
                if (!workloads.has(name)) {
                    out.push({ check: "unknown-store", urn: s.subject.urn, message: `backup schedule "${s.workload}" names "${name}" in ${ANNOTATIONS.backupOf}, but no workload has that name; fix the annotation` });
                }
            }
        }
        for (const r of resources) {
            if (!isWorkload(r.type) || isRunToCompletion(r)) continue;
            const storeKind = metaOf(r).labels[LABELS.store];
            let check: "store-unbacked" | "volume-unbacked";
            let what: string;
            if (storeKind !== undefined && cfg.storeKinds.includes(storeKind)) {
                check = "store-unbacked";
                what = `${storeKind} store`;
            } else if (storeKind === undefined && r.type === TYPES.statefulSet && arr(at(r.props, "spec", "volumeClaimTemplates")).length > 0) {
                // A store label decides on its own: an "object-store" (the backup target itself) is not backed up by schedule.
                check = "volume-unbacked";
                what = "volume-backed StatefulSet";
            } else {
                continue;
            }
            const workload = workloadName(r);
            const covering = schedules.filter((s) => s.covers.includes(workload));
            const active = covering.filter((s) => !s.suspended && Number.isFinite(s.gapMinutes));
            if (active.length === 0) {
                const why = covering.length > 0 ? `its backup schedule ${covering.map((s) => `"${s.workload}"`).join(", ")} is suspended or has no valid cron` : "no backup schedule names it";
                out.push({
                    check,
                    urn: r.urn,
                    message: `${what} "${workload}" is not backed up: ${why}; add a backup schedule with ${ANNOTATIONS.backupOf}: ${workload} running at least every ${formatMinutes(cfg.rpoMinutes)}`,
                });
                continue;
            }
            const best = active.reduce((a, b) => (b.gapMinutes < a.gapMinutes ? b : a));
            if (best.gapMinutes > cfg.rpoMinutes) {
                out.push({
                    check: "rpo-exceeded",
                    urn: r.urn,
                    message:
                        `${what} "${workload}" is backed up by "${best.workload}" (cron "${best.cron}"), which can leave ${formatMinutes(best.gapMinutes)} between runs, ` +
                        `more than the RPO of ${formatMinutes(cfg.rpoMinutes)}; run it at least every ${formatMinutes(cfg.rpoMinutes)}`,
                });
            }
        }
        return out;
    },
});

/**
 * `object-store-bucket-init`: a dev object store (MinIO) has its bucket-init job.
 *
 * The dev bucket lives inside a MinIO workload, not in any resource the engine sees: versioning,
 * encryption and access policy are set by the bucket-init job at run time and are proven by the
 * integration tests, not by the pack. What the pack can see is that the job exists; the workload
 * itself is covered by the workload and security rules (image, secret env, non-root, no host port).
 */
export const objectStoreBucketInit = stackRule({
    name: "object-store-bucket-init",
    description: "Checks that a stack running an object-store workload (dev MinIO) also runs the bucket-init job that creates its versioned bucket.",
    checks: { "bucket-init-missing": "an object store has no bucket-init job in the stack" },
    config: {},
    check(resources): Finding[] {
        const hasInit = resources.some((r) => isWorkload(r.type) && metaOf(r).labels[LABELS.role] === "bucket-init");
        if (hasInit) return [];
        return resources
            .filter((r) => isWorkload(r.type) && !isRunToCompletion(r) && metaOf(r).labels[LABELS.store] === "object-store")
            .map((r) => ({
                check: "bucket-init-missing",
                urn: r.urn,
                message: `object store "${workloadName(r)}" has no bucket-init job (${LABELS.role}: bucket-init) to create its bucket with versioning; add one`,
            }));
    },
});

/** The backup rules. */
export const backupPolicies = [backupCoverage, objectStoreBucketInit];
