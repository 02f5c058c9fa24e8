/**
 * API access of the one workload that reads pods (the log collector): its ServiceAccount, a
 * ClusterRole and binding that may get/list/watch pods, and egress to the API server.
 */
import { ContainerSpec } from "../spec";
import { meta, objectLabels, selectorLabels } from "./metadata";
import { apiServerPolicyName, podReaderRoleName } from "./names";
import type {
    ClusterRoleBindingManifest,
    ClusterRoleManifest,
    ManifestContext,
    NetworkPolicyManifest,
    ServiceAccountManifest,
} from "./types";

/**
 * Where a pod that reads the Kubernetes API (the log collector) may connect to the API server.
 * The API server is no pod that labels could select, so the egress rule is an `ipBlock`; this
 * default admits any IPv4 address, on the API server's ports only ({@link API_SERVER_PORTS}), for
 * that pod only. Narrow it to the control plane's addresses where they are known.
 */
export const DEFAULT_API_SERVER_CIDRS: readonly string[] = ["0.0.0.0/0"];

/**
 * TCP ports of the API server: 443 is the `kubernetes` Service in front of it; 6443 is where most
 * distributions run it, and the port NetworkPolicies see when the Service address is translated
 * to the endpoint before the policy applies.
 */
export const API_SERVER_PORTS: readonly number[] = [443, 6443];

/** What a workload that reads pods gets: its identity, read access to pods and a way to the API server. */
export interface PodReaderManifests {
    /** ServiceAccount named after the workload (its token is mounted only where the pod asks). */
    readonly serviceAccount: ServiceAccountManifest;
    /** get/list/watch on pods, cluster-wide (the collector discovers pods in every namespace it ships). */
    readonly clusterRole: ClusterRoleManifest;
    /** Binds the role to the ServiceAccount. */
    readonly clusterRoleBinding: ClusterRoleBindingManifest;
    /** Egress from the workload's pods to the API server addresses on {@link API_SERVER_PORTS}. */
    readonly apiServerPolicy: NetworkPolicyManifest;
}

/**
 * The ServiceAccount, ClusterRole, ClusterRoleBinding and API-server egress policy of a workload
 * that reads pods. Alloy's `discovery.kubernetes` with `role = "pod"` lists and watches pods (in
 * the namespaces it is given, or all); it reads no other kind unless asked to attach node or
 * namespace metadata, which the collector's configuration does not do.
 */
export function podReaderManifests(name: string, spec: ContainerSpec, ctx: ManifestContext): PodReaderManifests {
    const labels = objectLabels(name, spec, ctx, "service");
    const roleName = podReaderRoleName(name, ctx.namespace);
    const cidrs = [...(ctx.apiServerCidrs ?? DEFAULT_API_SERVER_CIDRS)];
    return {
        serviceAccount: {
            apiVersion: "v1",
            kind: "ServiceAccount",
            metadata: meta(name, ctx, labels),
            // Only a pod that asks for the token gets it (the collector's does); any other pod
            // naming this account by mistake gets none.
            automountServiceAccountToken: false,
        },
        clusterRole: {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRole",
            metadata: { name: roleName, labels },
            rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] }],
        },
        clusterRoleBinding: {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: { name: roleName, labels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: roleName },
            subjects: [{ kind: "ServiceAccount", name, namespace: ctx.namespace }],
        },
        apiServerPolicy: {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: meta(apiServerPolicyName(name), ctx, labels),
            spec: {
                podSelector: { matchLabels: selectorLabels(name) },
                policyTypes: ["Egress"],
                egress: [
                    {
                        to: cidrs.map((cidr) => ({ ipBlock: { cidr } })),
                        ports: [...API_SERVER_PORTS].map((port) => ({ port, protocol: "TCP" })),
                    },
                ],
            },
        },
    };
}
