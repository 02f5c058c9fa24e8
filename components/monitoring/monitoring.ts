/**
 * The whole monitoring system from one set of args: exporters, Pushgateway, Loki and the log
 * collector, Alertmanager, Prometheus and Grafana, all on the ops tier of the stack's platform.
 */
import * as pulumi from "@pulumi/pulumi";
import { Platform, ResourceSpec } from "../platform/spec";
import { Alertmanager } from "./alertmanager";
import { renderBlackboxConfig } from "./blackbox-config";
import { BlackboxExporter, NginxExporter, NodeExporter, PostgresConnection, PostgresExporter, Pushgateway, RedisExporter } from "./exporters";
import { Grafana } from "./grafana";
import { DEFAULT_IMAGES, DEFAULT_NAMES, MonitoringRole } from "./images";
import { LogCollector } from "./log-collector";
import { Loki } from "./loki";
import { ApiDiscoveryInputs, Prometheus } from "./prometheus";
import { PhysicalBackupType, resolveAlertRulesInput } from "./rules";
import { checkRetention } from "./specs";
import { WorkloadComponent } from "../workload";

/** In-platform uptime probing (see {@link MonitoringArgs.internalProbe}). */
export interface InternalProbeArgs {
    /** The public page as reached inside the platform, e.g. "https://edge:8443/". */
    readonly publicUrl: pulumi.Input<string>;
    /** The API health URL as reached inside the platform, e.g. "https://edge:8443/api/v1/health". */
    readonly apiHealthUrl: pulumi.Input<string>;
    /** Name the edge's certificate must be valid for (the SNI sent), e.g. "localhost". */
    readonly serverName: string;
    /** PEM CA certificate (public) to verify the edge with. Defaults to none (the system CAs). */
    readonly caCertificate?: pulumi.Input<string>;
}

/** What the point-in-time-recovery alerts and panels hold PostgreSQL and the physical backups to. */
export interface PitrMonitoringArgs {
    /** Whether the stack archives WAL and takes physical backups; false leaves their alerts out. Defaults to true. */
    readonly enabled?: boolean;
    /** PostgreSQL's archive_timeout, seconds (WalArchivingLate waits 3× that). Defaults to 60. */
    readonly archiveTimeoutSeconds?: number;
    /** Longest allowed age of the newest successful physical backup per type (schedule plus margin), seconds. Defaults to full 691200 (8 d), diff 93600 (26 h), incr 7200 (2 h). */
    readonly backupMaxAgeSeconds?: Partial<Record<PhysicalBackupType, number>>;
}

