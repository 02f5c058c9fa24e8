/**
 * Workload specs of the monitoring system as pure functions: what each image needs (command,
 * files, volumes, user, health check) in the platform-neutral form of `components/platform/spec`.
 * The components hand these to the stack's platform; tests call them without any runtime.
 */
import * as pulumi from "@pulumi/pulumi";
import { ANNOTATIONS, FileSpec, HealthCheck, ResourceSpec, WorkloadSpec } from "../platform/spec";
import { ALLOY_DEFAULTS, alloyArgs } from "./alloy-config";
import { GRAFANA_PATHS } from "./grafana-config";
import { DEFAULT_RESOURCES, DEFAULT_VOLUME_GI, EXEMPTIONS, IMAGE_USERS, PORTS } from "./images";
import { LOKI_DEFAULTS } from "./loki-config";

/** What every monitoring spec takes. */
export interface BaseSpecInput {
    /** Image reference. */
    readonly image: pulumi.Input<string>;
    /** Requests and limits. Defaults to the role's entry in DEFAULT_RESOURCES. */
    readonly resources?: ResourceSpec;
}

/** Container paths of Prometheus. */
export const PROMETHEUS_PATHS = {
    config: "/etc/prometheus/prometheus.yml",
    rulesDir: "/etc/prometheus/rules",
    data: "/prometheus",
} as const;

/** Container paths of Alertmanager. */
export const ALERTMANAGER_PATHS = {
    config: "/etc/alertmanager/alertmanager.yml",
    secretsDir: "/etc/alertmanager/secrets",
    data: "/alertmanager",
} as const;

/** Container path of the blackbox exporter's modules file. */
export const BLACKBOX_CONFIG_PATH = "/etc/blackbox_exporter/config.yml";
/** Container path of the CA certificate the `https_2xx_internal` module verifies with (when one is given). */
export const BLACKBOX_CA_PATH = "/etc/blackbox_exporter/ca.pem";
/** Where the Pushgateway persists pushed metrics (scratch space: survives a process restart). */
export const PUSHGATEWAY_DATA = "/pushgateway";

