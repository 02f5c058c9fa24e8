/**
 * The log collector: Grafana Alloy, one per node, shipping every workload's container logs to
 * Loki with `service` and `tier` labels. (Promtail, which the seed names, reached end of life in
 * March 2026; Alloy is its successor.)
 */
import * as pulumi from "@pulumi/pulumi";
import { renderAlloyConfig } from "./alloy-config";
import { DEFAULT_IMAGES, DEFAULT_NAMES } from "./images";
import { alloySpec } from "./specs";
import { MonitoringWorkloadArgs } from "./workload";
import { WorkloadComponent } from "../workload";

/** Arguments of {@link LogCollector}. */
export interface LogCollectorArgs extends MonitoringWorkloadArgs {
    /** Loki push URL, e.g. "http://loki:3100/loki/api/v1/push". */
    readonly lokiPushUrl: pulumi.Input<string>;
    /** Labels added to every line (e.g. `{ stack: "dev" }`). Defaults to none. */
    readonly externalLabels?: Readonly<Record<string, string>>;
    /** Kubernetes: namespaces whose pods are collected. Defaults to all. */
    readonly namespaces?: readonly string[];
}

/** Grafana Alloy as the log collector (a DaemonSet on Kubernetes, one container on docker). */
export class LogCollector extends WorkloadComponent {
    /** Host name inside the platform (its UI and /metrics). */
    public readonly host: pulumi.Output<string>;
    /** HTTP port (12345). */
    public readonly port: pulumi.Output<number>;
    /** "host:port". */
    public readonly address: pulumi.Output<string>;
    /** The rendered Alloy configuration. */
    public readonly config: pulumi.Output<string>;

    /**
     * @param name Unique name of the component.
     * @param args Platform, Loki URL, image and resources.
     * @param opts Resource options.
     */
    constructor(name: string, args: LogCollectorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("proteamcare:monitoring:LogCollector", name, opts);
        const workloadName = args.workloadName ?? DEFAULT_NAMES.alloy;
        const source = args.platform.capabilities.containerLogSource;
        // Render once with a placeholder URL so a bad label or namespace fails before any child exists.
        this.build(name, () =>
            renderAlloyConfig({ source, lokiPushUrl: "http://loki:3100/loki/api/v1/push", externalLabels: args.externalLabels, namespaces: args.namespaces }),
        );
        const config = pulumi
            .output(args.lokiPushUrl)
            .apply((lokiPushUrl) => renderAlloyConfig({ source, lokiPushUrl, externalLabels: args.externalLabels, namespaces: args.namespaces }));
        const spec = alloySpec({ image: args.image ?? DEFAULT_IMAGES.alloy, resources: args.resources, config });
        const ep = this.runService(args.platform, workloadName, spec, args.dependsOn);
        this.host = ep.host;
        this.port = ep.port;
        this.address = ep.address;
        this.config = config;
        this.publish(["host", "port", "address", "config"]);
    }
}
