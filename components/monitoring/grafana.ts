/**
 * Grafana with provisioned datasources (fixed uids) and dashboards, sign-up and anonymous access
 * off, and a generated admin password kept secret end to end.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import {
    buildDashboards,
    DashboardsInput,
    GRAFANA_PATHS,
    grafanaEnv,
    grafanaSecretEnv,
    renderDashboard,
    renderDashboardProviders,
    renderDatasources,
} from "./grafana-config";
import { DEFAULT_IMAGES, DEFAULT_NAMES } from "./images";
import { grafanaSpec } from "./specs";
import { MonitoringWorkloadArgs } from "./workload";
import { sizeGiProblems, WorkloadComponent } from "../workload";

/** Arguments of {@link Grafana}. */
export interface GrafanaArgs extends MonitoringWorkloadArgs {
    /** Prometheus base URL as Grafana reaches it, e.g. "http://prometheus:9090". */
    readonly prometheusUrl: pulumi.Input<string>;
    /** Loki base URL, e.g. "http://loki:3100". */
    readonly lokiUrl: pulumi.Input<string>;
    /** Alertmanager base URL, e.g. "http://alertmanager:9093". */
    readonly alertmanagerUrl: pulumi.Input<string>;
    /** URL people open Grafana at (GF_SERVER_ROOT_URL). Defaults to Grafana's own. */
    readonly rootUrl?: string;
    /** Admin user name. Defaults to "admin". */
    readonly adminUser?: string;
    /** Admin password (a secret) when the stack sets one. Defaults to a generated 32-character password. */
    readonly adminPassword?: pulumi.Input<string>;
    /** Dashboard parameters (SLO, RPO, RTO). Defaults to the production values. */
    readonly dashboards?: DashboardsInput;
    /** Data volume size in GiB. Defaults to 2. */
    readonly storageGi?: number;
}

/** Grafana on the ops tier. */
export class Grafana extends WorkloadComponent {
    /** Host name inside the platform. */
    public readonly host: pulumi.Output<string>;
    /** Port (3000). */
    public readonly port: pulumi.Output<number>;
    /** "host:port". */
    public readonly address: pulumi.Output<string>;
    /** "http://host:port". */
    public readonly url: pulumi.Output<string>;
    /** Admin user name. */
    public readonly adminUser: pulumi.Output<string>;
    /** Admin password (secret). */
    public readonly adminPassword: pulumi.Output<string>;
    /** The rendered datasource provisioning file. */
    public readonly datasources: pulumi.Output<string>;
    /** Dashboard uids provisioned. */
    public readonly dashboardUids: pulumi.Output<string[]>;

    /**
     * @param name Unique name of the component.
     * @param args Platform, datasource URLs, password, image and resources.
     * @param opts Resource options.
     */
    constructor(name: string, args: GrafanaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("proteamcare:monitoring:Grafana", name, opts);
        const workloadName = args.workloadName ?? DEFAULT_NAMES.grafana;
        const adminUser = args.adminUser ?? "admin";
        // Everything that can be checked is checked before the first child exists.
        const env = this.build(name, () => grafanaEnv({ rootUrl: args.rootUrl, adminUser }));
        const dashboards = this.build(name, () => buildDashboards(args.dashboards ?? {}));
        this.refuse(sizeGiProblems("storageGi", args.storageGi));

        const password =
            args.adminPassword !== undefined
                ? pulumi.secret(args.adminPassword)
                : pulumi.secret(new random.RandomPassword(`${name}-admin-password`, { length: 32, special: false }, { parent: this }).result);

        const datasources = pulumi
            .all([args.prometheusUrl, args.lokiUrl, args.alertmanagerUrl])
            .apply(([prometheusUrl, lokiUrl, alertmanagerUrl]) => renderDatasources({ prometheusUrl, lokiUrl, alertmanagerUrl }));
        const files = [
            { path: GRAFANA_PATHS.datasources, content: datasources },
            { path: GRAFANA_PATHS.dashboardProviders, content: renderDashboardProviders() },
            ...dashboards.map((d) => ({ path: `${GRAFANA_PATHS.dashboards}/${d.uid}.json`, content: renderDashboard(d) })),
        ];
        const spec = this.build(name, () =>
            grafanaSpec({
                image: args.image ?? DEFAULT_IMAGES.grafana,
                resources: args.resources,
                files,
                env,
                secretEnv: grafanaSecretEnv(),
                adminPassword: password,
                storageGi: args.storageGi,
            }),
        );
        const ep = this.runService(args.platform, workloadName, spec, args.dependsOn);

        this.host = ep.host;
        this.port = ep.port;
        this.address = ep.address;
        this.url = ep.url;
        this.adminUser = pulumi.output(adminUser);
        this.adminPassword = password;
        this.datasources = datasources;
        this.dashboardUids = pulumi.output(dashboards.map((d) => d.uid));
        this.publish(["host", "port", "address", "url", "adminUser", "adminPassword", "datasources", "dashboardUids"]);
    }
}
