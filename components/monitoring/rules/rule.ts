/**
 * The typed helper every rule domain is written with: an alert is one flat {@link AlertDef}
 * (catalogue entry, PromQL, annotations), a domain is a {@link RuleDomain}, and
 * {@link toAlertingRule} / {@link toAlertInfo} turn a definition into what Prometheus and the
 * README read. `anyOf` / `allOf` join sub-expressions one per line, as the rule file shows them.
 */
import { promDuration } from "../prometheus-config";
import { AlertInfo, alertAnchor, AlertName, Detection, ResolvedAlertRulesInput, RunbookDoc, Severity } from "./contract";

/** A Prometheus recording rule. */
export interface RecordingRule {
    /** Recorded series name. */
    readonly record: string;
    /** PromQL. */
    readonly expr: string;
}

/** A Prometheus alerting rule, as rendered. */
export interface AlertingRule {
    /** Alert name. */
    readonly alert: AlertName;
    /** PromQL. */
    readonly expr: string;
    /** Pending duration (Prometheus duration) when not zero. */
    readonly for?: string;
    /** Labels; always `severity`. */
    readonly labels: Readonly<Record<string, string>>;
    /** Annotations: summary, description, runbook_url. */
    readonly annotations: Readonly<Record<string, string>>;
}

/** A rule group. */
export interface RuleGroup {
    /** Group name. */
    readonly name: string;
    /** Rules, evaluated in order (recording rules before the alerts that read them). */
    readonly rules: readonly (RecordingRule | AlertingRule)[];
}

/** One alerting rule of a domain: what the catalogue says about it and what Prometheus evaluates. */
export interface AlertDef {
    /** The alert name (the contract). */
    readonly name: AlertName;
    /** Severity label. */
    readonly severity: Severity;
    /** The rule's `for`, in seconds (0: none). */
    readonly forSeconds: number;
    /** How its expression turns true after the fault (for the latency budget). */
    readonly detection: Detection;
    /** What it means, one sentence (README catalogue). */
    readonly meaning: string;
    /** What the on-call does first (README catalogue). */
    readonly firstResponse: string;
    /** PromQL. */
    readonly expr: string;
    /** Labels besides `severity` (placed before it). Defaults to none. */
    readonly labels?: Readonly<Record<string, string>>;
    /** `summary` annotation; `$labels` only, never `$value`. */
    readonly summary: string;
    /** `description` annotation; `$labels` only, never `$value`. */
    readonly description: string;
    /** The document its runbook link points at. Defaults to "readme" (the alert catalogue). */
    readonly runbook?: RunbookDoc;
}

/** Names of the rule groups (`ptc-<name>` in the rule file). */
export type RuleGroupName = "slo" | "availability" | "backups" | "capacity";

/** One domain of rules: one rule group, its alerts and the recording rules they read. */
export interface RuleDomain {
    /** The group the domain renders as. */
    readonly group: RuleGroupName;
    /** Recording rules evaluated before the alerts. Defaults to none. */
    readonly recording?: () => RecordingRule[];
    /** The domain's alerts for a resolved input, in rule file order. */
    readonly alerts: (r: ResolvedAlertRulesInput) => AlertDef[];
}

/** Joins sub-expressions with `or`, one per line. */
export function anyOf(...exprs: string[]): string {
    return exprs.join("\nor\n");
}

/** Joins sub-expressions with `and`, one per line. */
export function allOf(...exprs: string[]): string {
    return exprs.join("\nand\n");
}

/** The catalogue entry of a definition, with its unique id. */
export function toAlertInfo(def: AlertDef, id: string): AlertInfo {
    return {
        name: def.name,
        severity: def.severity,
        forSeconds: def.forSeconds,
        detection: def.detection,
        meaning: def.meaning,
        firstResponse: def.firstResponse,
        id,
        anchor: alertAnchor(def.name),
        runbook: def.runbook ?? "readme",
    };
}

/** The alerting rule Prometheus reads; a non-zero `for` yields to the test-only override. */
export function toAlertingRule(def: AlertDef, r: ResolvedAlertRulesInput): AlertingRule {
    const forSeconds = def.forSeconds === 0 ? 0 : (r.forOverrideSeconds ?? def.forSeconds);
    return {
        alert: def.name,
        expr: def.expr,
        ...(forSeconds > 0 ? { for: promDuration(forSeconds) } : {}),
        labels: { ...(def.labels ?? {}), severity: def.severity },
        annotations: {
            description: def.description,
            runbook_url: `${def.runbook === "disaster-recovery" ? r.drRunbookUrl : r.runbookBaseUrl}#${alertAnchor(def.name)}`,
            summary: def.summary,
        },
    };
}
