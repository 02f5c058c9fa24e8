/**
 * The stack configuration schema: every top-level key of Pulumi.<stack>.yaml (namespace
 * `pro-team-care`), validated once with zod into one typed {@link StackConfig}. Values of a kind
 * the platforms also check (quantities, cron, DNS names, ports, CIDRs, URLs) use the schemas of
 * the validation vocabulary (components/platform/schemas.ts), so config and specs agree.
 */
import { z } from "zod";
import * as gate from "../components/deploy/gate-options";
import * as vocabulary from "../components/platform/schemas";

/** Workloads whose image comes from config. */
export const IMAGE_KEYS = [
    "api",
    "web",
    "edge",
    "postgres",
    "redis",
    "backup",
    "minio",
    "minioClient",
    "prometheus",
    "alertmanager",
    "grafana",
    "loki",
    "alloy",
    "nodeExporter",
    "postgresExporter",
    "redisExporter",
    "nginxExporter",
    "blackboxExporter",
    "pushgateway",
] as const;

/**
 * The images this repository builds and pushes (.github/workflows/images.yml). Prod references
 * them by digest: the workflow's job summary prints the reference, and a tag of ours could be
 * pushed again over a tested image, where a digest cannot.
 */
export const PROJECT_IMAGE_KEYS = ["backup", "postgres"] as const satisfies readonly (typeof IMAGE_KEYS)[number][];

/** A key of {@link IMAGE_KEYS}. */
export type ImageKey = (typeof IMAGE_KEYS)[number];

/** Workloads whose CPU and memory come from config. */
export const RESOURCE_KEYS = [
    "api",
    "web",
    "edge",
    "postgres",
    "redis",
    "migrate",
    "backup",
    "minio",
    "prometheus",
    "alertmanager",
    "grafana",
    "loki",
    "alloy",
    "exporter",
] as const;

/** A key of {@link RESOURCE_KEYS}. */
export type ResourceKey = (typeof RESOURCE_KEYS)[number];

const cpu = vocabulary.cpuQuantity;
const memory = vocabulary.memoryQuantity;
const cron = vocabulary.cronExpression;
const dnsName = vocabulary.dnsSubdomain;
const dnsLabel = vocabulary.dnsLabelStartingWithLetter;
const port = vocabulary.port;
const httpUrl = vocabulary.httpUrl;
const duration = vocabulary.duration;

/** CPU and memory of one workload. */
export const resourceSchema = z.strictObject({
    cpu,
    memory,
    cpuLimit: cpu.optional(),
    memoryLimit: memory.optional(),
});

