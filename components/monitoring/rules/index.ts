/**
 * Pure renderer for the Prometheus rule file: the rule domains (SLO, availability, backups,
 * capacity; one file each, as kube-prometheus keeps `mixin/alerts/*.libsonnet`) assembled into
 * rule groups, the alert catalogue and the README table.
 *
 * Annotations use only `$labels` (never `$value`) so `promtool test rules` can assert them exactly.
 */
import { stringify } from "yaml";
import { AVAILABILITY_RULES } from "./availability";
import { BACKUP_RULES } from "./backups";
import { CAPACITY_RULES } from "./capacity";
import { ALERT_NAMES, AlertInfo, AlertRulesInput, resolveAlertRulesInput } from "./contract";
import { AlertDef, AlertingRule, RecordingRule, RuleDomain, RuleGroup, toAlertInfo, toAlertingRule } from "./rule";
import { SLO_RULES } from "./slo";

export * from "./contract";
export * from "./rule";
export { BURN_RATE_WINDOWS, errorBudget, errorRatioRecord, sloRecordingRules } from "./slo";
export type { BurnRateWindow } from "./slo";

/** The rule domains in rule file order (one group each). */
const DOMAINS: readonly RuleDomain[] = [SLO_RULES, AVAILABILITY_RULES, BACKUP_RULES, CAPACITY_RULES];

/** The alert catalogue (one entry per alerting rule) for the given input, in {@link ALERT_NAMES} order. */
export function alertCatalogue(input: AlertRulesInput = {}): AlertInfo[] {
    const r = resolveAlertRulesInput(input);
    const order = (d: AlertDef): number => ALERT_NAMES.indexOf(d.name);
    // A stable sort: an alert name's page and ticket rules keep their domain's order.
    const defs = DOMAINS.flatMap((d) => d.alerts(r)).sort((a, b) => order(a) - order(b));
    return defs.map((d) => {
        const twins = defs.filter((o) => o.name === d.name).length;
        return toAlertInfo(d, twins > 1 ? `${d.name}/${d.severity}` : d.name);
    });
}

/** The alert catalogue with production defaults: name, severity, meaning, first response (README). */
export const ALERTS: readonly AlertInfo[] = alertCatalogue();

/** The rule groups, as data (what {@link renderAlertRules} serialises). */
export function buildRuleGroups(input: AlertRulesInput = {}): RuleGroup[] {
    const r = resolveAlertRulesInput(input);
    return DOMAINS.map((d) => {
        const alerts: AlertingRule[] = d.alerts(r).map((a) => toAlertingRule(a, r));
        // Recording rules first: a group evaluates in order, so the alerts read this cycle's values.
        const rules: (RecordingRule | AlertingRule)[] = [...(d.recording?.() ?? []), ...alerts];
        return { name: `ptc-${d.group}`, rules };
    });
}

/** Renders the rule file (YAML, top-level `groups`) for Prometheus. */
export function renderAlertRules(input: AlertRulesInput = {}): string {
    return stringify({ groups: buildRuleGroups(input) }, { lineWidth: 0 });
}

/** Renders the README alert catalogue: a Markdown table with an anchor per alert name. */
export function renderAlertCatalogueMarkdown(alerts: readonly AlertInfo[] = ALERTS): string {
    const esc = (s: string): string => s.replace(/\|/g, "\\|");
    const seen = new Set<string>();
    const rows = alerts.map((a) => {
        const anchor = seen.has(a.anchor) ? "" : `<a id="${a.anchor}"></a>`;
        seen.add(a.anchor);
        return `| ${anchor}${a.name} | ${a.severity} | ${esc(a.meaning)} | ${esc(a.firstResponse)} |`;
    });
    return ["| Alert | Severity | Meaning | First response |", "| --- | --- | --- | --- |", ...rows].join("\n") + "\n";
}
