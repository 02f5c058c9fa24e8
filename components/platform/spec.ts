/**
 * The seam between components and platforms: a platform-neutral description of a workload.
 *
 * Components describe what they need with these plain-data types and hand them to the stack's
 * {@link Platform}; only the platform implementations import `@pulumi/docker` or
 * `@pulumi/kubernetes`. Everything here is data (plus `pulumi.Input`s for values that come from
 * other resources), so specs can be built and checked by pure functions without any runtime.
 *
 * This module is the seam's one import path: it re-exports the health check (health-check.ts),
 * the Platform interface and its capabilities (capabilities.ts) and `validateSpec` (validate.ts),
 * so components import everything about the seam from here.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { HealthCheck } from "./health-check";
import type { Tier } from "./tiers";

export * from "./health-check";
export * from "./capabilities";
export * from "./validate";
export * from "./sidecars";
export * from "./tiers";

/**
 * Label keys the platforms put on every object they create; the policy pack reads them.
 * Values must be valid Kubernetes label values (letters, digits, "-", "_", "."; at most 63).
 */
export const LABELS = {
    /** The component instance that owns the workload (its Pulumi name). */
    component: "proteamcare.io/component",
    /** The workload's name (unique within a stack). */
    workload: "proteamcare.io/workload",
    /** The workload's {@link Tier}. */
    tier: "proteamcare.io/tier",
    /** Kind of data store held by the workload: "postgres", "redis" or "object-store". */
    store: "proteamcare.io/store",
    /** What the platform made of the spec: "service", "job", "schedule" or (docker) "sidecar". Jobs and schedules have no health check. */
    kind: "proteamcare.io/kind",
    /** Role of a job, schedule or sidecar: "backup", "restore-drill", "migration", "bucket-init", "pitr-backup". */
    role: "proteamcare.io/role",
} as const;

/**
 * Annotation keys (free-form values). On Kubernetes they are object and pod-template annotations;
 * on docker, container labels (docker labels are free-form).
 */
export const ANNOTATIONS = {
    /** On a backup schedule: comma-separated workload names of the stores it covers. */
    backupOf: "proteamcare.io/backup-of",
    /** On a schedule: its cron expression (docker has no CronJob object to read it from). */
    schedule: "proteamcare.io/schedule",
    /** Policy exemptions: comma-separated exemption names (see the policy pack). */
    exemptions: "proteamcare.io/policy-exemptions",
} as const;

/** A named port a workload listens on. */
export interface PortSpec {
    /** DNS-label name (e.g. "http"). */
    readonly name: string;
    /** Container port. */
    readonly port: number;
    /** Host port to publish. Only the edge tier may publish; platforms refuse it elsewhere. Defaults to none. */
    readonly hostPort?: number;
}

/** A file the platform puts into the container (docker upload; Kubernetes ConfigMap or Secret). */
export interface FileSpec {
    /** Absolute path inside the container. */
    readonly path: string;
    /** File content. */
    readonly content: pulumi.Input<string>;
    /** Store as a secret (Kubernetes Secret; secret input on docker). Defaults to false. */
    readonly secret?: boolean;
    /** Make the file executable. Defaults to false. */
    readonly executable?: boolean;
}

/** A persistent volume. */
export interface VolumeSpec {
    /** Name, unique within the workload. */
    readonly name: string;
    /** Mount path inside the container. */
    readonly mountPath: string;
    /** Requested size in GiB (Kubernetes claim; informative on docker). */
    readonly sizeGi: number;
}

/** A writable scratch directory (emptyDir on Kubernetes, tmpfs on docker) for read-only root filesystems. */
export interface ScratchSpec {
    /** Mount path. */
    readonly mountPath: string;
    /** Size limit in MiB. Defaults to 64. */
    readonly sizeMi?: number;
}

/** CPU and memory: the request and the limit. */
export interface ResourceSpec {
    /** Requested CPU in Kubernetes quantity form, e.g. "250m". */
    readonly cpu: string;
    /** Requested memory, e.g. "256Mi". */
    readonly memory: string;
    /** CPU limit. Defaults to none (CPU throttling hurts latency more than it protects). */
    readonly cpuLimit?: string;
    /** Memory limit. Defaults to the request. */
    readonly memoryLimit?: string;
}

