/** The Grafana spec: provisioning files, GF_* settings, the admin password file. */
import * as pulumi from "@pulumi/pulumi";
import { ANNOTATIONS, WorkloadSpec } from "../../platform/spec";
import { DEFAULT_RESOURCES, DEFAULT_VOLUME_GI, EXEMPTIONS, IMAGE_USERS, PORTS } from "../images";
import { BaseSpecInput, http } from "./base";
import { GRAFANA_PATHS } from "../grafana-config";

/** Input of {@link grafanaSpec}. */
export interface GrafanaSpecInput extends BaseSpecInput {
    /** Provisioning files and dashboards (from renderGrafanaFiles). */
    readonly files: readonly { readonly path: string; readonly content: pulumi.Input<string> }[];
    /** Plain GF_* settings (from grafanaEnv). */
    readonly env: Readonly<Record<string, string>>;
    /** Secret GF_* settings (from grafanaSecretEnv). */
    readonly secretEnv: Readonly<Record<string, string>>;
    /** The admin password (a secret); written to the password file. */
    readonly adminPassword: pulumi.Input<string>;
    /** Data volume size in GiB. Defaults to 2. */
    readonly storageGi?: number;
}

/** Grafana: provisioned datasources and dashboards, the admin password from a secret file. */
export function grafanaSpec(input: GrafanaSpecInput): WorkloadSpec {
    return {
        image: input.image,
        tier: "ops",
        ports: [{ name: "http", port: PORTS.grafana }],
        env: input.env,
        secretEnv: input.secretEnv,
        files: [
            ...input.files.map((f) => ({ path: f.path, content: f.content })),
            { path: GRAFANA_PATHS.adminPasswordFile, content: pulumi.secret(input.adminPassword), secret: true },
        ],
        volumes: [{ name: "data", mountPath: GRAFANA_PATHS.data, sizeGi: input.storageGi ?? DEFAULT_VOLUME_GI.grafana }],
        // Database migrations on first start or upgrade take a while.
        healthCheck: http(PORTS.grafana, "/api/health", { startPeriodSeconds: 60 }),
        resources: input.resources ?? DEFAULT_RESOURCES.grafana,
        user: IMAGE_USERS.grafana,
        readOnlyRootFilesystem: true,
        annotations: { [ANNOTATIONS.exemptions]: EXEMPTIONS.monitoringHistory },
        scratch: [{ mountPath: "/tmp" }],
    };
}
