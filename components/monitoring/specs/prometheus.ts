/** The Prometheus server spec: flags, config and rule files, TSDB volume, retention checks. */
import * as pulumi from "@pulumi/pulumi";
import { ANNOTATIONS, WorkloadSpec } from "../../platform/spec";
import { DEFAULT_RESOURCES, DEFAULT_VOLUME_GI, EXEMPTIONS, IMAGE_USERS, PORTS } from "../images";
import { BaseSpecInput, http } from "./base";

/** Container paths of Prometheus. */
export const PROMETHEUS_PATHS = {
    config: "/etc/prometheus/prometheus.yml",
    rulesDir: "/etc/prometheus/rules",
    data: "/prometheus",
} as const;

/** A Prometheus duration such as "200h", "15d" or "1y2w". */
const PROM_DURATION = /^(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/;

/** Checks a Prometheus TSDB retention ("200h", "15d"); throws with what to write instead. */
export function checkRetention(retention: string): string {
    if (retention === "" || !PROM_DURATION.test(retention) || !/[1-9]/.test(retention)) {
        throw new Error(`Prometheus retention "${retention}" must be a positive Prometheus duration such as "200h" or "15d"`);
    }
    return retention;
}

/** Checks a size such as "50GB" for --storage.tsdb.retention.size. */
export function checkRetentionSize(size: string): string {
    if (!/^\d+(B|KB|MB|GB|TB|PB|EB)$/.test(size)) {
        throw new Error(`Prometheus retention size "${size}" must be a number with a unit B, KB, MB, GB, TB, PB or EB (e.g. "50GB")`);
    }
    return size;
}

/** Input of {@link prometheusSpec}. */
export interface PrometheusSpecInput extends BaseSpecInput {
    /** Rendered prometheus.yml. */
    readonly config: pulumi.Input<string>;
    /** Rendered rule files by file name (e.g. "alerts.yml"), placed under /etc/prometheus/rules. */
    readonly ruleFiles: Readonly<Record<string, pulumi.Input<string>>>;
    /** TSDB retention time. */
    readonly retention: string;
    /** TSDB retention size (whichever limit is hit first). Defaults to none. */
    readonly retentionSize?: string;
    /** Turn on /-/reload and /-/quit (POST). Defaults to false. */
    readonly enableLifecycleApi?: boolean;
    /** URL Prometheus is reached at by people (links in alerts). Defaults to none. */
    readonly externalUrl?: string;
    /** Data volume size in GiB. Defaults to 20. */
    readonly storageGi?: number;
}

/** Prometheus's command-line flags. The lifecycle API appears only when asked for. */
export function prometheusArgs(input: Pick<PrometheusSpecInput, "retention" | "retentionSize" | "enableLifecycleApi" | "externalUrl">): string[] {
    return [
        `--config.file=${PROMETHEUS_PATHS.config}`,
        `--storage.tsdb.path=${PROMETHEUS_PATHS.data}`,
        `--storage.tsdb.retention.time=${checkRetention(input.retention)}`,
        ...(input.retentionSize !== undefined ? [`--storage.tsdb.retention.size=${checkRetentionSize(input.retentionSize)}`] : []),
        `--web.listen-address=:${PORTS.prometheus}`,
        ...(input.externalUrl !== undefined ? [`--web.external-url=${input.externalUrl}`] : []),
        ...(input.enableLifecycleApi ? ["--web.enable-lifecycle"] : []),
    ];
}

/** Prometheus: config and rules as files, TSDB on a volume, ready when /-/ready answers. */
export function prometheusSpec(input: PrometheusSpecInput): WorkloadSpec {
    const names = Object.keys(input.ruleFiles).sort();
    for (const n of names) {
        if (!/^[A-Za-z0-9][A-Za-z0-9._-]*\.ya?ml$/.test(n)) throw new Error(`rule file name "${n}" must be a plain file name ending in .yml`);
    }
    return {
        image: input.image,
        tier: "ops",
        ports: [{ name: "http", port: PORTS.prometheus }],
        command: prometheusArgs(input),
        files: [
            { path: PROMETHEUS_PATHS.config, content: input.config },
            ...names.map((n) => ({ path: `${PROMETHEUS_PATHS.rulesDir}/${n}`, content: input.ruleFiles[n] })),
        ],
        volumes: [{ name: "data", mountPath: PROMETHEUS_PATHS.data, sizeGi: input.storageGi ?? DEFAULT_VOLUME_GI.prometheus }],
        // A long WAL replay after a restart is normal: give it time before failures count.
        healthCheck: http(PORTS.prometheus, "/-/ready", { startPeriodSeconds: 120 }),
        resources: input.resources ?? DEFAULT_RESOURCES.prometheus,
        user: IMAGE_USERS.prometheus,
        readOnlyRootFilesystem: true,
        annotations: { [ANNOTATIONS.exemptions]: EXEMPTIONS.monitoringHistory },
        stopGracePeriodSeconds: 60,
    };
}
