/**
 * What the monitoring components share: their common args, turning a pure builder's error into
 * a ResourceError on the component, and running a spec through the platform.
 */
import * as pulumi from "@pulumi/pulumi";
import { LABELS, Platform, ResourceSpec, WorkloadSpec } from "../platform/spec";

/** Args every monitoring workload component takes. */
export interface MonitoringWorkloadArgs {
    /** The stack's platform (docker or Kubernetes). */
    readonly platform: Platform;
    /** Workload name (host name on the platform). Defaults to the role name, e.g. "prometheus". */
    readonly workloadName?: string;
    /** Image reference (a pinned tag or a digest). Defaults to the pinned tag in DEFAULT_IMAGES. */
    readonly image?: pulumi.Input<string>;
    /** Requests and limits. Defaults to the role's entry in DEFAULT_RESOURCES. */
    readonly resources?: ResourceSpec;
    /** Resources the workload waits for. Defaults to none. */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** Where a monitoring workload is reached, as component outputs. */
export interface WorkloadEndpoint {
    /** Host name inside the platform. */
    readonly host: pulumi.Output<string>;
    /** Primary port. */
    readonly port: pulumi.Output<number>;
    /** "host:port". */
    readonly address: pulumi.Output<string>;
    /** "http://host:port". */
    readonly url: pulumi.Output<string>;
    /** The platform resources (for dependsOn). */
    readonly resources: pulumi.Resource[];
}

/** Runs a pure builder; its Error becomes a ResourceError on the component (before any child exists). */
export function build<T>(component: pulumi.Resource, what: string, f: () => T): T {
    try {
        return f();
    } catch (e) {
        throw new pulumi.ResourceError(`${what}: ${(e as Error).message}`, component);
    }
}

/** Hands a spec to the platform as a service owned by `component`; returns its endpoint. */
export function runService(
    component: pulumi.Resource,
    platform: Platform,
    workloadName: string,
    spec: WorkloadSpec,
    dependsOn?: pulumi.Input<pulumi.Resource>[],
): WorkloadEndpoint {
    // Both platforms label the workload with its owning component's name.
    const labelled: WorkloadSpec = { ...spec, labels: { ...(spec.labels ?? {}), [LABELS.component]: pulumi.resourceName(component) } };
    const handle = platform.service(workloadName, labelled, { parent: component, ...(dependsOn ? { dependsOn } : {}) });
    const ep = handle.endpoint;
    return {
        host: ep.host,
        port: pulumi.output(ep.port),
        address: ep.address,
        url: pulumi.interpolate`http://${ep.address}`,
        resources: handle.resources,
    };
}
