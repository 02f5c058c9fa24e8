/**
 * Prometheus on the ops tier: the rendered prometheus.yml and alert rules as files, TSDB on a
 * volume, retention from args, the lifecycle API off unless asked for.
 */
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_IMAGES, DEFAULT_NAMES } from "./images";
import { NodeExporterDnsDiscovery, PrometheusTargets, PrometheusTimings, ProbeTargets, renderPrometheusConfig } from "./prometheus-config";
import { AlertRulesInput, renderAlertRules } from "./rules";
import { checkRetention, checkRetentionSize, prometheusSpec } from "./specs";
import { build, MonitoringWorkloadArgs, runService } from "./workload";

/** Scrape targets as inputs ("host:port" each; they usually come from other components' outputs). */
export type PrometheusTargetInputs = {
    readonly [K in keyof PrometheusTargets]: PrometheusTargets[K] extends readonly string[] ? readonly pulumi.Input<string>[] : pulumi.Input<string>;
};

/** DNS discovery of the node-exporters as inputs (the name is usually the NodeExporter's host). */
export interface NodeExporterDiscoveryInputs {
    /** Names to resolve, e.g. the headless Service's FQDN. At least one. */
    readonly names: readonly pulumi.Input<string>[];
    /** node-exporter's port at every discovered address. */
    readonly port: pulumi.Input<number>;
    /** Seconds between lookups. Defaults to 30. */
    readonly refreshIntervalSeconds?: number;
}

/** Name of the rule file Prometheus loads (under /etc/prometheus/rules). */
export const RULE_FILE_NAME = "ptc-alerts.yml";

/** Arguments of {@link Prometheus}. */
export interface PrometheusArgs extends MonitoringWorkloadArgs {
    /**
     * What to scrape. `prometheus` may be omitted: it defaults to "localhost:9090". `nodeExporters`
     * may be omitted (or empty) only with `nodeExporterDiscovery`; it defaults to none.
     */
    readonly targets: Omit<PrometheusTargetInputs, "prometheus" | "nodeExporters"> & {
        readonly prometheus?: pulumi.Input<string>;
        readonly nodeExporters?: readonly pulumi.Input<string>[];
    };
    /**
     * Find the node-exporters by DNS (A records of a headless Service: one target per node) instead
     * of `targets.nodeExporters`. Defaults to none (static targets).
     */
    readonly nodeExporterDiscovery?: NodeExporterDiscoveryInputs;
    /** URLs the blackbox exporter probes (public URL and API health URL); plain values are checked up front. */
    readonly probes: { readonly [K in keyof ProbeTargets]: pulumi.Input<string> };
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
export class Prometheus extends pulumi.ComponentResource {
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
        super("proteamcare:monitoring:Prometheus", name, {}, opts);
        const workloadName = args.workloadName ?? DEFAULT_NAMES.prometheus;
        const retention = build(this, name, () => checkRetention(args.retention ?? "200h"));
        if (args.retentionSize !== undefined) build(this, name, () => checkRetentionSize(args.retentionSize as string));
        if (args.storageGi !== undefined && !(args.storageGi > 0)) {
            throw new pulumi.ResourceError(`${name}: storageGi must be a positive number of GiB, got ${args.storageGi}`, this);
        }
        const rules = build(this, name, () => renderAlertRules(args.rules ?? {}));

        const t = args.targets;
        const singles = [t.api, t.postgresExporter, t.redisExporter, t.nginxExporter, t.blackboxExporter, t.pushgateway, t.alertmanager, t.grafana, t.loki, t.prometheus ?? "localhost:9090"];
        const plainProbe = (v: pulumi.Input<string>): string => (typeof v === "string" ? v : "http://probe.invalid/");
        const nodeTargets = t.nodeExporters ?? [];
        const disc = args.nodeExporterDiscovery;
        const render = (resolved: PrometheusTargets, probes: ProbeTargets, discovery?: NodeExporterDnsDiscovery): string =>
            renderPrometheusConfig({
                targets: resolved,
                probes,
                timings: args.timings,
                externalLabels: args.externalLabels,
                ...(discovery ? { nodeExporterDiscovery: discovery } : {}),
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
        // Targets are outputs of other components; the probes, timings and labels are plain, so
        // check them now with placeholder targets (a bad value stops before any child exists).
        build(this, name, () =>
            render(
                {
                    api: "api:1",
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
            ),
        );
        const probes = pulumi.all([args.probes.publicUrl, args.probes.apiHealthUrl]);
        const discovery = pulumi.all([pulumi.all([...(disc?.names ?? [])]), pulumi.output(disc?.port ?? 0)]);
        const config = pulumi
            .all([pulumi.all(singles), pulumi.all([...nodeTargets]), probes, discovery])
            .apply(([s, nodes, [publicUrl, apiHealthUrl], [names, port]]) =>
                render(
                    {
                        api: s[0],
                        postgresExporter: s[1],
                        redisExporter: s[2],
                        nginxExporter: s[3],
                        blackboxExporter: s[4],
                        pushgateway: s[5],
                        alertmanager: s[6],
                        grafana: s[7],
                        loki: s[8],
                        prometheus: s[9],
                        nodeExporters: nodes,
                    },
                    { publicUrl, apiHealthUrl },
                    disc ? { names, port, refreshIntervalSeconds: disc.refreshIntervalSeconds } : undefined,
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
        const ep = runService(this, args.platform, workloadName, spec, args.dependsOn);
        this.host = ep.host;
        this.port = ep.port;
        this.address = ep.address;
        this.url = ep.url;
        this.config = config;
        this.rules = pulumi.output(rules);
        this.args = pulumi.output(spec.command as string[]);
        this.registerOutputs({
            host: this.host,
            port: this.port,
            address: this.address,
            url: this.url,
            config: this.config,
            rules: this.rules,
            args: this.args,
        });
    }
}