/** Arguments of {@link Monitoring}. */
export interface MonitoringArgs {
    /** The stack's platform. */
    readonly platform: Platform;
    /** The public URL users open (probed through the edge for the uptime SLI and certificate expiry); plain values are checked up front. */
    readonly publicUrl: pulumi.Input<string>;
    /** The API health URL probed for the uptime SLI, e.g. "https://app.example.com/api/v1/health". */
    readonly apiHealthUrl: pulumi.Input<string>;
    /**
     * Probe the edge by its in-platform address instead of `publicUrl`/`apiHealthUrl` (which then
     * are not probed), e.g. on docker, where the public name is the host's localhost: the URLs
     * (https) as the blackbox exporter reaches them, the name the certificate must be valid for,
     * and the CA certificate to verify it with (public; e.g. a self-signed one). Without a CA the
     * system CAs verify. Defaults to none (the public URLs, verified by the system CAs).
     */
    readonly internalProbe?: InternalProbeArgs;
    /** The API's "host:port" (its /metrics): the static scrape target, unless `apiDiscovery` is set. */
    readonly apiAddress: pulumi.Input<string>;
    /**
     * Scrape every API replica on its own, found by DNS (a name resolving to every replica, e.g.
     * the Api's `podsHost` on Kubernetes, and the API's port) instead of `apiAddress`: a scrape
     * through a load-balanced Service reaches a random replica, so counters jump between pods and
     * rate() sees resets. Defaults to none (the static `apiAddress` target; docker runs one replica).
     */
    readonly apiDiscovery?: ApiDiscoveryInputs;
    /** The edge's stub_status URL, e.g. "http://edge:8081/stub_status". */
    readonly edgeStubStatusUrl: pulumi.Input<string>;
    /** PostgreSQL connection for postgres-exporter (the password is a secret). */
    readonly postgres: PostgresConnection;
    /** Redis for redis-exporter: "host:port" and password (a secret). */
    readonly redis: { readonly address: pulumi.Input<string>; readonly password: pulumi.Input<string> };
    /** Prometheus TSDB retention. Defaults to "200h" (the seed's). */
    readonly retention?: string;
    /** Prometheus TSDB size limit, e.g. "50GB". Defaults to none. */
    readonly retentionSize?: string;
    /** Turn on Prometheus's lifecycle API (/-/reload, /-/quit). Defaults to false. */
    readonly enableLifecycleApi?: boolean;
    /** Slack incoming-webhook URL (a secret). Defaults to none (dev). */
    readonly slackWebhookUrl?: pulumi.Input<string>;
    /** Refuse to deploy without a Slack webhook (prod). Defaults to false. */
    readonly requireSlack?: boolean;
    /** Slack channel for pages. Defaults to the webhook's own channel. */
    readonly slackPageChannel?: string;
    /** Dead-man's-switch URL that receives the Watchdog every minute (a secret). Defaults to none. */
    readonly heartbeatUrl?: pulumi.Input<string>;
    /** Recovery point objective in seconds (BackupStale, the backups dashboard). Defaults to 3600. */
    readonly rpoSeconds?: number;
    /** Stores whose backups are alerted on. Defaults to ["postgres", "redis"]. */
    readonly backupStores?: readonly string[];
    /**
     * Point-in-time recovery (WalArchivingLate, PhysicalBackupStale and the backups dashboard):
     * PostgreSQL's archive_timeout and the longest allowed age of the newest physical backup per
     * type, seconds. Defaults to archive_timeout 60 and full 8 d, diff 26 h, incr 2 h.
     */
    readonly pitr?: PitrMonitoringArgs;
    /** API availability SLO. Defaults to 0.999. */
    readonly sloTarget?: number;
    /** Days Loki keeps logs. Defaults to 30. */
    readonly logRetentionDays?: number;
    /** Base URL of the runbook the alerts link to. Defaults to "README.md". */
    readonly runbookBaseUrl?: string;
    /** URL people open Grafana at. Defaults to Grafana's own. */
    readonly grafanaRootUrl?: string;
    /** Grafana admin password (a secret). Defaults to a generated one. */
    readonly grafanaAdminPassword?: pulumi.Input<string>;
    /** Labels added to every series, alert and log line, e.g. `{ stack: "prod" }`. Defaults to none. */
    readonly externalLabels?: Readonly<Record<string, string>>;
    /** Kubernetes: namespaces whose pod logs are collected. Defaults to all. */
    readonly logNamespaces?: readonly string[];
    /** Workload names by role. Defaults to DEFAULT_NAMES (the fixed role names of a stack). */
    readonly workloadNames?: Partial<Record<MonitoringRole, string>>;
    /** Image per workload (pinned tags or digests). Defaults to DEFAULT_IMAGES. */
    readonly images?: Partial<Record<MonitoringRole, pulumi.Input<string>>>;
    /** Requests and limits per workload. Defaults to DEFAULT_RESOURCES. */
    readonly resources?: Partial<Record<MonitoringRole, ResourceSpec>>;
    /** Volume sizes in GiB. Defaults to DEFAULT_VOLUME_GI. */
    readonly storageGi?: Partial<Record<"prometheus" | "alertmanager" | "grafana" | "loki", number>>;
}

/** The monitoring, logging and alerting system of one stack. */
export class Monitoring extends WorkloadComponent {
    /** Grafana inside the platform ("http://host:3000"). */
    public readonly grafanaUrl: pulumi.Output<string>;
    /** Grafana admin user. */
    public readonly grafanaAdminUser: pulumi.Output<string>;
    /** Grafana admin password (secret). */
    public readonly grafanaAdminPassword: pulumi.Output<string>;
    /** Prometheus inside the platform. */
    public readonly prometheusUrl: pulumi.Output<string>;
    /** Alertmanager inside the platform. */
    public readonly alertmanagerUrl: pulumi.Output<string>;
    /** Loki inside the platform. */
    public readonly lokiUrl: pulumi.Output<string>;
    /** Pushgateway URL the backup jobs push to (PUSHGATEWAY_URL). */
    public readonly pushgatewayUrl: pulumi.Output<string>;
    /** Workload names, by role. */
    public readonly workloads: pulumi.Output<Record<MonitoringRole, string>>;

    /**
     * @param name Unique name of the component.
     * @param args Platform, endpoints, credentials, alerting and sizing.
     * @param opts Resource options.
     */
    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("proteamcare:monitoring:Monitoring", name, opts);

