/**
 * Label and annotation keys the platforms put on workloads (mirrors LABELS and ANNOTATIONS of
 * components/platform/spec.ts; the pack is its own package, so it keeps a copy and a test keeps
 * the two equal).
 */

/** Label keys (Kubernetes labels; docker container labels). */
export const LABELS = {
    /** The component instance that owns the workload. */
    component: "proteamcare.io/component",
    /** The workload's name (unique within a stack). */
    workload: "proteamcare.io/workload",
    /** Network tier: "edge" | "app" | "data" | "ops". */
    tier: "proteamcare.io/tier",
    /** Data store kind: "postgres" | "redis" | "object-store". */
    store: "proteamcare.io/store",
    /** What the platform made of the spec: "service" | "job" | "schedule". */
    kind: "proteamcare.io/kind",
    /** Role of a job or schedule: "backup", "restore-drill", "migration", "bucket-init". */
    role: "proteamcare.io/role",
} as const;

/** Annotation keys (Kubernetes annotations; docker container labels). */
export const ANNOTATIONS = {
    /** On a backup schedule: comma-separated workload names of the stores it covers. */
    backupOf: "proteamcare.io/backup-of",
    /** On a schedule: its cron expression (docker has no CronJob object). */
    schedule: "proteamcare.io/schedule",
    /** Comma-separated names of entries of the pack's exemption registry (policy/exemptions.ts). */
    exemptions: "proteamcare.io/policy-exemptions",
} as const;

/** Environment variable names treated as secrets unless the config says otherwise (same as spec.ts). */
export const DEFAULT_SECRET_NAME_PATTERN = "(PASSWORD|PASSWD|SECRET|TOKEN|KEY|CREDENTIAL|_URL_WITH_AUTH)";
