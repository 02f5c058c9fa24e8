/** The API dashboard: the availability SLO, its error budget and burn rate, traffic, latency, logs. */
import { JOBS, promDuration } from "../../prometheus-config";
import { BURN_RATE_WINDOWS, errorRatioRecord } from "../../rules";
import { checkFraction, Dashboard, dashboard, DashboardsInput, GREEN_RED, logs, prom, RED_GREEN, ThresholdStep } from "../panels";

/**
 * The API's request series, as the alert rules read them (prometheus-fastapi-instrumentator's
 * defaults: `http_requests_total{status}` with statuses like "5xx", and
 * `http_request_duration_seconds_bucket`), without the /metrics handler.
 */
export const API_SELECTOR = `job="${JOBS.api}",handler!="/metrics"`;

/** The API dashboard: request rate, error ratio, latency percentiles, SLO and remaining error budget, logs. */
export function apiDashboard(input: DashboardsInput): Dashboard {
    const slo = input.sloTarget ?? 0.999;
    checkFraction("sloTarget", slo);
    const windowDays = input.sloWindowDays ?? 30;
    if (!(Number.isInteger(windowDays) && windowDays > 0)) throw new Error(`sloWindowDays must be a positive integer, got ${windowDays}`);
    const budget = Number((1 - slo).toPrecision(12));
    const total = "http_requests_total";
    const bucket = "http_request_duration_seconds_bucket";
    const status = "status";
    const sel = API_SELECTOR;
    const errSel = `${sel},${status}=~"5.."`;
    // The burn-rate panels read the same recorded ratios the burn alerts fire on.
    const ratioRecord = (seconds: number): string => `${errorRatioRecord(seconds)}{service="api"}`;
    const windowRatio = `sum(increase(${total}{${errSel}}[${windowDays}d])) / sum(increase(${total}{${sel}}[${windowDays}d]))`;
    const q = (p: number): string => `histogram_quantile(${p}, sum by (le) (rate(${bucket}{${sel}}[5m])))`;
    const pct = (v: number): string => `${Number((v * 100).toPrecision(6))} %`;
    const burnSeconds = [...new Set(BURN_RATE_WINDOWS.flatMap((w) => [w.shortSeconds, w.longSeconds]))].sort((x, y) => x - y);
    const fastest = [...BURN_RATE_WINDOWS].sort((x, y) => y.factor - x.factor)[0];
    const factors = [...new Set(BURN_RATE_WINDOWS.map((w) => w.factor))].sort((x, y) => x - y);
    const burnThresholds: ThresholdStep[] = [
        { color: "green", value: null },
        ...factors.filter((f) => f > 1).map((f, i, all) => ({ color: i === all.length - 1 ? "red" : "orange", value: f })),
    ];
    return dashboard("ptc-api", "Pro Team Care / API", ["api", "slo"], [
        prom({
            type: "stat",
            title: `Availability (${windowDays} d)`,
            w: 6, h: 5,
            targets: [{ expr: `1 - (${windowRatio})` }],
            description: `Share of non-5xx API responses over the SLO window; objective ${pct(slo)}.`,
            unit: "percentunit",
            thresholds: RED_GREEN(slo),
        }),
        prom({
            type: "stat",
            title: "Error budget remaining",
            w: 6, h: 5,
            targets: [{ expr: `1 - ((${windowRatio}) / ${budget})` }],
            description: `Share of the ${windowDays}-day error budget (${pct(budget)} of requests) not yet spent.`,
            unit: "percentunit",
            thresholds: [
                { color: "red", value: null },
                { color: "orange", value: 0.25 },
                { color: "green", value: 0.5 },
            ],
        }),
        prom({
            type: "stat",
            title: "Uptime probes (24 h)",
            w: 6, h: 5,
            targets: [{ expr: `avg by (instance) (avg_over_time(probe_success{job="${JOBS.probeHttp}"}[1d]))`, legendFormat: "{{instance}}" }],
            description: "Share of successful blackbox probes of the public URL and the API health URL.",
            unit: "percentunit",
            thresholds: RED_GREEN(slo),
        }),
        prom({
            type: "stat",
            title: `Error budget burn rate (${promDuration(fastest.longSeconds)})`,
            w: 6, h: 5,
            targets: [{ expr: `${ratioRecord(fastest.longSeconds)} / ${budget}` }],
            description: `1 spends the budget exactly over the SLO window; ${fastest.factor} over ${promDuration(fastest.longSeconds)} pages.`,
            thresholds: burnThresholds,
        }),
        prom({
            type: "timeseries",
            title: "Request rate",
            w: 12, h: 8,
            targets: [{ expr: `sum by (${status}) (rate(${total}{${sel}}[5m]))`, legendFormat: `{{${status}}}` }],
            unit: "reqps",
        }),
        prom({
            type: "timeseries",
            title: "Error ratio (5xx)",
            w: 12, h: 8,
            targets: [{ expr: `${ratioRecord(300)}`, legendFormat: "errors (5m)" }],
            unit: "percentunit",
            min: 0,
            thresholds: GREEN_RED(budget),
            thresholdLines: true,
        }),
        prom({
            type: "timeseries",
            title: "Latency",
            w: 12, h: 8,
            targets: [
                { expr: q(0.5), legendFormat: "p50" },
                { expr: q(0.95), legendFormat: "p95" },
                { expr: q(0.99), legendFormat: "p99" },
            ],
            unit: "s",
            min: 0,
        }),
        prom({
            type: "timeseries",
            title: "Error budget burn rate",
            w: 12, h: 8,
            targets: [
                ...burnSeconds.map((sec) => ({ expr: `${ratioRecord(sec)} / ${budget}`, legendFormat: promDuration(sec) })),
            ],
            min: 0,
            thresholds: burnThresholds,
            thresholdLines: true,
        }),
        logs("API logs", '{service="api"}'),
    ]);
}
