/**
 * The seam between components and platforms: a platform-neutral description of a workload.
 *
 * Components describe what they need with these plain-data types and hand them to the stack's
 * {@link Platform}; only the platform implementations import `@pulumi/docker` or
 * `@pulumi/kubernetes`. Everything here is data (plus `pulumi.Input`s for values that come from
 * other resources), so specs can be built and checked by pure functions without any runtime.
 *
 * Over 400 lines on purpose: the seam's types are documented field by field, and `validateSpec`
 * sits beside the types it checks (its value rules come from schemas.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import {
    absolutePath,
    cpuQuantity,
    cronExpression,
    dnsLabel,
    labelKey,
    labelValue,
    memoryQuantity,
    nonNegativeInt,
    port,
    positiveInt,
    problemOf,
} from "./schemas";

/** Network tier of a workload; drives isolation (docker networks, Kubernetes NetworkPolicies). */
export type Tier = "edge" | "app" | "data" | "ops";

/** Every tier, in a stable order. */
export const TIERS: readonly Tier[] = ["edge", "app", "data", "ops"];

/**
 * Which tiers may open connections to which. The single source of truth for both platforms:
 * edge→app, app→data, ops→everything (scraping, backups), and nothing else.
 */
export const TIER_INGRESS: Readonly<Record<Tier, readonly Tier[]>> = {
    edge: ["ops"],
    app: ["edge", "ops"],
    data: ["app", "ops"],
    ops: ["ops"],
};

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
    /** What the platform made of the spec: "service", "job" or "schedule". Jobs and schedules have no health check. */
    kind: "proteamcare.io/kind",
    /** Role of a job or schedule: "backup", "restore-drill", "migration", "bucket-init". */
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

/** A health check; the one definition both platforms derive their probes from. */
export type HealthCheck = (
    | {
          /** An HTTP GET that must answer 2xx/3xx. */
          readonly kind: "http";
          readonly path: string;
          readonly port: number;
          /** Host header to send. Defaults to none. */
          readonly host?: string;
      }
    | {
          /** A command run inside the container that must exit 0. */
          readonly kind: "exec";
          readonly command: readonly string[];
      }
    | {
          /** A TCP connect. */
          readonly kind: "tcp";
          readonly port: number;
      }
) & {
    /** Seconds between checks. Defaults to 15. */
    readonly intervalSeconds?: number;
    /** Seconds before one check counts as failed. Defaults to 5. */
    readonly timeoutSeconds?: number;
    /** Consecutive failures before the workload is unhealthy. Defaults to 3. */
    readonly retries?: number;
    /** Seconds a slow starter gets before failures count (docker start_period, k8s startupProbe). Defaults to 0. */
    readonly startPeriodSeconds?: number;
};

/** A health check with every default filled in. */
export type ResolvedHealthCheck = HealthCheck & {
    readonly intervalSeconds: number;
    readonly timeoutSeconds: number;
    readonly retries: number;
    readonly startPeriodSeconds: number;
};

/** Fills in the defaults of a health check. */
export function resolveHealthCheck(hc: HealthCheck): ResolvedHealthCheck {
    return {
        ...hc,
        intervalSeconds: hc.intervalSeconds ?? 15,
        timeoutSeconds: hc.timeoutSeconds ?? 5,
        retries: hc.retries ?? 3,
        startPeriodSeconds: hc.startPeriodSeconds ?? 0,
    };
}

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

/** Where a service can be reached from inside the platform. */
export interface ServiceEndpoint {
    /** Host name other workloads use. */
    readonly host: pulumi.Output<string>;
    /** Port of the first (primary) port. */
    readonly port: number;
    /** "host:port" of the primary port. */
    readonly address: pulumi.Output<string>;
    /**
     * A DNS name whose A records are the addresses of every replica (not a load-balanced virtual
     * IP), for clients that must reach each replica on its own, e.g. Prometheus's DNS discovery: a
     * scrape through {@link ServiceEndpoint.host} reaches one random replica, so counters jump
     * between pods. On Kubernetes a workload with replicas > 1 gets a headless Service
     * `<name>-pods` (ready pods only) and this is its in-cluster name; a per-node workload's
     * Service is headless already, so this is its host; with one replica it is the host. On docker
     * it is the network alias every replica shares (the embedded DNS returns each container).
     * Defaults to none (platforms that cannot resolve replicas: use the host).
     */
    readonly podsHost?: pulumi.Output<string>;
}

