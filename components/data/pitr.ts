/**
 * Point-in-time recovery of PostgreSQL with pgBackRest, the pure half: the server's WAL archiving
 * (the entrypoint that loads `ptc-backup pitr-env` before the official one, and the archive
 * settings), the environment of the `ptc-backup` contract (issue 11), and the sidecar that runs
 * `ptc-backup base-backup --type full|diff|incr` on three schedules beside the server, on its data
 * directory and socket. No resources here.
 */
import * as pulumi from "@pulumi/pulumi";
import type { BackupTarget } from "../backup/schedules";
import { cronExpression, positiveInt, problemOf } from "../platform/schemas";
import { LABELS, ResourceSpec, SidecarSpec } from "../platform/spec";

/** Seconds after which a WAL segment with any change is archived even when not full: the RPO bound. */
export const DEFAULT_ARCHIVE_TIMEOUT_SECONDS = 60;
/** The weekly full backup (Sunday 01:15 UTC). */
export const DEFAULT_FULL_CRON = "15 1 * * 0";
/** The daily differential (01:15 UTC; on Sunday the full runs instead). */
export const DEFAULT_DIFF_CRON = "15 1 * * *";
/** The hourly incremental (a quarter past, away from the logical backup on the hour). */
export const DEFAULT_INCR_CRON = "15 * * * *";
/** Days pgBackRest keeps the backups and WAL needed to restore to any point within them. */
export const DEFAULT_PITR_RETENTION_DAYS = 14;
/** The pgBackRest stanza (the contract's default). */
export const DEFAULT_STANZA = "ptc";
/** Where the CA bundle of a private S3 endpoint is put in the containers (AWS_CA_BUNDLE). */
export const CA_BUNDLE_PATH = "/etc/proteamcare/backup-ca.pem";
/** Name of the backup sidecar (its container is `<workload>-pitr`). */
export const PITR_SIDECAR = "pitr";
/** Role label of the backup sidecar. */
export const PITR_ROLE = "pitr-backup";
/** PostgreSQL's Unix socket directory in the official image: the server's and pgBackRest's. */
export const SOCKET_DIR = "/var/run/postgresql";
/** Default CPU and memory of the sidecar (pgBackRest with one process, compressing). */
export const DEFAULT_PITR_RESOURCES: ResourceSpec = { cpu: "250m", memory: "256Mi", memoryLimit: "512Mi" };

/**
 * The server's entrypoint: the pgBackRest settings `ptc-backup pitr-env` prints become the
 * server's environment (so `archive_command` runs with them), then the official entrypoint runs
 * with the arguments. A failing `pitr-env` stops the container with its one-line error rather than
 * starting a server whose archiving cannot work (`eval "$(…)"` alone would hide the failure).
 */
export const PITR_ENTRYPOINT: readonly string[] = [
    "bash",
    "-c",
    'set -Eeuo pipefail; pitr=$(ptc-backup pitr-env); eval "$pitr"; exec docker-entrypoint.sh "$@"',
    "ptc-postgres",
];

/** The server's arguments: WAL archiving through pgBackRest, a segment at least every `archiveTimeoutSeconds`. */
export function archiveCommand(archiveTimeoutSeconds: number): string[] {
    return [
        "postgres",
        "-c",
        "archive_mode=on",
        "-c",
        // pgBackRest refuses to back up a server whose archive_command does not call it.
        "archive_command=pgbackrest archive-push %p",
        "-c",
        `archive_timeout=${archiveTimeoutSeconds}`,
    ];
}

/**
 * Where the WAL and the physical backups go: the bucket and identity the logical backups use
 * (structurally a `BackupBucket`); the repository is `<prefix>/pgbackrest`, and its endpoint must
 * be https (pgBackRest speaks S3 over TLS only).
 */
export type ArchiveTarget = BackupTarget;

/** Settings of WAL archiving and physical backups, with every default applied. */
export interface PitrSettings {
    /** The bucket. */
    readonly bucket: ArchiveTarget;
    /** archive_timeout in seconds. */
    readonly archiveTimeoutSeconds: number;
    /** Cron (UTC) of the full backups. */
    readonly fullCron: string;
    /** Cron (UTC) of the differential backups. */
    readonly diffCron: string;
    /** Cron (UTC) of the incremental backups. */
    readonly incrCron: string;
    /** pgBackRest's time-based full retention, days. */
    readonly retentionDays: number;
    /** pgBackRest stanza. */
    readonly stanza: string;
    /** Repository encryption pass (secret). */
    readonly cipherPass: pulumi.Input<string>;
    /** Pushgateway base URL the backup runs report to. Defaults to none. */
    readonly pushgatewayUrl?: pulumi.Input<string>;
    /** CPU and memory of the sidecar. */
    readonly resources: ResourceSpec;
}

