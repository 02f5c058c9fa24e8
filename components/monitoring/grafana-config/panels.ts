/**
 * The dashboard JSON model (the fields Grafana's documentation defines and we use) and the typed
 * panel helper the dashboards are written with: a panel is a {@link PanelDraft} (what it shows),
 * {@link dashboard} lays the drafts out in the 24-column grid and fills in Grafana's defaults.
 */
import { DatasourceRef, LOKI_DS, PROMETHEUS_DS } from "./provisioning";

/** One query of a panel. */
export interface DashboardTarget {
    /** Query id within the panel ("A", "B", ...). */
    readonly refId: string;
    /** The query: PromQL for Prometheus, LogQL for Loki. */
    readonly expr: string;
    /** Series legend. Defaults to Grafana's. */
    readonly legendFormat?: string;
    /** Its datasource (the panel's). */
    readonly datasource: DatasourceRef;
    /** Evaluate at one instant (stat panels). Defaults to a range query. */
    readonly instant?: boolean;
    /** Evaluate over the range. */
    readonly range?: boolean;
}

/** A threshold step: the colour from `value` upwards (`null` is the base). */
export interface ThresholdStep {
    readonly color: string;
    readonly value: number | null;
}

/** One dashboard panel, as Grafana's JSON model defines it (the fields used here). */
export interface DashboardPanel {
    readonly id: number;
    readonly type: "timeseries" | "stat" | "gauge" | "logs" | "table" | "row";
    readonly title: string;
    readonly description?: string;
    /** Row headers only: shown expanded (the panels after it, up to the next row, belong to it). */
    readonly collapsed?: false;
    /** Row headers only: the panels a collapsed row would hold (none: rows here are never collapsed). */
    readonly panels?: readonly never[];
    readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
    readonly datasource: DatasourceRef;
    readonly targets: readonly DashboardTarget[];
    readonly fieldConfig: {
        readonly defaults: Record<string, unknown>;
        readonly overrides: readonly unknown[];
    };
    readonly options: Record<string, unknown>;
}

/** A dashboard, as Grafana's JSON model defines it (the fields used here). */
export interface Dashboard {
    readonly uid: string;
    readonly title: string;
    readonly tags: readonly string[];
    readonly timezone: "utc";
    readonly editable: false;
    readonly graphTooltip: 1;
    readonly schemaVersion: number;
    readonly version: 1;
    readonly refresh: string;
    readonly time: { readonly from: string; readonly to: string };
    readonly templating: { readonly list: readonly unknown[] };
    readonly annotations: { readonly list: readonly unknown[] };
    readonly panels: readonly DashboardPanel[];
}

/** Schema version of the JSON model written (Grafana 11/12 migrate older ones on load). */
export const DASHBOARD_SCHEMA_VERSION = 39;

/** What the dashboards need to know. */
export interface DashboardsInput {
    /** Availability objective of the API. Defaults to 0.999. */
    readonly sloTarget?: number;
    /** SLO window in days. Defaults to 30. */
    readonly sloWindowDays?: number;
    /** Recovery point objective in seconds: the backup age limit. Defaults to 3600. */
    readonly rpoSeconds?: number;
    /** Recovery time objective in seconds: the restore drill duration limit. Defaults to 1800. */
    readonly rtoSeconds?: number;
    /** Longest acceptable age of the last successful restore drill, in seconds. Defaults to 93600 (26 h: daily plus grace). */
    readonly drillMaxAgeSeconds?: number;
    /** PostgreSQL's archive_timeout in seconds: the last WAL archive age turns red at 3× that. Defaults to 60. */
    readonly archiveTimeoutSeconds?: number;
    /** Longest allowed age of the newest physical backup per type, seconds. Defaults to full 8 d, diff 26 h, incr 2 h. */
    readonly physicalBackupMaxAgeSeconds?: Partial<Record<"full" | "diff" | "incr", number>>;
}

/** What one panel shows; {@link dashboard} turns it into a {@link DashboardPanel}. */
export interface PanelDraft {
    /** Panel type. */
    readonly type: DashboardPanel["type"];
    /** Title. */
    readonly title: string;
    /** Tooltip text. Defaults to none. */
    readonly description?: string;
    /** Width in grid columns (1..24). */
    readonly w: number;
    /** Height in grid rows. */
    readonly h: number;
    /** The datasource of the panel and its targets. */
    readonly datasource: DatasourceRef;
    /** Queries; refIds A, B, ... follow the order. */
    readonly targets: readonly { readonly expr: string; readonly legendFormat?: string }[];
    /** Grafana unit, e.g. "percentunit", "s", "bytes". Defaults to none. */
    readonly unit?: string;
    /** Axis or gauge minimum. Defaults to none. */
    readonly min?: number;
    /** Axis or gauge maximum. Defaults to none. */
    readonly max?: number;
    /** Thresholds: [base colour, [value, colour]...]. */
    readonly thresholds?: readonly ThresholdStep[];
    /** Draw the thresholds as lines (time series). */
    readonly thresholdLines?: boolean;
}

