/**
 * The namespace-wide NetworkPolicies: default deny, DNS egress, one policy per tier from
 * TIER_INGRESS, and the configured egress to outside the cluster.
 */
import type * as k8s from "@pulumi/kubernetes";
import { LABELS, Tier, TIER_INGRESS, TIERS } from "../spec";
import { sorted } from "./metadata";
import type { NetworkPolicyManifest, ObjectMeta } from "./types";

/**
 * Egress from pods of some tiers to addresses outside the cluster. NetworkPolicies deny egress
 * by default; only these rules (and DNS) let traffic leave the namespace.
 */
export interface ExternalEgressRule {
    /** Tiers whose pods may connect. */
    readonly tiers: readonly Tier[];
    /** TCP ports they may connect to. */
    readonly ports: readonly number[];
    /** Destination CIDRs. */
    readonly cidrs: readonly string[];
    /** Ranges carved out of the CIDRs (each must lie inside one of them). */
    readonly except?: readonly string[];
}

/**
 * Default external egress: the ops tier (backups to S3, alert notifications) may reach public
 * addresses on HTTPS. Private, carrier-grade-NAT and link-local ranges are excluded so the rule
 * cannot reach other in-network services or the cloud metadata endpoint (169.254.169.254).
 */
export const DEFAULT_EXTERNAL_EGRESS: readonly ExternalEgressRule[] = [
    {
        tiers: ["ops"],
        ports: [443],
        cidrs: ["0.0.0.0/0"],
        except: ["10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16"],
    },
    { tiers: ["ops"], ports: [443], cidrs: ["::/0"], except: ["fc00::/7", "fe80::/10"] },
];

/** Where the cluster DNS runs, for the DNS egress rule every pod needs. */
export interface DnsPeer {
    /** Namespace of the DNS pods. */
    readonly namespace: string;
    /** Labels of the DNS pods. */
    readonly podLabels: Readonly<Record<string, string>>;
}

/** CoreDNS/kube-dns as most distributions deploy it. */
export const DEFAULT_DNS_PEER: DnsPeer = { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } };

/** Options of the namespace-wide NetworkPolicies. */
export interface NetworkPolicyOptions {
    /** Namespace the policies go into. */
    readonly namespace: string;
    /** Every namespace of the platform whose pods are peers (the app namespace and the host-agent one). */
    readonly peerNamespaces: readonly string[];
    /** Where cluster DNS runs. */
    readonly dns: DnsPeer;
    /** Egress to outside the cluster. */
    readonly externalEgress: readonly ExternalEgressRule[];
}

/** Tiers a pod of `tier` may open connections to, per {@link TIER_INGRESS}. */
export function egressTargets(tier: Tier): Tier[] {
    return TIERS.filter((target) => TIER_INGRESS[target].includes(tier));
}

/** A peer: pods of these tiers in any of the platform's namespaces. */
function tierPeer(tiers: readonly Tier[], o: NetworkPolicyOptions): k8s.types.input.networking.v1.NetworkPolicyPeer {
    return {
        namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: [...o.peerNamespaces] }] },
        podSelector: { matchExpressions: [{ key: LABELS.tier, operator: "In", values: [...tiers] }] },
    };
}

/** An egress rule to addresses outside the cluster (IPv4 and IPv6 carve-outs each under their own family). */
function externalEgressRule(rule: ExternalEgressRule): k8s.types.input.networking.v1.NetworkPolicyEgressRule {
    return {
        to: rule.cidrs.map((cidr) => {
            const except = (rule.except ?? []).filter((e) => e.includes(":") === cidr.includes(":"));
            return { ipBlock: { cidr, ...(except.length > 0 ? { except } : {}) } };
        }),
        ports: [...rule.ports].sort((a, b) => a - b).map((port) => ({ port, protocol: "TCP" })),
    };
}

/**
 * The namespace's NetworkPolicies: deny everything by default, let every pod resolve DNS, and one
 * policy per tier that admits exactly the tiers {@link TIER_INGRESS} names and lets the tier reach
 * exactly the tiers that admit it (both directions must be allowed under a default deny). Tiers
 * named in external egress rules also get those. Public ingress to the edge is per workload
 * (`ServiceManifests.publicPolicy`, workloads.ts) because it depends on the published ports.
 */
export function networkPolicyManifests(o: NetworkPolicyOptions): NetworkPolicyManifest[] {
    const labels = { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "pro-team-care" };
    const m = (name: string): ObjectMeta => ({ name, namespace: o.namespace, labels });
    const out: NetworkPolicyManifest[] = [
        {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: m("default-deny"),
            spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
        },
        {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: m("allow-dns-egress"),
            spec: {
                podSelector: {},
                policyTypes: ["Egress"],
                egress: [
                    {
                        to: [
                            {
                                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": o.dns.namespace } },
                                podSelector: { matchLabels: sorted({ ...o.dns.podLabels }) },
                            },
                        ],
                        ports: [
                            { port: 53, protocol: "UDP" },
                            { port: 53, protocol: "TCP" },
                        ],
                    },
                ],
            },
        },
    ];
    for (const tier of TIERS) {
        const from = TIER_INGRESS[tier];
        const to = egressTargets(tier);
        const egress: k8s.types.input.networking.v1.NetworkPolicyEgressRule[] = [];
        if (to.length > 0) egress.push({ to: [tierPeer(to, o)] });
        for (const rule of o.externalEgress.filter((r) => r.tiers.includes(tier))) egress.push(externalEgressRule(rule));
        out.push({
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: m(`tier-${tier}`),
            spec: {
                podSelector: { matchLabels: { [LABELS.tier]: tier } },
                policyTypes: ["Ingress", "Egress"],
                ...(from.length > 0 ? { ingress: [{ from: [tierPeer(from, o)] }] } : {}),
                ...(egress.length > 0 ? { egress } : {}),
            },
        });
    }
    return out;
}

/**
 * The two NetworkPolicies of a workload's {@link WorkloadSpec.reachesTiers}: its pods may connect
 * to pods of those tiers and, on the ports and addresses of those tiers' external egress, outside
 * the cluster (S3); and the pods of those tiers admit its pods. Under a default deny both
 * directions must be allowed; both select by the workload's own label, so no other pod of its
 * tier gains anything.
 */
export function reachPolicyManifests(name: string, tiers: readonly Tier[], o: NetworkPolicyOptions): { egress: NetworkPolicyManifest; ingress: NetworkPolicyManifest } {
    const labels = { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "pro-team-care", [LABELS.workload]: name };
    const names = { egress: `${name}-reach`, ingress: `${name}-reach-in` };
    const self = { [LABELS.workload]: name };
    const egress: k8s.types.input.networking.v1.NetworkPolicyEgressRule[] = [{ to: [tierPeer(tiers, o)] }];
    for (const rule of o.externalEgress.filter((r) => r.tiers.some((t) => tiers.includes(t)))) egress.push(externalEgressRule(rule));
    return {
        egress: {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: names.egress, namespace: o.namespace, labels },
            spec: { podSelector: { matchLabels: self }, policyTypes: ["Egress"], egress },
        },
        ingress: {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: names.ingress, namespace: o.namespace, labels },
            spec: {
                podSelector: { matchExpressions: [{ key: LABELS.tier, operator: "In", values: [...tiers] }] },
                policyTypes: ["Ingress"],
                ingress: [
                    {
                        from: [
                            {
                                namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: [o.namespace] }] },
                                podSelector: { matchLabels: self },
                            },
                        ],
                    },
                ],
            },
        },
    };
}
