/**
 * Grafana's provisioning files and dashboards, checked against the fields Grafana's documentation
 * defines (provisioning: apiVersion 1, datasources[].{name,type,uid,access,url}, providers[].
 * {type: file, options.path}; dashboard JSON model: uid, title, schemaVersion, panels[].{id, type,
 * gridPos, datasource, targets[].{refId, expr, datasource}}). Grafana itself is not available
 * here, so no server loads them; the PromQL is parsed by promtool in
 * tests/integration/monitoring-dashboards.test.ts.
 */
import * as assert from "assert";
import * as YAML from "yaml";
import {
    buildDashboards,
    Dashboard,
    DashboardPanel,
    dashboardExpressions,
    DATASOURCE_UIDS,
    GRAFANA_PATHS,
    grafanaEnv,
    grafanaSecretEnv,
    referencedDatasourceUids,
    renderDashboard,
    renderDashboardProviders,
    renderDatasources,
    renderGrafanaFiles,
} from "../../components/monitoring/grafana-config";
import { buildRuleGroups } from "../../components/monitoring/rules";
import { SECRET_NAME_PATTERN, validateSpec } from "../../components/platform/spec";

const URLS = { prometheusUrl: "http://prometheus:9090", lokiUrl: "http://loki:3100", alertmanagerUrl: "http://alertmanager:9093" };

interface ProvisionedDatasource {
    name: string;
    type: string;
    uid: string;
    access: string;
    url: string;
    isDefault: boolean;
    jsonData?: Record<string, unknown>;
}

function datasources(): ProvisionedDatasource[] {
    const doc = YAML.parse(renderDatasources(URLS)) as { apiVersion: number; datasources: ProvisionedDatasource[] };
    assert.strictEqual(doc.apiVersion, 1);
    return doc.datasources;
}

describe("grafana datasource provisioning", () => {
    it("provisions Prometheus, Loki and Alertmanager with fixed, unique uids", () => {
        const ds = datasources();
        assert.deepStrictEqual(
            ds.map((d) => [d.type, d.uid]),
            [
                ["prometheus", DATASOURCE_UIDS.prometheus],
                ["loki", DATASOURCE_UIDS.loki],
                ["alertmanager", DATASOURCE_UIDS.alertmanager],
            ],
        );
        assert.strictEqual(new Set(ds.map((d) => d.uid)).size, ds.length);
        assert.strictEqual(new Set(ds.map((d) => d.name)).size, ds.length);
    });

    it("points each datasource at its URL through Grafana's proxy, Prometheus being the only default", () => {
        const ds = datasources();
        assert.deepStrictEqual(
            ds.map((d) => d.url),
            [URLS.prometheusUrl, URLS.lokiUrl, URLS.alertmanagerUrl],
        );
        assert.ok(ds.every((d) => d.access === "proxy"));
        assert.deepStrictEqual(
            ds.filter((d) => d.isDefault).map((d) => d.type),
            ["prometheus"],
        );
        // Alertmanager is the upstream Prometheus one, not Grafana's own (Grafana's docs: jsonData.implementation).
        assert.strictEqual(ds[2].jsonData?.implementation, "prometheus");
        assert.strictEqual(ds[0].jsonData?.alertmanagerUid, DATASOURCE_UIDS.alertmanager);
    });

    it("refuses a URL that is not absolute http(s)", () => {
        assert.throws(() => renderDatasources({ ...URLS, lokiUrl: "loki:3100" }), /lokiUrl "loki:3100" must be an absolute http\(s\) URL/);
    });

    it("provides every dashboard file from the directory the dashboards are written to", () => {
        const doc = YAML.parse(renderDashboardProviders()) as { apiVersion: number; providers: Record<string, unknown>[] };
        assert.strictEqual(doc.apiVersion, 1);
        assert.strictEqual(doc.providers.length, 1);
        const p = doc.providers[0] as { type: string; options: { path: string }; disableDeletion: boolean; allowUiUpdates: boolean };
        assert.strictEqual(p.type, "file");
        assert.strictEqual(p.options.path, GRAFANA_PATHS.dashboards);
        assert.strictEqual(p.disableDeletion, true);
        assert.strictEqual(p.allowUiUpdates, false);
        const files = renderGrafanaFiles({ datasources: URLS });
        const dashboardFiles = files.filter((f) => f.path.endsWith(".json"));
        assert.strictEqual(dashboardFiles.length, 5);
        assert.ok(dashboardFiles.every((f) => f.path.startsWith(`${GRAFANA_PATHS.dashboards}/`)));
    });
});

