/** PostgreSQL 16: the system of record. */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { LABELS, Platform, ResourceSpec, WorkloadSpec } from "../platform/spec";
import { problemOf, sqlIdentifier } from "../platform/schemas";
import { sizeGiProblems, WorkloadComponent } from "../workload";
import {
    archiveCommand,
    ArchiveTarget,
    DEFAULT_ARCHIVE_TIMEOUT_SECONDS,
    DEFAULT_DIFF_CRON,
    DEFAULT_FULL_CRON,
    DEFAULT_INCR_CRON,
    DEFAULT_PITR_RESOURCES,
    DEFAULT_PITR_RETENTION_DAYS,
    DEFAULT_STANZA,
    PITR_ENTRYPOINT,
    pitrEnv,
    pitrFiles,
    pitrProblems,
    pitrSecretEnv,
    PitrSettings,
    pitrSidecar,
    SOCKET_DIR,
} from "./pitr";

/** WAL archiving and physical backups ({@link PostgresArgs.pitr}). */
export interface PostgresPitrArgs {
    /** The bucket the WAL and the backups go to (a `BackupBucket` fits), under `<prefix>/pgbackrest`. */
    readonly bucket: ArchiveTarget;
    /** archive_timeout: a segment with changes is archived at least this often, the RPO bound. Defaults to 60. */
    readonly archiveTimeoutSeconds?: number;
    /** Cron (UTC) of the full backups. Defaults to "15 1 * * 0" (weekly). */
    readonly fullCron?: string;
    /** Cron (UTC) of the differential backups. Defaults to "15 1 * * *" (daily). */
    readonly diffCron?: string;
    /** Cron (UTC) of the incremental backups. Defaults to "15 * * * *" (hourly). */
    readonly incrCron?: string;
    /** Days pgBackRest keeps what a restore to any point within them needs. Defaults to 14. */
    readonly retentionDays?: number;
    /** pgBackRest stanza. Defaults to "ptc". */
    readonly stanza?: string;
    /**
     * Repository encryption pass (aes-256-cbc). Defaults to a generated one (48 characters). Losing
     * it makes the repository unreadable: it is the component's secret output `pitrCipherPass`.
     */
    readonly cipherPass?: pulumi.Input<string>;
    /** Pushgateway base URL the backup runs report to. Defaults to none. */
    readonly pushgatewayUrl?: pulumi.Input<string>;
    /** CPU and memory of the backup sidecar. Defaults to 250m / 256Mi (limit 512Mi). */
    readonly resources?: ResourceSpec;
}

/** Arguments of {@link Postgres}. */
export interface PostgresArgs {
    /** The platform the database runs on. */
    readonly platform: Platform;
    /** Image reference (postgres:16 family). */
    readonly image: pulumi.Input<string>;
    /** Database created at first start. Defaults to "pro_team_care". */
    readonly database?: string;
    /** Owner role of the database. Defaults to "pro_team_care". */
    readonly user?: string;
    /** Password; a random one is generated when absent. Defaults to a generated password. */
    readonly password?: pulumi.Input<string>;
    /** Size of the data volume in GiB. Defaults to 10. */
    readonly volumeSizeGi?: number;
    /** CPU and memory. Defaults to 250m / 512Mi. */
    readonly resources?: ResourceSpec;
    /** Workload name (host name on the platform). Defaults to "postgres". */
    readonly workloadName?: string;
    /**
     * Continuous WAL archiving and scheduled physical backups with pgBackRest (point-in-time
     * recovery). The image must carry pgbackrest and ptc-backup (components/data/postgres/Dockerfile).
     * Defaults to none (no archiving).
     */
    readonly pitr?: PostgresPitrArgs;
}

/** Data directory inside the official image; PGDATA is a subdirectory so the volume root may hold lost+found. */
const PGDATA = "/var/lib/postgresql/data/pgdata";

/**
 * Builds the platform-neutral workload spec of the database. Pure. With `pitr`, the server
 * archives its WAL through pgBackRest (the entrypoint loads `ptc-backup pitr-env`), a sidecar
 * takes the scheduled physical backups on the data volume and socket, and the workload reaches
 * the ops tier (the dev MinIO, the Pushgateway) and, through it, S3.
 */
