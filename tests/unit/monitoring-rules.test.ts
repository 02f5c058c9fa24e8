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

    it("gives every alert summary, description and a runbook link to its anchor (README, or the DR runbook for point-in-time recovery)", () => {
        const dr = ["WalArchivingFailing", "WalArchivingLate", "PhysicalBackupStale", "PhysicalBackupFailed", "PhysicalRestoreDrillStale", "PhysicalRestoreDrillSlow"];
        const input = { runbookBaseUrl: "https://git.example/ptc/README.md", drRunbookUrl: "https://git.example/ptc/docs/disaster-recovery.md" };
        for (const r of alertRules(input)) {
            assert.ok(r.annotations.summary, `${r.alert} summary`);
            assert.ok(r.annotations.description, `${r.alert} description`);
            const base = dr.includes(r.alert) ? input.drRunbookUrl : input.runbookBaseUrl;
            assert.strictEqual(r.annotations.runbook_url, `${base}#alert-${r.alert.toLowerCase()}`);
            assert.ok(!/\$value/.test(JSON.stringify(r.annotations)), `${r.alert} annotations must not use $value`);
        }
        assert.deepStrictEqual(ALERTS.filter((a) => a.runbook === "disaster-recovery").map((a) => a.name), dr);
        assert.match(alertRules().find((r) => r.alert === "WalArchivingLate")?.annotations.runbook_url ?? "", /^docs\/disaster-recovery\.md#alert-walarchivinglate$/);
        assert.throws(() => renderAlertRules({ runbookBaseUrl: "x#y" }), /must not contain "#"/);
        assert.throws(() => renderAlertRules({ drRunbookUrl: "x#y" }), /drRunbookUrl must not contain "#"/);
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

    it("WAL archiving: failing is failures without a success in 90s; late is 3 × archive_timeout without an archived segment while rows change, quiet after a start", () => {
        const rules = alertRules({ archiveTimeoutSeconds: 120 });
        const failing = rules.find((x) => x.alert === "WalArchivingFailing");
        const late = rules.find((x) => x.alert === "WalArchivingLate");
        assert.ok(failing && late);
        assert.strictEqual(failing.labels.severity, "page");
        assert.match(failing.expr, /increase\(pg_stat_archiver_failed_count\{job="postgres"\}\[1m30s\]\) > 0\nand on\(instance\)\nincrease\(pg_stat_archiver_archived_count\{job="postgres"\}\[1m30s\]\) == 0$/);
        assert.strictEqual(late.labels.severity, "page");
        // 3 × 120 s, from the input: the archive window, the rows-changed window and the start grace.
        assert.ok(late.expr.startsWith('(increase(pg_stat_archiver_archived_count{job="postgres"}[6m]) == 0)'), late.expr);
        for (const k of ["inserted", "updated", "deleted"]) assert.ok(late.expr.includes(`increase(pg_stat_database_tup_${k}{job="postgres"}[6m])`), k);
        assert.ok(late.expr.includes("pg_postmaster_start_time_seconds") && late.expr.includes("pg_settings_checkpoint_timeout_seconds{job=\"postgres\"}) + 360)"), late.expr);
        assert.strictEqual(late.for, "1m");
        assert.strictEqual(failing.for, "1m30s");
        assert.throws(() => renderAlertRules({ archiveTimeoutSeconds: 0 }), /archiveTimeoutSeconds must be a positive whole number/);
    });

    it("physical backups: stale per type against its own limit (from the input), failed on any newer failure", () => {
        const stale = alertRules({ physicalBackupMaxAgeSeconds: { incr: 5400 } }).find((x) => x.alert === "PhysicalBackupStale");
        assert.ok(stale);
        assert.strictEqual(stale.labels.severity, "ticket");
        // Each type is satisfied by itself or a larger one (full ⊃ diff ⊃ incr).
        for (const [t, types, max] of [["full", "full", 691200], ["diff", "full|diff", 93600], ["incr", "full|diff|incr", 5400]] as const) {
            assert.ok(
                stale.expr.includes(`label_replace((time() - max(ptc_pitr_backup_last_success_timestamp_seconds{type=~"${types}"})) > ${max}, "type", "${t}", "", "")`),
                `${t}: ${stale.expr}`,
            );
            assert.ok(
                stale.expr.includes(`absent(ptc_pitr_backup_last_success_timestamp_seconds{type=~"${types}"}) and on() (time() - max(process_start_time_seconds{job="pushgateway"}) > ${max}), "type", "${t}", "", "")`),
                t,
            );
        }
        assert.throws(() => renderAlertRules({ physicalBackupMaxAgeSeconds: { incr: -1 } }), /physicalBackupMaxAgeSeconds\.incr must be a positive/);
        assert.throws(() => renderAlertRules({ physicalBackupMaxAgeSeconds: { weekly: 1 } as never }), /physicalBackupMaxAgeSeconds\.weekly is not a backup type/);
        const drill = alertRules({ drillRtoSeconds: 900 }).find((x) => x.alert === "PhysicalRestoreDrillSlow");
        assert.strictEqual(drill?.expr, "max(ptc_restore_drill_physical_rto_seconds) > 900");
    });

    it("leaves the WAL archiving and physical backup alerts out when the stack has no PITR", () => {
        const names = (pitr?: boolean): string[] => alertRules(pitr === undefined ? {} : { pitr }).map((x) => x.alert);
        const pitrAlerts = ["WalArchivingFailing", "WalArchivingLate", "PhysicalBackupStale", "PhysicalBackupFailed", "PhysicalRestoreDrillStale", "PhysicalRestoreDrillSlow"];
        for (const n of pitrAlerts) {
            assert.ok(names().includes(n), `${n} by default`);
            assert.ok(!names(false).includes(n), `${n} without PITR`);
        }
        assert.deepEqual(names(false), names().filter((n) => !pitrAlerts.includes(n)), "every other alert stays");
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
