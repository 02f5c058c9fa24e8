/**
 * Grafana's provisioning and server settings as pure functions: the datasource file with its
 * fixed uids, the dashboard provider file, the container paths, and the GF_* environment.
 */
import * as YAML from "yaml";

/** Fixed datasource uids: dashboards reference these, so they must never change. */
export const DATASOURCE_UIDS = {
    prometheus: "ptc-prometheus",
    loki: "ptc-loki",
    alertmanager: "ptc-alertmanager",
} as const;

/** A panel's or target's reference to a provisioned datasource. */
export interface DatasourceRef {
    /** Plugin type: "prometheus", "loki" or "alertmanager". */
    readonly type: string;
    /** A uid from {@link DATASOURCE_UIDS}. */
    readonly uid: string;
}

/** The Prometheus datasource reference. */
export const PROMETHEUS_DS: DatasourceRef = { type: "prometheus", uid: DATASOURCE_UIDS.prometheus };
/** The Loki datasource reference. */
export const LOKI_DS: DatasourceRef = { type: "loki", uid: DATASOURCE_UIDS.loki };

/** Where the Grafana container finds its files. */
export const GRAFANA_PATHS = {
    /** Datasource provisioning file. */
    datasources: "/etc/grafana/provisioning/datasources/pro-team-care.yaml",
    /** Dashboard provider file. */
    dashboardProviders: "/etc/grafana/provisioning/dashboards/pro-team-care.yaml",
    /** Directory of the dashboard JSON files (outside the data volume, so a volume never hides them). */
    dashboards: "/etc/grafana/dashboards",
    /** Secret file holding the admin password. */
    adminPasswordFile: "/etc/grafana/secrets/admin-password",
    /** Data directory (the volume). */
    data: "/var/lib/grafana",
} as const;

/** Where the datasources are reached from Grafana. */
export interface GrafanaDatasourcesInput {
    /** Prometheus base URL, e.g. "http://prometheus:9090". */
    readonly prometheusUrl: string;
    /** Loki base URL, e.g. "http://loki:3100". */
    readonly lokiUrl: string;
    /** Alertmanager base URL, e.g. "http://alertmanager:9093". */
    readonly alertmanagerUrl: string;
    /** Prometheus scrape interval in seconds (Grafana's minimum step). Defaults to 15. */
    readonly scrapeIntervalSeconds?: number;
}

function checkUrl(what: string, url: string): void {
    if (!/^https?:\/\/[^\s/]+/.test(url)) {
        throw new Error(`${what} "${url}" must be an absolute http(s) URL such as http://prometheus:9090`);
    }
}

/** Renders the datasource provisioning file (apiVersion 1) with the fixed uids; Prometheus is the default. */
export function renderDatasources(input: GrafanaDatasourcesInput): string {
    checkUrl("prometheusUrl", input.prometheusUrl);
    checkUrl("lokiUrl", input.lokiUrl);
    checkUrl("alertmanagerUrl", input.alertmanagerUrl);
    const doc = {
        apiVersion: 1,
        prune: true,
        datasources: [
            {
                name: "Prometheus",
                type: "prometheus",
                uid: DATASOURCE_UIDS.prometheus,
                access: "proxy",
                url: input.prometheusUrl,
                isDefault: true,
                editable: false,
                jsonData: {
                    httpMethod: "POST",
                    timeInterval: `${input.scrapeIntervalSeconds ?? 15}s`,
                    alertmanagerUid: DATASOURCE_UIDS.alertmanager,
                },
            },
            {
                name: "Loki",
                type: "loki",
                uid: DATASOURCE_UIDS.loki,
                access: "proxy",
                url: input.lokiUrl,
                isDefault: false,
                editable: false,
                jsonData: { maxLines: 1000 },
            },
            {
                name: "Alertmanager",
                type: "alertmanager",
                uid: DATASOURCE_UIDS.alertmanager,
                access: "proxy",
                url: input.alertmanagerUrl,
                isDefault: false,
                editable: false,
                jsonData: { implementation: "prometheus", handleGrafanaManagedAlerts: false },
            },
        ],
    };
    return YAML.stringify(doc);
}

/** Renders the dashboard provider file: every JSON file under {@link GRAFANA_PATHS.dashboards}, read-only in the UI. */
export function renderDashboardProviders(folder = "Pro Team Care"): string {
    return YAML.stringify({
        apiVersion: 1,
        providers: [
            {
                name: "pro-team-care",
                orgId: 1,
                folder,
                type: "file",
                disableDeletion: true,
                allowUiUpdates: false,
                updateIntervalSeconds: 60,
                options: { path: GRAFANA_PATHS.dashboards, foldersFromFilesStructure: false },
            },
        ],
    });
}

/** Server settings of {@link grafanaEnv}. */
export interface GrafanaEnvInput {
    /** External URL users open (e.g. "https://grafana.example.com/"). Defaults to Grafana's own. */
    readonly rootUrl?: string;
    /** Admin user name. Defaults to "admin". */
    readonly adminUser?: string;
}

/**
 * grafana.ini settings as GF_* environment variables: sign-up, org creation and anonymous access
 * off, no phoning home. The admin password is not here: it is read from
 * {@link GRAFANA_PATHS.adminPasswordFile} through GF_SECURITY_ADMIN_PASSWORD__FILE, see
 * {@link grafanaSecretEnv}.
 */
export function grafanaEnv(input: GrafanaEnvInput = {}): Record<string, string> {
    const adminUser = input.adminUser ?? "admin";
    if (!/^[A-Za-z0-9._@-]{1,64}$/.test(adminUser)) throw new Error(`adminUser "${adminUser}" must be 1-64 letters, digits or . _ @ -`);
    if (input.rootUrl !== undefined) checkUrl("rootUrl", input.rootUrl);
    const env: Record<string, string> = {
        GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES: "false",
        GF_ANALYTICS_CHECK_FOR_UPDATES: "false",
        GF_ANALYTICS_REPORTING_ENABLED: "false",
        GF_AUTH_ANONYMOUS_ENABLED: "false",
        GF_AUTH_BASIC_ENABLED: "true",
        GF_LOG_MODE: "console",
        GF_PATHS_DATA: GRAFANA_PATHS.data,
        GF_SECURITY_ADMIN_USER: adminUser,
        GF_SECURITY_DISABLE_GRAVATAR: "true",
        GF_SNAPSHOTS_EXTERNAL_ENABLED: "false",
        GF_USERS_ALLOW_ORG_CREATE: "false",
        GF_USERS_ALLOW_SIGN_UP: "false",
    };
    if (input.rootUrl !== undefined) {
        env.GF_SERVER_ROOT_URL = input.rootUrl;
        if (input.rootUrl.startsWith("https://")) env.GF_SECURITY_COOKIE_SECURE = "true";
    }
    return Object.fromEntries(Object.keys(env).sort().map((k) => [k, env[k]]));
}

/**
 * The variables that must travel as secrets: the name matches the platform's secret-name rule,
 * and it points Grafana at the password file rather than holding the password itself.
 */
export function grafanaSecretEnv(): Record<string, string> {
    return { GF_SECURITY_ADMIN_PASSWORD__FILE: GRAFANA_PATHS.adminPasswordFile };
}
