/**
 * What every workload component (app, data, edge, monitoring, backup) shares: refusing bad args
 * before any child exists, running a spec as a service of the component, the endpoint outputs
 * (host, port, address, url, podsHost), registering outputs under the fields' own names, and the
 * replica and volume-size checks.
 *
 * It sits beside the component folders rather than in components/platform: it is how components
 * are written, on top of the seam (it only uses the Platform interface), and so it is held to the
 * same lint rules as the components (no provider SDK, no platform kind).
 */
import * as pulumi from "@pulumi/pulumi";
import { LABELS, Platform, WorkloadSpec } from "./platform/spec";

/** Where a component's service is reached, as the outputs components expose. */
export interface WorkloadEndpoint {
    /** Host name inside the platform. */
    readonly host: pulumi.Output<string>;
    /** Primary port. */
    readonly port: pulumi.Output<number>;
    /** "host:port" of the primary port. */
    readonly address: pulumi.Output<string>;
    /** "http://host:port". */
    readonly url: pulumi.Output<string>;
    /** A name resolving to every replica (the platform's `podsHost`; the host where it has none). */
    readonly podsHost: pulumi.Output<string>;
    /** "host:port" reaching only healthy replicas, for user traffic (the platform's `servingAddress`; the address where it has none). */
    readonly servingAddress: pulumi.Output<string>;
    /** The platform resources that make up the service (for dependsOn). */
    readonly resources: pulumi.Resource[];
}

/** Options of {@link replicaProblems}. */
export interface ReplicaCheckOptions {
    /** The platform the replicas run on. */
    readonly platform: Platform;
    /** Host ports the service publishes: replicas must then be 1 where the platform cannot share them. */
    readonly hostPorts: readonly number[];
}

/**
 * Problems of a replica count: a positive integer and, for a service that publishes host ports,
 * 1 where the platform cannot share host ports between replicas. Empty when it is fine.
 */
export function replicaProblems(replicas: number, hostPorts?: ReplicaCheckOptions): string[] {
    if (!Number.isInteger(replicas) || replicas < 1) return [`replicas must be a positive integer, got ${replicas}`];
    if (hostPorts !== undefined && hostPorts.hostPorts.length > 0 && !hostPorts.platform.capabilities.hostPortsWithReplicas && replicas !== 1) {
        return [`replicas must be 1 on this platform (one container publishes host ports ${hostPorts.hostPorts.join("/")}), got ${replicas}`];
    }
    return [];
}

/**
 * Problems of a volume size in GiB given as `field` (unset is fine: the default applies): a
 * positive number, or with `whole` a whole number of at least 1. Empty when it is fine.
 */
export function sizeGiProblems(field: string, value: number | undefined, opts: { readonly whole?: boolean } = {}): string[] {
    if (value === undefined) return [];
    if (opts.whole) return Number.isInteger(value) && value >= 1 ? [] : [`${field} must be a whole number of GiB of at least 1, got ${value}`];
    return value > 0 ? [] : [`${field} must be a positive number of GiB, got ${value}`];
}

/**
 * Base of the workload components. Subclasses keep the STYLE shape: resolve defaults, check args
 * (with {@link WorkloadComponent.refuse} or {@link WorkloadComponent.build}) before any child,
 * run their workloads, assign their `public readonly` outputs and {@link WorkloadComponent.publish}
 * them.
 */
export abstract class WorkloadComponent extends pulumi.ComponentResource {
    /**
     * @param type Type token, `proteamcare:<folder>:<Type>`.
     * @param name Component name.
     * @param opts Component options.
     */
    protected constructor(type: string, name: string, opts?: pulumi.ComponentResourceOptions) {
        super(type, name, {}, opts);
    }

    /**
     * Throws the problems, if any, as one ResourceError of this component, prefixed with `label`
     * (the component's name unless given). Call it before the first child exists.
     */
    protected refuse(problems: readonly string[], label: string = pulumi.resourceName(this)): void {
        if (problems.length > 0) throw new pulumi.ResourceError(`${label}: ${problems.join("; ")}`, this);
    }

    /** Runs a pure builder; its Error becomes a ResourceError of this component, prefixed with `what`. */
    protected build<T>(what: string, f: () => T): T {
        try {
            return f();
        } catch (e) {
            throw new pulumi.ResourceError(`${what}: ${(e as Error).message}`, this);
        }
    }

    /**
     * Hands a spec to the platform as a service owned by this component (parent of its
     * resources), labelled with the component's name; returns where it is reached.
     */
    protected runService(
        platform: Platform,
        workloadName: string,
        spec: WorkloadSpec,
        dependsOn?: pulumi.Input<pulumi.Resource>[],
        after?: readonly pulumi.Output<string>[],
    ): WorkloadEndpoint {
        // Both platforms label the workload with its owning component's name.
        const labelled: WorkloadSpec = { ...spec, labels: { ...(spec.labels ?? {}), [LABELS.component]: pulumi.resourceName(this) } };
        const handle = platform.service(workloadName, labelled, { parent: this, ...(dependsOn ? { dependsOn } : {}), ...(after && after.length > 0 ? { after } : {}) });
        const ep = handle.endpoint;
        return {
            host: ep.host,
            port: pulumi.output(ep.port),
            address: ep.address,
            url: pulumi.interpolate`http://${ep.address}`,
            podsHost: ep.podsHost ?? ep.host,
            servingAddress: ep.servingAddress ?? ep.address,
            resources: handle.resources,
        };
    }

    /**
     * Registers the named fields as the component's outputs, each under its own name (so an
     * output and its field cannot drift apart), plus `extra` ones. Call it once, last.
     */
    protected publish(keys: readonly (keyof this & string)[], extra: pulumi.Inputs = {}): void {
        this.registerOutputs({ ...Object.fromEntries(keys.map((k) => [k, this[k]])), ...extra } as pulumi.Inputs);
    }
}
