import * as assert from "assert";
import { DEFAULT_ROUTE_TIMINGS } from "../../components/monitoring/alertmanager-config";
import { ALERT_RESPONSE_BUDGET_SECONDS, alertLatencies, pageAlertLatencies, renderLatencyMarkdown } from "../../components/monitoring/latency";
import { DEFAULT_PROMETHEUS_TIMINGS } from "../../components/monitoring/prometheus-config";
import { ALERTS } from "../../components/monitoring/rules";

describe("monitoring: alert latency budget", () => {
    it("every page alert reaches Alertmanager's receiver in under 5 minutes with production timings", () => {
        const pages = pageAlertLatencies();
        assert.ok(pages.length >= 8, `expected the page alerts, got ${pages.map((p) => p.id).join(", ")}`);
        for (const l of pages) {
            assert.ok(l.totalSeconds < ALERT_RESPONSE_BUDGET_SECONDS, `${l.id}: ${l.totalSeconds}s ≥ ${ALERT_RESPONSE_BUDGET_SECONDS}s`);
        }
        const names = new Set(pages.map((p) => p.name));
        for (const n of ["TargetDown", "UptimeProbeFailing", "ApiErrorBudgetBurnFast", "ApiErrorBudgetBurnSlow", "PostgresDown", "RedisDown", "BackupStale", "DiskWillFillIn4h"]) {
            assert.ok(names.has(n), `${n} is a page alert`);
        }
    });

    it("adds scrape, scrape timeout, evaluation, for and Alertmanager grouping for a scrape-detected page", () => {
        const pg = alertLatencies().find((l) => l.id === "PostgresDown");
        assert.ok(pg);
        const p = DEFAULT_PROMETHEUS_TIMINGS;
        const r = DEFAULT_ROUTE_TIMINGS.page;
        assert.deepStrictEqual(pg, {
            id: "PostgresDown",
            name: "PostgresDown",
            severity: "page",
            detectionSeconds: p.scrapeIntervalSeconds + p.scrapeTimeoutSeconds,
            evaluationSeconds: p.evaluationIntervalSeconds,
            forSeconds: 60,
            alertmanagerSeconds: Math.max(r.groupWaitSeconds, r.groupIntervalSeconds),
            totalSeconds: 25 + 15 + 60 + 60,
        });
    });

    it("counts the error seconds a total outage needs to trip the long burn window", () => {
        const fast = alertLatencies().find((l) => l.id === "ApiErrorBudgetBurnFast");
        // 14.4 × 0.001 × 3600 s = 51.84 s of errors, plus two scrapes for a new 5xx series.
        assert.strictEqual(fast?.detectionSeconds, 51.84 + 30);
    });

    it("rounds for up to whole evaluation intervals and grows with slower timings", () => {
        const slow = pageAlertLatencies({ prometheus: { scrapeIntervalSeconds: 60, scrapeTimeoutSeconds: 30, evaluationIntervalSeconds: 45 } });
        const pg = slow.find((l) => l.id === "PostgresDown");
        assert.strictEqual(pg?.forSeconds, 90);
        assert.ok(slow.some((l) => l.totalSeconds >= ALERT_RESPONSE_BUDGET_SECONDS), "a budget test that cannot fail is useless: slow timings must break it");
    });

    it("covers every rule of the catalogue and renders a table", () => {
        const all = alertLatencies();
        assert.deepStrictEqual(all.map((l) => l.id), ALERTS.map((a) => a.id));
        assert.strictEqual(renderLatencyMarkdown(all).trim().split("\n").length, 2 + all.length);
    });
});
