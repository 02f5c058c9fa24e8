/**
 * Pure builders for the backup and restore-drill schedules: cron validation, the environment of
 * the `ptc-backup` script contract, and the platform-neutral schedule specs. No resources here.
 */
import { Cron } from "croner";
import * as pulumi from "@pulumi/pulumi";
import { CA_BUNDLE_PATH } from "../data/pitr";
import { ANNOTATIONS, LABELS, ResourceSpec, ScheduleSpec } from "../platform/spec";

/** Hourly backups: a recovery point objective of at most one hour. */
export const DEFAULT_BACKUP_CRON = "0 * * * *";
/** The restore drill runs daily at 03:30 UTC, between two hourly backups. */
export const DEFAULT_DRILL_CRON = "30 3 * * *";
/**
 * The backup image's user: the image is built FROM postgres:16, whose `postgres` user is uid/gid 999;
 * the Dockerfile runs the tool as that numeric user.
 */
export const DEFAULT_BACKUP_USER = "10001:10001";
/** Default CPU and memory of a backup or drill run (awscli buffers multipart chunks in memory). */
export const DEFAULT_BACKUP_RESOURCES: ResourceSpec = { cpu: "250m", memory: "512Mi", memoryLimit: "1Gi" };
/** A backup run is killed after this many seconds, before the next hourly run is due. */
export const DEFAULT_BACKUP_DEADLINE_SECONDS = 3000;
/** A drill run is killed after 30 minutes: a drill slower than that misses the RTO and must fail. */
export const DEFAULT_DRILL_DEADLINE_SECONDS = 1800;
/** Size of the writable /tmp of a run (the root filesystem is read-only; nothing full-size is written). */
export const DEFAULT_SCRATCH_MI = 256;
/** Where the backup tool is on the image's PATH. */
export const BACKUP_TOOL = "ptc-backup";

const CRON_FIELDS: readonly { readonly name: string; readonly min: number; readonly max: number }[] = [
    { name: "minute", min: 0, max: 59 },
    { name: "hour", min: 0, max: 23 },
    { name: "day-of-month", min: 1, max: 31 },
    { name: "month", min: 1, max: 12 },
    // Kubernetes (robfig/cron) refuses 7 for Sunday; 0 works everywhere.
    { name: "day-of-week", min: 0, max: 6 },
];

/**
 * Checks a cron expression: five space-separated fields (minute hour day-of-month month
 * day-of-week) of `*`, numbers, ranges `a-b`, lists `a,b` and steps `* /n` or `a-b/n` — the syntax
 * both Kubernetes CronJobs and the docker platform's cron loop accept. Returns a message, or
 * undefined when the expression is valid.
 */
export function cronProblem(expr: string): string | undefined {
    const want = `5 fields "minute hour day-of-month month day-of-week" of *, numbers, a-b ranges, a,b lists and /n steps, e.g. "${DEFAULT_BACKUP_CRON}"`;
    if (typeof expr !== "string") return `cron expression must be a string of ${want}`;
    const fields = expr.trim().split(/\s+/);
    if (fields.length !== 5 || fields[0] === "") {
        return `cron expression "${expr}" has ${fields[0] === "" ? 0 : fields.length} fields; want ${want}`;
    }
    for (let f = 0; f < 5; f++) {
        const { name, min, max } = CRON_FIELDS[f];
        for (const part of fields[f].split(",")) {
            const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
            if (!m) return `cron expression "${expr}": ${name} field "${fields[f]}" is not valid; want ${want}`;
            const lo = m[2] === undefined ? min : Number(m[2]);
            const hi = m[3] === undefined ? (m[2] === undefined ? max : lo) : Number(m[3]);
            if (lo < min || hi > max || lo > hi) {
                return `cron expression "${expr}": ${name} field "${fields[f]}" is out of range ${min}-${max}`;
            }
            if (m[4] !== undefined && Number(m[4]) < 1) {
                return `cron expression "${expr}": ${name} field "${fields[f]}" has a step below 1`;
            }
        }
    }
    return undefined;
}