        // Validation first: nothing is created when an arg is wrong.
        const problems: string[] = [];
        const retention = args.retention ?? "200h";
        try {
            checkRetention(retention);
        } catch (e) {
            problems.push((e as Error).message);
        }
        for (const [key, url] of [["publicUrl", args.publicUrl], ["apiHealthUrl", args.apiHealthUrl]] as const) {
            if (typeof url === "string" && !/^https?:\/\/[^\s/]+/.test(url)) problems.push(`${key} "${url}" must be an absolute http(s) URL`);
        }
        const internal = args.internalProbe;
        if (internal !== undefined) {
            for (const [key, url] of [["publicUrl", internal.publicUrl], ["apiHealthUrl", internal.apiHealthUrl]] as const) {
                if (typeof url === "string" && !/^https:\/\/[^\s/]+/.test(url)) {
                    problems.push(`internalProbe.${key} "${url}" must be an absolute https URL (the internal module refuses plain HTTP)`);
                }
            }
            try {
                renderBlackboxConfig({ internalTls: { serverName: internal.serverName } });
            } catch (e) {
                problems.push((e as Error).message);
            }
        }
        if (args.requireSlack && args.slackWebhookUrl === undefined) {
            problems.push("this stack requires a Slack webhook for alerts: set slackWebhookUrl (a secret)");
        }
        const rpo = args.rpoSeconds ?? 3600;
        if (!(Number.isInteger(rpo) && rpo > 0)) problems.push(`rpoSeconds must be a positive whole number of seconds, got ${rpo}`);
        const pitr = {
            ...(args.pitr?.enabled !== undefined ? { pitr: args.pitr.enabled } : {}),
            ...(args.pitr?.archiveTimeoutSeconds !== undefined ? { archiveTimeoutSeconds: args.pitr.archiveTimeoutSeconds } : {}),
            ...(args.pitr?.backupMaxAgeSeconds !== undefined ? { physicalBackupMaxAgeSeconds: args.pitr.backupMaxAgeSeconds } : {}),
        };
        try {
            resolveAlertRulesInput(pitr);
        } catch (e) {
            problems.push(`pitr: ${(e as Error).message}`);
        }
        for (const role of Object.keys(args.images ?? {})) {
            if (!(role in DEFAULT_IMAGES)) problems.push(`images.${role} is not a monitoring workload; use one of ${Object.keys(DEFAULT_IMAGES).join(", ")}`);
        }
        for (const role of Object.keys(args.workloadNames ?? {})) {
            if (!(role in DEFAULT_IMAGES)) problems.push(`workloadNames.${role} is not a monitoring workload; use one of ${Object.keys(DEFAULT_IMAGES).join(", ")}`);
        }
        const names = { ...DEFAULT_NAMES, ...(args.workloadNames ?? {}) } as Record<MonitoringRole, string>;
        const distinct = new Set(Object.values(names));
        if (distinct.size !== Object.keys(names).length) problems.push(`workloadNames must be distinct, got ${Object.values(names).join(", ")}`);
        for (const role of Object.keys(args.resources ?? {})) {
            if (!(role in DEFAULT_IMAGES)) problems.push(`resources.${role} is not a monitoring workload; use one of ${Object.keys(DEFAULT_IMAGES).join(", ")}`);
        }
        this.refuse(problems);

        const p = args.platform;
        const img = (r: MonitoringRole): pulumi.Input<string> => args.images?.[r] ?? DEFAULT_IMAGES[r];
        const common = (r: MonitoringRole): { platform: Platform; workloadName: string; image: pulumi.Input<string>; resources?: ResourceSpec } => ({
            platform: p,
            workloadName: names[r],
            image: img(r),
            ...(args.resources?.[r] ? { resources: args.resources[r] } : {}),
        });
        const child = { parent: this };

        const nodeExporter = new NodeExporter(`${name}-node-exporter`, common("nodeExporter"), child);
        const postgresExporter = new PostgresExporter(`${name}-postgres-exporter`, { ...common("postgresExporter"), postgres: args.postgres }, child);
        const redisExporter = new RedisExporter(
            `${name}-redis-exporter`,
            { ...common("redisExporter"), address: args.redis.address, password: args.redis.password },
            child,
        );
        const nginxExporter = new NginxExporter(`${name}-nginx-exporter`, { ...common("nginxExporter"), stubStatusUrl: args.edgeStubStatusUrl }, child);
        const blackbox = new BlackboxExporter(
            `${name}-blackbox-exporter`,
            {
                ...common("blackboxExporter"),
                ...(internal !== undefined
                    ? { internalTls: { serverName: internal.serverName, ...(internal.caCertificate !== undefined ? { caCertificate: internal.caCertificate } : {}) } }
                    : {}),
            },
            child,
        );
        const pushgateway = new Pushgateway(`${name}-pushgateway`, common("pushgateway"), child);

