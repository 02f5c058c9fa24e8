/**
 * The args every monitoring workload component takes. Checking, running and exposing the
 * workload is {@link WorkloadComponent}'s (components/workload.ts), as for every component.
 */
import * as pulumi from "@pulumi/pulumi";
import { Platform, ResourceSpec } from "../platform/spec";

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
