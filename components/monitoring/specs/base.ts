/** What every monitoring workload spec shares: its input and the HTTP health check. */
import * as pulumi from "@pulumi/pulumi";
import { HealthCheck, ResourceSpec } from "../../platform/spec";

/** What every monitoring spec takes. */
export interface BaseSpecInput {
    /** Image reference. */
    readonly image: pulumi.Input<string>;
    /** Requests and limits. Defaults to the role's entry in DEFAULT_RESOURCES. */
    readonly resources?: ResourceSpec;
}

/** An HTTP health check on `port` and `path`. */
export function http(port: number, path: string, extra: Partial<{ startPeriodSeconds: number; intervalSeconds: number }> = {}): HealthCheck {
    return { kind: "http", port, path, ...extra };
}
