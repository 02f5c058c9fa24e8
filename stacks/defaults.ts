/**
 * Per-environment defaults. A stack file sets only what differs; objects merge key by key.
 * Every image is pinned to a version so a redeploy never changes software silently.
 */
import { DEFAULT_MC_IMAGE, DEFAULT_MINIO_IMAGE } from "../components/backup/minio";
import {
    DEFAULT_ARCHIVE_TIMEOUT_SECONDS,
    DEFAULT_DIFF_CRON,
    DEFAULT_FULL_CRON,
    DEFAULT_INCR_CRON,
    DEFAULT_PITR_RETENTION_DAYS,
} from "../components/data/pitr";
import { GATE_DEFAULTS } from "../components/deploy/gate-options";
import { DEFAULT_EDGE_IMAGE } from "../components/edge/edge";
import { DEFAULT_IMAGES as MONITORING_IMAGES } from "../components/monitoring/images";
import type { ImageKey, ResourceKey, StructuredConfig } from "./schema";

/** Images, pinned. The application images (api, web, backup, postgres) are built by us; the rest are third-party. */
const IMAGES: Record<ImageKey, string> = {
    api: "ghcr.io/proteamcare/backend:1.0.0",
    web: "ghcr.io/proteamcare/frontend:1.0.0",
    edge: DEFAULT_EDGE_IMAGE,
    // Built by us (components/data/postgres/Dockerfile): postgres:16.9 plus pgbackrest and ptc-backup.
    postgres: "ghcr.io/proteamcare/ptc-postgres:16.9-1",
    redis: "redis:7.4.1-bookworm",
    backup: "ghcr.io/proteamcare/ptc-backup:1.0.0",
    minio: DEFAULT_MINIO_IMAGE,
    minioClient: DEFAULT_MC_IMAGE,
    // The components' own pinned defaults: one place to bump a version.
    ...MONITORING_IMAGES,
};

type Resources = Record<ResourceKey, { cpu: string; memory: string; cpuLimit?: string; memoryLimit?: string }>;

const DEV_RESOURCES: Resources = {
    api: { cpu: "250m", memory: "256Mi", memoryLimit: "512Mi" },
    web: { cpu: "50m", memory: "64Mi" },
    edge: { cpu: "50m", memory: "64Mi" },
    postgres: { cpu: "250m", memory: "512Mi", memoryLimit: "1Gi" },
    redis: { cpu: "50m", memory: "128Mi", memoryLimit: "256Mi" },
    migrate: { cpu: "100m", memory: "256Mi" },
    backup: { cpu: "250m", memory: "256Mi", memoryLimit: "512Mi" },
    minio: { cpu: "100m", memory: "256Mi", memoryLimit: "512Mi" },
    prometheus: { cpu: "100m", memory: "512Mi", memoryLimit: "1Gi" },
    alertmanager: { cpu: "20m", memory: "64Mi" },
    grafana: { cpu: "50m", memory: "128Mi", memoryLimit: "256Mi" },
    loki: { cpu: "100m", memory: "256Mi", memoryLimit: "512Mi" },
    alloy: { cpu: "50m", memory: "128Mi", memoryLimit: "256Mi" },
    exporter: { cpu: "20m", memory: "32Mi", memoryLimit: "64Mi" },
};

const PROD_RESOURCES: Resources = {
    api: { cpu: "500m", memory: "512Mi", memoryLimit: "1Gi" },
    web: { cpu: "100m", memory: "64Mi", memoryLimit: "128Mi" },
    edge: { cpu: "200m", memory: "128Mi", memoryLimit: "256Mi" },
    postgres: { cpu: "1", memory: "2Gi", memoryLimit: "4Gi" },
    redis: { cpu: "250m", memory: "512Mi", memoryLimit: "1Gi" },
    migrate: { cpu: "250m", memory: "256Mi", memoryLimit: "512Mi" },
    backup: { cpu: "500m", memory: "512Mi", memoryLimit: "1Gi" },
    minio: { cpu: "250m", memory: "512Mi", memoryLimit: "1Gi" },
    prometheus: { cpu: "500m", memory: "2Gi", memoryLimit: "4Gi" },
    alertmanager: { cpu: "50m", memory: "128Mi", memoryLimit: "256Mi" },
    grafana: { cpu: "100m", memory: "256Mi", memoryLimit: "512Mi" },
    loki: { cpu: "250m", memory: "512Mi", memoryLimit: "1Gi" },
    alloy: { cpu: "100m", memory: "256Mi", memoryLimit: "512Mi" },
    exporter: { cpu: "50m", memory: "64Mi", memoryLimit: "128Mi" },
};

const COMMON = {
    images: IMAGES,
    docker: { prefix: "ptc", httpPort: 80, httpsPort: 443 },
    kubernetes: { namespace: "pro-team-care" },
    edge: { clientMaxBodySizeMb: 10, proxyReadTimeoutSeconds: 60 },
    api: { migrations: true },
    postgres: { database: "pro_team_care", user: "pro_team_care" },
    backup: {
        prefix: "pro-team-care",
        retentionDays: 30,
        noncurrentDays: 7,
        objectLock: "off" as const,
        cron: "0 * * * *",
        drillCron: "30 3 * * *",
        pitr: {
            enabled: true,
            archiveTimeoutSeconds: DEFAULT_ARCHIVE_TIMEOUT_SECONDS,
            fullCron: DEFAULT_FULL_CRON,
            diffCron: DEFAULT_DIFF_CRON,
            incrCron: DEFAULT_INCR_CRON,
            retentionDays: DEFAULT_PITR_RETENTION_DAYS,
        },
    },
    monitoring: {
        retention: "200h",
        lifecycleApi: false,
        logRetentionDays: 30,
        rpoSeconds: 3600,
    },
    deploy: {
        gate: { enabled: true, budgetSeconds: GATE_DEFAULTS.budgetSeconds, intervalSeconds: GATE_DEFAULTS.intervalSeconds },
    },
};

/** Defaults by environment; the stack file's values override them. */
export const DEFAULTS: Record<"dev" | "prod", Omit<StructuredConfig, "environment">> = {
    dev: {
        ...COMMON,
        platform: "docker",
        domain: "localhost",
        replicas: { api: 1, web: 1, edge: 1 },
        resources: DEV_RESOURCES,
        docker: { ...COMMON.docker, prefix: "ptc-dev", httpPort: 8080, httpsPort: 8443 },
        postgres: { ...COMMON.postgres, volumeSizeGi: 5 },
        redis: { volumeSizeGi: 1 },
        backup: { ...COMMON.backup, bucket: "platform", volumeSizeGi: 10 },
        monitoring: {
            ...COMMON.monitoring,
            prometheusVolumeSizeGi: 5,
            lokiVolumeSizeGi: 5,
            grafanaVolumeSizeGi: 1,
            requireSlack: false,
        },
    },
    prod: {
        ...COMMON,
        platform: "kubernetes",
        domain: "app.proteamcare.com.br",
        replicas: { api: 3, web: 2, edge: 2 },
        resources: PROD_RESOURCES,
        postgres: { ...COMMON.postgres, volumeSizeGi: 100 },
        redis: { volumeSizeGi: 10 },
        backup: { ...COMMON.backup, bucket: "aws", volumeSizeGi: 100 },
        monitoring: {
            ...COMMON.monitoring,
            prometheusVolumeSizeGi: 50,
            lokiVolumeSizeGi: 50,
            grafanaVolumeSizeGi: 5,
            requireSlack: true,
        },
    },
};