describe("grafana dashboards", () => {
    const dashboards = buildDashboards();
    const provisioned = new Set(datasources().map((d) => d.uid));

    it("has the API, PostgreSQL, Redis, node and backups dashboards with unique uids", () => {
        assert.deepStrictEqual(
            dashboards.map((d) => d.uid),
            ["ptc-api", "ptc-postgres", "ptc-redis", "ptc-node", "ptc-backups"],
        );
        assert.strictEqual(new Set(dashboards.map((d) => d.uid)).size, dashboards.length);
        for (const d of dashboards) assert.ok(d.uid.length <= 40, `${d.uid}: Grafana uids are at most 40 characters`);
    });

    it("references only provisioned datasource uids, on every panel and every target", () => {
        const used = referencedDatasourceUids(dashboards);
        assert.ok(used.length >= 2);
        for (const uid of used) assert.ok(provisioned.has(uid), `${uid} is not provisioned (have ${[...provisioned].join(", ")})`);
        for (const d of dashboards) {
            for (const p of d.panels) {
                // A row header groups panels and has no query of its own.
                assert.strictEqual(p.targets.length > 0, p.type !== "row", `${d.uid}/${p.title}: ${p.targets.length} queries`);
                for (const t of p.targets) assert.deepStrictEqual(t.datasource, p.datasource, `${d.uid}/${p.title}/${t.refId}`);
            }
        }
    });

    it("detects a panel that references an unprovisioned uid", () => {
        const broken: Dashboard = {
            ...dashboards[0],
            panels: [{ ...dashboards[0].panels[0], datasource: { type: "prometheus", uid: "nope" } }],
        };
        assert.ok(referencedDatasourceUids([broken]).includes("nope"));
    });

    it("is a well-formed JSON model: unique panel ids and refIds, panels inside the 24-column grid, no overlaps", () => {
        for (const d of dashboards) {
            assert.ok(d.schemaVersion >= 36, "schemaVersion of Grafana 9+");
            assert.strictEqual(d.timezone, "utc");
            assert.ok(Array.isArray(d.templating.list) && Array.isArray(d.annotations.list));
            const ids = d.panels.map((p) => p.id);
            assert.strictEqual(new Set(ids).size, ids.length, `${d.uid}: duplicate panel ids`);
            for (const p of d.panels) {
                const g = p.gridPos;
                assert.ok(g.x >= 0 && g.w >= 1 && g.x + g.w <= 24 && g.h >= 1 && g.y >= 0, `${d.uid}/${p.title}: gridPos ${JSON.stringify(g)}`);
                const refs = p.targets.map((t) => t.refId);
                assert.strictEqual(new Set(refs).size, refs.length, `${d.uid}/${p.title}: duplicate refIds`);
                assert.ok(["timeseries", "stat", "gauge", "logs", "table", "row"].includes(p.type));
                if (p.type === "row") assert.ok(g.x === 0 && g.w === 24 && g.h === 1 && p.collapsed === false, `${d.uid}/${p.title}: a row is a full-width header`);
            }
            for (let i = 0; i < d.panels.length; i++) {
                for (let j = i + 1; j < d.panels.length; j++) {
                    const a = d.panels[i].gridPos;
                    const b = d.panels[j].gridPos;
                    const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
                    assert.ok(!overlap, `${d.uid}: panels "${d.panels[i].title}" and "${d.panels[j].title}" overlap`);
                }
            }
        }
    });

    it("renders deterministically as JSON that parses back to the model", () => {
        for (const d of dashboards) {
            const text = renderDashboard(d);
            assert.deepStrictEqual(JSON.parse(text), JSON.parse(JSON.stringify(d)));
            assert.strictEqual(text, renderDashboard(buildDashboards().find((x) => x.uid === d.uid) as Dashboard));
        }
    });

    it("API: request rate, 5xx error ratio, p50/p95/p99 latency, availability against 99.9 % and remaining error budget", () => {
        const api = dashboards[0];
        const exprs = api.panels.flatMap((p) => p.targets.map((t) => t.expr)).join("\n");
        assert.match(exprs, /rate\(http_requests_total\{job="api",handler!="\/metrics"\}\[5m\]\)/);
        for (const q of ["0.5", "0.95", "0.99"]) assert.ok(exprs.includes(`histogram_quantile(${q}, `), `p${q} missing`);
        const availability = api.panels.find((p) => p.title.startsWith("Availability"));
        const budget = api.panels.find((p) => p.title === "Error budget remaining");
        assert.ok(availability && budget);
        assert.match(budget.targets[0].expr, /\/ 0\.001\)$/);
        const steps = (availability.fieldConfig.defaults.thresholds as { steps: { value: number | null }[] }).steps;
        assert.deepStrictEqual(
            steps.map((s) => s.value),
            [null, 0.999],
        );
        assert.match(availability.targets[0].expr, /\[30d\]/);
    });

    it("API: burn-rate panels read the recording rules the burn alerts use", () => {
        const recorded = new Set(
            buildRuleGroups()
                .flatMap((g) => g.rules)
                .filter((r): r is { record: string; expr: string } => "record" in r)
                .map((r) => r.record),
        );
        const used = dashboardExpressions(dashboards)
            .flatMap((e) => e.expr.match(/[a-z_]+:[a-z_]+:[a-z_0-9]+/g) ?? [])
            .filter((n) => n.includes(":"));
        assert.ok(used.length >= 3, "the API dashboard uses the recorded ratios");
        for (const n of used) assert.ok(recorded.has(n), `${n} is not recorded by the rule file`);
    });

    it("backups: backup age per store against the RPO and drill duration against the 30-minute RTO", () => {
        const backups = buildDashboards({ rpoSeconds: 7200 }).find((d) => d.uid === "ptc-backups") as Dashboard;
        const age = backups.panels.find((p) => p.title === "Backup age against the RPO");
        const drill = backups.panels.find((p) => p.title === "Restore drill duration against the RTO");
        assert.ok(age && drill);
        assert.match(age.targets[0].expr, /time\(\) - max by \(store\) \(ptc_backup_last_success_timestamp_seconds\)/);
        assert.strictEqual(age.targets[0].legendFormat, "{{store}}");
        const stepValues = (p: typeof age): (number | null)[] =>
            (p.fieldConfig.defaults.thresholds as { steps: { value: number | null }[] }).steps.map((s) => s.value);
        assert.deepStrictEqual(stepValues(age), [null, 7200]);
        assert.deepStrictEqual(stepValues(drill), [null, 1800]);
        assert.match(drill.targets[0].expr, /ptc_restore_drill_duration_seconds/);
    });

    it("backups: a point-in-time-recovery row with WAL archiving, physical backups per type and the physical drill against the RTO", () => {
        const backups = buildDashboards({ archiveTimeoutSeconds: 120, physicalBackupMaxAgeSeconds: { incr: 5400 } }).find((d) => d.uid === "ptc-backups") as Dashboard;
        const rowAt = backups.panels.findIndex((p) => p.type === "row");
        assert.ok(rowAt > 0, "the row follows the logical backup panels");
        const pitr = backups.panels.slice(rowAt + 1);
        const byTitle = (t: string): DashboardPanel => {
            const p = pitr.find((x) => x.title === t);
            assert.ok(p, `no panel "${t}" in the row; have ${pitr.map((x) => x.title).join(", ")}`);
            return p;
        };
        const steps = (p: DashboardPanel): (number | null)[] => (p.fieldConfig.defaults.thresholds as { steps: { value: number | null }[] }).steps.map((s) => s.value);
        const age = byTitle("Last WAL archive age");
        assert.strictEqual(age.targets[0].expr, 'max(pg_stat_archiver_last_archive_age{job="postgres"})');
        assert.deepStrictEqual(steps(age), [null, 360], "3 × archive_timeout");
        const rates = byTitle("WAL segments archived and failed (per 5 min)").targets.map((t) => t.expr);
        assert.deepStrictEqual(rates, ['sum(increase(pg_stat_archiver_archived_count{job="postgres"}[5m]))', 'sum(increase(pg_stat_archiver_failed_count{job="postgres"}[5m]))']);
        const share = byTitle("Physical backup age (share of its limit)").targets[0].expr;
        assert.ok(share.includes('{type="full"})) / 691200') && share.includes('{type="diff"})) / 93600') && share.includes('{type="incr"})) / 5400'), share);
        assert.match(byTitle("Physical backup age").targets[0].expr, /time\(\) - max by \(type\) \(ptc_pitr_backup_last_success_timestamp_seconds\)/);
        assert.match(byTitle("Physical backup size").targets[0].expr, /max by \(type\) \(ptc_pitr_backup_size_bytes\)/);
        const rto = byTitle("Physical restore drill RTO against the objective");
        assert.strictEqual(rto.targets[0].expr, "max(ptc_restore_drill_physical_rto_seconds)");
        assert.deepStrictEqual(steps(rto), [null, 1800]);
        assert.ok(pitr.every((p) => p.type !== "row"), "one row only");
        assert.throws(() => buildDashboards({ archiveTimeoutSeconds: 0 }), /archiveTimeoutSeconds must be a positive/);
    });

    it("refuses impossible objectives", () => {
        assert.throws(() => buildDashboards({ sloTarget: 99.9 }), /sloTarget must be a fraction/);
        assert.throws(() => buildDashboards({ rpoSeconds: 0 }), /rpoSeconds must be a positive number/);
    });

    it("collects every PromQL expression, with no Grafana macros promtool could not parse", () => {
        const exprs = dashboardExpressions(dashboards);
        const promTargets = dashboards.flatMap((d) => d.panels.flatMap((p) => p.targets.filter((t) => t.datasource.type === "prometheus")));
        assert.strictEqual(exprs.length, promTargets.length);
        assert.ok(exprs.length >= 30, `only ${exprs.length} expressions`);
        for (const e of exprs) assert.ok(!e.expr.includes("$"), `${e.dashboard}/${e.panel}: ${e.expr}`);
    });

    it("log panels query Loki by the service label the collector sets", () => {
        const logPanels = dashboards.flatMap((d) => d.panels.filter((p) => p.type === "logs"));
        assert.ok(logPanels.length >= 4);
        for (const p of logPanels) {
            assert.strictEqual(p.datasource.uid, DATASOURCE_UIDS.loki);
            assert.match(p.targets[0].expr, /^\{service=~?"[^"]+"\}$/);
        }
    });
});

