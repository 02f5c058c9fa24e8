/**
 * Grafana's configuration as pure functions: datasource and dashboard provisioning files
 * ({@link ./provisioning}), the dashboard JSON models, one file per domain under `dashboards/`
 * built with the panel helper of {@link ./panels}, and the server settings as environment
 * variables.
 *
 * Grafana is not installed here, so the tests check these files against the fields Grafana's
 * provisioning and dashboard JSON model documentation defines (every panel's datasource uid is a
 * provisioned one; every PromQL expression is handed to promtool by the integration tests).
 */
import { apiDashboard } from "./dashboards/api";
import { backupsDashboard } from "./dashboards/backups";
import { postgresDashboard, redisDashboard } from "./dashboards/data";
import { nodeDashboard } from "./dashboards/node";
import { Dashboard, DashboardsInput } from "./panels";
import { GrafanaDatasourcesInput, GRAFANA_PATHS, renderDashboardProviders, renderDatasources } from "./provisioning";

export { API_SELECTOR } from "./dashboards/api";
export { DASHBOARD_SCHEMA_VERSION } from "./panels";
export type { Dashboard, DashboardPanel, DashboardsInput, DashboardTarget, ThresholdStep } from "./panels";
export * from "./provisioning";

/** Builds every dashboard: API, PostgreSQL, Redis, nodes, backups. Deterministic. */
export function buildDashboards(input: DashboardsInput = {}): Dashboard[] {
    return [apiDashboard(input), postgresDashboard(), redisDashboard(), nodeDashboard(), backupsDashboard(input)];
}

/** Renders one dashboard as JSON (the file Grafana's provider reads). */
export function renderDashboard(d: Dashboard): string {
    return `${JSON.stringify(d, null, 2)}\n`;
}

/** One PromQL expression of a dashboard panel, with where it comes from. */
export interface DashboardExpression {
    readonly dashboard: string;
    readonly panel: string;
    readonly refId: string;
    readonly expr: string;
}

/** Every PromQL expression (Prometheus-datasource targets) of the dashboards, in order. */
export function dashboardExpressions(dashboards: readonly Dashboard[]): DashboardExpression[] {
    const out: DashboardExpression[] = [];
    for (const d of dashboards) {
        for (const p of d.panels) {
            for (const t of p.targets) {
                if (t.datasource.type === "prometheus") out.push({ dashboard: d.uid, panel: p.title, refId: t.refId, expr: t.expr });
            }
        }
    }
    return out;
}

/** Every datasource uid the dashboards reference (panels and targets), sorted and unique. */
export function referencedDatasourceUids(dashboards: readonly Dashboard[]): string[] {
    const uids = new Set<string>();
    for (const d of dashboards) {
        for (const p of d.panels) {
            uids.add(p.datasource.uid);
            for (const t of p.targets) uids.add(t.datasource.uid);
        }
    }
    return [...uids].sort();
}

/** A file for the Grafana container. */
export interface GrafanaFile {
    /** Absolute path in the container. */
    readonly path: string;
    /** Content. */
    readonly content: string;
}

/** Input of {@link renderGrafanaFiles}. */
export interface GrafanaFilesInput {
    /** Datasource URLs. */
    readonly datasources: GrafanaDatasourcesInput;
    /** Dashboard parameters. Defaults to {@link DashboardsInput}'s defaults. */
    readonly dashboards?: DashboardsInput;
}

/** Every provisioning file and dashboard, with its container path, in a stable order. */
export function renderGrafanaFiles(input: GrafanaFilesInput): GrafanaFile[] {
    const dashboards = buildDashboards(input.dashboards ?? {});
    return [
        { path: GRAFANA_PATHS.datasources, content: renderDatasources(input.datasources) },
        { path: GRAFANA_PATHS.dashboardProviders, content: renderDashboardProviders() },
        ...dashboards.map((d) => ({ path: `${GRAFANA_PATHS.dashboards}/${d.uid}.json`, content: renderDashboard(d) })),
    ];
}
