/** The React front end, served by nginx. */
import * as pulumi from "@pulumi/pulumi";
import { LABELS, Platform, ResourceSpec, WorkloadSpec } from "../platform/spec";
import { replicaProblems, WorkloadComponent } from "../workload";

/** Arguments of {@link Web}. */
export interface WebArgs {
    /** The platform the web server runs on. */
    readonly platform: Platform;
    /** Image reference of the front end (the React build on nginx-unprivileged). */
    readonly image: pulumi.Input<string>;
    /** Replicas. Defaults to 1. */
    readonly replicas?: number;
    /** CPU and memory. Defaults to 50m / 64Mi. */
    readonly resources?: ResourceSpec;
    /** Port nginx listens on inside the image. Defaults to 8080 (nginx-unprivileged). */
    readonly port?: number;
    /** Numeric uid:gid of the image's user. Defaults to "101:101" (nginx-unprivileged). */
    readonly user?: string;
    /** Workload name. Defaults to "web". */
    readonly workloadName?: string;
}

/** Builds the web server's workload spec. Pure. */
export function webSpec(args: {
    image: pulumi.Input<string>;
    port: number;
    replicas: number;
    resources: ResourceSpec;
    user: string;
    component: string;
}): WorkloadSpec {
    return {
        image: args.image,
        tier: "app",
        ports: [{ name: "http", port: args.port }],
        healthCheck: { kind: "http", path: "/", port: args.port, intervalSeconds: 15, timeoutSeconds: 3, retries: 3, startPeriodSeconds: 5 },
        resources: args.resources,
        user: args.user,
        readOnlyRootFilesystem: true,
        // nginx-unprivileged keeps its pid file and temp paths under /tmp.
        scratch: [{ mountPath: "/tmp", sizeMi: 64 }],
        replicas: args.replicas,
        labels: { [LABELS.component]: args.component },
        // Stateless: an update starts the new revision beside the old one (zero downtime on docker).
        overlapUpdates: true,
    };
}

/** The React build served by nginx; health GET /. */
export class Web extends WorkloadComponent {
    /** Host name other workloads use. */
    public readonly host: pulumi.Output<string>;
    /** Port. */
    public readonly port: pulumi.Output<number>;
    /** host:port. */
    public readonly address: pulumi.Output<string>;
    /**
     * host:port that reaches only healthy replicas of the current revision (the platform's
     * `servingAddress`): what the edge proxies user traffic to.
     */
    public readonly servingAddress: pulumi.Output<string>;

    constructor(name: string, args: WebArgs, opts?: pulumi.ComponentResourceOptions) {
        super("proteamcare:app:Web", name, opts);
        const replicas = args.replicas ?? 1;
        const resources = args.resources ?? { cpu: "50m", memory: "64Mi" };
        const port = args.port ?? 8080;
        const user = args.user ?? "101:101";
        this.refuse(replicaProblems(replicas));
        const ep = this.runService(args.platform, args.workloadName ?? "web", webSpec({ image: args.image, port, replicas, resources, user, component: name }));
        this.host = ep.host;
        this.port = ep.port;
        this.address = ep.address;
        this.servingAddress = ep.servingAddress;
        this.publish(["host", "port", "address", "servingAddress"]);
    }
}
