/**
 * What a spec asks of the cluster beyond its workload object: a headless pods Service, read access
 * to the API, the host-agent namespace. Renderers and the platform ask these, never the raw spec
 * fields, so they decide the same way.
 */
import type { WorkloadSpec } from "../spec";

/**
 * Does the workload read the Kubernetes API? Only a log collector (`host.containerLogs`) does: it
 * discovers the pods on its node to label their log files. It gets its own ServiceAccount with
 * read access to pods and a token; every other workload has no token at all.
 */
export function readsPods(spec: Partial<WorkloadSpec>): boolean {
    return spec.host?.containerLogs === true;
}

/**
 * Does the workload get a headless `<name>-pods` Service besides its ClusterIP one? Only a
 * workload with ports and more than one replica: a per-node workload's own Service is headless
 * already, and with one replica the ClusterIP name reaches the only pod.
 */
export function hasPodsService(spec: Partial<Pick<WorkloadSpec, "ports" | "replicas" | "perNode">>): boolean {
    return !spec.perNode && (spec.replicas ?? 1) > 1 && (spec.ports?.length ?? 0) > 0;
}

/** Does the workload need host access (and so the host-agent namespace)? */
export function needsHostAccess(spec: Partial<WorkloadSpec>): boolean {
    const h = spec.host;
    return h !== undefined && ((h.paths?.length ?? 0) > 0 || h.pid === true || h.containerLogs === true || h.root === true);
}
