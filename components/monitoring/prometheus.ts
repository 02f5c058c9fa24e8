/**
 * Prometheus on the ops tier: the rendered prometheus.yml and alert rules as files, TSDB on a
 * volume, retention from args, the lifecycle API off unless asked for.
 */
import * as pulumi from "@pulumi/pulumi";
import { BlackboxModule } from "./blackbox-config";
import { DEFAULT_IMAGES, DEFAULT_NAMES } from "./images";
import { DnsDiscovery, PrometheusTargets, PrometheusTimings, ProbeTargets, renderPrometheusConfig } from "./prometheus-config";
import { AlertRulesInput, renderAlertRules } from "./rules";
import { checkRetention, checkRetentionSize, prometheusSpec } from "./specs";
import { MonitoringWorkloadArgs } from "./workload";
import { sizeGiProblems, WorkloadComponent } from "../workload";

/** Scrape targets as inputs ("host:port" each; they usually come from other components' outputs). */
export type PrometheusTargetInputs = {
    readonly [K in keyof PrometheusTargets]: PrometheusTargets[K] extends readonly string[] ? readonly pulumi.Input<string>[] : pulumi.Input<string>;
};

/** DNS discovery of one job's targets as inputs (the names usually come from another component's outputs). */
export interface DnsDiscoveryInputs {
    /** Names to resolve, e.g. the headless Service's FQDN. At least one. */
    readonly names: readonly pulumi.Input<string>[];
    /** The scraped process's port at every discovered address. */
    readonly port: pulumi.Input<number>;
    /** Seconds between lookups. Defaults to 30. */
    readonly refreshIntervalSeconds?: number;
}

/** DNS discovery of the node-exporters as inputs (the name is usually the NodeExporter's host). */
export type NodeExporterDiscoveryInputs = DnsDiscoveryInputs;

/** DNS discovery of the API replicas as inputs (the name is usually the Api's `podsHost`). */
export type ApiDiscoveryInputs = DnsDiscoveryInputs;

/** Name of the rule file Prometheus loads (under /etc/prometheus/rules). */
export const RULE_FILE_NAME = "ptc-alerts.yml";

/** Arguments of {@link Prometheus}. */
export interface PrometheusArgs extends MonitoringWorkloadArgs {
    /**
     * What to scrape. `prometheus` may be omitted: it defaults to "localhost:9090". `nodeExporters`
     * may be omitted (or empty) only with `nodeExporterDiscovery`; it defaults to none. `api` is
     * required without `apiDiscovery` and must be omitted with it.
     */
    readonly targets: Omit<PrometheusTargetInputs, "prometheus" | "nodeExporters" | "api"> & {
        readonly prometheus?: pulumi.Input<string>;
        readonly nodeExporters?: readonly pulumi.Input<string>[];
        readonly api?: pulumi.Input<string>;
    };
    /**
     * Find the node-exporters by DNS (A records of a headless Service: one target per node) instead
     * of `targets.nodeExporters`. Defaults to none (static targets).
     */
    readonly nodeExporterDiscovery?: NodeExporterDiscoveryInputs;
    /**
     * Find the API replicas by DNS (A records of a headless Service: one target per replica) instead
     * of `targets.api`, so each replica's counters are scraped on their own. Defaults to none (static target).
     */
    readonly apiDiscovery?: ApiDiscoveryInputs;
    /** URLs the blackbox exporter probes (public URL and API health URL); plain values are checked up front. */
    readonly probes: { readonly [K in keyof ProbeTargets]: pulumi.Input<string> };
    /**
     * The blackbox module every probe uses (e.g. "https_2xx_internal", which the blackbox exporter
     * must have been given). Defaults to none: https_2xx for https URLs, http_2xx for http ones.
     */
    readonly probeModule?: BlackboxModule;
    /** TSDB retention time. Defaults to "200h" (the seed's). */
    readonly retention?: string;
    /** TSDB size limit, e.g. "50GB". Defaults to none. */
    readonly retentionSize?: string;
    /** Turn on the lifecycle API (/-/reload, /-/quit). Defaults to false. */
    readonly enableLifecycleApi?: boolean;
    /** URL people reach Prometheus at (alert links). Defaults to none. */
    readonly externalUrl?: string;
    /** Alert rule parameters (SLO, RPO, drill RTO, runbook base URL). Defaults to production values. */
    readonly rules?: AlertRulesInput;
    /** Scrape and evaluation timings. Defaults to 15s/10s/15s. */
    readonly timings?: Partial<PrometheusTimings>;
    /** Labels added to every series and alert, e.g. `{ stack: "prod" }`. Defaults to none. */
    readonly externalLabels?: Readonly<Record<string, string>>;
    /** Data volume size in GiB. Defaults to 20. */
    readonly storageGi?: number;
}

