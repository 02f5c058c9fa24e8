/** The Alertmanager spec: one instance, config and secret files, silences on a volume. */
import * as pulumi from "@pulumi/pulumi";
import { ANNOTATIONS, FileSpec, WorkloadSpec } from "../../platform/spec";
import { DEFAULT_RESOURCES, DEFAULT_VOLUME_GI, EXEMPTIONS, IMAGE_USERS, PORTS } from "../images";
import { BaseSpecInput, http } from "./base";

/** Container paths of Alertmanager. */
export const ALERTMANAGER_PATHS = {
    config: "/etc/alertmanager/alertmanager.yml",
    secretsDir: "/etc/alertmanager/secrets",
    data: "/alertmanager",
} as const;

/** Input of {@link alertmanagerSpec}. */
export interface AlertmanagerSpecInput extends BaseSpecInput {
    /** Rendered alertmanager.yml. */
    readonly config: pulumi.Input<string>;
    /** Store the config as a secret (it holds the heartbeat URL). Defaults to true. */
    readonly configSecret?: boolean;
    /** Secret files the config reads (e.g. the Slack webhook URL), by absolute path. Defaults to none. */
    readonly secretFiles?: Readonly<Record<string, pulumi.Input<string>>>;
    /** URL Alertmanager is reached at by people (links in notifications). Defaults to none. */
    readonly externalUrl?: string;
    /** Data volume size in GiB. Defaults to 1. */
    readonly storageGi?: number;
}

/** Alertmanager, single instance (clustering off), silences and notification log on a volume. */
export function alertmanagerSpec(input: AlertmanagerSpecInput): WorkloadSpec {
    const secretFiles = input.secretFiles ?? {};
    const paths = Object.keys(secretFiles).sort();
    for (const p of paths) {
        if (!p.startsWith(`${ALERTMANAGER_PATHS.secretsDir}/`)) {
            throw new Error(`Alertmanager secret file "${p}" must live under ${ALERTMANAGER_PATHS.secretsDir}/`);
        }
    }
    return {
        image: input.image,
        tier: "ops",
        ports: [{ name: "http", port: PORTS.alertmanager }],
        command: [
            `--config.file=${ALERTMANAGER_PATHS.config}`,
            `--storage.path=${ALERTMANAGER_PATHS.data}`,
            `--web.listen-address=:${PORTS.alertmanager}`,
            // One instance: no gossip port, no peers to find.
            "--cluster.listen-address=",
            ...(input.externalUrl !== undefined ? [`--web.external-url=${input.externalUrl}`] : []),
        ],
        files: [
            { path: ALERTMANAGER_PATHS.config, content: input.config, secret: input.configSecret ?? true },
            ...paths.map((p): FileSpec => ({ path: p, content: secretFiles[p], secret: true })),
        ],
        volumes: [{ name: "data", mountPath: ALERTMANAGER_PATHS.data, sizeGi: input.storageGi ?? DEFAULT_VOLUME_GI.alertmanager }],
        healthCheck: http(PORTS.alertmanager, "/-/ready", { startPeriodSeconds: 30 }),
        resources: input.resources ?? DEFAULT_RESOURCES.alertmanager,
        user: IMAGE_USERS.alertmanager,
        readOnlyRootFilesystem: true,
        annotations: { [ANNOTATIONS.exemptions]: EXEMPTIONS.monitoringHistory },
    };
}
