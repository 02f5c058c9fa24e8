/**
 * Pro Team Care: the whole platform from one set of components, on Docker (dev) or Kubernetes (prod).
 * This file only loads the stack's config, picks the platform and composes the components.
 */
import * as pulumi from "@pulumi/pulumi";
import { Api, Web } from "./components/app";
import { BackupBucket, Backups, cronsMaxGapSeconds, staleAfterSeconds } from "./components/backup";
import { Postgres, Redis } from "./components/data";
import { PostDeployGate } from "./components/deploy";
import { Edge } from "./components/edge/edge";
import { DEFAULT_PORTS } from "./components/edge/nginx";
import { Monitoring } from "./components/monitoring";
import { SelfSignedCertificate } from "./components/edge/self-signed";
import { DockerPlatform } from "./components/platform/docker";
import { KubernetesPlatform } from "./components/platform/kubernetes";
import { Platform } from "./components/platform/spec";
import { loadStackConfig } from "./stacks/load";

const cfg = loadStackConfig();
const stack = pulumi.getStack();

const platform: Platform =
    cfg.platform === "docker"
        ? new DockerPlatform("platform", { prefix: cfg.docker.prefix })
        : new KubernetesPlatform("platform", {
              namespace: cfg.kubernetes.namespace,
              storageClassName: cfg.kubernetes.storageClassName,
              apiServerCidrs: cfg.kubernetes.apiServerCidrs,
          });

// Backups: a hardened S3 bucket (prod) or MinIO beside the stores (dev). It comes first: the
// database archives its WAL into it (point-in-time recovery); the hourly streamed backup of
// PostgreSQL and Redis and the daily restore drill are scheduled below.
const backupBucket = new BackupBucket("backup-bucket", {
    mode: cfg.backup.bucket,
    region: cfg.backup.bucket === "aws" ? new pulumi.Config("aws").require("region") : undefined,
    bucketName: cfg.backup.bucketName,
    prefix: cfg.backup.prefix,
    retentionDays: cfg.backup.retentionDays,
    noncurrentDays: cfg.backup.noncurrentDays,
    objectLock:
        cfg.backup.objectLock !== "off" && cfg.backup.objectLockDays !== undefined
            ? { mode: cfg.backup.objectLock, days: cfg.backup.objectLockDays }
            : undefined,
    platform: cfg.backup.bucket === "platform" ? platform : undefined,
    minioImage: cfg.images.minio,
    mcImage: cfg.images.minioClient,
    minioVolumeGi: cfg.backup.volumeSizeGi,
    minioResources: cfg.resources.minio,
});

// The Pushgateway's URL, known once monitoring exists (monitoring takes the database's endpoint).
const [pushgatewayUrl, resolvePushgatewayUrl] = pulumi.deferredOutput<string>();

const postgres = new Postgres("postgres", {
    platform,
    image: cfg.images.postgres,
    database: cfg.postgres.database,
    user: cfg.postgres.user,
    password: cfg.secrets.postgresPassword,
    volumeSizeGi: cfg.postgres.volumeSizeGi,
    resources: cfg.resources.postgres,
    // Continuous WAL archiving and full/differential/incremental physical backups into the bucket's
    // <prefix>/pgbackrest, by pgBackRest under ptc-backup (a sidecar on the data volume).
    pitr: cfg.backup.pitr.enabled
        ? {
              bucket: backupBucket,
              archiveTimeoutSeconds: cfg.backup.pitr.archiveTimeoutSeconds,
              fullCron: cfg.backup.pitr.fullCron,
              diffCron: cfg.backup.pitr.diffCron,
              incrCron: cfg.backup.pitr.incrCron,
              retentionDays: cfg.backup.pitr.retentionDays,
              // The Pushgateway comes with monitoring, which itself watches this database.
              pushgatewayUrl,
              resources: cfg.resources.backup,
          }
        : undefined,
}, { dependsOn: backupBucket.readyResources });

const redis = new Redis("redis", {
    platform,
    image: cfg.images.redis,
    password: cfg.secrets.redisPassword,
    volumeSizeGi: cfg.redis.volumeSizeGi,
    resources: cfg.resources.redis,
});

const api = new Api("api", {
    platform,
    image: cfg.images.api,
    environment: cfg.environment === "prod" ? "production" : "development",
    postgres: { host: postgres.host, port: postgres.port, password: postgres.password, database: postgres.database, user: postgres.user },
    redis: { host: redis.host, port: redis.port, password: redis.password },
    replicas: cfg.replicas.api,
    resources: cfg.resources.api,
    migrations: cfg.api.migrations,
    migrationResources: cfg.resources.migrate,
}, {
    // The store endpoints are plain host names: without this the migration job races the database
    // on a first `pulumi up` (and, run once per trigger, is never retried).
    dependsOn: [postgres, redis],
});