export function postgresSpec(args: {
    image: pulumi.Input<string>;
    database: string;
    user: string;
    password: pulumi.Input<string>;
    volumeSizeGi: number;
    resources: ResourceSpec;
    component: string;
    pitr?: PitrSettings;
}): WorkloadSpec {
    const server = { socketDir: SOCKET_DIR, port: 5432, user: args.user, database: args.database, pgdata: PGDATA };
    const pitr = args.pitr;
    return {
        image: args.image,
        tier: "data",
        ports: [{ name: "postgres", port: 5432 }],
        ...(pitr !== undefined
            ? {
                  entrypoint: PITR_ENTRYPOINT,
                  command: archiveCommand(pitr.archiveTimeoutSeconds),
                  files: pitrFiles(pitr),
                  sidecars: [pitrSidecar(pitr, server, "data", args.component)],
                  reachesTiers: ["ops"],
              }
            : {}),
        env: {
            ...(pitr !== undefined ? pitrEnv(pitr, server) : {}),
            POSTGRES_DB: args.database,
            POSTGRES_USER: args.user,
            // As the seed's compose file: UTF-8 with the C locale (byte-order collation, no glibc
            // collation changes across image upgrades silently corrupting indexes).
            POSTGRES_INITDB_ARGS: "--encoding=UTF8 --locale=C",
            PGDATA,
        },
        secretEnv: { ...(pitr !== undefined ? pitrSecretEnv(pitr) : {}), POSTGRES_PASSWORD: args.password },
        volumes: [{ name: "data", mountPath: "/var/lib/postgresql/data", sizeGi: args.volumeSizeGi }],
        // pg_isready over the loopback TCP socket, as the user and database the API uses.
        healthCheck: {
            kind: "exec",
            command: ["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-U", args.user, "-d", args.database],
            intervalSeconds: 10,
            timeoutSeconds: 5,
            retries: 5,
            startPeriodSeconds: 60,
        },
        resources: args.resources,
        // The image's postgres user (uid 999 in the Debian-based image).
        user: "999:999",
        readOnlyRootFilesystem: true,
        scratch: [{ mountPath: SOCKET_DIR, sizeMi: 16 }, { mountPath: "/tmp", sizeMi: 256 }],
        labels: { [LABELS.component]: args.component, [LABELS.store]: "postgres" },
        stopGracePeriodSeconds: 60,
    };
}

/** PostgreSQL 16 with a persistent volume, a generated password and a pg_isready health check. */
export class Postgres extends WorkloadComponent {
    /** Host name other workloads use. */
    public readonly host: pulumi.Output<string>;
    /** TCP port. */
    public readonly port: pulumi.Output<number>;
    /** Database name. */
    public readonly database: pulumi.Output<string>;
    /** Owner role. */
    public readonly user: pulumi.Output<string>;
    /** Password (secret). */
    public readonly password: pulumi.Output<string>;
    /** Workload name, as backup schedules reference it. */
    public readonly workloadName: string;
    /** Whether the WAL is archived (point-in-time recovery). */
    public readonly pitrEnabled: pulumi.Output<boolean>;
    /** The pgBackRest repository cipher pass (secret); undefined without pitr. Keep it: without it the repository cannot be read. */
    public readonly pitrCipherPass: pulumi.Output<string> | undefined;

    constructor(name: string, args: PostgresArgs, opts?: pulumi.ComponentResourceOptions) {
        super("proteamcare:data:Postgres", name, opts);
        const database = args.database ?? "pro_team_care";
        const user = args.user ?? "pro_team_care";
        const volumeSizeGi = args.volumeSizeGi ?? 10;
        const resources = args.resources ?? { cpu: "250m", memory: "512Mi" };
        this.workloadName = args.workloadName ?? "postgres";
        const identifierProblems = Object.entries({ database, user }).flatMap(([field, value]) => {
            const problem = problemOf(sqlIdentifier, value);
            return problem === undefined ? [] : [`${field} "${value}" must be ${problem}`];
        });
        const p = args.pitr;
        const pitrPlain =
            p === undefined
                ? undefined
                : {
                      archiveTimeoutSeconds: p.archiveTimeoutSeconds ?? DEFAULT_ARCHIVE_TIMEOUT_SECONDS,
                      fullCron: p.fullCron ?? DEFAULT_FULL_CRON,
                      diffCron: p.diffCron ?? DEFAULT_DIFF_CRON,
                      incrCron: p.incrCron ?? DEFAULT_INCR_CRON,
                      retentionDays: p.retentionDays ?? DEFAULT_PITR_RETENTION_DAYS,
                      stanza: p.stanza ?? DEFAULT_STANZA,
                      resources: p.resources ?? DEFAULT_PITR_RESOURCES,
                      pushgatewayUrl: p.pushgatewayUrl,
                  };
        this.refuse([...identifierProblems, ...sizeGiProblems("volumeSizeGi", volumeSizeGi), ...(pitrPlain ? pitrProblems(pitrPlain) : [])]);

        const password =
            args.password !== undefined
                ? pulumi.secret(args.password)
                : new random.RandomPassword(`${name}-password`, { length: 32, special: false }, { parent: this }).result;

        // The repository's encryption pass: generated once and kept in the state like the password;
        // a new one would leave every existing backup unreadable.
        const cipherPass =
            p === undefined
                ? undefined
                : p.cipherPass !== undefined
                  ? pulumi.secret(p.cipherPass)
                  : new random.RandomPassword(`${name}-pitr-cipher-pass`, { length: 48, special: false }, { parent: this }).result;
        const pitr = pitrPlain && p && cipherPass ? { ...pitrPlain, bucket: p.bucket, cipherPass } : undefined;

        const ep = this.runService(
            args.platform,
            this.workloadName,
            postgresSpec({ image: args.image, database, user, password, volumeSizeGi, resources, component: name, pitr }),
        );
        this.host = ep.host;
        this.port = ep.port;
        this.database = pulumi.output(database);
        this.user = pulumi.output(user);
        this.password = pulumi.secret(password);
        this.pitrEnabled = pulumi.output(pitr !== undefined);
        this.pitrCipherPass = cipherPass === undefined ? undefined : pulumi.secret(cipherPass);
        this.publish(["host", "port", "database", "user", "password", "pitrEnabled", "pitrCipherPass"]);
    }
}
