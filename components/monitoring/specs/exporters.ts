/** The exporter specs (node, postgres, redis, nginx, blackbox) and the Pushgateway. */
import * as pulumi from "@pulumi/pulumi";
import { ANNOTATIONS, HealthCheck, WorkloadSpec } from "../../platform/spec";
import { DEFAULT_RESOURCES, EXEMPTIONS, IMAGE_USERS, PORTS } from "../images";
import { BaseSpecInput, http } from "./base";

/** Container path of the blackbox exporter's modules file. */
export const BLACKBOX_CONFIG_PATH = "/etc/blackbox_exporter/config.yml";
/** Container path of the CA certificate the `https_2xx_internal` module verifies with (when one is given). */
export const BLACKBOX_CA_PATH = "/etc/blackbox_exporter/ca.pem";
/** Where the Pushgateway persists pushed metrics (scratch space: survives a process restart). */
export const PUSHGATEWAY_DATA = "/pushgateway";

/** node-exporter: one per node, host /proc, /sys and / read-only, host PID namespace. */
export function nodeExporterSpec(input: BaseSpecInput): WorkloadSpec {
    return {
        image: input.image,
        tier: "ops",
        ports: [{ name: "metrics", port: PORTS.nodeExporter }],
        command: [
            "--path.procfs=/host/proc",
            "--path.sysfs=/host/sys",
            "--path.rootfs=/host/root",
            `--web.listen-address=:${PORTS.nodeExporter}`,
            "--collector.filesystem.mount-points-exclude=^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+|var/lib/kubelet/.+)($|/)",
        ],
        healthCheck: http(PORTS.nodeExporter, "/metrics", { intervalSeconds: 30 }),
        resources: input.resources ?? DEFAULT_RESOURCES.nodeExporter,
        user: IMAGE_USERS.nodeExporter,
        readOnlyRootFilesystem: true,
        perNode: true,
        host: {
            pid: true,
            paths: [
                { hostPath: "/proc", mountPath: "/host/proc" },
                { hostPath: "/sys", mountPath: "/host/sys" },
                { hostPath: "/", mountPath: "/host/root" },
            ],
        },
        annotations: { [ANNOTATIONS.exemptions]: EXEMPTIONS.nodeExporter },
    };
}

/** Input of {@link postgresExporterSpec}. */
export interface PostgresExporterSpecInput extends BaseSpecInput {
    /** Connection URI with the password (a secret), e.g. from {@link postgresDsn}. */
    readonly dsn: pulumi.Input<string>;
}

/**
 * The exporter's connection URI. User and password are percent-encoded; TLS is not requested
 * because the connection never leaves the platform's private network.
 */
export function postgresDsn(c: { host: string; port: number; user: string; password: string; database: string; sslmode?: string }): string {
    const enc = encodeURIComponent;
    return `postgresql://${enc(c.user)}:${enc(c.password)}@${c.host}:${c.port}/${enc(c.database)}?sslmode=${c.sslmode ?? "disable"}`;
}

/**
 * The collectors postgres-exporter runs besides its defaults. Its default metrics (v0.17) already
 * carry WAL archiving (`pg_stat_archiver_archived_count`, `pg_stat_archiver_failed_count`,
 * `pg_stat_archiver_last_archive_age`, readable by any role) and the server settings
 * (`pg_settings_*`); `postmaster` (off by default) adds `pg_postmaster_start_time_seconds`, which
 * WalArchivingLate needs to stay quiet while a freshly started server waits for its first
 * checkpoint before it honours archive_timeout. `--disable-default-metrics` must never be set:
 * it would drop pg_stat_archiver.
 */
export const POSTGRES_EXPORTER_COLLECTORS: readonly string[] = ["postmaster"];

/** postgres-exporter: the DSN arrives as secret env (DATA_SOURCE_NAME). */
export function postgresExporterSpec(input: PostgresExporterSpecInput): WorkloadSpec {
    return {
        image: input.image,
        tier: "ops",
        ports: [{ name: "metrics", port: PORTS.postgresExporter }],
        command: [`--web.listen-address=:${PORTS.postgresExporter}`, ...POSTGRES_EXPORTER_COLLECTORS.map((c) => `--collector.${c}`)],
        secretEnv: { DATA_SOURCE_NAME: pulumi.secret(input.dsn) },
        healthCheck: http(PORTS.postgresExporter, "/metrics", { intervalSeconds: 30 }),
        resources: input.resources ?? DEFAULT_RESOURCES.postgresExporter,
        user: IMAGE_USERS.postgresExporter,
        readOnlyRootFilesystem: true,
    };
}

/** Input of {@link redisExporterSpec}. */
export interface RedisExporterSpecInput extends BaseSpecInput {
    /** Redis address "host:port". */
    readonly address: pulumi.Input<string>;
    /** Redis password (a secret). */
    readonly password: pulumi.Input<string>;
}