/** Problems of the settings' plain values, one message each (empty when fine). */
export function pitrProblems(s: Omit<PitrSettings, "bucket" | "cipherPass">): string[] {
    const problems: string[] = [];
    for (const [key, cron] of [["fullCron", s.fullCron], ["diffCron", s.diffCron], ["incrCron", s.incrCron]] as const) {
        const why = problemOf(cronExpression, cron);
        if (why) problems.push(`pitr.${key} "${cron}" must be ${why}`);
    }
    if (problemOf(positiveInt, s.archiveTimeoutSeconds) || s.archiveTimeoutSeconds > 3600) {
        problems.push(`pitr.archiveTimeoutSeconds must be a whole number of seconds from 1 to 3600 (the RPO bound), got ${s.archiveTimeoutSeconds}`);
    }
    if (problemOf(positiveInt, s.retentionDays) || s.retentionDays > 3650) {
        problems.push(`pitr.retentionDays must be a whole number of days from 1 to 3650, got ${s.retentionDays}`);
    }
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(s.stanza)) problems.push(`pitr.stanza "${s.stanza}" must be 1-64 letters, digits, "_", "." or "-"`);
    return problems;
}

/** Connection of the sidecar to its server: the socket directory and the role pgBackRest logs in as. */
export interface LocalServer {
    /** Socket directory. */
    readonly socketDir: string;
    /** Port. */
    readonly port: number;
    /** A superuser role (the image's POSTGRES_USER); the socket's trust authentication admits it. */
    readonly user: pulumi.Input<string>;
    /** Database to connect to. */
    readonly database: pulumi.Input<string>;
    /** The data directory (PGDATA). */
    readonly pgdata: string;
}

/** The plain environment of the contract, for the server (archive-push) and the sidecar alike. */
export function pitrEnv(s: PitrSettings, server: LocalServer): Record<string, pulumi.Input<string>> {
    const env: Record<string, pulumi.Input<string>> = {
        AWS_DEFAULT_REGION: s.bucket.region,
        BACKUP_PITR_RETENTION_DAYS: String(s.retentionDays),
        BACKUP_PITR_STANZA: s.stanza,
        BACKUP_S3_URI: s.bucket.s3Uri,
        PGDATA: server.pgdata,
        PGHOST: server.socketDir,
        PGPORT: String(server.port),
    };
    if (s.bucket.endpointUrl !== undefined) env.S3_ENDPOINT_URL = s.bucket.endpointUrl;
    if (s.bucket.caBundle !== undefined) env.AWS_CA_BUNDLE = CA_BUNDLE_PATH;
    return env;
}

/** The secret environment of the contract: the bucket's credentials and the repository cipher pass. */
export function pitrSecretEnv(s: PitrSettings): Record<string, pulumi.Input<string>> {
    return {
        AWS_ACCESS_KEY_ID: pulumi.secret(s.bucket.accessKeyId),
        AWS_SECRET_ACCESS_KEY: pulumi.secret(s.bucket.secretAccessKey),
        BACKUP_REPO_CIPHER_PASS: pulumi.secret(s.cipherPass),
    };
}

/** The CA bundle file, when the bucket has a private CA (a certificate, not a secret). */
export function pitrFiles(s: PitrSettings): { path: string; content: pulumi.Input<string> }[] {
    return s.bucket.caBundle !== undefined ? [{ path: CA_BUNDLE_PATH, content: s.bucket.caBundle }] : [];
}

/**
 * The backup sidecar: `ptc-backup base-backup` on the full, differential and incremental
 * schedules (the first due in a minute wins, so the weekly full replaces that day's differential
 * and hourly incremental), on the data volume and the shared socket directory, as the server's
 * user, with the contract's environment plus the role it connects as and the Pushgateway.
 */
export function pitrSidecar(s: PitrSettings, server: LocalServer, dataVolume: string, component: string): SidecarSpec {
    return {
        name: PITR_SIDECAR,
        env: {
            ...pitrEnv(s, server),
            HOME: "/tmp",
            PGDATABASE: server.database,
            PGUSER: server.user,
            // At start, until it succeeds: the stanza and a first full backup, so that the server
            // archives from its first minutes (archive-push fails without a stanza).
            CRON_AT_START: "--type full --if-none",
            ...(s.pushgatewayUrl !== undefined ? { PUSHGATEWAY_URL: s.pushgatewayUrl } : {}),
        },
        secretEnv: pitrSecretEnv(s),
        files: pitrFiles(s),
        resources: s.resources,
        volumes: [dataVolume],
        sharedScratch: [server.socketDir],
        scratch: [{ mountPath: "/tmp", sizeMi: 256 }],
        schedule: {
            command: ["ptc-backup", "base-backup"],
            runs: [
                { cron: s.fullCron, args: ["--type", "full"] },
                { cron: s.diffCron, args: ["--type", "diff"] },
                { cron: s.incrCron, args: ["--type", "incr"] },
            ],
        },
        labels: { [LABELS.component]: component, [LABELS.role]: PITR_ROLE },
    };
}
