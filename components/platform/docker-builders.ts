/**
 * Pure builders for the docker platform: how a platform-neutral spec becomes docker container
 * settings. No resources here, so tests call them without any runtime.
 */
import {
    ContainerSpec,
    HealthCheck,
    ResourceSpec,
    resolveHealthCheck,
    ScratchSpec,
    Tier,
    TIER_INGRESS,
    TIERS,
} from "./spec";
import { cpuCores, memoryMiB } from "./schemas";

/** Parsers of the vocabulary's quantities, re-exported where docker settings are built from them. */
export { cpuCores, memoryMiB };

/** Docker's healthcheck block, as the docker provider takes it. */
export interface DockerHealthcheck {
    readonly tests: string[];
    readonly interval: string;
    readonly timeout: string;
    readonly retries: number;
    readonly startPeriod: string;
    readonly startInterval?: string;
}

/**
 * bash alone as an HTTP client: GET $2 on 127.0.0.1:$1 over /dev/tcp, healthy on a 2xx/3xx status
 * line within $3 seconds. For images with bash but neither wget nor curl (grafana/alloy is
 * Ubuntu-based and ships neither); the port, path and timeout are arguments, never spliced into
 * the script.
 */
const BASH_HTTP_PROBE =
    'exec 3<>/dev/tcp/127.0.0.1/$1 && printf "GET %s HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n" "$2" >&3 && ' +
    "IFS= read -r -t $3 status <&3 && [[ $status == HTTP/1.[01]\\ [23]* ]]";

/**
 * Converts the one health check into docker's. HTTP checks run inside the container with wget,
 * curl or bash's /dev/tcp, whichever the image has; images with none of them should declare an
 * exec check instead.
 */
export function dockerHealthcheck(hc: HealthCheck): DockerHealthcheck {
    const r = resolveHealthCheck(hc);
    let tests: string[];
    switch (r.kind) {
        case "http": {
            const url = `http://127.0.0.1:${r.port}${r.path}`;
            const t = r.timeoutSeconds;
            tests = [
                "CMD-SHELL",
                `wget -q -T ${t} -O /dev/null '${url}' 2>/dev/null || curl -fsS -m ${t} -o /dev/null '${url}' || ` +
                    `bash -c '${BASH_HTTP_PROBE}' bash ${r.port} '${r.path}' ${t} || exit 1`,
            ];
            break;
        }
        case "exec":
            tests = ["CMD", ...r.command];
            break;
        case "tcp":
            // bash's /dev/tcp needs no extra tool in the image.
            tests = ["CMD", "bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${r.port}`];
            break;
    }
    return {
        tests,
        interval: `${r.intervalSeconds}s`,
        timeout: `${r.timeoutSeconds}s`,
        retries: r.retries,
        startPeriod: `${r.startPeriodSeconds}s`,
        ...(r.startPeriodSeconds > 0 ? { startInterval: "2s" } : {}),
    };
}

/**
 * The docker networks a workload of `tier` joins: its own tier's network (where it is reached) plus
 * the network of every tier it may call, per {@link TIER_INGRESS}, and of the tiers its spec
 * reaches beyond them (`WorkloadSpec.reachesTiers`).
 */
export function networksFor(tier: Tier, reachesTiers: readonly Tier[] = []): Tier[] {
    const nets = new Set<Tier>([tier, ...reachesTiers]);
    for (const target of TIERS) {
        if (TIER_INGRESS[target].includes(tier)) nets.add(target);
    }
    return TIERS.filter((t) => nets.has(t));
}

/** Networks that get no route outside the host: the data tier talks only to the app and ops tiers. */
export function isInternalNetwork(tier: Tier): boolean {
    return tier === "data";
}

/** Docker resource settings from the spec: memory limit (MiB), reservation, CPU shares and limit. */
export function dockerResources(r: ResourceSpec): { memory: number; memoryReservation: number; cpuShares: number; cpus?: string } {
    const out: { memory: number; memoryReservation: number; cpuShares: number; cpus?: string } = {
        memory: memoryMiB(r.memoryLimit ?? r.memory),
        memoryReservation: memoryMiB(r.memory),
        cpuShares: Math.max(2, Math.round(cpuCores(r.cpu) * 1024)),
    };
    if (r.cpuLimit) out.cpus = String(cpuCores(r.cpuLimit));
    return out;
}

/** Docker labels for a workload: labels and annotations, sorted, as the provider's list of pairs. */
export function dockerLabels(all: Record<string, string>): { label: string; value: string }[] {
    return Object.keys(all)
        .sort()
        .map((label) => ({ label, value: all[label] }));
}

/** Merges labels and annotations of a spec with the platform's own (annotations are labels on docker). */
export function labelsAndAnnotations(base: Record<string, string>, spec: ContainerSpec): Record<string, string> {
    return { ...base, ...(spec.annotations ?? {}) };
}

/**
 * Mount options of the tmpfs behind a shared scratch directory (see DockerPlatform.service): its
 * size, and the workload's uid and gid as owner with mode 0770 when the user is known (a fresh
 * tmpfs is root's), else the sticky world-writable mode of /tmp.
 */
export function sharedTmpfsOptions(scratch: ScratchSpec, user: string | undefined): string {
    const [uid, gid] = (user ?? "").split(":");
    const owner = uid ? `,uid=${uid},gid=${gid ?? uid},mode=0770` : ",mode=1777";
    return `size=${scratch.sizeMi ?? 64}m${owner}`;
}

/** tmpfs mounts for the spec's scratch directories. */
export function tmpfsFor(spec: ContainerSpec): Record<string, string> | undefined {
    if (!spec.scratch || spec.scratch.length === 0) return undefined;
    return Object.fromEntries(spec.scratch.map((s) => [s.mountPath, `rw,nosuid,nodev,size=${s.sizeMi ?? 64}m`]));
}

// The cron loop's path, heartbeat and health check are shared with the sidecars of both platforms.
export { CRON_HEARTBEAT_PATH, CRON_LOOP_PATH, cronLoopHealthcheck } from "./sidecars";

/**
 * Why a finished job container counts as failed, or undefined when it succeeded (or has not run, as
 * in a preview). The docker provider records an attached container's exit status without failing
 * the update (kreuzwerker/terraform-provider-docker's TestAccDockerContainer_exitcode expects a
 * container that exits 123 to be created), so the platform fails it.
 */
export function jobExitProblem(name: string, containerName: string, exitCode: number | undefined | null): string | undefined {
    if (exitCode === undefined || exitCode === null || exitCode === 0) return undefined;
    return (
        `job ${name} exited with status ${exitCode}: see \`docker logs ${containerName}\`; ` +
        `fix the cause, then re-run it with \`pulumi up --replace <its URN>\` or a new trigger`
    );
}

/** The label key that docker replaces a job container on: the hash of its trigger. */
export const TRIGGER_LABEL = "proteamcare.io/trigger";

/** Keys a data-bearing docker volume by workload and volume name. */
export function volumeName(prefix: string, workload: string, volume: string): string {
    return `${prefix}-${workload}-${volume}`;
}