/** The structured (non-secret) part of the stack config; every key has a per-environment default. */
export const stackConfigSchema = z.strictObject({
    /** Which platform runs the workloads. */
    platform: z.enum(["docker", "kubernetes"]),
    /** dev or prod: picks defaults and strictness (prod refuses mutable images). */
    environment: z.enum(["dev", "prod"]),
    /** Public DNS name of the edge. */
    domain: dnsName,
    /** Image references. */
    images: z.strictObject(Object.fromEntries(IMAGE_KEYS.map((k) => [k, z.string().min(1)])) as Record<ImageKey, z.ZodString>),
    /** Replicas of the stateless services. */
    replicas: z.strictObject({
        api: z.number().int().min(1).max(50),
        web: z.number().int().min(1).max(50),
        edge: z.number().int().min(1).max(50),
    }),
    /** CPU and memory per workload. */
    resources: z.strictObject(Object.fromEntries(RESOURCE_KEYS.map((k) => [k, resourceSchema])) as Record<ResourceKey, typeof resourceSchema>),
    /** Docker platform settings. */
    docker: z.strictObject({
        prefix: dnsLabel,
        httpPort: port,
        httpsPort: port,
    }),
    /** Kubernetes platform settings. */
    kubernetes: z.strictObject({
        namespace: dnsLabel,
        storageClassName: z.string().min(1).optional(),
        /** CIDRs of the API server the log collector may reach (TCP 443/6443). Defaults to 0.0.0.0/0. */
        apiServerCidrs: z
            .array(vocabulary.cidr)
            .min(1)
            .optional(),
    }),
    /** Edge proxy settings. */
    edge: z.strictObject({
        clientMaxBodySizeMb: z.number().int().min(1).max(1024),
        proxyReadTimeoutSeconds: z.number().int().min(1).max(3600),
        /** PEM certificate for the domain; empty means a self-signed pair is generated (dev only). */
        tlsCertificate: z.string().optional(),
    }),
    /** API settings. */
    api: z.strictObject({
        /** Run `alembic upgrade head` as a job before the API rolls out. */
        migrations: z.boolean(),
    }),
    /** PostgreSQL settings. */
    postgres: z.strictObject({
        database: vocabulary.sqlIdentifier,
        user: vocabulary.sqlIdentifier,
        volumeSizeGi: z.number().int().min(1).max(16384),
    }),
    /** Redis settings. */
    redis: z.strictObject({
        volumeSizeGi: z.number().int().min(1).max(1024),
    }),
    /** Backups. */
    backup: z.strictObject({
        /** "aws": a hardened S3 bucket; "platform": MinIO run on the platform (dev). */
        bucket: z.enum(["aws", "platform"]),
        /** Bucket name (aws). Defaults to one derived from the project and stack. */
        bucketName: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "an S3 bucket name").optional(),
        /** Key prefix inside the bucket. */
        prefix: z.string().regex(/^[a-z0-9][a-z0-9/_-]*$/, "a key prefix of lowercase letters, digits, /, _ and -"),
        /** Days a backup is kept. */
        retentionDays: z.number().int().min(1).max(3650),
        /** Days an overwritten or deleted version is kept. */
        noncurrentDays: z.number().int().min(1).max(365),
        /** Object Lock mode; "off" for none. */
        objectLock: z.enum(["off", "GOVERNANCE", "COMPLIANCE"]),
        /** Object Lock retention in days (≤ retentionDays). */
        objectLockDays: z.number().int().min(1).max(3650).optional(),
        /** Backup schedule (UTC). */
        cron,
        /** Restore-drill schedule (UTC). */
        drillCron: cron,
        /** MinIO volume size (platform bucket). */
        volumeSizeGi: z.number().int().min(1).max(16384),
        /** Point-in-time recovery: continuous WAL archiving and scheduled physical backups (pgBackRest). */
        pitr: z.strictObject({
            /** Archive the WAL and take physical backups. */
            enabled: z.boolean(),
            /** Seconds after which a WAL segment with changes is archived: the RPO bound. */
            archiveTimeoutSeconds: z.number().int().min(1).max(3600),
            /** Full backup schedule (UTC). */
            fullCron: cron,
            /** Differential backup schedule (UTC). */
            diffCron: cron,
            /** Incremental backup schedule (UTC). */
            incrCron: cron,
            /** Days pgBackRest keeps what a restore to any point within them needs. */
            retentionDays: z.number().int().min(1).max(3650),
        }),
    }).superRefine((b, ctx) => {
        // pgBackRest's time-based retention keeps the newest full backup older than the retention
        // and everything after it, so its oldest files can be retention + one full interval old.
        // The bucket keeps the logical backups `retentionDays` and never expires the pgBackRest
        // prefix (pgBackRest expires it); the two are reconciled here so the runbook's promise
        // ("restore to any second of the PITR retention, any logical backup of the bucket's")
        // holds for both: the PITR window must not outlast the bucket's retention.
        if (b.pitr.enabled && b.pitr.retentionDays > b.retentionDays) {
            ctx.addIssue({
                code: "custom",
                path: ["pitr", "retentionDays"],
                message: `at most backup.retentionDays (${b.retentionDays}): point-in-time recovery cannot promise more history than the bucket keeps; lower backup.pitr.retentionDays or raise backup.retentionDays`,
            });
        }
    }),
    /** Monitoring. */
    monitoring: z.strictObject({
        /** Prometheus TSDB retention. */
        retention: duration,
        /** Turn on Prometheus's lifecycle API (/-/reload, /-/quit). */
        lifecycleApi: z.boolean(),
        /** Loki log retention in days. */
        logRetentionDays: z.number().int().min(1).max(3650),
        /** Recovery point objective the backup alerts hold, in seconds. */
        rpoSeconds: z.number().int().min(300).max(86400),
        /** Prometheus volume size. */
        prometheusVolumeSizeGi: z.number().int().min(1).max(16384),
        /** Loki volume size. */
        lokiVolumeSizeGi: z.number().int().min(1).max(16384),
        /** Grafana volume size. */
        grafanaVolumeSizeGi: z.number().int().min(1).max(1024),
        /** Require a Slack webhook secret (alertSlackWebhookUrl). */
        requireSlack: z.boolean(),
        /** Dead-man's switch URL the Watchdog alert is sent to (plain; use alertHeartbeatUrl for a secret one). */
        heartbeatUrl: httpUrl.optional(),
    }),
    /** What runs around an update. */
    deploy: z.strictObject({
        /** The post-deploy gate: after the edge or the app changes, the public URLs must answer 200. */
        gate: z.strictObject({
            /** Run the gate on `pulumi up`. */
            enabled: z.boolean(),
            /** Seconds the checks together may take before the update fails. */
            budgetSeconds: gate.gateBudgetSeconds,
            /** Seconds between two attempts at a URL. */
            intervalSeconds: gate.gateIntervalSeconds,
            /** Where to connect (an https origin); defaults to the edge's public URL, on docker the published https port on localhost. */
            baseUrl: gate.gateBaseUrl.optional(),
            /** Absolute path of a PEM CA bundle to trust; defaults to the dev self-signed certificate when the stack made one, else the system CAs. */
            caFile: gate.gateCaFile.optional(),
        }),
    }),
});

/** The structured stack config after validation. */
export type StructuredConfig = z.infer<typeof stackConfigSchema>;

/** Top-level keys whose values are secrets (set with `pulumi config set --secret`). */
export const SECRET_KEYS = [
    "postgresPassword",
    "redisPassword",
    "tlsPrivateKey",
    "alertSlackWebhookUrl",
    "alertHeartbeatUrl",
    "backupHealthcheckUrl",
    "grafanaAdminPassword",
] as const;

/** A key of {@link SECRET_KEYS}. */
export type SecretKey = (typeof SECRET_KEYS)[number];
