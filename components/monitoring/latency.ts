/**
 * Worst-case time from a fault to its notification leaving Alertmanager, per alerting rule.
 *
 * What is counted, all worst cases:
 * 1. detection — until the fault is in Prometheus's TSDB (see {@link Detection}):
 *    - `failed-scrape`: one scrape interval until the next scrape starts, plus the scrape timeout
 *      (a hung target, or a probe/exporter waiting on a hung dependency, gives up only then);
 *    - `next-scrape`: one scrape interval;
 *    - `clock`: 0 (the condition is a function of `time()`);
 *    - `quiet-window`: the window without a success the condition asks for, plus one scrape interval;
 *    - `burn`: the error seconds a total API outage needs to push the slowest window over its
 *      threshold, plus two scrape intervals (a 5xx series that did not exist yet needs two samples
 *      before `rate()` sees it). The recording rules share the alerts' group, so no extra cycle.
 * 2. evaluation — one evaluation interval until the next rule evaluation sees it.
 * 3. `for` — rounded up to whole evaluation intervals (the alert fires at the first evaluation
 *    at or after pending-start + for).
 * 4. Alertmanager — max(group_wait, group_interval) of the alert's route: a new group waits
 *    group_wait; an alert joining a group that was already notified waits up to group_interval.
 * Not counted (milliseconds, not seconds): Prometheus's notifier queue and the HTTP calls to
 * Alertmanager and from it to Slack; the time a human needs to read the message.
 */
import { resolveRouteTimings, RouteName, RouteTimings } from "./alertmanager-config";
import { PrometheusTimings, resolvePrometheusTimings } from "./prometheus-config";
import { AlertInfo, ALERTS, Severity } from "./rules";

/** The seed's target: alert response under 5 minutes. */
export const ALERT_RESPONSE_BUDGET_SECONDS = 300;

/** Input of {@link alertLatencies}; every field defaults to production. */
export interface LatencyInput {
    /** Prometheus timings. Defaults to DEFAULT_PROMETHEUS_TIMINGS. */
    readonly prometheus?: Partial<PrometheusTimings>;
    /** Alertmanager route timings. Defaults to DEFAULT_ROUTE_TIMINGS. */
    readonly routes?: Partial<Record<RouteName, Partial<RouteTimings>>>;
    /** The alert catalogue. Defaults to {@link ALERTS}. */
    readonly alerts?: readonly AlertInfo[];
}

/** One rule's worst-case fault-to-notification time, by part (seconds). */
export interface AlertLatency {
    /** Rule id (see AlertInfo.id). */
    readonly id: string;
    /** Alert name. */
    readonly name: string;
    /** Severity. */
    readonly severity: Severity;
    /** Until the fault is in the TSDB. */
    readonly detectionSeconds: number;
    /** Until the next rule evaluation. */
    readonly evaluationSeconds: number;
    /** The rule's `for`, rounded up to evaluation intervals. */
    readonly forSeconds: number;
    /** Alertmanager's grouping wait on the alert's route. */
    readonly alertmanagerSeconds: number;
    /** The sum. */
    readonly totalSeconds: number;
}

function routeFor(severity: Severity): RouteName {
    return severity === "page" ? "page" : severity === "ticket" ? "ticket" : "heartbeat";
}

/** Worst-case latency of every alerting rule. Pure. */
export function alertLatencies(input: LatencyInput = {}): AlertLatency[] {
    const p = resolvePrometheusTimings(input.prometheus);
    const routes = resolveRouteTimings(input.routes);
    return (input.alerts ?? ALERTS).map((a) => {
        const d = a.detection;
        const detectionSeconds =
            d.kind === "failed-scrape"
                ? p.scrapeIntervalSeconds + p.scrapeTimeoutSeconds
                : d.kind === "next-scrape"
                  ? p.scrapeIntervalSeconds
                  : d.kind === "clock"
                    ? 0
                    : d.kind === "quiet-window"
                      ? d.windowSeconds + p.scrapeIntervalSeconds
                      : d.errorSeconds + 2 * p.scrapeIntervalSeconds;
        const evaluationSeconds = p.evaluationIntervalSeconds;
        const forSeconds = Math.ceil(a.forSeconds / p.evaluationIntervalSeconds) * p.evaluationIntervalSeconds;
        const r = routes[routeFor(a.severity)];
        const alertmanagerSeconds = Math.max(r.groupWaitSeconds, r.groupIntervalSeconds);
        const totalSeconds = Number((detectionSeconds + evaluationSeconds + forSeconds + alertmanagerSeconds).toFixed(3));
        return { id: a.id, name: a.name, severity: a.severity, detectionSeconds, evaluationSeconds, forSeconds, alertmanagerSeconds, totalSeconds };
    });
}

/** Worst-case latency of the page alerts only (the ones the 5-minute target is about). */
export function pageAlertLatencies(input: LatencyInput = {}): AlertLatency[] {
    return alertLatencies(input).filter((l) => l.severity === "page");
}

/** Renders latencies as a Markdown table (README). */
export function renderLatencyMarkdown(latencies: readonly AlertLatency[]): string {
    const rows = latencies.map(
        (l) => `| ${l.id} | ${l.detectionSeconds} | ${l.evaluationSeconds} | ${l.forSeconds} | ${l.alertmanagerSeconds} | **${l.totalSeconds}** |`,
    );
    return ["| Alert | Detection s | Evaluation s | for s | Alertmanager s | Worst case s |", "| --- | --- | --- | --- | --- | --- |", ...rows].join("\n") + "\n";
}
