/**
 * The backup schedules: an hourly `ptc-backup backup` of PostgreSQL and Redis to the backup bucket,
 * and a daily `ptc-backup drill` that proves the latest backup restores.
 */
import * as pulumi from "@pulumi/pulumi";
import { Platform, ResourceSpec, validateSpec } from "../platform/spec";
import { WorkloadComponent } from "../workload";
import {
    BackupRunInputs,
    BackupTarget,
    backupScheduleSpec,
    cronProblem,
    DEFAULT_BACKUP_CRON,
    DEFAULT_BACKUP_DEADLINE_SECONDS,
    DEFAULT_BACKUP_RESOURCES,
    DEFAULT_BACKUP_USER,
    DEFAULT_DRILL_CRON,
    DEFAULT_DRILL_DEADLINE_SECONDS,
    DEFAULT_SCRATCH_MI,
    drillScheduleSpec,
    PostgresTarget,
    RedisTarget,
} from "./schedules";

/** Arguments of {@link Backups}. */
export interface BackupsArgs {
    /** The stack's platform. */
    readonly platform: Platform;
    /** The backup image (built from components/backup/Dockerfile), pinned by tag or digest. */
    readonly image: pulumi.Input<string>;
    /** The bucket: a `BackupBucket`, or its outputs. */
    readonly bucket: BackupTarget & { readonly readyResources?: pulumi.Resource[] };
    /** The database to back up (a `Postgres` component fits). */
    readonly postgres: PostgresTarget;
    /** The cache to back up (a `Redis` component fits). */
    readonly redis: RedisTarget;
    /** Cron (UTC) of the backups; the interval between runs is the RPO. Defaults to "0 * * * *" (hourly). */
    readonly backupCron?: string;
    /** Cron (UTC) of the restore drill. Defaults to "30 3 * * *" (daily 03:30). */
    readonly drillCron?: string;
    /** Pushgateway base URL the runs report to (e.g. http://pushgateway:9091). Defaults to none. */
    readonly pushgatewayUrl?: pulumi.Input<string>;
    /** URL pinged on success and failure (e.g. a healthchecks.io check); secret. Defaults to none. */
    readonly healthcheckUrl?: pulumi.Input<string>;
    /** CPU and memory of a run. Defaults to 250m / 512Mi (limit 1Gi). */
    readonly resources?: ResourceSpec;
    /** Numeric uid:gid of the backup image's non-root user. Defaults to "10001:10001" (the ptcbackup user of components/backup/Dockerfile). */
    readonly user?: string;
    /** Seconds a backup may run before it is killed. Defaults to 3000. */
    readonly backupDeadlineSeconds?: number;
    /** Seconds a drill may run before it is killed: the RTO the drill proves. Defaults to 1800. */
    readonly drillDeadlineSeconds?: number;
    /** Size of a run's writable /tmp in MiB. Defaults to 256. */
    readonly scratchMi?: number;
    /** Workload name of the backup schedule. Defaults to "backup". */
    readonly backupWorkloadName?: string;
    /** Workload name of the restore-drill schedule. Defaults to "restore-drill". */
    readonly drillWorkloadName?: string;
}

/**
 * Schedules `ptc-backup backup` (role "backup", annotated with the stores it covers) and
 * `ptc-backup drill` (role "restore-drill") on the platform, in the ops tier, as the image's
 * non-root user, with credentials only in secret env.
 */
export class Backups extends WorkloadComponent {
    /** Cron of the backup schedule. */
    public readonly backupCron: pulumi.Output<string>;
    /** Cron of the restore-drill schedule. */
    public readonly drillCron: pulumi.Output<string>;
    /** Workload names of the stores the backups cover. */
    public readonly covers: pulumi.Output<string[]>;
    /** Workload name of the backup schedule. */
    public readonly backupWorkloadName: string;
    /** Workload name of the restore-drill schedule. */
    public readonly drillWorkloadName: string;

    constructor(name: string, args: BackupsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("proteamcare:backup:Backups", name, opts);

        const backupCron = args.backupCron ?? DEFAULT_BACKUP_CRON;
        const drillCron = args.drillCron ?? DEFAULT_DRILL_CRON;
        const user = args.user ?? DEFAULT_BACKUP_USER;
        const backupDeadline = args.backupDeadlineSeconds ?? DEFAULT_BACKUP_DEADLINE_SECONDS;
        const drillDeadline = args.drillDeadlineSeconds ?? DEFAULT_DRILL_DEADLINE_SECONDS;
        const scratchMi = args.scratchMi ?? DEFAULT_SCRATCH_MI;
        const backupName = args.backupWorkloadName ?? "backup";
        const drillName = args.drillWorkloadName ?? "restore-drill";

        const problems: string[] = [];
        const bc = cronProblem(backupCron);
        if (bc) problems.push(`backupCron: ${bc}`);
        const dc = cronProblem(drillCron);
        if (dc) problems.push(`drillCron: ${dc}`);
        for (const [key, v] of [
            ["backupDeadlineSeconds", backupDeadline],
            ["drillDeadlineSeconds", drillDeadline],
            ["scratchMi", scratchMi],
        ] as const) {
            if (!(Number.isInteger(v) && v >= 1)) problems.push(`${key} must be a positive whole number, got ${v}`);
        }
        if (!/^\d+:\d+$/.test(user) || /^0+:/.test(user)) {
            problems.push(`user must be a numeric non-root "uid:gid" (the backup image's user), got "${user}"`);
        }
        if (typeof args.image === "string") {
            if (args.image.trim() === "") problems.push(`image must name the backup image (built from components/backup/Dockerfile)`);
        }
        for (const [key, w] of [
            ["postgres.workloadName", args.postgres.workloadName],
            ["redis.workloadName", args.redis.workloadName],
        ] as const) {
            if (!w) problems.push(`${key} must name the store's workload (it goes into the backup-of annotation)`);
        }
        for (const w of [backupName, drillName]) {
            problems.push(...validateSpec(w, { image: "", resources: { cpu: "1", memory: "1Mi" }, tier: "ops" }));
        }
        if (backupName === drillName) problems.push(`backupWorkloadName and drillWorkloadName must differ (both "${backupName}")`);
        this.refuse(problems, `Backups ${name}`);

        const run: BackupRunInputs = {
            image: args.image,
            component: name,
            postgres: args.postgres,
            redis: args.redis,
            bucket: args.bucket,
            pushgatewayUrl: args.pushgatewayUrl,
            healthcheckUrl: args.healthcheckUrl,
            resources: args.resources ?? DEFAULT_BACKUP_RESOURCES,
            user,
            scratchMi,
        };
        const dependsOn = args.bucket.readyResources ?? [];
        args.platform.schedule(backupName, backupScheduleSpec(run, backupCron, backupDeadline), { parent: this, dependsOn });
        args.platform.schedule(drillName, drillScheduleSpec(run, drillCron, drillDeadline), { parent: this, dependsOn });

        this.backupCron = pulumi.output(backupCron);
        this.drillCron = pulumi.output(drillCron);
        this.covers = pulumi.output([args.postgres.workloadName, args.redis.workloadName]);
        this.backupWorkloadName = backupName;
        this.drillWorkloadName = drillName;
        this.publish(["backupCron", "drillCron", "covers"]);
    }
}