/** redis-exporter: address as plain env, password as secret env (REDIS_PASSWORD). */
export function redisExporterSpec(input: RedisExporterSpecInput): WorkloadSpec {
    return {
        image: input.image,
        tier: "ops",
        ports: [{ name: "metrics", port: PORTS.redisExporter }],
        env: {
            REDIS_ADDR: pulumi.interpolate`redis://${input.address}`,
            REDIS_EXPORTER_WEB_LISTEN_ADDRESS: `:${PORTS.redisExporter}`,
        },
        secretEnv: { REDIS_PASSWORD: pulumi.secret(input.password) },
        healthCheck: http(PORTS.redisExporter, "/health", { intervalSeconds: 30 }),
        resources: input.resources ?? DEFAULT_RESOURCES.redisExporter,
        user: IMAGE_USERS.redisExporter,
        readOnlyRootFilesystem: true,
    };
}

/** Input of {@link nginxExporterSpec}. */
export interface NginxExporterSpecInput extends BaseSpecInput {
    /** The edge's stub_status URL, e.g. "http://edge:8081/stub_status". */
    readonly stubStatusUrl: pulumi.Input<string>;
    /**
     * The platform's `healthChecksRunInContainer`. The exporter image is `FROM scratch` (no shell,
     * no wget), so where an HTTP check runs inside the container (docker) the check runs the binary
     * itself; elsewhere (the kubelet) /metrics is probed.
     */
    readonly healthChecksRunInContainer: boolean;
}

/** nginx-prometheus-exporter reading the edge's stub_status. */
export function nginxExporterSpec(input: NginxExporterSpecInput): WorkloadSpec {
    const healthCheck: HealthCheck =
        input.healthChecksRunInContainer
            ? { kind: "exec", command: ["/usr/bin/nginx-prometheus-exporter", "--version"], intervalSeconds: 30 }
            : http(PORTS.nginxExporter, "/metrics", { intervalSeconds: 30 });
    return {
        image: input.image,
        tier: "ops",
        ports: [{ name: "metrics", port: PORTS.nginxExporter }],
        command: [pulumi.interpolate`--nginx.scrape-uri=${input.stubStatusUrl}`, `--web.listen-address=:${PORTS.nginxExporter}`],
        healthCheck,
        resources: input.resources ?? DEFAULT_RESOURCES.nginxExporter,
        user: IMAGE_USERS.nginxExporter,
        readOnlyRootFilesystem: true,
    };
}

/** Input of {@link blackboxExporterSpec}. */
export interface BlackboxExporterSpecInput extends BaseSpecInput {
    /** Rendered blackbox modules file. */
    readonly config: pulumi.Input<string>;
    /** PEM CA certificate (public) written to {@link BLACKBOX_CA_PATH} for the config's `ca_file`. Defaults to none. */
    readonly caCertificate?: pulumi.Input<string>;
}

/** blackbox-exporter: HTTP probes only (no ICMP, so no raw-socket capability). */
export function blackboxExporterSpec(input: BlackboxExporterSpecInput): WorkloadSpec {
    return {
        image: input.image,
        tier: "ops",
        ports: [{ name: "http", port: PORTS.blackboxExporter }],
        command: [`--config.file=${BLACKBOX_CONFIG_PATH}`, `--web.listen-address=:${PORTS.blackboxExporter}`],
        files: [
            { path: BLACKBOX_CONFIG_PATH, content: input.config },
            ...(input.caCertificate !== undefined ? [{ path: BLACKBOX_CA_PATH, content: input.caCertificate }] : []),
        ],
        healthCheck: http(PORTS.blackboxExporter, "/-/healthy", { intervalSeconds: 30 }),
        resources: input.resources ?? DEFAULT_RESOURCES.blackboxExporter,
        user: IMAGE_USERS.blackboxExporter,
        readOnlyRootFilesystem: true,
    };
}

/** Input of {@link pushgatewaySpec}. */
export type PushgatewaySpecInput = BaseSpecInput;

/**
 * Pushgateway for the backup jobs' metrics. Its persistence file lives on scratch space (it
 * survives a process restart, not a reschedule): the next backup run pushes fresh values within
 * the RPO, and the backup alerts wait for a restarted Pushgateway to have been up that long.
 */
export function pushgatewaySpec(input: PushgatewaySpecInput): WorkloadSpec {
    return {
        image: input.image,
        tier: "ops",
        ports: [{ name: "http", port: PORTS.pushgateway }],
        command: [
            `--web.listen-address=:${PORTS.pushgateway}`,
            `--persistence.file=${PUSHGATEWAY_DATA}/metrics.db`,
            "--persistence.interval=1m",
        ],
        scratch: [{ mountPath: PUSHGATEWAY_DATA, sizeMi: 64 }],
        healthCheck: http(PORTS.pushgateway, "/-/ready"),
        resources: input.resources ?? DEFAULT_RESOURCES.pushgateway,
        user: IMAGE_USERS.pushgateway,
        readOnlyRootFilesystem: true,
    };
}
