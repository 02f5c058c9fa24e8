/**
 * The exemption registry: the only way to lift a finding of a rule.
 *
 * A workload asks for an exemption with the annotation (a container label on docker)
 * `proteamcare.io/policy-exemptions: name[,name]`. An exemption lifts only the named checks of the
 * named rules, only on a workload whose name, tier and every image match the entry. An unknown
 * name, or a name on a workload it does not match, lifts nothing and is itself a violation of
 * `policy-exemptions`; every exemption that applies is reported by `exemption-applied`.
 */
import { LABELS } from "./labels";
import { imagesOf, isWorkload, metaOf, requestedExemptions, Subject, workloadName } from "./resources";

/** One entry of the registry. */
export interface Exemption {
    /** Name used in the annotation (kebab-case). */
    readonly name: string;
    /** Why the workload needs it; shown every time the exemption applies. Required. */
    readonly reason: string;
    /** Rule name → the check ids of that rule the exemption lifts. Nothing else is lifted. */
    readonly lifts: Readonly<Record<string, readonly string[]>>;
    /** Workload names (the proteamcare.io/workload label) it may apply to. */
    readonly workloads: RegExp;
    /** Every image of the workload must match (so a renamed workload cannot borrow it). */
    readonly images: RegExp;
    /** Tiers it may apply to. */
    readonly tiers: readonly string[];
}

/** Rules no exemption may lift: the ones that police exemptions. */
export const NON_EXEMPTABLE_RULES: readonly string[] = ["policy-exemptions", "exemption-applied"];

const REGISTRY: Exemption[] = [
    {
        name: "host-metrics-agent",
        reason:
            "node-exporter reports host metrics: it reads the host's /proc, /sys and root filesystem through " +
            "read-only host mounts and shares the host PID namespace to see every process. It still runs as a " +
            "non-root user, unprivileged, without privilege escalation and without write access to the host.",
        lifts: { "no-host-access": ["host-path-read-only", "host-pid"] },
        workloads: /^node-exporter$/,
        images: /(^|\/)(prom|prometheus)\/node-exporter([:@]|$)/,
        tiers: ["ops"],
    },
    {
        name: "log-collector",
        reason:
            "Grafana Alloy ships every container's logs: the log files (/var/log/pods, /var/lib/docker/containers) " +
            "are readable only by root, so it mounts them read-only and runs as uid 0 - still unprivileged, " +
            "without privilege escalation, without the container engine's socket and without host PID.",
        lifts: { "no-host-access": ["host-path-read-only"], "non-root-container": ["run-as-root"] },
        workloads: /^(alloy|log-collector)$/,
        images: /(^|\/)grafana\/alloy([:@]|$)/,
        tiers: ["ops"],
    },
    {
        name: "monitoring-history",
        reason:
            "Prometheus, Loki, Alertmanager and Grafana keep monitoring history on their volumes: it is bounded " +
            "by retention and rebuilt by scraping, while their configuration, rules and dashboards are provisioned " +
            "from this repository. Their volumes need no RPO-bound backup; business data stores still do.",
        lifts: { "backup-coverage": ["volume-unbacked"] },
        workloads: /^(prometheus|loki|alertmanager|grafana)$/,
        images: /(^|\/)((prom|prometheus)\/(prometheus|alertmanager)|grafana\/(loki|grafana|grafana-oss))([:@]|$)/,
        tiers: ["ops"],
    },
];

/** The registry. Adding an entry is a reviewed change to the pack. */
export const EXEMPTIONS: readonly Exemption[] = Object.freeze(REGISTRY.map((e) => Object.freeze(e)));

/** Looks an exemption up by name. */
export function findExemption(name: string): Exemption | undefined {
    return EXEMPTIONS.find((e) => e.name === name);
}

/** Why `exemption` cannot apply to `subject`, or undefined when it can. */
export function exemptionMismatch(exemption: Exemption, subject: Pick<Subject, "type" | "props" | "name">): string | undefined {
    if (!isWorkload(subject.type)) {
        return `exemptions apply to workloads only, not to ${subject.type}`;
    }
    const workload = workloadName(subject);
    if (!exemption.workloads.test(workload)) {
        return `workload "${workload}" is not one of the workloads it covers (${exemption.workloads.source})`;
    }
    const tier = metaOf(subject).labels[LABELS.tier];
    if (tier === undefined || !exemption.tiers.includes(tier)) {
        return `tier "${tier ?? "(none)"}" is not one of ${exemption.tiers.join(", ")}`;
    }
    const images = imagesOf(subject);
    if (images.length === 0) return "the workload has no image to check";
    const foreign = images.filter((i) => !exemption.images.test(i));
    if (foreign.length > 0) {
        return `image ${foreign.map((i) => `"${i}"`).join(", ")} is not an image it covers (${exemption.images.source})`;
    }
    return undefined;
}

/** The outcome of the exemptions a resource asks for. */
export interface ExemptionResolution {
    /** Exemptions that apply. */
    readonly applied: readonly Exemption[];
    /** Requests that do not apply, each with the reason. */
    readonly refused: readonly { readonly name: string; readonly check: "unknown-exemption" | "exemption-not-applicable"; readonly message: string }[];
}

/** Resolves the exemptions a resource asks for. */
export function resolveExemptions(subject: Pick<Subject, "type" | "props" | "name">): ExemptionResolution {
    const applied: Exemption[] = [];
    const refused: ExemptionResolution["refused"][number][] = [];
    for (const name of [...new Set(requestedExemptions(subject))]) {
        const exemption = findExemption(name);
        if (!exemption) {
            refused.push({
                name,
                check: "unknown-exemption",
                message:
                    `exemption "${name}" is not in the pack's registry (known: ${EXEMPTIONS.map((e) => e.name).join(", ")}); ` +
                    "fix the name in the proteamcare.io/policy-exemptions annotation or remove it",
            });
            continue;
        }
        const mismatch = exemptionMismatch(exemption, subject);
        if (mismatch) {
            refused.push({
                name,
                check: "exemption-not-applicable",
                message: `exemption "${name}" cannot apply here: ${mismatch}; remove it from the proteamcare.io/policy-exemptions annotation`,
            });
            continue;
        }
        applied.push(exemption);
    }
    return { applied, refused };
}

/** The check ids of `rule` lifted on `subject` by the exemptions that apply to it. */
export function liftedChecks(subject: Pick<Subject, "type" | "props" | "name">, rule: string): Set<string> {
    const lifted = new Set<string>();
    if (NON_EXEMPTABLE_RULES.includes(rule)) return lifted;
    if (requestedExemptions(subject).length === 0) return lifted;
    for (const exemption of resolveExemptions(subject).applied) {
        for (const check of exemption.lifts[rule] ?? []) lifted.add(check);
    }
    return lifted;
}
