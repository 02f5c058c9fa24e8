/** The FastAPI backend, with its database migrations. */
import * as pulumi from "@pulumi/pulumi";
import { JobSpec, LABELS, Platform, ResourceSpec, WorkloadSpec } from "../platform/spec";
import { replicaProblems, WorkloadComponent } from "../workload";

/** Where the API reaches a store. */
export interface StoreEndpoint {
    /** Host name. */
    readonly host: pulumi.Input<string>;
    /** Port. */
    readonly port: pulumi.Input<number>;
    /** Password (secret). */
    readonly password: pulumi.Input<string>;
}

/** Arguments of {@link Api}. */
export interface ApiArgs {
    /** The platform the API runs on. */
    readonly platform: Platform;
    /** Image reference of the backend. */
    readonly image: pulumi.Input<string>;
    /** ENVIRONMENT the app reads (settings.py picks .env.<environment>). */
    readonly environment: string;
    /** PostgreSQL endpoint plus database and user. */
    readonly postgres: StoreEndpoint & { readonly database: pulumi.Input<string>; readonly user: pulumi.Input<string> };
    /** Redis endpoint. */
    readonly redis: StoreEndpoint;
    /** Replicas. Defaults to 1. */
    readonly replicas?: number;
    /** CPU and memory. Defaults to 250m / 256Mi. */
    readonly resources?: ResourceSpec;
    /** Run `alembic upgrade head` as a job before the API rolls out. Defaults to true. */
    readonly migrations?: boolean;
    /** CPU and memory of the migration job. Defaults to 100m / 256Mi. */
    readonly migrationResources?: ResourceSpec;
    /** Numeric uid:gid of the image's non-root user. Defaults to "10001:10001". */
    readonly user?: string;
    /** Workload name. Defaults to "api". */
    readonly workloadName?: string;
}

/** The API's port. */
export const API_PORT = 8000;
/** The API's health endpoint. */
export const API_HEALTH_PATH = "/api/v1/health";
/** Where the API serves Prometheus metrics. */
export const API_METRICS_PATH = "/metrics";

/** postgresql://user:password@host:port/database, every part URL-encoded. Pure. */
export function databaseUrl(p: { user: string; password: string; host: string; port: number; database: string }): string {
    const e = encodeURIComponent;
    return `postgresql://${e(p.user)}:${e(p.password)}@${p.host}:${p.port}/${e(p.database)}`;
}

/** redis://:password@host:port/0, the password URL-encoded. Pure. */
export function redisUrl(r: { password: string; host: string; port: number }): string {
    return `redis://:${encodeURIComponent(r.password)}@${r.host}:${r.port}/0`;
}

/** The API's connection settings as secret env (they embed passwords). */
function connectionEnv(args: ApiArgs): Record<string, pulumi.Output<string>> {
    const pg = args.postgres;
    const rd = args.redis;
    return {
        DATABASE_URL: pulumi.secret(
            pulumi
                .all([pg.user, pg.password, pg.host, pg.port, pg.database])
                .apply(([user, password, host, port, database]) => databaseUrl({ user, password, host, port, database })),
        ),
        REDIS_URL: pulumi.secret(pulumi.all([rd.password, rd.host, rd.port]).apply(([password, host, port]) => redisUrl({ password, host, port }))),
    };
}

/**
 * A resource option's dependsOn (one resource, a list, or an Output of either) as the list the
 * platform seam takes; the SDK resolves nested Outputs and lists inside it.
 */
export function normalizeDependsOn(d: pulumi.ComponentResourceOptions["dependsOn"]): pulumi.Input<pulumi.Resource>[] {
    if (d === undefined) return [];
    if (Array.isArray(d)) return [...(d as pulumi.Input<pulumi.Resource>[])];
    return [d as pulumi.Input<pulumi.Resource>];
}

