/**
 * Every name the Kubernetes renderers make: object names derived from the workload's, DNS names,
 * ConfigMap/Secret keys and volume names. One home, so a Service, its DNS name and the objects
 * that point at it can never disagree.
 */
import { shortHash } from "../hash";

/** In-cluster DNS name of a service. */
export function serviceHost(name: string, namespace: string, clusterDomain = "cluster.local"): string {
    return `${name}.${namespace}.svc.${clusterDomain}`;
}

/** Name of the ConfigMap holding a workload's plain files. */
export function configMapName(name: string): string {
    return `${name}-files`;
}
/** Name of the Secret holding a workload's secret env and secret files. */
export function secretName(name: string): string {
    return `${name}-secrets`;
}
/**
 * Name of the ClusterRole (and its binding) of a workload that reads pods: cluster-scoped, so it
 * carries the namespace to keep two stacks' apart.
 */
export function podReaderRoleName(name: string, namespace: string): string {
    return `${namespace}-${name}-pod-reader`;
}
/** Name of the NetworkPolicy that lets a workload reach the API server. */
export function apiServerPolicyName(name: string): string {
    return `${name}-apiserver`;
}

/**
 * Name of the headless Service of a replicated workload (see `hasPodsService` in traits.ts): its DNS name
 * resolves to the address of every ready pod.
 */
export function podsServiceName(name: string): string {
    return `${name}-pods`;
}

/** Name of the LoadBalancer Service (and its NetworkPolicy) that publishes a workload's host ports. */
export function publicServiceName(name: string): string {
    return `${name}-public`;
}
/**
 * Name of the Job for one trigger value: a new trigger gives a new name, so Pulumi replaces the
 * Job and Kubernetes runs it again; the same trigger keeps the finished Job.
 */
export function jobName(name: string, trigger: string): string {
    return `${name}-${shortHash(trigger, 10)}`;
}

/** ConfigMap/Secret key of a file: its path with "/" as "-" (keys allow only [-._a-zA-Z0-9]). */
export function fileKey(path: string): string {
    return path.replace(/^\/+/, "").replace(/\//g, "-").replace(/[^-._a-zA-Z0-9]/g, "_");
}

/** Secret key of a secret file: "file." plus its {@link fileKey} (env names cannot contain "."). */
export function secretFileKey(path: string): string {
    return `file.${fileKey(path)}`;
}

/** A volume name for a path: readable prefix and slug, plus a hash so different paths never collide. */
export function pathVolumeName(prefix: string, path: string): string {
    const slug = path
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, "")
        .slice(0, 40)
        .replace(/-+$/, "");
    return `${prefix}-${slug ? `${slug}-` : ""}${shortHash(path, 6)}`;
}
