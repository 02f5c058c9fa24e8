/** The log pipeline specs: Loki (storage) and Alloy (the per-node collector). */
import * as pulumi from "@pulumi/pulumi";
import { ANNOTATIONS, WorkloadSpec } from "../../platform/spec";
import { DEFAULT_RESOURCES, DEFAULT_VOLUME_GI, EXEMPTIONS, IMAGE_USERS } from "../images";
import { BaseSpecInput, http } from "./base";
import { ALLOY_DEFAULTS, alloyArgs } from "../alloy-config";
import { LOKI_DEFAULTS } from "../loki-config";

/** Input of {@link lokiSpec}. */
export interface LokiSpecInput extends BaseSpecInput {
    /** Rendered Loki config. */
    readonly config: pulumi.Input<string>;
    /** Data volume size in GiB. Defaults to 20. */
    readonly storageGi?: number;
}

/** Loki single binary: config file, everything it writes on the volume. */
export function lokiSpec(input: LokiSpecInput): WorkloadSpec {
    return {
        image: input.image,
        tier: "ops",
        ports: [
            { name: "http", port: LOKI_DEFAULTS.httpPort },
            { name: "grpc", port: LOKI_DEFAULTS.grpcPort },
        ],
        command: [`-config.file=${LOKI_DEFAULTS.configPath}`],
        files: [{ path: LOKI_DEFAULTS.configPath, content: input.config }],
        volumes: [{ name: "data", mountPath: LOKI_DEFAULTS.dataDir, sizeGi: input.storageGi ?? DEFAULT_VOLUME_GI.loki }],
        // /ready answers 503 until the in-memory ring has settled (about 15 s).
        healthCheck: http(LOKI_DEFAULTS.httpPort, "/ready", { startPeriodSeconds: 60 }),
        resources: input.resources ?? DEFAULT_RESOURCES.loki,
        user: IMAGE_USERS.loki,
        readOnlyRootFilesystem: true,
        annotations: { [ANNOTATIONS.exemptions]: EXEMPTIONS.monitoringHistory },
        scratch: [{ mountPath: "/tmp" }],
    };
}

/** Input of {@link alloySpec}. */
export interface AlloySpecInput extends BaseSpecInput {
    /** Rendered Alloy config. */
    readonly config: pulumi.Input<string>;
}

/**
 * Alloy as the log collector: one per node, reading container log files (docker's json-file
 * directory, or /var/log/pods) read-only as root. Exempted from the non-root and host-path
 * policies by name ("log-collector").
 */
export function alloySpec(input: AlloySpecInput): WorkloadSpec {
    return {
        image: input.image,
        tier: "ops",
        ports: [{ name: "http", port: ALLOY_DEFAULTS.httpPort }],
        entrypoint: ["/bin/alloy"],
        command: alloyArgs(ALLOY_DEFAULTS.httpPort),
        files: [{ path: ALLOY_DEFAULTS.configPath, content: input.config }],
        healthCheck: http(ALLOY_DEFAULTS.httpPort, "/-/ready", { startPeriodSeconds: 30 }),
        resources: input.resources ?? DEFAULT_RESOURCES.alloy,
        readOnlyRootFilesystem: true,
        // Positions of tailed files; losing them on restart re-reads recent lines at worst.
        scratch: [{ mountPath: ALLOY_DEFAULTS.storagePath, sizeMi: 256 }, { mountPath: "/tmp" }],
        perNode: true,
        // The platform mounts its container log files read-only (docker's json-file directory, never
        // the engine socket; the node's pod log directories on Kubernetes).
        host: { root: true, containerLogs: true },
        annotations: { [ANNOTATIONS.exemptions]: EXEMPTIONS.logCollector },
    };
}
