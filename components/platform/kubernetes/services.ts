/**
 * The Services of a workload and what guards them: the ClusterIP Service (headless for a per-node
 * workload), the headless `<name>-pods` Service of a replicated one, the edge's public
 * LoadBalancer with the NetworkPolicy that opens its ports, and the PodDisruptionBudget.
 */
import { WorkloadSpec } from "../spec";
import { meta, objectLabels, selectorLabels } from "./metadata";
import { podsServiceName, publicServiceName } from "./names";
import { hasPodsService } from "./traits";
import type { ManifestContext, NetworkPolicyManifest, PodDisruptionBudgetManifest, ServiceManifest } from "./types";

type ServicePorts = Pick<WorkloadSpec, "ports">;

function servicePorts(spec: ServicePorts): { name: string; port: number; targetPort: string; protocol: string }[] {
    return spec.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: "TCP" }));
}

/**
 * The ClusterIP Service on the container ports; its DNS name is the endpoint host. Undefined
 * without ports.
 */
export function clusterIpService(name: string, spec: WorkloadSpec, ctx: ManifestContext): ServiceManifest | undefined {
    if (spec.ports.length === 0) return undefined;
    return {
        apiVersion: "v1",
        kind: "Service",
        // The spec's annotations (backup coverage, policy exemptions) describe the
        // workload; they go on the workload and its pods only.
        metadata: meta(name, ctx, objectLabels(name, spec, ctx, "service")),
        spec: {
            type: "ClusterIP",
            // A per-node workload gets a headless Service: its name resolves to every pod
            // (one per node), so a scraper can reach each node (Prometheus's DNS discovery)
            // where a virtual IP would reach one random pod per connection. Pods that are
            // not ready stay in DNS so a failing agent shows up as a failing target.
            ...(spec.perNode ? { clusterIP: "None", publishNotReadyAddresses: true } : {}),
            selector: selectorLabels(name),
            ports: servicePorts(spec),
        },
    };
}

/**
 * The headless `<name>-pods` Service of a replicated workload ({@link hasPodsService}), or
 * undefined. The ClusterIP name balances connections across the replicas, so a scraper using it
 * sees a random pod's counters on each scrape (resets to rate()). This headless twin resolves to
 * every pod for Prometheus's DNS discovery. Only ready pods are listed: a pod still starting or
 * failing its readiness check serves no traffic, and its counters would only add noise.
 */
export function podsService(name: string, spec: WorkloadSpec, ctx: ManifestContext): ServiceManifest | undefined {
    if (!hasPodsService(spec)) return undefined;
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: meta(podsServiceName(name), ctx, objectLabels(name, spec, ctx, "service")),
        spec: {
            type: "ClusterIP",
            clusterIP: "None",
            publishNotReadyAddresses: false,
            selector: selectorLabels(name),
            ports: servicePorts(spec),
        },
    };
}

/**
 * The LoadBalancer Service publishing a workload's host ports (the edge's), and the NetworkPolicy
 * admitting any source to those container ports only; undefined when nothing is published.
 */
export function publicService(
    name: string,
    spec: WorkloadSpec,
    ctx: ManifestContext,
): { service: ServiceManifest; policy: NetworkPolicyManifest } | undefined {
    const published = spec.ports.filter((p) => p.hostPort !== undefined);
    if (published.length === 0) return undefined;
    const labels = objectLabels(name, spec, ctx, "service");
    const selector = selectorLabels(name);
    return {
        service: {
            apiVersion: "v1",
            kind: "Service",
            metadata: meta(publicServiceName(name), ctx, labels),
            spec: {
                type: "LoadBalancer",
                // Local keeps the client's source address (access logs, rate limits) and skips a hop.
                externalTrafficPolicy: "Local",
                selector,
                ports: published.map((p) => ({ name: p.name, port: p.hostPort as number, targetPort: p.name, protocol: "TCP" })),
            },
        },
        policy: {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: meta(publicServiceName(name), ctx, labels),
            spec: {
                podSelector: { matchLabels: selector },
                policyTypes: ["Ingress"],
                // No "from": any source, but only on the published container ports.
                ingress: [{ ports: published.map((p) => ({ port: p.port, protocol: "TCP" })) }],
            },
        },
    };
}

/** A PodDisruptionBudget of one pod at a time when replicas > 1 (not per node); undefined otherwise. */
export function podDisruptionBudget(name: string, spec: WorkloadSpec, ctx: ManifestContext): PodDisruptionBudgetManifest | undefined {
    if (spec.perNode || (spec.replicas ?? 1) <= 1) return undefined;
    return {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: meta(name, ctx, objectLabels(name, spec, ctx, "service")),
        spec: {
            maxUnavailable: 1,
            selector: { matchLabels: selectorLabels(name) },
            // A crash-looping pod must not block node drains.
            unhealthyPodEvictionPolicy: "AlwaysAllow",
        },
    };
}
