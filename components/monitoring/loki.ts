/** Loki 3 single binary on the ops tier: tsdb schema v13, filesystem store on a volume, compactor retention. */
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_IMAGES, DEFAULT_NAMES } from "./images";
import { renderLokiConfig } from "./loki-config";
import { lokiSpec } from "./specs";
import { MonitoringWorkloadArgs } from "./workload";
import { sizeGiProblems, WorkloadComponent } from "../workload";

/** Arguments of {@link Loki}. */
export interface LokiArgs extends MonitoringWorkloadArgs {
    /** Days logs are kept. Defaults to 30. */
    readonly retentionDays?: number;
    /** Data volume size in GiB. Defaults to 20. */
    readonly storageGi?: number;
}

/** Loki, where the log collector ships every workload's logs. */
export class Loki extends WorkloadComponent {
    /** Host name inside the platform. */
    public readonly host: pulumi.Output<string>;
    /** HTTP port (3100). */
    public readonly port: pulumi.Output<number>;
    /** "host:port". */
    public readonly address: pulumi.Output<string>;
    /** "http://host:port" (Grafana's datasource URL). */
    public readonly url: pulumi.Output<string>;
    /** The push endpoint the collector writes to. */
    public readonly pushUrl: pulumi.Output<string>;
    /** The rendered configuration. */
    public readonly config: pulumi.Output<string>;

    /**
     * @param name Unique name of the component.
     * @param args Platform, retention, image, resources, volume size.
     * @param opts Resource options.
     */
    constructor(name: string, args: LokiArgs, opts?: pulumi.ComponentResourceOptions) {
        super("proteamcare:monitoring:Loki", name, opts);
        const workloadName = args.workloadName ?? DEFAULT_NAMES.loki;
        const config = this.build(name, () => renderLokiConfig({ retentionDays: args.retentionDays ?? 30 }));
        this.refuse(sizeGiProblems("storageGi", args.storageGi));
        const spec = lokiSpec({ image: args.image ?? DEFAULT_IMAGES.loki, resources: args.resources, config, storageGi: args.storageGi });
        const ep = this.runService(args.platform, workloadName, spec, args.dependsOn);
        this.host = ep.host;
        this.port = ep.port;
        this.address = ep.address;
        this.url = ep.url;
        this.pushUrl = pulumi.interpolate`${ep.url}/loki/api/v1/push`;
        this.config = pulumi.output(config);
        this.publish(["host", "port", "address", "url", "pushUrl", "config"]);
    }
}