        const loki = new Loki(`${name}-loki`, { ...common("loki"), retentionDays: args.logRetentionDays ?? 30, storageGi: args.storageGi?.loki }, child);
        new LogCollector(
            `${name}-log-collector`,
            { ...common("alloy"), lokiPushUrl: loki.pushUrl, externalLabels: args.externalLabels, namespaces: args.logNamespaces },
            child,
        );

        const alertmanager = new Alertmanager(
            `${name}-alertmanager`,
            {
                ...common("alertmanager"),
                slackWebhookUrl: args.slackWebhookUrl,
                requireSlack: args.requireSlack,
                slackPageChannel: args.slackPageChannel,
                heartbeatUrl: args.heartbeatUrl,
                storageGi: args.storageGi?.alertmanager,
            },
            child,
        );

        // Prometheus scrapes Grafana and Grafana queries Prometheus: Grafana's address is handed to
        // Prometheus once Grafana exists (both only need each other's host name, not each other up).
        // node-exporter runs one per node: scrape each (on Kubernetes a DaemonSet behind a headless
        // Service, found by DNS discovery without any Kubernetes API access; docker has one host).
        const nodeTargets = p.capabilities.scrapeTargets(nodeExporter);
        const [grafanaAddress, resolveGrafanaAddress] = pulumi.deferredOutput<string>();
        const prometheus = new Prometheus(
            `${name}-prometheus`,
            {
                ...common("prometheus"),
                targets: {
                    ...(args.apiDiscovery ? {} : { api: args.apiAddress }),
                    ...("static" in nodeTargets ? { nodeExporters: nodeTargets.static } : {}),
                    postgresExporter: postgresExporter.address,
                    redisExporter: redisExporter.address,
                    nginxExporter: nginxExporter.address,
                    blackboxExporter: blackbox.address,
                    pushgateway: pushgateway.address,
                    alertmanager: alertmanager.address,
                    grafana: grafanaAddress,
                    loki: loki.address,
                },
                ...("dns" in nodeTargets ? { nodeExporterDiscovery: nodeTargets.dns } : {}),
                ...(args.apiDiscovery ? { apiDiscovery: args.apiDiscovery } : {}),
                probes:
                    internal !== undefined
                        ? { publicUrl: internal.publicUrl, apiHealthUrl: internal.apiHealthUrl }
                        : { publicUrl: args.publicUrl, apiHealthUrl: args.apiHealthUrl },
                ...(blackbox.internalModule !== undefined ? { probeModule: blackbox.internalModule } : {}),
                retention,
                retentionSize: args.retentionSize,
                enableLifecycleApi: args.enableLifecycleApi ?? false,
                rules: {
                    sloTarget: args.sloTarget,
                    rpoSeconds: rpo,
                    backupStores: args.backupStores,
                    runbookBaseUrl: args.runbookBaseUrl,
                    ...pitr,
                },
                externalLabels: args.externalLabels,
                storageGi: args.storageGi?.prometheus,
            },
            child,
        );
        const grafana = new Grafana(
            `${name}-grafana`,
            {
                ...common("grafana"),
                prometheusUrl: prometheus.url,
                lokiUrl: loki.url,
                alertmanagerUrl: alertmanager.url,
                rootUrl: args.grafanaRootUrl,
                adminPassword: args.grafanaAdminPassword,
                dashboards: { sloTarget: args.sloTarget, rpoSeconds: rpo, ...pitr },
                storageGi: args.storageGi?.grafana,
            },
            child,
        );
        resolveGrafanaAddress(grafana.address);

        this.grafanaUrl = grafana.url;
        this.grafanaAdminUser = grafana.adminUser;
        this.grafanaAdminPassword = grafana.adminPassword;
        this.prometheusUrl = prometheus.url;
        this.alertmanagerUrl = alertmanager.url;
        this.lokiUrl = loki.url;
        this.pushgatewayUrl = pushgateway.url;
        this.workloads = pulumi.output(names);
        this.publish(["grafanaUrl", "grafanaAdminUser", "grafanaAdminPassword", "prometheusUrl", "alertmanagerUrl", "lokiUrl", "pushgatewayUrl", "workloads"]);
    }
}
