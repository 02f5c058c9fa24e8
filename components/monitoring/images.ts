/**
 * Defaults shared by the monitoring workloads: pinned images, the numeric non-root user each image
 * is built to run as, ports and resource requests.
 */
import { ResourceSpec } from "../platform/spec";

/** The monitoring workloads, by role. */
export type MonitoringRole =
    | "prometheus"
    | "alertmanager"
    | "grafana"
    | "loki"
    | "alloy"
    | "nodeExporter"
    | "postgresExporter"
    | "redisExporter"
    | "nginxExporter"
    | "blackboxExporter"
    | "pushgateway";

/**
 * Pinned image tags (never `latest`): stacks override them with `images`; production should pin
 * digests. The redis exporter uses its alpine variant because the default one is `FROM scratch`
 * and has no tool to run an HTTP health check with.
 */
export const DEFAULT_IMAGES: Readonly<Record<MonitoringRole, string>> = {
    prometheus: "prom/prometheus:v3.5.0",
    alertmanager: "prom/alertmanager:v0.28.1",
    grafana: "grafana/grafana:12.1.0",
    loki: "grafana/loki:3.5.0",
    alloy: "grafana/alloy:v1.10.0",
    nodeExporter: "prom/node-exporter:v1.9.1",
    postgresExporter: "quay.io/prometheuscommunity/postgres-exporter:v0.17.1",
    redisExporter: "oliver006/redis_exporter:v1.74.0-alpine",
    nginxExporter: "nginx/nginx-prometheus-exporter:1.4.2",
    blackboxExporter: "prom/blackbox-exporter:v0.27.0",
    pushgateway: "prom/pushgateway:v1.11.1",
};

/**
 * The numeric user each image is built for ("uid:gid"), from the images' Dockerfiles:
 * the prom/* and prometheus-community images `USER nobody` (65534, busybox); Grafana uid 472 (the
 * image's group is 0, which the platforms refuse; its data directory is mode 777, so group 472
 * works, and Kubernetes' fsGroup makes the volume writable); Loki 10001; the redis exporter
 * `USER 59000:59000`; the nginx exporter `USER 1001:1001`. Alloy has none: it runs as root to read
 * other containers' logs (policy exemption "log-collector").
 */
export const IMAGE_USERS: Readonly<Record<Exclude<MonitoringRole, "alloy">, string>> = {
    prometheus: "65534:65534",
    alertmanager: "65534:65534",
    grafana: "472:472",
    loki: "10001:10001",
    nodeExporter: "65534:65534",
    postgresExporter: "65534:65534",
    redisExporter: "59000:59000",
    nginxExporter: "1001:1001",
    blackboxExporter: "65534:65534",
    pushgateway: "65534:65534",
};

/** The port each workload serves HTTP (and its /metrics) on. */
export const PORTS: Readonly<Record<MonitoringRole, number>> = {
    prometheus: 9090,
    alertmanager: 9093,
    grafana: 3000,
    loki: 3100,
    alloy: 12345,
    nodeExporter: 9100,
    postgresExporter: 9187,
    redisExporter: 9121,
    nginxExporter: 9113,
    blackboxExporter: 9115,
    pushgateway: 9091,
};

/** Default workload names: the fixed role names of a stack. */
export const DEFAULT_NAMES: Readonly<Record<MonitoringRole, string>> = {
    prometheus: "prometheus",
    alertmanager: "alertmanager",
    grafana: "grafana",
    loki: "loki",
    alloy: "alloy",
    nodeExporter: "node-exporter",
    postgresExporter: "postgres-exporter",
    redisExporter: "redis-exporter",
    nginxExporter: "nginx-exporter",
    blackboxExporter: "blackbox-exporter",
    pushgateway: "pushgateway",
};

/** Requests and limits sized for a small deployment; stacks override them with `resources`. */
export const DEFAULT_RESOURCES: Readonly<Record<MonitoringRole, ResourceSpec>> = {
    prometheus: { cpu: "250m", memory: "1Gi", memoryLimit: "2Gi" },
    alertmanager: { cpu: "50m", memory: "128Mi" },
    grafana: { cpu: "100m", memory: "256Mi", memoryLimit: "512Mi" },
    loki: { cpu: "200m", memory: "512Mi", memoryLimit: "1Gi" },
    alloy: { cpu: "100m", memory: "256Mi" },
    nodeExporter: { cpu: "50m", memory: "64Mi" },
    postgresExporter: { cpu: "50m", memory: "64Mi" },
    redisExporter: { cpu: "25m", memory: "64Mi" },
    nginxExporter: { cpu: "25m", memory: "32Mi" },
    blackboxExporter: { cpu: "25m", memory: "64Mi" },
    pushgateway: { cpu: "25m", memory: "64Mi" },
};

/** Default volume sizes in GiB for the workloads that keep data. */
export const DEFAULT_VOLUME_GI = {
    prometheus: 20,
    alertmanager: 1,
    grafana: 2,
    loki: 20,
} as const;

/** Policy exemption names (entries of the policy pack's registry) the host agents carry. */
export const EXEMPTIONS = {
    nodeExporter: "host-metrics-agent",
    logCollector: "log-collector",
    /** Prometheus, Loki, Alertmanager and Grafana: volumes of rebuildable history need no backup schedule. */
    monitoringHistory: "monitoring-history",
} as const;
