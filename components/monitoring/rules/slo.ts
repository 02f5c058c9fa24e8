/**
 * The API availability SLO: the 5xx-ratio recording rules and the multiwindow burn-rate alerts
 * (ApiErrorBudgetBurnFast, ApiErrorBudgetBurnSlow, ApiErrorBudgetBurnTicket).
 *
 * API metrics: we assume the defaults of `prometheus-fastapi-instrumentator`:
 * `http_requests_total{handler, method, status}` with status grouped as `"2xx"`…`"5xx"` and
 * `http_request_duration_seconds_bucket{handler, method, le}`. Errors are `status=~"5.."` (matches
 * both grouped `"5xx"` and ungrouped `"503"`); the `/metrics` handler is left out of the SLI.
 */
import { JOBS, promDuration } from "../prometheus-config";
import { Severity } from "./contract";
import { AlertDef, RecordingRule, RuleDomain } from "./rule";

/** An SLO burn-rate alert: two windows at one burn factor (Google SRE workbook, multiwindow). */
export interface BurnRateWindow {
    /** The alert name. */
    readonly name: "ApiErrorBudgetBurnFast" | "ApiErrorBudgetBurnSlow" | "ApiErrorBudgetBurnTicket";
    /** Long window, seconds. */
    readonly longSeconds: number;
    /** Short window, seconds. */
    readonly shortSeconds: number;
    /** Burn factor: the error ratio must exceed factor × (1 − SLO) in both windows. */
    readonly factor: number;
    /** Severity. */
    readonly severity: Severity;
}

/** The three burn-rate alerts of the brief: 14.4× over 1h/5m, 6× over 6h/30m, 1× over 3d/6h. */
export const BURN_RATE_WINDOWS: readonly BurnRateWindow[] = [
    { name: "ApiErrorBudgetBurnFast", longSeconds: 3600, shortSeconds: 300, factor: 14.4, severity: "page" },
    { name: "ApiErrorBudgetBurnSlow", longSeconds: 6 * 3600, shortSeconds: 1800, factor: 6, severity: "page" },
    { name: "ApiErrorBudgetBurnTicket", longSeconds: 3 * 86400, shortSeconds: 6 * 3600, factor: 1, severity: "ticket" },
];

/** Error-ratio recording rule name for a window, e.g. `service:http_request_errors:ratio_rate1h`. */
export function errorRatioRecord(windowSeconds: number): string {
    return `service:http_request_errors:ratio_rate${promDuration(windowSeconds)}`;
}

/** The error budget (1 − SLO) rendered without float noise (0.999 → "0.001"). */
export function errorBudget(sloTarget: number): string {
    return String(Number((1 - sloTarget).toPrecision(10)));
}

const API_SELECTOR = `job="${JOBS.api}",handler!="/metrics"`;

/** Recording rules of the API availability SLO: one 5xx ratio per window any burn alert uses. */
export function sloRecordingRules(): RecordingRule[] {
    const windows = [...new Set(BURN_RATE_WINDOWS.flatMap((w) => [w.shortSeconds, w.longSeconds]))].sort((a, b) => a - b);
    return windows.map((s) => {
        const d = promDuration(s);
        const total = `sum by (service) (rate(http_requests_total{${API_SELECTOR}}[${d}]))`;
        const errors = `sum by (service) (rate(http_requests_total{${API_SELECTOR},status=~"5.."}[${d}]))`;
        // `or … * 0` keeps the ratio at 0 (not absent) while there are no 5xx series at all.
        return { record: errorRatioRecord(s), expr: `(${errors} or ${total} * 0)\n/\n${total}` };
    });
}

/** The `ptc-slo` group: recording rules first (a group evaluates in order), then the burn alerts. */
export const SLO_RULES: RuleDomain = {
    group: "slo",
    recording: sloRecordingRules,
    alerts: (r) => {
        const budget = errorBudget(r.sloTarget);
        const sloPct = `${Number((r.sloTarget * 100).toPrecision(10))} %`;
        return BURN_RATE_WINDOWS.map((w): AlertDef => {
            const threshold = `(${w.factor} * ${budget})`;
            return {
                name: w.name,
                severity: w.severity,
                forSeconds: 0,
                detection: { kind: "burn", errorSeconds: w.factor * Number(budget) * w.longSeconds },
                meaning: `The API is spending its ${sloPct} availability error budget ${w.factor}× too fast over both ${promDuration(w.longSeconds)} and ${promDuration(w.shortSeconds)} (5xx ratio).`,
                firstResponse:
                    w.severity === "page"
                        ? "Open the API dashboard: which handlers return 5xx since when; check PostgresDown/RedisDown and the last deploy; roll back or scale."
                        : "Slow leak of the budget: find the erroring handlers on the API dashboard and file a fix this week.",
                // Multiwindow: the long window proves the burn is real, the short one that it is still going on;
                // both together make a `for` unnecessary.
                expr: `${errorRatioRecord(w.longSeconds)}{service="api"} > ${threshold}\nand\n${errorRatioRecord(w.shortSeconds)}{service="api"} > ${threshold}`,
                labels: { slo: "api-availability" },
                summary: `API error budget burning ${w.factor}x too fast (${promDuration(w.longSeconds)}/${promDuration(w.shortSeconds)} windows)`,
                description: `More than ${w.factor} x ${budget} of API requests failed with 5xx over the last ${promDuration(w.longSeconds)} and ${promDuration(w.shortSeconds)}; at this rate the ${sloPct} availability budget will not last.`,
            };
        });
    },
};