/** Green below `limit`, red from it (ages, durations, failures). */
export const GREEN_RED = (limit: number): ThresholdStep[] => [
    { color: "green", value: null },
    { color: "red", value: limit },
];
/** Red below `limit`, green from it (up, availability). */
export const RED_GREEN = (limit: number): ThresholdStep[] => [
    { color: "red", value: null },
    { color: "green", value: limit },
];

/** Lays panels out left to right in Grafana's 24-column grid, wrapping rows; ids follow the order. */
function layout(drafts: readonly PanelDraft[]): DashboardPanel[] {
    let x = 0;
    let y = 0;
    let rowHeight = 0;
    return drafts.map((d, i) => {
        if (d.w < 1 || d.w > 24) throw new Error(`panel "${d.title}" width ${d.w} must be 1..24`);
        if (x + d.w > 24) {
            x = 0;
            y += rowHeight;
            rowHeight = 0;
        }
        const gridPos = { x, y, w: d.w, h: d.h };
        x += d.w;
        rowHeight = Math.max(rowHeight, d.h);
        if (d.type === "row") {
            if (d.w !== 24 || gridPos.x !== 0) throw new Error(`row "${d.title}" must be full width (24) and start a line`);
            // Grafana's row header: no queries; the panels below it (up to the next row) are its own.
            return {
                id: i + 1,
                type: "row",
                title: d.title,
                collapsed: false,
                panels: [],
                gridPos,
                datasource: d.datasource,
                targets: [],
                fieldConfig: { defaults: {}, overrides: [] },
                options: {},
            };
        }
        const isStat = d.type === "stat" || d.type === "gauge";
        const defaults: Record<string, unknown> = {
            ...(d.unit ? { unit: d.unit } : {}),
            ...(d.min !== undefined ? { min: d.min } : {}),
            ...(d.max !== undefined ? { max: d.max } : {}),
            thresholds: { mode: "absolute", steps: d.thresholds ?? [{ color: "green", value: null }] },
            color: { mode: d.thresholds && isStat ? "thresholds" : "palette-classic" },
            ...(d.type === "timeseries"
                ? { custom: { thresholdsStyle: { mode: d.thresholdLines ? "line" : "off" }, fillOpacity: 10, lineWidth: 1 } }
                : {}),
        };
        const options: Record<string, unknown> =
            d.type === "logs"
                ? { showTime: true, wrapLogMessage: true, sortOrder: "Descending", enableLogDetails: true }
                : d.type === "timeseries"
                  ? { legend: { displayMode: "list", placement: "bottom", showLegend: true }, tooltip: { mode: "multi", sort: "desc" } }
                  : d.type === "table"
                    ? { showHeader: true }
                    : { reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false }, colorMode: "background", graphMode: "none", textMode: "auto" };
        return {
            id: i + 1,
            type: d.type,
            title: d.title,
            ...(d.description ? { description: d.description } : {}),
            gridPos,
            datasource: d.datasource,
            targets: d.targets.map((t, j) => ({
                refId: String.fromCharCode(65 + j),
                expr: t.expr,
                ...(t.legendFormat !== undefined ? { legendFormat: t.legendFormat } : {}),
                datasource: d.datasource,
                ...(isStat || d.type === "table" ? { instant: true, range: false } : {}),
            })),
            fieldConfig: { defaults, overrides: [] },
            options,
        };
    });
}

/** A dashboard of the given panels, with the tags, time range and refresh every dashboard shares. */
export function dashboard(uid: string, title: string, tags: string[], drafts: PanelDraft[]): Dashboard {
    return {
        uid,
        title,
        tags: ["pro-team-care", ...tags],
        timezone: "utc",
        editable: false,
        graphTooltip: 1,
        schemaVersion: DASHBOARD_SCHEMA_VERSION,
        version: 1,
        refresh: "30s",
        time: { from: "now-6h", to: "now" },
        templating: { list: [] },
        annotations: { list: [] },
        panels: layout(drafts),
    };
}

/** A panel of Prometheus queries. */
export function prom(panel: Omit<PanelDraft, "datasource">): PanelDraft {
    return { ...panel, datasource: PROMETHEUS_DS };
}

/** A row header: a full-width, expanded row grouping the panels after it. */
export const row = (title: string): PanelDraft => ({ type: "row", title, w: 24, h: 1, datasource: PROMETHEUS_DS, targets: [] });

/** A full-width Loki logs panel of one LogQL query. */
export const logs = (title: string, expr: string): PanelDraft => ({
    type: "logs",
    title,
    w: 24,
    h: 10,
    datasource: LOKI_DS,
    targets: [{ expr }],
});

/** Throws unless `v` is strictly between 0 and 1. */
export function checkFraction(what: string, v: number): void {
    if (!(v > 0 && v < 1)) throw new Error(`${what} must be a fraction strictly between 0 and 1 (e.g. 0.999), got ${v}`);
}
/** Throws unless `v` is a positive finite number (of seconds). */
export function checkPositive(what: string, v: number): void {
    if (!(Number.isFinite(v) && v > 0)) throw new Error(`${what} must be a positive number of seconds, got ${v}`);
}

