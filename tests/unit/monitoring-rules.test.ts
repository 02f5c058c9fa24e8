import * as assert from "assert";
import { parse } from "yaml";
import { promDuration } from "../../components/monitoring/prometheus-config";
import {
    ALERT_NAMES,
    alertCatalogue,
    ALERTS,
    AlertingRule,
    BURN_RATE_WINDOWS,
    buildRuleGroups,
    errorBudget,
    errorRatioRecord,
    RecordingRule,
    renderAlertCatalogueMarkdown,
    renderAlertRules,
} from "../../components/monitoring/rules";

function alertRules(input = {}): AlertingRule[] {
    return buildRuleGroups(input).flatMap((g) => g.rules.filter((r): r is AlertingRule => "alert" in r));
}

describe("monitoring: alert rules renderer", () => {
    it("renders YAML with a top-level groups key only", () => {
        const doc = parse(renderAlertRules()) as Record<string, unknown>;
        assert.deepStrictEqual(Object.keys(doc), ["groups"]);
    });

    it("defines exactly the contract's alert names", () => {
        assert.deepStrictEqual([...new Set(alertRules().map((r) => r.alert))].sort(), [...ALERT_NAMES].sort());
        assert.deepStrictEqual([...new Set(ALERTS.map((a) => a.name))].sort(), [...ALERT_NAMES].sort());
    });

    it("labels every alert with a severity, and only the Watchdog with none", () => {
        for (const r of alertRules()) {
            assert.ok(["page", "ticket", "none"].includes(r.labels.severity), `${r.alert}: severity ${r.labels.severity}`);
            assert.strictEqual(r.labels.severity === "none", r.alert === "Watchdog", r.alert);
        }
    });

    it("gives every alert summary, description and a runbook link to its README anchor", () => {
        for (const r of alertRules({ runbookBaseUrl: "https://git.example/ptc/README.md" })) {
            assert.ok(r.annotations.summary, `${r.alert} summary`);
            assert.ok(r.annotations.description, `${r.alert} description`);
            assert.strictEqual(r.annotations.runbook_url, `https://git.example/ptc/README.md#alert-${r.alert.toLowerCase()}`);
            assert.ok(!/\$value/.test(JSON.stringify(r.annotations)), `${r.alert} annotations must not use $value`);
        }
        assert.throws(() => renderAlertRules({ runbookBaseUrl: "x#y" }), /must not contain "#"/);
    });

    it("catalogue entries match the rendered rules one to one (name, severity, for)", () => {
        const rules = alertRules();
        assert.strictEqual(rules.length, ALERTS.length);
        for (const a of ALERTS) {
            const r = rules.find((x) => x.alert === a.name && x.labels.severity === a.severity);
            assert.ok(r, `no rule for ${a.id}`);
            assert.strictEqual(r.for, a.forSeconds === 0 ? undefined : promDuration(a.forSeconds), a.id);
            assert.ok(a.meaning.length > 20 && a.firstResponse.length > 20, a.id);
        }
        assert.strictEqual(new Set(ALERTS.map((a) => a.id)).size, ALERTS.length, "rule ids are unique");
    });

    it("burn-rate alerts use the brief's windows and factors against a 99.9 % budget", () => {
        assert.strictEqual(errorBudget(0.999), "0.001");
        const expected: Record<string, [string, string, number]> = {
            ApiErrorBudgetBurnFast: ["1h", "5m", 14.4],
            ApiErrorBudgetBurnSlow: ["6h", "30m", 6],
            ApiErrorBudgetBurnTicket: ["3d", "6h", 1],
        };
        const rules = alertRules();
        for (const [name, [long, short, factor]] of Object.entries(expected)) {
            const r = rules.find((x) => x.alert === name);
            assert.ok(r);
            assert.ok(r.expr.includes(`service:http_request_errors:ratio_rate${long}{service="api"} > (${factor} * 0.001)`), `${name}: ${r.expr}`);
            assert.ok(r.expr.includes(`service:http_request_errors:ratio_rate${short}{service="api"} > (${factor} * 0.001)`), `${name}: ${r.expr}`);
        }
        assert.deepStrictEqual(
            BURN_RATE_WINDOWS.map((w) => w.severity),
            ["page", "page", "ticket"],
        );
    });

    it("records every error-ratio window the burn alerts read, before them in the same group", () => {
        const group = buildRuleGroups().find((g) => g.rules.some((r) => "alert" in r && r.alert === "ApiErrorBudgetBurnFast"));
        assert.ok(group);
        const records = group.rules.filter((r): r is RecordingRule => "record" in r).map((r) => r.record);
        const firstAlert = group.rules.findIndex((r) => "alert" in r);
        assert.strictEqual(group.rules.findIndex((r) => "record" in r && firstAlert < group.rules.indexOf(r)), -1);
        for (const w of BURN_RATE_WINDOWS) {
            assert.ok(records.includes(errorRatioRecord(w.longSeconds)));
            assert.ok(records.includes(errorRatioRecord(w.shortSeconds)));
        }
        for (const r of group.rules.filter((x): x is RecordingRule => "record" in x)) {
            assert.match(r.expr, /http_requests_total\{job="api",handler!="\/metrics",status=~"5\.\."\}/);
        }
    });

    it("BackupStale covers every store, and also fires for a store with no metric at all", () => {
        const r = alertRules({ backupStores: ["postgres", "redis", "object-store"], rpoSeconds: 1800, backupGraceSeconds: 600 }).find(
            (x) => x.alert === "BackupStale",
        );
        assert.ok(r);
        assert.match(r.expr, /ptc_backup_last_success_timestamp_seconds\{store=~"postgres\|redis\|object-store"\}\)\) > 2400/);
        for (const s of ["postgres", "redis", "object-store"]) {
            assert.ok(r.expr.includes(`absent(ptc_backup_last_success_timestamp_seconds{store="${s}"})`), s);
        }
    });

    it("RestoreDrillSlow holds the last drill to the RTO", () => {
        assert.match(alertRules().find((x) => x.alert === "RestoreDrillSlow")?.expr ?? "", /ptc_restore_drill_duration_seconds\) > 1800$/);
        assert.match(alertRules({ drillRtoSeconds: 900 }).find((x) => x.alert === "RestoreDrillSlow")?.expr ?? "", /> 900$/);
    });

    it("forOverrideSeconds shortens only non-zero for durations (test use)", () => {
        const rules = alertRules({ forOverrideSeconds: 2 });
        for (const r of rules) {
            const a = ALERTS.find((x) => x.name === r.alert && x.severity === r.labels.severity);
            assert.strictEqual(r.for, a?.forSeconds === 0 ? undefined : "2s", r.alert);
        }
    });

    it("rejects impossible inputs", () => {
        assert.throws(() => renderAlertRules({ sloTarget: 99.9 }), /sloTarget/);
        assert.throws(() => renderAlertRules({ backupStores: [] }), /backupStores/);
        assert.throws(() => renderAlertRules({ backupStores: ["Post gres"] }), /backup store/);
        assert.throws(() => renderAlertRules({ rpoSeconds: 0 }), /rpoSeconds/);
    });

    it("renders the README catalogue with one anchor per alert name", () => {
        const md = renderAlertCatalogueMarkdown(alertCatalogue());
        for (const n of ALERT_NAMES) {
            assert.strictEqual(md.split(`<a id="alert-${n.toLowerCase()}"></a>`).length - 1, 1, n);
        }
        assert.strictEqual(md.trim().split("\n").length, 2 + ALERTS.length);
    });
});