/** What every workload (service, job or schedule) has in common. */
export interface ContainerSpec {
    /** Image reference (tag or digest). */
    readonly image: pulumi.Input<string>;
    /** Plain environment. Names that look like secrets are refused: use secretEnv. */
    readonly env?: Readonly<Record<string, pulumi.Input<string>>>;
    /** Secret environment: always stored and shown as secrets. */
    readonly secretEnv?: Readonly<Record<string, pulumi.Input<string>>>;
    /** Files placed in the container. */
    readonly files?: readonly FileSpec[];
    /** Entrypoint override. Defaults to the image's. */
    readonly entrypoint?: readonly string[];
    /** Command (arguments) override. Defaults to the image's. */
    readonly command?: readonly pulumi.Input<string>[];
    /** CPU and memory. */
    readonly resources: ResourceSpec;
    /** Numeric "uid:gid" to run as (the image's non-root user). Defaults to the image's user. */
    readonly user?: string;
    /** The image can run with a read-only root filesystem. Defaults to false. */
    readonly readOnlyRootFilesystem?: boolean;
    /** Writable scratch directories. */
    readonly scratch?: readonly ScratchSpec[];
    /** Network tier. */
    readonly tier: Tier;
    /** Extra labels (see {@link LABELS}); values must be valid Kubernetes label values. */
    readonly labels?: Readonly<Record<string, string>>;
    /** Annotations (see {@link ANNOTATIONS}); free-form values. */
    readonly annotations?: Readonly<Record<string, string>>;
}

/** A long-running service. */
export interface WorkloadSpec extends ContainerSpec {
    /** Ports it listens on. */
    readonly ports: readonly PortSpec[];
    /** Persistent volumes; a workload with volumes is a StatefulSet on Kubernetes. */
    readonly volumes?: readonly VolumeSpec[];
    /** Required: no workload ships without one. */
    readonly healthCheck: HealthCheck;
    /** Replica count. Defaults to 1. Workloads with volumes are limited to 1 on docker. */
    readonly replicas?: number;
    /** Host-level agent needs (host paths mounted read-only, host PID). Needs a policy exemption. */
    readonly host?: HostAccessSpec;
    /**
     * Run one per node (DaemonSet on Kubernetes; a single container on docker). On Kubernetes the
     * endpoint host is a headless Service whose name resolves to every pod. Defaults to false.
     */
    readonly perNode?: boolean;
    /** Seconds given to stop gracefully. Defaults to 30. */
    readonly stopGracePeriodSeconds?: number;
    /**
     * Replace the workload by starting the new revision beside the old one, which is stopped only
     * after the new one is healthy and serving (create-before-delete). Kubernetes Deployments do
     * this always (maxUnavailable 0); on docker it is opt-in, for stateless services: a
     * workload with volumes or host ports cannot run twice (two PostgreSQL on one data directory
     * is corruption; a host port binds once), so it is refused there. Defaults to false (docker
     * stops the old container first).
     */
    readonly overlapUpdates?: boolean;
    /**
     * Files that change without replacing the workload: every file under `directory` is
     * delivered live, checked with `check` (run in the workload's image against the new files
     * before they replace the old ones) and applied by `reload` in the running container. On
     * docker a config-writer job puts them in a volume and a small watcher in the container runs
     * the reload (see scripts/live-files.sh); on Kubernetes a change rolls the pods (the pod
     * template's files checksum). Defaults to none (a file change replaces the workload).
     */
    readonly liveFiles?: LiveFilesSpec;
    /**
     * Containers run beside the workload on its data: in the same pod on Kubernetes (sharing its
     * volume claims and scratch emptyDirs), as second containers on docker (mounting the same named
     * volumes, and the shared scratch directories as a volume of their own). For what must run where
     * the data is, such as physical backups, which read the data directory and talk to the server
     * over its Unix socket. See sidecars.ts. Defaults to none.
     */
    readonly sidecars?: readonly SidecarSpec[];
    /**
     * Tiers the workload (its sidecars included) may open connections to beyond those
     * {@link TIER_INGRESS} gives its own tier, with the external egress of those tiers: the database
     * archives its WAL and backs up physically into the backup store (MinIO in the ops tier, S3
     * outside the cluster) and pushes those runs' metrics to the Pushgateway (ops). On docker it
     * joins those tiers' networks; on Kubernetes a NetworkPolicy of its own lets its pods out and
     * another lets the target tiers admit them. Defaults to none.
     */
    readonly reachesTiers?: readonly Tier[];
}

