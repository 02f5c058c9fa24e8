/**
 * The plan's console report: the resource tree, the stack outputs and the policy section.
 * Pure: takes a plan result, returns text. Secrets are redacted before anything is shown.
 */
import type { Violation } from "../../policy/runner";
import type { AppliedExemption, PlanResult } from "./plan";
import { redact } from "./secrets";

const LEVELS: readonly Violation["level"][] = ["mandatory", "remediate", "advisory", "disabled"];

/** Renders the resource tree: one line per resource, `type  name`, nested by parent. */
export function renderTree(resources: PlanResult["resources"]): string[] {
    const urns = new Set(resources.map((r) => r.urn));
    const kids = new Map<string | null, PlanResult["resources"][number][]>();
    for (const r of resources) {
        const p = r.parent !== null && urns.has(r.parent) ? r.parent : null;
        kids.set(p, [...(kids.get(p) ?? []), r]);
    }
    const lines: string[] = [];
    const walk = (p: string | null, prefix: string): void => {
        const list = kids.get(p) ?? [];
        list.forEach((r, i) => {
            const last = i === list.length - 1;
            const branch = p === null ? "" : last ? "└─ " : "├─ ";
            lines.push(`${prefix}${branch}${r.type}  ${r.name}`);
            walk(r.urn, p === null ? prefix : prefix + (last ? "   " : "│  "));
        });
    };
    walk(null, "");
    return lines;
}

/** Renders violations grouped by level (mandatory first), or "no violations". */
export function renderPolicy(violations: readonly Violation[], exemptions?: readonly AppliedExemption[], configFile?: string): string[] {
    const lines = [`Policy${configFile ? ` (config ${configFile})` : " (pack defaults)"}:`];
    if (violations.length === 0) lines.push("  no violations");
    for (const level of LEVELS) {
        const group = violations.filter((v) => v.level === level);
        if (group.length === 0) continue;
        lines.push(`  ${level} (${group.length}):`);
        for (const v of group) {
            lines.push(`    - [${v.policy}] ${v.urn ?? "(stack)"}`);
            for (const l of String(redact(v.message)).split("\n")) lines.push(`        ${l}`);
        }
    }
    if (exemptions && exemptions.length > 0) {
        lines.push(`  exemptions applied (${exemptions.length}):`);
        for (const e of exemptions) lines.push(`    - ${JSON.stringify(redact(e))}`);
    }
    return lines;
}

/** The whole console report of a plan. */
export function renderReport(r: PlanResult): string {
    const out: string[] = [];
    out.push(`Offline plan of ${r.project}/${r.stack}: ${r.resources.length} resources`);
    out.push("");
    out.push(...renderTree(r.resources));
    out.push("");
    out.push("Outputs:");
    const outputs = redact(r.outputs) as Record<string, unknown>;
    const keys = Object.keys(outputs).sort();
    if (keys.length === 0) out.push("  (none)");
    for (const k of keys) out.push(`  ${k}: ${JSON.stringify(outputs[k])}`);
    out.push("");
    out.push(...renderPolicy(r.violations, r.exemptions, r.policyConfigFile));
    if (r.notes.length > 0) {
        out.push("");
        out.push("Notes:");
        for (const n of r.notes) out.push(`  - ${n}`);
    }
    return out.join("\n");
}