/** Connection to the PostgreSQL being backed up (structurally the `Postgres` component). */
export interface PostgresTarget {
    /** Host name. */
    readonly host: pulumi.Input<string>;
    /** Port. */
    readonly port: pulumi.Input<number>;
    /** Database to back up. */
    readonly database: pulumi.Input<string>;
    /** User; needs read access to every table, and CREATEDB for the restore drill's scratch database. */
    readonly user: pulumi.Input<string>;
    /** Password (secret). */
    readonly password: pulumi.Input<string>;
    /** Workload name of the store (for the backup-of annotation). */
    readonly workloadName: string;
}

/** Connection to the Redis being backed up (structurally the `Redis` component). */
export interface RedisTarget {
    /** Host name. */
    readonly host: pulumi.Input<string>;
    /** Port. */
    readonly port: pulumi.Input<number>;
    /** Password (secret). */
    readonly password: pulumi.Input<string>;
    /** Workload name of the store (for the backup-of annotation). */
    readonly workloadName: string;
}

/** Where backups go and with which credentials (structurally the `BackupBucket` component). */
export interface BackupTarget {
    /** s3://bucket/prefix. */
    readonly s3Uri: pulumi.Input<string>;
    /** Region of the bucket. */
    readonly region: pulumi.Input<string>;
    /** Endpoint of an S3-compatible store; undefined for AWS. */
    readonly endpointUrl?: pulumi.Input<string>;
    /** Access key id of the backup identity. */
    readonly accessKeyId: pulumi.Input<string>;
    /** Secret access key of the backup identity (secret). */
    readonly secretAccessKey: pulumi.Input<string>;
    /** PEM CA bundle that signs a private endpoint's certificate (a file, AWS_CA_BUNDLE). Defaults to the system CAs. */
    readonly caBundle?: pulumi.Input<string>;
}

/** Everything a backup or drill run needs, resolved. */
export interface BackupRunInputs {
    /** The backup image. */
    readonly image: pulumi.Input<string>;
    /** Component name (label). */
    readonly component: string;
    /** The database. */
    readonly postgres: PostgresTarget;
    /** The cache. */
    readonly redis: RedisTarget;
    /** The bucket. */
    readonly bucket: BackupTarget;
    /** Pushgateway base URL. Defaults to none (metrics are not pushed). */
    readonly pushgatewayUrl?: pulumi.Input<string>;
    /** URL pinged on success and failure (secret: such URLs embed a token). Defaults to none. */
    readonly healthcheckUrl?: pulumi.Input<string>;
    /** CPU and memory. */
    readonly resources: ResourceSpec;
    /** Numeric uid:gid of the image's non-root user. */
    readonly user: string;
    /** Size of /tmp in MiB. */
    readonly scratchMi: number;
}

/** The plain environment of the script contract (issue 3): libpq, Redis, bucket, region, Pushgateway. */
export function backupEnv(i: BackupRunInputs): Record<string, pulumi.Input<string>> {
    const env: Record<string, pulumi.Input<string>> = {
        AWS_DEFAULT_REGION: i.bucket.region,
        BACKUP_S3_URI: i.bucket.s3Uri,
        // Read-only root filesystem: tools that want a home (awscli, psql) get the scratch /tmp.
        HOME: "/tmp",
        PGDATABASE: i.postgres.database,
        PGHOST: i.postgres.host,
        PGPORT: pulumi.output(i.postgres.port).apply(String),
        PGUSER: i.postgres.user,
        REDIS_HOST: i.redis.host,
        REDIS_PORT: pulumi.output(i.redis.port).apply(String),
    };
    if (i.bucket.endpointUrl !== undefined) env.S3_ENDPOINT_URL = i.bucket.endpointUrl;
    // awscli and curl read a private CA from this file (the same path and variable as pgBackRest's side).
    if (i.bucket.caBundle !== undefined) env.AWS_CA_BUNDLE = CA_BUNDLE_PATH;
    if (i.pushgatewayUrl !== undefined) env.PUSHGATEWAY_URL = i.pushgatewayUrl;
    return env;
}