const web = new Web("web", {
    platform,
    image: cfg.images.web,
    replicas: cfg.replicas.web,
    resources: cfg.resources.web,
});

// A real certificate from config, or (dev only; the loader refuses it in prod) a self-signed pair.
const tls =
    cfg.edge.tlsCertificate && cfg.secrets.tlsPrivateKey
        ? { certificate: pulumi.output(cfg.edge.tlsCertificate), privateKey: cfg.secrets.tlsPrivateKey, selfSigned: false }
        : (() => {
              const selfSigned = new SelfSignedCertificate("edge-cert", { domain: cfg.domain });
              return { certificate: selfSigned.certificate, privateKey: selfSigned.privateKey, selfSigned: true };
          })();

const edge = new Edge("edge", {
    platform,
    image: cfg.images.edge,
    domain: cfg.domain,
    webAddress: web.servingAddress,
    apiAddress: api.servingAddress,
    tls: { certificate: tls.certificate, privateKey: tls.privateKey },
    // On docker the edge publishes these host ports; on Kubernetes its LoadBalancer serves 80/443.
    hostPorts: cfg.platform === "docker" ? { http: cfg.docker.httpPort, https: cfg.docker.httpsPort } : { http: 80, https: 443 },
    replicas: cfg.replicas.edge,
    resources: cfg.resources.edge,
    clientMaxBodySizeMb: cfg.edge.clientMaxBodySizeMb,
    proxyReadTimeoutSeconds: cfg.edge.proxyReadTimeoutSeconds,
});

// After the edge and the app change, the public health URL and / must answer 200 from the machine
// running `pulumi up`, or the update fails. On docker that is the edge's published https port on
// localhost (asked with the domain as Host and SNI), trusting the dev pair when the stack made it.
if (cfg.deploy.gate.enabled) {
    const gate = cfg.deploy.gate;
    new PostDeployGate("post-deploy-gate", {
        urls: [edge.apiHealthUrl, edge.publicUrl],
        images: { api: cfg.images.api, web: cfg.images.web, edge: cfg.images.edge },
        edgeConfig: edge.nginxConf,
        after: [edge, api, web],
        baseUrl: gate.baseUrl ?? (cfg.platform === "docker" ? `https://localhost:${cfg.docker.httpsPort}/` : undefined),
        caFile: gate.caFile,
        caCertificate: gate.caFile === undefined && tls.selfSigned ? tls.certificate : undefined,
        budgetSeconds: gate.budgetSeconds,
        intervalSeconds: gate.intervalSeconds,
    });
}

// Monitoring, logs and alerting: Prometheus, Alertmanager, Grafana, Loki, Alloy and the exporters.
const exporterResources = cfg.resources.exporter;
const apiTargets = platform.capabilities.scrapeTargets(api);
const monitoring = new Monitoring("monitoring", {
    platform,
    publicUrl: edge.publicUrl,
    apiHealthUrl: edge.apiHealthUrl,
    // On docker the public name is the host's localhost, which inside the blackbox exporter is the
    // exporter itself: probe the edge's https port by its in-platform name, checking its
    // certificate against the public name (and the self-signed pair, when the stack generated one;
    // a certificate from config is checked by the system CAs). Kubernetes probes the public URL.
    ...(platform.capabilities.edgeAccessInside === "service-address"
        ? {
              internalProbe: {
                  publicUrl: pulumi.interpolate`https://${edge.endpoint.apply((e) => e.host)}:${DEFAULT_PORTS.https}/`,
                  apiHealthUrl: pulumi.interpolate`https://${edge.endpoint.apply((e) => e.host)}:${DEFAULT_PORTS.https}/api/v1/health`,
                  serverName: cfg.domain,
                  ...(tls.selfSigned ? { caCertificate: tls.certificate } : {}),
              },
          }
        : {}),
    apiAddress: api.address,
    // Kubernetes runs several API replicas behind one Service: scrape each replica through the
    // headless name that resolves to all of them. Docker runs one, scraped at its address.
    ...("dns" in apiTargets ? { apiDiscovery: apiTargets.dns } : {}),
    edgeStubStatusUrl: edge.statusUrl,
    postgres: { host: postgres.host, port: postgres.port, database: postgres.database, user: postgres.user, password: postgres.password },
    redis: { address: pulumi.interpolate`${redis.host}:${redis.port}`, password: redis.password },
    retention: cfg.monitoring.retention,
    enableLifecycleApi: cfg.monitoring.lifecycleApi,
    slackWebhookUrl: cfg.secrets.alertSlackWebhookUrl,
    requireSlack: cfg.monitoring.requireSlack,
    heartbeatUrl: cfg.secrets.alertHeartbeatUrl ?? cfg.monitoring.heartbeatUrl,
    rpoSeconds: cfg.monitoring.rpoSeconds,
    // The physical backups' limits follow their schedules; a larger type stands in for a smaller one.
    pitr: {
        enabled: cfg.backup.pitr.enabled,
        archiveTimeoutSeconds: cfg.backup.pitr.archiveTimeoutSeconds,
        backupMaxAgeSeconds: {
            full: staleAfterSeconds(cronsMaxGapSeconds([cfg.backup.pitr.fullCron])),
            diff: staleAfterSeconds(cronsMaxGapSeconds([cfg.backup.pitr.fullCron, cfg.backup.pitr.diffCron])),
            incr: staleAfterSeconds(cronsMaxGapSeconds([cfg.backup.pitr.fullCron, cfg.backup.pitr.diffCron, cfg.backup.pitr.incrCron])),
        },
    },
    logRetentionDays: cfg.monitoring.logRetentionDays,
    grafanaAdminPassword: cfg.secrets.grafanaAdminPassword,
    externalLabels: { stack },
    images: {
        prometheus: cfg.images.prometheus,
        alertmanager: cfg.images.alertmanager,
        grafana: cfg.images.grafana,
        loki: cfg.images.loki,
        alloy: cfg.images.alloy,
        nodeExporter: cfg.images.nodeExporter,
        postgresExporter: cfg.images.postgresExporter,
        redisExporter: cfg.images.redisExporter,
        nginxExporter: cfg.images.nginxExporter,
        blackboxExporter: cfg.images.blackboxExporter,
        pushgateway: cfg.images.pushgateway,
    },
    resources: {
        prometheus: cfg.resources.prometheus,
        alertmanager: cfg.resources.alertmanager,
        grafana: cfg.resources.grafana,
        loki: cfg.resources.loki,
        alloy: cfg.resources.alloy,
        nodeExporter: exporterResources,
        postgresExporter: exporterResources,
        redisExporter: exporterResources,
        nginxExporter: exporterResources,
        blackboxExporter: exporterResources,
        pushgateway: exporterResources,
    },
    storageGi: {
        prometheus: cfg.monitoring.prometheusVolumeSizeGi,
        loki: cfg.monitoring.lokiVolumeSizeGi,
        grafana: cfg.monitoring.grafanaVolumeSizeGi,
    },
});

