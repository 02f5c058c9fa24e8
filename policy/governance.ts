/**
 * Rules about the exemption mechanism itself: misuse is a violation, and every exemption that
 * applies is reported so that it shows in every preview and plan. No exemption can lift these.
 */
import { EXEMPTIONS, resolveExemptions } from "./exemptions";
import { workloadName } from "./resources";
import { Finding, resourceRule } from "./rule";

/** `policy-exemptions`: every exemption a resource asks for exists and matches it. */
export const policyExemptions = resourceRule({
    name: "policy-exemptions",
    description: "Checks that every name in a proteamcare.io/policy-exemptions annotation is in the pack's exemption registry and matches the workload (name, tier, images).",
    checks: {
        "unknown-exemption": "the annotation names an exemption that is not in the registry",
        "exemption-not-applicable": "the exemption exists but does not cover this workload",
    },
    config: {},
    types: "all",
    check(subject): Finding[] {
        return resolveExemptions(subject).refused.map((r) => ({ check: r.check, message: r.message }));
    },
});

/** `exemption-applied`: reports every exemption in force (advisory by default: it is a notice, not a failure). */
export const exemptionApplied = resourceRule({
    name: "exemption-applied",
    description: "Checks that every exemption in force is visible: reports each registered exemption that applies to a workload, with its reason and the checks it lifts.",
    checks: { "applied": "an exemption applies to this workload" },
    config: {},
    types: "all",
    check(subject): Finding[] {
        return resolveExemptions(subject).applied.map((e) => ({
            check: "applied",
            message:
                `workload "${workloadName(subject)}" uses exemption "${e.name}", lifting ` +
                `${Object.entries(e.lifts).map(([rule, checks]) => `${rule}[${checks.join(", ")}]`).join(", ")}: ${e.reason}`,
        }));
    },
});

/** The governance rules. */
export const governancePolicies = [policyExemptions, exemptionApplied];

/** Names of every registered exemption (for documentation). */
export const exemptionNames = EXEMPTIONS.map((e) => e.name);