/** The secret environment of the script contract: passwords, the AWS credentials, the healthcheck URL. */
export function backupSecretEnv(i: BackupRunInputs): Record<string, pulumi.Input<string>> {
    const env: Record<string, pulumi.Input<string>> = {
        AWS_ACCESS_KEY_ID: pulumi.secret(i.bucket.accessKeyId),
        AWS_SECRET_ACCESS_KEY: pulumi.secret(i.bucket.secretAccessKey),
        PGPASSWORD: pulumi.secret(i.postgres.password),
        REDIS_PASSWORD: pulumi.secret(i.redis.password),
    };
    if (i.healthcheckUrl !== undefined) env.BACKUP_HEALTHCHECK_URL = pulumi.secret(i.healthcheckUrl);
    return env;
}

/** Fields shared by the backup and drill specs. */
function runSpec(i: BackupRunInputs, role: string): Omit<ScheduleSpec, "cron" | "command"> {
    return {
        image: i.image,
        entrypoint: [BACKUP_TOOL],
        env: backupEnv(i),
        secretEnv: backupSecretEnv(i),
        ...(i.bucket.caBundle !== undefined ? { files: [{ path: CA_BUNDLE_PATH, content: i.bucket.caBundle }] } : {}),
        resources: i.resources,
        user: i.user,
        readOnlyRootFilesystem: true,
        scratch: [{ mountPath: "/tmp", sizeMi: i.scratchMi }],
        tier: "ops",
        labels: { [LABELS.component]: i.component, [LABELS.role]: role },
    };
}

/**
 * The hourly backup: `ptc-backup backup`, role "backup", annotated with the stores it covers. The
 * entrypoint is set explicitly so the run does not depend on the image's ENTRYPOINT.
 */
export function backupScheduleSpec(i: BackupRunInputs, cron: string, deadlineSeconds: number): ScheduleSpec {
    const base = runSpec(i, "backup");
    return {
        ...base,
        command: ["backup"],
        cron,
        deadlineSeconds,
        // A failed hourly run is retried once; the next hour brings a fresh attempt anyway.
        backoffLimit: 1,
        annotations: { [ANNOTATIONS.backupOf]: [i.postgres.workloadName, i.redis.workloadName].join(",") },
    };
}

/**
 * The daily restore drill: `ptc-backup drill` (restore the latest backup into a scratch database,
 * check it, time it, drop it), role "restore-drill". Not retried: a flaky drill is a finding.
 */
export function drillScheduleSpec(i: BackupRunInputs, cron: string, deadlineSeconds: number): ScheduleSpec {
    return {
        ...runSpec(i, "restore-drill"),
        command: ["drill"],
        cron,
        deadlineSeconds,
        backoffLimit: 0,
    };
}

/**
 * The longest gap, in seconds, between consecutive runs of any of `crons` together (UTC), over
 * `days` days from a fixed start: how old the newest of those runs can get on schedule. Used for
 * the physical backups' staleness limits, where a larger backup type stands in for a smaller one
 * (the sidecar's table runs only the first type due in a minute), so the gap is of the union.
 */
export function cronsMaxGapSeconds(crons: readonly string[], days = 35): number {
    const start = new Date(Date.UTC(2024, 0, 1));
    const end = start.getTime() + days * 86_400_000;
    const runs: number[] = [];
    for (const expr of crons) {
        const cron = new Cron(expr, { mode: "5-part", timezone: "Etc/UTC", paused: true });
        for (let t = cron.nextRun(start); t !== null && t.getTime() < end; t = cron.nextRun(t)) runs.push(t.getTime());
    }
    const sorted = [...new Set(runs)].sort((a, b) => a - b);
    if (sorted.length < 2) return Infinity;
    let gap = 0;
    for (let i = 1; i < sorted.length; i++) gap = Math.max(gap, sorted[i] - sorted[i - 1]);
    return gap / 1000;
}

/**
 * Staleness limit of a backup made every `gapSeconds` at most: the gap plus a margin for the run
 * itself and a late start (an hour, or a seventh of the gap when that is longer: 2 h for hourly,
 * 27.4 h for daily, 8 d for weekly).
 */
export function staleAfterSeconds(gapSeconds: number): number {
    return Math.round(gapSeconds + Math.max(3600, gapSeconds / 7));
}