/** Options the platform needs when it creates a workload's resources. */
export interface WorkloadOptions {
    /** The component that owns the workload: every resource is parented to it. */
    readonly parent: pulumi.Resource;
    /** Resources the workload must wait for. */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** The result of creating a service. */
export interface ServiceHandle {
    /** Internal endpoint. */
    readonly endpoint: ServiceEndpoint;
    /** The resources that make up the running workload (for dependsOn). */
    readonly resources: pulumi.Resource[];
}

/** The result of creating a job or schedule. */
export interface JobHandle {
    /** The resources that make up the job. */
    readonly resources: pulumi.Resource[];
}

/**
 * Where a log collector (a workload with `host.containerLogs`) finds every workload's container
 * logs: "docker-json-files", the json-file driver's files under /var/lib/docker/containers, each
 * line carrying the workload and tier labels in its `attrs`; "kubernetes-pods", the kubelet's
 * CRI-format files under /var/log/pods, matched to pods (and their labels) through the API.
 */
export type ContainerLogSource = "docker-json-files" | "kubernetes-pods";

/** A service's endpoint as a component exposes it, for {@link PlatformCapabilities.scrapeTargets}. */
export interface ScrapeEndpoint {
    /** Host name. */
    readonly host: pulumi.Input<string>;
    /** Port. */
    readonly port: pulumi.Input<number>;
    /** "host:port". */
    readonly address: pulumi.Input<string>;
    /** A name resolving to every replica (see {@link ServiceEndpoint.podsHost}). Defaults to the host. */
    readonly podsHost?: pulumi.Input<string>;
}

/**
 * How Prometheus reaches every replica of a service: fixed `static` targets ("host:port"), or
 * `dns` discovery (each name's A records, one target per address, on `port`).
 */
export type ScrapeTargets =
    | { readonly static: readonly pulumi.Input<string>[] }
    | { readonly dns: { readonly names: readonly pulumi.Input<string>[]; readonly port: pulumi.Input<number> } };

/**
 * What differs between platforms, as answers a component can ask for instead of branching on
 * which platform it runs on (the lint config forbids reading a platform's kind outside
 * components/platform). Add a member here when a component needs a new difference; keep each one
 * the smallest fact the component needs, documented with each platform's answer.
 */
export interface PlatformCapabilities {
    /**
     * DNS server a long-lived client (the edge's nginx) must re-resolve service names with at run
     * time, because a service's address changes when its workload is recreated: docker's embedded
     * DNS (127.0.0.11). Undefined where a service's address is stable for its life (a Kubernetes
     * Service's cluster IP), so resolving once at start is enough.
     */
    readonly runtimeDnsResolver: string | undefined;
    /**
     * Whether a service that publishes host ports may run more than one replica: true on
     * Kubernetes (a LoadBalancer Service owns the public ports), false on docker (one container
     * binds a host port).
     */
    readonly hostPortsWithReplicas: boolean;
    /**
     * Whether http and tcp health checks run as a command inside the container, with the image's
     * own tools (docker's HEALTHCHECK: true), rather than from outside it (the kubelet's probes:
     * false). An image without a shell or HTTP client (FROM scratch) needs an exec check where this is true.
     */
    readonly healthChecksRunInContainer: boolean;
    /** Where a log collector finds the container logs (see {@link ContainerLogSource}). */
    readonly containerLogSource: ContainerLogSource;
    /**
     * How a client inside the platform (the uptime prober) reaches the edge: "public-url" where the
     * public URL works from inside (Kubernetes: the load balancer's address is reachable from pods);
     * "service-address" where it may not (docker: the public name is usually the host's localhost,
     * which inside a container is the container itself), so such clients use the edge's service
     * address and check its certificate against the public name.
     */
    readonly edgeAccessInside: "public-url" | "service-address";
    /**
     * Whether a fresh persistent volume is writable by a workload's non-root `user`: true on
     * Kubernetes (the pod's fsGroup makes the claim group-writable); false on docker (a fresh named
     * volume is owned as the image's mount path is, root unless the image prepared it).
     */
    readonly volumesWritableByUser: boolean;
    /**
     * How Prometheus scrapes every replica of a service on its own (a scrape through a
     * load-balanced name reaches one random replica, so counters jump between them). Docker: the
     * address as one static target (a docker stack runs one replica of what is scraped, and a
     * per-node workload is one container). Kubernetes: DNS discovery of the `podsHost` (the host
     * when there is none), the headless name whose A records are the ready pods.
     */
    scrapeTargets(endpoint: ScrapeEndpoint): ScrapeTargets;
}

/**
 * A deployment target: docker or Kubernetes. Components never ask which one: what differs is in
 * {@link Platform.capabilities}.
 */
export interface Platform {
    /** What differs between platforms, for components to ask instead of branching on the platform. */
    readonly capabilities: PlatformCapabilities;
    /** A long-running service. */
    service(name: string, spec: WorkloadSpec, opts: WorkloadOptions): ServiceHandle;
    /** A job that runs to completion once per trigger. */
    job(name: string, spec: JobSpec, opts: WorkloadOptions): JobHandle;
    /** A job run on a cron schedule. */
    schedule(name: string, spec: ScheduleSpec, opts: WorkloadOptions): JobHandle;
}

/** Environment variable names that must never be passed as plain env. */
export const SECRET_NAME_PATTERN = /(PASSWORD|PASSWD|SECRET|TOKEN|KEY|CREDENTIAL|_URL_WITH_AUTH)/i;

/**
 * Checks a spec for mistakes that no platform can fix: returns one message per problem, each
 * naming the workload and what to change. Every platform-neutral rule is here (values through the
 * vocabulary in schemas.ts), so the docker and Kubernetes platforms refuse the same spec with the
 * same message; only rules of one platform's API stay with that platform. Platforms call it before
 * creating anything and throw with every problem. `component` is the owning component's name,
 * which becomes a label value. Defaults to none (not checked).
 */
export function validateSpec(name: string, spec: ContainerSpec & Partial<WorkloadSpec> & Partial<ScheduleSpec>, component?: string): string[] {
    const problems: string[] = [];
    const bad = (schema: z.ZodType, value: unknown): string | undefined => problemOf(schema, value);
    if (!/^[a-z]([-a-z0-9]{0,40}[a-z0-9])?$/.test(name)) {
        problems.push(`workload name "${name}" must be a DNS label of at most 42 characters (lowercase letters, digits, "-")`);
    }
    for (const key of Object.keys(spec.env ?? {})) {
        if (SECRET_NAME_PATTERN.test(key)) {
            problems.push(`${name}: env ${key} looks like a secret; pass it in secretEnv`);
        }
    }
    for (const key of Object.keys(spec.secretEnv ?? {})) {
        if (key in (spec.env ?? {})) {
            problems.push(`${name}: ${key} is both in env and secretEnv`);
        }
    }
    const ports = spec.ports ?? [];
    const portNames = new Set<string>();
    for (const p of ports) {
        if (portNames.has(p.name)) problems.push(`${name}: port name "${p.name}" is used twice`);
        portNames.add(p.name);
        if (p.hostPort !== undefined && spec.tier !== "edge") {
            problems.push(`${name}: only the edge tier may publish host ports (port ${p.name} of tier ${spec.tier})`);
        }
        for (const [what, n] of [["port", p.port], ["hostPort", p.hostPort]] as const) {
            const why = n === undefined ? undefined : bad(port, n);
            if (why) problems.push(`${name}: ${what} ${n} of port "${p.name}" must be ${why}`);
        }
    }
    const paths = new Set<string>();
    for (const f of spec.files ?? []) {
        if (bad(absolutePath, f.path)) problems.push(`${name}: file path "${f.path}" must be absolute`);
        if (paths.has(f.path)) problems.push(`${name}: file path "${f.path}" is listed twice`);
        paths.add(f.path);
    }
    const volumeNames = new Set<string>();
    for (const v of spec.volumes ?? []) {
        if (volumeNames.has(v.name)) problems.push(`${name}: volume "${v.name}" is listed twice`);
        volumeNames.add(v.name);
        // Volume names become object names (Kubernetes claim templates, docker volumes): the strictest rule applies.
        const why = bad(dnsLabel, v.name);
        if (why) problems.push(`${name}: volume name "${v.name}" must be ${why}`);
        if (!(v.sizeGi > 0)) problems.push(`${name}: volume "${v.name}" needs a positive sizeGi`);
        if (bad(absolutePath, v.mountPath)) problems.push(`${name}: volume "${v.name}" mount path "${v.mountPath}" must be absolute`);
    }
    for (const sc of spec.scratch ?? []) {
        if (bad(absolutePath, sc.mountPath)) problems.push(`${name}: scratch mount path "${sc.mountPath}" must be absolute`);
        if (sc.sizeMi !== undefined && bad(positiveInt, sc.sizeMi)) {
            problems.push(`${name}: scratch ${sc.mountPath} sizeMi must be a positive integer, got ${sc.sizeMi}`);
        }
    }
    for (const hp of spec.host?.paths ?? []) {
        if (bad(absolutePath, hp.hostPath) || bad(absolutePath, hp.mountPath)) {
            problems.push(`${name}: host path ${hp.hostPath} → ${hp.mountPath} must use absolute paths`);
        }
    }
    if (spec.perNode && (spec.volumes?.length ?? 0) > 0) {
        problems.push(`${name}: a perNode workload (DaemonSet) cannot have persistent volumes; drop perNode or the volumes`);
    }
    if (spec.perNode && spec.replicas !== undefined && spec.replicas !== 1) {
        problems.push(`${name}: a perNode workload runs one pod per node; remove replicas (${spec.replicas})`);
    }
    if (spec.replicas !== undefined && (!Number.isInteger(spec.replicas) || spec.replicas < 1)) {
        problems.push(`${name}: replicas must be a positive integer, got ${spec.replicas}`);
    }
    if (spec.healthCheck) {
        const hc = resolveHealthCheck(spec.healthCheck);
        if (hc.timeoutSeconds >= hc.intervalSeconds) {
            problems.push(`${name}: health check timeout (${hc.timeoutSeconds}s) must be shorter than its interval (${hc.intervalSeconds}s)`);
        }
        if (hc.kind === "exec" && hc.command.length === 0) problems.push(`${name}: exec health check needs a command`);
    }
    if (spec.user !== undefined && !/^\d+(:\d+)?$/.test(spec.user)) {
        problems.push(`${name}: user must be numeric "uid" or "uid:gid" (so Kubernetes can verify non-root), got "${spec.user}"`);
    }
    const r = spec.resources;
    for (const [what, q, schema] of [
        ["cpu", r.cpu, cpuQuantity],
        ["cpuLimit", r.cpuLimit, cpuQuantity],
        ["memory", r.memory, memoryQuantity],
        ["memoryLimit", r.memoryLimit, memoryQuantity],
    ] as const) {
        const why = q === undefined ? undefined : bad(schema, q);
        if (why) problems.push(`${name}: resources.${what} "${q}" must be ${why}`);
    }
    if (component !== undefined && bad(labelValue, component)) {
        problems.push(`${name}: owning component name "${component}" must be ${bad(labelValue, component)}`);
    }
    for (const [k, v] of Object.entries(spec.labels ?? {})) {
        const kp = bad(labelKey, k);
        if (kp) problems.push(`${name}: label key "${k}" must be ${kp}`);
        const vp = bad(labelValue, v);
        if (vp) problems.push(`${name}: label ${k}="${v}" must be ${vp}`);
    }
    for (const k of Object.keys(spec.annotations ?? {})) {
        const kp = bad(labelKey, k);
        if (kp) problems.push(`${name}: annotation key "${k}" must be ${kp}`);
    }
    if (spec.cron !== undefined) {
        const why = bad(cronExpression, spec.cron);
        if (why) problems.push(`${name}: cron "${spec.cron}" must be ${why}`);
    }
    for (const [what, n, schema] of [
        ["backoffLimit", spec.backoffLimit, nonNegativeInt],
        ["deadlineSeconds", spec.deadlineSeconds, positiveInt],
        ["stopGracePeriodSeconds", spec.stopGracePeriodSeconds, nonNegativeInt],
    ] as const) {
        const why = n === undefined ? undefined : bad(schema, n);
        if (why) problems.push(`${name}: ${what} must be ${why}, got ${n}`);
    }
    return problems;
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
