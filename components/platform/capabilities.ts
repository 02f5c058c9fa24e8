/**
 * The Platform interface (what a deployment target does with a spec) and its capabilities (what
 * differs between platforms, for components to ask instead of branching on the platform). Import
 * it through spec.ts.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { JobSpec, ScheduleSpec, WorkloadSpec } from "./spec";

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
    /**
     * "host:port" that reaches only replicas that passed their health check, for the traffic of
     * real users (the edge). On Kubernetes it is the address: a Service routes to ready pods only.
     * On docker, whose DNS answers for a container whether it is healthy or not, it names the
     * current revision's own network alias, which the platform hands out only once every replica
     * of that revision is healthy (see DockerPlatform.service). Defaults to the address.
     */
    readonly servingAddress?: pulumi.Output<string>;
}

/** Options the platform needs when it creates a workload's resources. */
export interface WorkloadOptions {
    /** The component that owns the workload: every resource is parented to it. */
    readonly parent: pulumi.Resource;
    /** Resources the workload must wait for. */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
    /**
     * Outcomes the workload must wait for, such as {@link JobHandle.succeeded}: the workload's
     * inputs include them, so when one fails the workload is never created or replaced (a
     * dependsOn only orders the steps: it waits for the job's container, not for its success).
     */
    readonly after?: readonly pulumi.Output<string>[];
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
    /**
     * Resolves (to a hash of the job's trigger) once the job has succeeded, and fails the update
     * when it has not; hand it to dependents as {@link WorkloadOptions.after}. Absent where the
     * job's own resource already fails on a failed run (a Kubernetes Job, which the provider awaits).
     */
    readonly succeeded?: pulumi.Output<string>;
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
