/** PostgreSQL 16: the system of record. */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { LABELS, Platform, ResourceSpec, WorkloadSpec } from "../platform/spec";
import { problemOf, sqlIdentifier } from "../platform/schemas";
import { sizeGiProblems, WorkloadComponent } from "../workload";

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
}

/** Data directory inside the official image; PGDATA is a subdirectory so the volume root may hold lost+found. */
const PGDATA = "/var/lib/postgresql/data/pgdata";

/** Builds the platform-neutral workload spec of the database. Pure. */
export function postgresSpec(args: {
    image: pulumi.Input<string>;
    database: string;
    user: string;
    password: pulumi.Input<string>;
    volumeSizeGi: number;
    resources: ResourceSpec;
    component: string;
}): WorkloadSpec {
    return {
        image: args.image,
        tier: "data",
        ports: [{ name: "postgres", port: 5432 }],
        env: {
            POSTGRES_DB: args.database,
            POSTGRES_USER: args.user,
            // As the seed's compose file: UTF-8 with the C locale (byte-order collation, no glibc
            // collation changes across image upgrades silently corrupting indexes).
            POSTGRES_INITDB_ARGS: "--encoding=UTF8 --locale=C",
            PGDATA,
        },
        secretEnv: { POSTGRES_PASSWORD: args.password },
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
        scratch: [{ mountPath: "/var/run/postgresql", sizeMi: 16 }, { mountPath: "/tmp", sizeMi: 256 }],
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
        this.refuse([...identifierProblems, ...sizeGiProblems("volumeSizeGi", volumeSizeGi)]);

        const password =
            args.password !== undefined
                ? pulumi.secret(args.password)
                : new random.RandomPassword(`${name}-password`, { length: 32, special: false }, { parent: this }).result;

        const ep = this.runService(
            args.platform,
            this.workloadName,
            postgresSpec({ image: args.image, database, user, password, volumeSizeGi, resources, component: name }),
        );
        this.host = ep.host;
        this.port = ep.port;
        this.database = pulumi.output(database);
        this.user = pulumi.output(user);
        this.password = pulumi.secret(password);
        this.publish(["host", "port", "database", "user", "password"]);
    }
}