describe("grafana settings", () => {
    it("turns sign-up, org creation and anonymous access off and never carries the password", () => {
        const env = grafanaEnv({ rootUrl: "https://grafana.example.com/" });
        assert.strictEqual(env.GF_USERS_ALLOW_SIGN_UP, "false");
        assert.strictEqual(env.GF_USERS_ALLOW_ORG_CREATE, "false");
        assert.strictEqual(env.GF_AUTH_ANONYMOUS_ENABLED, "false");
        assert.strictEqual(env.GF_SECURITY_ADMIN_USER, "admin");
        assert.strictEqual(env.GF_SECURITY_COOKIE_SECURE, "true");
        assert.ok(!Object.keys(env).some((k) => k.startsWith("GF_SECURITY_ADMIN_PASSWORD")));
        // The platform refuses secret-looking names in plain env: none here.
        assert.ok(!Object.keys(env).some((k) => SECRET_NAME_PATTERN.test(k)));
    });

    it("reads the admin password from the secret file through GF_SECURITY_ADMIN_PASSWORD__FILE", () => {
        assert.deepStrictEqual(grafanaSecretEnv(), { GF_SECURITY_ADMIN_PASSWORD__FILE: GRAFANA_PATHS.adminPasswordFile });
        // As plain env the platform would refuse it, which is why it travels as secret env.
        const problems = validateSpec("grafana", {
            image: "grafana/grafana",
            tier: "ops",
            resources: { cpu: "100m", memory: "256Mi" },
            env: grafanaSecretEnv(),
        });
        assert.ok(problems.some((p) => p.includes("GF_SECURITY_ADMIN_PASSWORD__FILE looks like a secret")));
    });

    it("refuses a bad admin user or root URL", () => {
        assert.throws(() => grafanaEnv({ adminUser: "a b" }), /adminUser "a b"/);
        assert.throws(() => grafanaEnv({ rootUrl: "grafana.example.com" }), /rootUrl/);
    });
});