/** A job a sidecar runs on several cron schedules, one run at a time (see {@link SidecarSpec}). */
export interface SidecarScheduleSpec {
    /** Command and its arguments, e.g. ["ptc-backup", "base-backup"]. */
    readonly command: readonly string[];
    /**
     * Standard 5-field cron expressions (UTC), each with the arguments it appends to the command.
     * When several are due in the same minute, the first one listed runs (list the weekly full
     * backup before the daily differential). A run still going when the next one is due skips it.
     */
    readonly runs: readonly { readonly cron: string; readonly args: readonly string[] }[];
}

/** A scheduled container beside a service, on the service's volumes (see {@link WorkloadSpec.sidecars}). */
export interface SidecarSpec {
    /** DNS label, unique within the workload (the docker container is `<workload>-<name>`). */
    readonly name: string;
    /** Image. Defaults to the workload's. */
    readonly image?: pulumi.Input<string>;
    /** Plain environment (secret-looking names are refused, as for the workload). */
    readonly env?: Readonly<Record<string, pulumi.Input<string>>>;
    /** Secret environment. */
    readonly secretEnv?: Readonly<Record<string, pulumi.Input<string>>>;
    /** Files placed in the sidecar (a path the workload also has must hold the same content). Defaults to none. */
    readonly files?: readonly FileSpec[];
    /** CPU and memory of the sidecar alone. */
    readonly resources: ResourceSpec;
    /** Numeric "uid:gid". Defaults to the workload's user (it reads the workload's files). */
    readonly user?: string;
    /** Read-only root filesystem. Defaults to the workload's setting. */
    readonly readOnlyRootFilesystem?: boolean;
    /** Its own scratch directories (not shared). Defaults to a /tmp when the root is read-only. */
    readonly scratch?: readonly ScratchSpec[];
    /** Names of the workload's volumes it mounts, at the workload's mount paths. Defaults to none. */
    readonly volumes?: readonly string[];
    /** Mount paths of the workload's scratch directories it shares (a Unix socket directory). Defaults to none. */
    readonly sharedScratch?: readonly string[];
    /** What it runs, under the platform's cron loop (scripts/cron-loop.sh, heartbeat as its liveness). */
    readonly schedule: SidecarScheduleSpec;
    /** Extra labels of the sidecar (docker: of its container; Kubernetes: the pod's are the workload's). */
    readonly labels?: Readonly<Record<string, string>>;
}

/** See {@link WorkloadSpec.liveFiles}. */
export interface LiveFilesSpec {
    /** Absolute directory holding the live files (each live file's path is under it). */
    readonly directory: string;
    /** Command that validates the files in place, e.g. ["nginx", "-t", "-q", "-c", "/etc/nginx/live/nginx.conf"]. */
    readonly check: readonly string[];
    /** Command that makes the running process load them, e.g. ["nginx", "-s", "reload"]. */
    readonly reload: readonly string[];
}

/** Host access for node-level agents (node-exporter, the log collector). */
export interface HostAccessSpec {
    /** Host paths mounted read-only. */
    readonly paths?: readonly { readonly hostPath: string; readonly mountPath: string }[];
    /** Share the host's PID namespace. Defaults to false. */
    readonly pid?: boolean;
    /**
     * Read the container logs (log collectors): docker's json-file directory read-only (never the
     * engine socket); on Kubernetes /var/log/pods plus a ServiceAccount that may read pods and egress
     * to the API server. Defaults to false.
     */
    readonly containerLogs?: boolean;
    /** Run as root (needed to read other containers' logs). Defaults to false. */
    readonly root?: boolean;
}

/** A run-to-completion job. */
export interface JobSpec extends ContainerSpec {
    /** Retries before the job counts as failed. Defaults to 2. */
    readonly backoffLimit?: number;
    /** Seconds the job may run before it is killed. Defaults to 3600. */
    readonly deadlineSeconds?: number;
    /**
     * Re-runs the job when this value changes (e.g. the image of the API for migrations).
     * Defaults to the job's image.
     */
    readonly trigger?: pulumi.Input<string>;
}

/** A job run on a cron schedule. */
export interface ScheduleSpec extends JobSpec {
    /** Standard 5-field cron expression, evaluated in UTC. */
    readonly cron: string;
}

/** Merges the standard labels for a workload with its own. Sorted for stable output. */
export function workloadLabels(component: string, name: string, spec: ContainerSpec): Record<string, string> {
    const all: Record<string, string> = {
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/part-of": "pro-team-care",
        "app.kubernetes.io/managed-by": "pulumi",
        [LABELS.component]: component,
        [LABELS.workload]: name,
        [LABELS.tier]: spec.tier,
        ...(spec.labels ?? {}),
    };
    return Object.fromEntries(Object.keys(all).sort().map((k) => [k, all[k]]));
}