/** Prometheus, scraping every tier and evaluating the alert contract. */
export class Prometheus extends WorkloadComponent {
    /** Host name inside the platform. */
    public readonly host: pulumi.Output<string>;
    /** Port (9090). */
    public readonly port: pulumi.Output<number>;
    /** "host:port". */
    public readonly address: pulumi.Output<string>;
    /** "http://host:port" (Grafana's datasource URL). */
    public readonly url: pulumi.Output<string>;
    /** The rendered prometheus.yml. */
    public readonly config: pulumi.Output<string>;
    /** The rendered rule file. */
    public readonly rules: pulumi.Output<string>;
    /** The command-line flags Prometheus runs with. */
    public readonly args: pulumi.Output<string[]>;

    /**
     * @param name Unique name of the component.
     * @param args Platform, targets, probes, retention, image and resources.
     * @param opts Resource options.
     */
    constructor(name: string, args: PrometheusArgs, opts?: pulumi.ComponentResourceOptions) {
        super("proteamcare:monitoring:Prometheus", name, opts);
        const workloadName = args.workloadName ?? DEFAULT_NAMES.prometheus;
        const retention = this.build(name, () => checkRetention(args.retention ?? "200h"));
        if (args.retentionSize !== undefined) this.build(name, () => checkRetentionSize(args.retentionSize as string));
        this.refuse(sizeGiProblems("storageGi", args.storageGi));
        const rules = this.build(name, () => renderAlertRules(args.rules ?? {}));

        const t = args.targets;
        const singles = [t.postgresExporter, t.redisExporter, t.nginxExporter, t.blackboxExporter, t.pushgateway, t.alertmanager, t.grafana, t.loki, t.prometheus ?? "localhost:9090"];
        // An https placeholder suits every module (the TLS-only ones refuse http URLs).
        const plainProbe = (v: pulumi.Input<string>): string => (typeof v === "string" ? v : "https://probe.invalid/");
        const nodeTargets = t.nodeExporters ?? [];
        const disc = args.nodeExporterDiscovery;
        const apiDisc = args.apiDiscovery;
        const render = (resolved: PrometheusTargets, probes: ProbeTargets, discovery?: DnsDiscovery, apiDiscovery?: DnsDiscovery): string =>
            renderPrometheusConfig({
                targets: resolved,
                probes,
                ...(args.probeModule !== undefined ? { probeModule: args.probeModule } : {}),
                timings: args.timings,
                externalLabels: args.externalLabels,
                ...(discovery ? { nodeExporterDiscovery: discovery } : {}),
                ...(apiDiscovery ? { apiDiscovery } : {}),
            });
        if (disc === undefined && nodeTargets.length === 0) {
            throw new pulumi.ResourceError(`${name}: targets.nodeExporters must list at least one node-exporter address (or set nodeExporterDiscovery)`, this);
        }
        if (disc !== undefined && nodeTargets.length > 0) {
            throw new pulumi.ResourceError(`${name}: give node-exporters either as targets.nodeExporters or as nodeExporterDiscovery, not both`, this);
        }
        if (disc !== undefined && disc.names.length === 0) {
            throw new pulumi.ResourceError(`${name}: nodeExporterDiscovery.names must list at least one DNS name`, this);
        }
        if (apiDisc === undefined && t.api === undefined) {
            throw new pulumi.ResourceError(`${name}: targets.api must be the API's address (or set apiDiscovery)`, this);
        }
        if (apiDisc !== undefined && t.api !== undefined) {
            throw new pulumi.ResourceError(`${name}: give the API either as targets.api or as apiDiscovery, not both`, this);
        }
        if (apiDisc !== undefined && apiDisc.names.length === 0) {
            throw new pulumi.ResourceError(`${name}: apiDiscovery.names must list at least one DNS name`, this);
        }
        // Targets are outputs of other components; the probes, timings and labels are plain, so
        // check them now with placeholder targets (a bad value stops before any child exists).
        this.build(name, () =>
            render(
                {
                    ...(apiDisc ? {} : { api: "api:1" }),
                    nodeExporters: disc ? [] : ["node:1"],
                    postgresExporter: "pg:1",
                    redisExporter: "redis:1",
                    nginxExporter: "nginx:1",
                    blackboxExporter: "bb:1",
                    pushgateway: "pg:1",
                    alertmanager: "am:1",
                    grafana: "g:1",
                    loki: "l:1",
                    prometheus: "p:1",
                },
                { publicUrl: plainProbe(args.probes.publicUrl), apiHealthUrl: plainProbe(args.probes.apiHealthUrl) },
                disc ? { names: ["node.invalid"], port: 1, refreshIntervalSeconds: disc.refreshIntervalSeconds } : undefined,
                apiDisc ? { names: ["api.invalid"], port: 1, refreshIntervalSeconds: apiDisc.refreshIntervalSeconds } : undefined,
            ),
        );
        const probes = pulumi.all([args.probes.publicUrl, args.probes.apiHealthUrl]);
        const resolveDiscovery = (d: DnsDiscoveryInputs | undefined): pulumi.Output<DnsDiscovery | undefined> =>
            d === undefined
                ? pulumi.output(undefined)
                : pulumi
                      .all([pulumi.all([...d.names]), pulumi.output(d.port)])
                      .apply(([names, port]) => ({ names, port, refreshIntervalSeconds: d.refreshIntervalSeconds }));
        const config = pulumi
            .all([pulumi.all(singles), pulumi.output(t.api), pulumi.all([...nodeTargets]), probes, resolveDiscovery(disc), resolveDiscovery(apiDisc)])
            .apply(([s, api, nodes, [publicUrl, apiHealthUrl], nodeDiscovery, apiDiscovery]) =>
                render(
                    {
                        ...(api !== undefined ? { api } : {}),
                        postgresExporter: s[0],
                        redisExporter: s[1],
                        nginxExporter: s[2],
                        blackboxExporter: s[3],
                        pushgateway: s[4],
                        alertmanager: s[5],
                        grafana: s[6],
                        loki: s[7],
                        prometheus: s[8],
                        nodeExporters: nodes,
                    },
                    { publicUrl, apiHealthUrl },
                    nodeDiscovery,
                    apiDiscovery,
                ),
            );
        const spec = prometheusSpec({
            image: args.image ?? DEFAULT_IMAGES.prometheus,
            resources: args.resources,
            config,
            ruleFiles: { [RULE_FILE_NAME]: rules },
            retention,
            retentionSize: args.retentionSize,
            enableLifecycleApi: args.enableLifecycleApi ?? false,
            externalUrl: args.externalUrl,
            storageGi: args.storageGi,
        });
        const ep = this.runService(args.platform, workloadName, spec, args.dependsOn);
        this.host = ep.host;
        this.port = ep.port;
        this.address = ep.address;
        this.url = ep.url;
        this.config = config;
        this.rules = pulumi.output(rules);
        this.args = pulumi.output(spec.command as string[]);
        this.publish(["host", "port", "address", "url", "config", "rules", "args"]);
    }
}