/** A Prometheus duration such as "200h", "15d" or "1y2w". */
const PROM_DURATION = /^(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/;

/** Checks a Prometheus TSDB retention ("200h", "15d"); throws with what to write instead. */
export function checkRetention(retention: string): string {
    if (retention === "" || !PROM_DURATION.test(retention) || !/[1-9]/.test(retention)) {
        throw new Error(`Prometheus retention "${retention}" must be a positive Prometheus duration such as "200h" or "15d"`);
    }
    return retention;
}

/** Checks a size such as "50GB" for --storage.tsdb.retention.size. */
export function checkRetentionSize(size: string): string {
    if (!/^\d+(B|KB|MB|GB|TB|PB|EB)$/.test(size)) {
        throw new Error(`Prometheus retention size "${size}" must be a number with a unit B, KB, MB, GB, TB, PB or EB (e.g. "50GB")`);
    }
    return size;
}

function http(port: number, path: string, extra: Partial<{ startPeriodSeconds: number; intervalSeconds: number }> = {}): HealthCheck {
    return { kind: "http", port, path, ...extra };
}

/** Input of {@link prometheusSpec}. */
export interface PrometheusSpecInput extends BaseSpecInput {
    /** Rendered prometheus.yml. */
    readonly config: pulumi.Input<string>;
    /** Rendered rule files by file name (e.g. "alerts.yml"), placed under /etc/prometheus/rules. */
    readonly ruleFiles: Readonly<Record<string, pulumi.Input<string>>>;
    /** TSDB retention time. */
    readonly retention: string;
    /** TSDB retention size (whichever limit is hit first). Defaults to none. */
    readonly retentionSize?: string;
    /** Turn on /-/reload and /-/quit (POST). Defaults to false. */
    readonly enableLifecycleApi?: boolean;
    /** URL Prometheus is reached at by people (links in alerts). Defaults to none. */
    readonly externalUrl?: string;
    /** Data volume size in GiB. Defaults to 20. */
    readonly storageGi?: number;
}

/** Prometheus's command-line flags. The lifecycle API appears only when asked for. */
export function prometheusArgs(input: Pick<PrometheusSpecInput, "retention" | "retentionSize" | "enableLifecycleApi" | "externalUrl">): string[] {
    return [
        `--config.file=${PROMETHEUS_PATHS.config}`,
        `--storage.tsdb.path=${PROMETHEUS_PATHS.data}`,
        `--storage.tsdb.retention.time=${checkRetention(input.retention)}`,
        ...(input.retentionSize !== undefined ? [`--storage.tsdb.retention.size=${checkRetentionSize(input.retentionSize)}`] : []),
        `--web.listen-address=:${PORTS.prometheus}`,
        ...(input.externalUrl !== undefined ? [`--web.external-url=${input.externalUrl}`] : []),
        ...(input.enableLifecycleApi ? ["--web.enable-lifecycle"] : []),
    ];
}

/** Prometheus: config and rules as files, TSDB on a volume, ready when /-/ready answers. */
export function prometheusSpec(input: PrometheusSpecInput): WorkloadSpec {
    const names = Object.keys(input.ruleFiles).sort();
    for (const n of names) {
        if (!/^[A-Za-z0-9][A-Za-z0-9._-]*\.ya?ml$/.test(n)) throw new Error(`rule file name "${n}" must be a plain file name ending in .yml`);
    }
    return {
        image: input.image,
        tier: "ops",
        ports: [{ name: "http", port: PORTS.prometheus }],
        command: prometheusArgs(input),
        files: [
            { path: PROMETHEUS_PATHS.config, content: input.config },
            ...names.map((n) => ({ path: `${PROMETHEUS_PATHS.rulesDir}/${n}`, content: input.ruleFiles[n] })),
        ],
        volumes: [{ name: "data", mountPath: PROMETHEUS_PATHS.data, sizeGi: input.storageGi ?? DEFAULT_VOLUME_GI.prometheus }],
        // A long WAL replay after a restart is normal: give it time before failures count.
        healthCheck: http(PORTS.prometheus, "/-/ready", { startPeriodSeconds: 120 }),
        resources: input.resources ?? DEFAULT_RESOURCES.prometheus,
        user: IMAGE_USERS.prometheus,
        readOnlyRootFilesystem: true,
        annotations: { [ANNOTATIONS.exemptions]: EXEMPTIONS.monitoringHistory },
        stopGracePeriodSeconds: 60,
    };
}

/** Input of {@link alertmanagerSpec}. */
export interface AlertmanagerSpecInput extends BaseSpecInput {
    /** Rendered alertmanager.yml. */
    readonly config: pulumi.Input<string>;
    /** Store the config as a secret (it holds the heartbeat URL). Defaults to true. */
    readonly configSecret?: boolean;
    /** Secret files the config reads (e.g. the Slack webhook URL), by absolute path. Defaults to none. */
    readonly secretFiles?: Readonly<Record<string, pulumi.Input<string>>>;
    /** URL Alertmanager is reached at by people (links in notifications). Defaults to none. */
    readonly externalUrl?: string;
    /** Data volume size in GiB. Defaults to 1. */
    readonly storageGi?: number;
}

/** Alertmanager, single instance (clustering off), silences and notification log on a volume. */
export function alertmanagerSpec(input: AlertmanagerSpecInput): WorkloadSpec {
    const secretFiles = input.secretFiles ?? {};
    const paths = Object.keys(secretFiles).sort();
    for (const p of paths) {
        if (!p.startsWith(`${ALERTMANAGER_PATHS.secretsDir}/`)) {
            throw new Error(`Alertmanager secret file "${p}" must live under ${ALERTMANAGER_PATHS.secretsDir}/`);
        }
    }
    return {
        image: input.image,
        tier: "ops",
        ports: [{ name: "http", port: PORTS.alertmanager }],
        command: [
            `--config.file=${ALERTMANAGER_PATHS.config}`,
            `--storage.path=${ALERTMANAGER_PATHS.data}`,
            `--web.listen-address=:${PORTS.alertmanager}`,
            // One instance: no gossip port, no peers to find.
            "--cluster.listen-address=",
            ...(input.externalUrl !== undefined ? [`--web.external-url=${input.externalUrl}`] : []),
        ],
        files: [
            { path: ALERTMANAGER_PATHS.config, content: input.config, secret: input.configSecret ?? true },
            ...paths.map((p): FileSpec => ({ path: p, content: secretFiles[p], secret: true })),
        ],
        volumes: [{ name: "data", mountPath: ALERTMANAGER_PATHS.data, sizeGi: input.storageGi ?? DEFAULT_VOLUME_GI.alertmanager }],
        healthCheck: http(PORTS.alertmanager, "/-/ready", { startPeriodSeconds: 30 }),
        resources: input.resources ?? DEFAULT_RESOURCES.alertmanager,
        user: IMAGE_USERS.alertmanager,
        readOnlyRootFilesystem: true,
        annotations: { [ANNOTATIONS.exemptions]: EXEMPTIONS.monitoringHistory },
    };
}

/** Input of {@link grafanaSpec}. */
export interface GrafanaSpecInput extends BaseSpecInput {
    /** Provisioning files and dashboards (from renderGrafanaFiles). */
    readonly files: readonly { readonly path: string; readonly content: pulumi.Input<string> }[];
    /** Plain GF_* settings (from grafanaEnv). */
    readonly env: Readonly<Record<string, string>>;
    /** Secret GF_* settings (from grafanaSecretEnv). */
    readonly secretEnv: Readonly<Record<string, string>>;
    /** The admin password (a secret); written to the password file. */
    readonly adminPassword: pulumi.Input<string>;
    /** Data volume size in GiB. Defaults to 2. */
    readonly storageGi?: number;
}

/** Grafana: provisioned datasources and dashboards, the admin password from a secret file. */
export function grafanaSpec(input: GrafanaSpecInput): WorkloadSpec {
    return {
        image: input.image,
        tier: "ops",
        ports: [{ name: "http", port: PORTS.grafana }],
        env: input.env,
        secretEnv: input.secretEnv,
        files: [
            ...input.files.map((f) => ({ path: f.path, content: f.content })),
            { path: GRAFANA_PATHS.adminPasswordFile, content: pulumi.secret(input.adminPassword), secret: true },
        ],
        volumes: [{ name: "data", mountPath: GRAFANA_PATHS.data, sizeGi: input.storageGi ?? DEFAULT_VOLUME_GI.grafana }],
        // Database migrations on first start or upgrade take a while.
        healthCheck: http(PORTS.grafana, "/api/health", { startPeriodSeconds: 60 }),
        resources: input.resources ?? DEFAULT_RESOURCES.grafana,
        user: IMAGE_USERS.grafana,
        readOnlyRootFilesystem: true,
        annotations: { [ANNOTATIONS.exemptions]: EXEMPTIONS.monitoringHistory },
        scratch: [{ mountPath: "/tmp" }],
    };
}

/** Input of {@link lokiSpec}. */
export interface LokiSpecInput extends BaseSpecInput {
    /** Rendered Loki config. */
    readonly config: pulumi.Input<string>;
    /** Data volume size in GiB. Defaults to 20. */
    readonly storageGi?: number;
}

/** Loki single binary: config file, everything it writes on the volume. */
export function lokiSpec(input: LokiSpecInput): WorkloadSpec {
    return {
        image: input.image,
        tier: "ops",
        ports: [
            { name: "http", port: LOKI_DEFAULTS.httpPort },
            { name: "grpc", port: LOKI_DEFAULTS.grpcPort },
        ],
        command: [`-config.file=${LOKI_DEFAULTS.configPath}`],
        files: [{ path: LOKI_DEFAULTS.configPath, content: input.config }],
        volumes: [{ name: "data", mountPath: LOKI_DEFAULTS.dataDir, sizeGi: input.storageGi ?? DEFAULT_VOLUME_GI.loki }],
        // /ready answers 503 until the in-memory ring has settled (about 15 s).
        healthCheck: http(LOKI_DEFAULTS.httpPort, "/ready", { startPeriodSeconds: 60 }),
        resources: input.resources ?? DEFAULT_RESOURCES.loki,
        user: IMAGE_USERS.loki,
        readOnlyRootFilesystem: true,
        annotations: { [ANNOTATIONS.exemptions]: EXEMPTIONS.monitoringHistory },
        scratch: [{ mountPath: "/tmp" }],
    };
}

/** Input of {@link alloySpec}. */
export interface AlloySpecInput extends BaseSpecInput {
    /** Rendered Alloy config. */
    readonly config: pulumi.Input<string>;
}

/**
 * Alloy as the log collector: one per node, reading container log files (docker's json-file
 * directory, or /var/log/pods) read-only as root. Exempted from the non-root and host-path
 * policies by name ("log-collector").
 */
export function alloySpec(input: AlloySpecInput): WorkloadSpec {
    return {
        image: input.image,
        tier: "ops",
        ports: [{ name: "http", port: ALLOY_DEFAULTS.httpPort }],
        entrypoint: ["/bin/alloy"],
        command: alloyArgs(ALLOY_DEFAULTS.httpPort),
        files: [{ path: ALLOY_DEFAULTS.configPath, content: input.config }],
        healthCheck: http(ALLOY_DEFAULTS.httpPort, "/-/ready", { startPeriodSeconds: 30 }),
        resources: input.resources ?? DEFAULT_RESOURCES.alloy,
        readOnlyRootFilesystem: true,
        // Positions of tailed files; losing them on restart re-reads recent lines at worst.
        scratch: [{ mountPath: ALLOY_DEFAULTS.storagePath, sizeMi: 256 }, { mountPath: "/tmp" }],
        perNode: true,
        // The platform mounts its container log files read-only (docker's json-file directory, never
        // the engine socket; the node's pod log directories on Kubernetes).
        host: { root: true, containerLogs: true },
        annotations: { [ANNOTATIONS.exemptions]: EXEMPTIONS.logCollector },
    };
}

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

/** postgres-exporter: the DSN arrives as secret env (DATA_SOURCE_NAME). */
export function postgresExporterSpec(input: PostgresExporterSpecInput): WorkloadSpec {
    return {
        image: input.image,
        tier: "ops",
        ports: [{ name: "metrics", port: PORTS.postgresExporter }],
        command: [`--web.listen-address=:${PORTS.postgresExporter}`],
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