resolvePushgatewayUrl(monitoring.pushgatewayUrl);

const backups = new Backups("backups", {
    platform,
    image: cfg.images.backup,
    bucket: backupBucket,
    postgres,
    redis,
    backupCron: cfg.backup.cron,
    drillCron: cfg.backup.drillCron,
    healthcheckUrl: cfg.secrets.backupHealthcheckUrl,
    pushgatewayUrl: monitoring.pushgatewayUrl,
    resources: cfg.resources.backup,
});

/** The public URL of the platform. */
export const publicUrl = edge.publicUrl;
/** The API health URL, through the edge. */
export const apiHealthUrl = edge.apiHealthUrl;
/** Internal endpoint of every service. */
export const endpoints = {
    api: api.address,
    web: web.address,
    edge: edge.endpoint.apply((e) => e.address),
    postgres: pulumi.interpolate`${postgres.host}:${postgres.port}`,
    redis: pulumi.interpolate`${redis.host}:${redis.port}`,
};
/** Where backups go (s3://bucket/prefix). */
export const backupS3Uri = backupBucket.s3Uri;
/** The PEM CA certificate the backup bucket's endpoint is trusted by (dev: the CA of MinIO's TLS); none for AWS S3. */
export const backupCaBundle = backupBucket.caBundle;
/** The backup and restore-drill schedules (UTC cron). */
export const backupSchedules = { backup: backups.backupCron, drill: backups.drillCron };
/**
 * Point-in-time recovery: whether the WAL is archived, its schedules, and the pgBackRest
 * repository's cipher pass (secret; `ptc-backup pitr-restore` needs it as BACKUP_REPO_CIPHER_PASS).
 */
export const backupPitr = {
    enabled: postgres.pitrEnabled,
    archiveTimeoutSeconds: cfg.backup.pitr.archiveTimeoutSeconds,
    fullCron: cfg.backup.pitr.fullCron,
    diffCron: cfg.backup.pitr.diffCron,
    incrCron: cfg.backup.pitr.incrCron,
    retentionDays: cfg.backup.pitr.retentionDays,
    ...(postgres.pitrCipherPass !== undefined ? { cipherPass: postgres.pitrCipherPass } : {}),
};
/** Grafana inside the platform, its admin user and password (secret). */
export const grafana = {
    url: monitoring.grafanaUrl,
    adminUser: monitoring.grafanaAdminUser,
    adminPassword: monitoring.grafanaAdminPassword,
};
/** Prometheus and Alertmanager inside the platform. */
export const monitoringUrls = { prometheus: monitoring.prometheusUrl, alertmanager: monitoring.alertmanagerUrl, loki: monitoring.lokiUrl };
/** Which platform and stack this is. */
export const platformKind = cfg.platform;
/** The stack name. */
export const stackName = stack;
