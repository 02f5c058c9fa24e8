/**
 * Every PromQL expression of every Grafana dashboard, parsed by the real promtool: each one is
 * written as a recording rule in a scratch rule file and `promtool check rules` must accept it.
 * A deliberately broken expression must be refused, so the check itself is shown to work.
 * Under CI a missing promtool fails the suite; elsewhere it is skipped with the reason.
 */
import * as assert from "assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { buildDashboards, dashboardExpressions, DashboardExpression } from "../../components/monitoring/grafana-config";
import { makeTempDir, missingTools, removeTempDir, requireTool } from "./support/services";
import { skipOrFail } from "../support/ci";

const run = promisify(execFile);

/** A rule file with one recording rule per expression, named after where it comes from. */
function scratchRuleFile(exprs: readonly DashboardExpression[]): string {
    const rules = exprs.map((e, i) => ({
        record: `dashboard:${e.dashboard.replace(/[^a-zA-Z0-9_]/g, "_")}:expr_${i}_${e.refId}`,
        expr: e.expr,
    }));
    return stringify({ groups: [{ name: "dashboard-expressions", rules }] }, { lineWidth: 0 });
}

async function checkRules(promtool: string, file: string): Promise<{ ok: boolean; output: string }> {
    try {
        const r = await run(promtool, ["check", "rules", file]);
        return { ok: true, output: `${r.stdout}${r.stderr}` };
    } catch (e) {
        const err = e as { stdout?: string; stderr?: string };
        return { ok: false, output: `${err.stdout ?? ""}${err.stderr ?? ""}` };
    }
}

describe("dashboard PromQL parsed by promtool", function () {
    let dir: string;
    let promtool: string;

    before(function () {
        const missing = missingTools(["promtool"]);
        if (missing) skipOrFail(this, missing);
        promtool = requireTool("promtool");
        dir = makeTempDir("ptc-dashboards-");
    });

    after(() => {
        if (dir) removeTempDir(dir);
    });

    it("accepts every expression of every dashboard (defaults and a non-default RPO/SLO)", async () => {
        for (const [label, input] of [
            ["defaults", {}],
            ["rpo-2h-slo-99.5", { rpoSeconds: 7200, sloTarget: 0.995 }],
        ] as const) {
            const exprs = dashboardExpressions(buildDashboards(input));
            assert.ok(exprs.length >= 30, `only ${exprs.length} expressions`);
            const file = path.join(dir, `dashboards-${label}.yml`);
            fs.writeFileSync(file, scratchRuleFile(exprs));
            const r = await checkRules(promtool, file);
            assert.ok(r.ok, `promtool refused dashboard expressions (${label}):\n${r.output}`);
            assert.match(r.output, new RegExp(`SUCCESS: ${exprs.length} rules found`));
        }
    });

    it("refuses a broken expression (the check can fail)", async () => {
        const file = path.join(dir, "broken.yml");
        fs.writeFileSync(file, scratchRuleFile([{ dashboard: "ptc-broken", panel: "broken", refId: "A", expr: "sum(rate(http_requests_total[5m])" }]));
        const r = await checkRules(promtool, file);
        assert.strictEqual(r.ok, false, r.output);
        assert.match(r.output, /parse error|unclosed|FAILED/i);
    });
});