/** Builds the API's workload spec. Pure apart from the Inputs it carries. */
export function apiSpec(args: {
    image: pulumi.Input<string>;
    environment: string;
    secretEnv: Record<string, pulumi.Input<string>>;
    replicas: number;
    resources: ResourceSpec;
    user: string;
    component: string;
}): WorkloadSpec {
    return {
        image: args.image,
        tier: "app",
        ports: [{ name: "http", port: API_PORT }],
        env: { ENVIRONMENT: args.environment, PYTHONUNBUFFERED: "1" },
        secretEnv: args.secretEnv,
        healthCheck: {
            kind: "http",
            path: API_HEALTH_PATH,
            port: API_PORT,
            intervalSeconds: 15,
            timeoutSeconds: 5,
            retries: 3,
            // The seed's Dockerfile gives the app 60 s to start.
            startPeriodSeconds: 60,
        },
        resources: args.resources,
        user: args.user,
        readOnlyRootFilesystem: true,
        scratch: [{ mountPath: "/tmp", sizeMi: 128 }],
        replicas: args.replicas,
        labels: { [LABELS.component]: args.component },
        // Stateless: an update starts the new revision beside the old one (zero downtime on docker).
        overlapUpdates: true,
        stopGracePeriodSeconds: 30,
    };
}

/** The FastAPI backend: port 8000, health GET /api/v1/health, connection strings as secrets. */
export class Api extends WorkloadComponent {
    /** Host name other workloads use. */
    public readonly host: pulumi.Output<string>;
    /** Port. */
    public readonly port: pulumi.Output<number>;
    /** host:port. */
    public readonly address: pulumi.Output<string>;
    /**
     * host:port that reaches only healthy replicas of the current revision (the platform's
     * `servingAddress`): what the edge proxies user traffic to.
     */
    public readonly servingAddress: pulumi.Output<string>;
    /**
     * A DNS name that resolves to every replica (the platform's `podsHost`; the host where the
     * platform has none): what Prometheus's DNS discovery scrapes, one target per replica.
     */
    public readonly podsHost: pulumi.Output<string>;

    constructor(name: string, args: ApiArgs, opts?: pulumi.ComponentResourceOptions) {
        super("proteamcare:app:Api", name, opts);
        const replicas = args.replicas ?? 1;
        const resources = args.resources ?? { cpu: "250m", memory: "256Mi" };
        const user = args.user ?? "10001:10001";
        const workloadName = args.workloadName ?? "api";
        const runMigrations = args.migrations ?? true;
        this.refuse(replicaProblems(replicas));
        const secretEnv = connectionEnv(args);
        // The stores' endpoints are plain host names that carry no dependency on the stores'
        // workloads, and a component's dependsOn is not inherited by its children: hand the
        // component's own dependsOn (index.ts: the Postgres and Redis components) to the migration
        // job and the service, so migrations never run before the database is up (they run once
        // per trigger: a run that loses the race is not retried).
        const storeDeps = normalizeDependsOn(opts?.dependsOn);

        let dependsOn: pulumi.Input<pulumi.Resource>[] = storeDeps;
        let after: pulumi.Output<string>[] = [];
        if (runMigrations) {
            const migrate: JobSpec = {
                image: args.image,
                tier: "app",
                command: ["alembic", "upgrade", "head"],
                env: { ENVIRONMENT: args.environment },
                secretEnv,
                resources: args.migrationResources ?? { cpu: "100m", memory: "256Mi" },
                user,
                readOnlyRootFilesystem: true,
                scratch: [{ mountPath: "/tmp" }],
                labels: { [LABELS.component]: name, [LABELS.role]: "migration" },
                backoffLimit: 1,
                deadlineSeconds: 900,
                // A new image means new migrations: run them again.
                trigger: args.image,
            };
            const job = args.platform.job(`${workloadName}-migrate`, migrate, { parent: this, dependsOn: storeDeps });
            dependsOn = [...storeDeps, ...job.resources];
            // Ordered after the migration, and never rolled out over a failed one.
            after = job.succeeded ? [job.succeeded] : [];
        }

        const ep = this.runService(
            args.platform,
            workloadName,
            apiSpec({ image: args.image, environment: args.environment, secretEnv, replicas, resources, user, component: name }),
            dependsOn,
            after,
        );
        this.host = ep.host;
        this.port = ep.port;
        this.address = ep.address;
        this.servingAddress = ep.servingAddress;
        this.podsHost = ep.podsHost;
        this.publish(["host", "port", "address", "servingAddress", "podsHost"]);
    }
}
