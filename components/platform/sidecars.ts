/**
 * Sidecars ({@link WorkloadSpec.sidecars}): the part both platforms share. A sidecar is a
 * scheduled container beside a service, on the service's data: it resolves to a plain
 * {@link ContainerSpec} that runs the cron loop (scripts/cron-loop.sh, `--table` mode) over its
 * schedules, which each platform then renders as it renders any container. Import it through
 * spec.ts.
 */
import * as fs from "fs";
import * as path from "path";
import { cronExpression, problemOf } from "./schemas";
import type { ContainerSpec, HealthCheck, ScratchSpec, SidecarScheduleSpec, SidecarSpec, Tier, VolumeSpec, WorkloadSpec } from "./spec";

/** The cron loop (docker schedules, and every sidecar's schedules on both platforms). */
export const CRON_LOOP_SCRIPT = fs.readFileSync(path.join(__dirname, "scripts", "cron-loop.sh"), "utf8");
/** Where the cron loop script lives inside a scheduled container. */
export const CRON_LOOP_PATH = "/opt/proteamcare/cron-loop";
/** The heartbeat the cron loop touches; its age is the schedule container's health. */
export const CRON_HEARTBEAT_PATH = "/tmp/proteamcare-cron.heartbeat";

/** Health check of a scheduled container: the cron loop's heartbeat is fresh. */
export function cronLoopHealthcheck(): HealthCheck {
    return {
        kind: "exec",
        command: [
            "bash",
            "-c",
            `test -f ${CRON_HEARTBEAT_PATH} && test $(( $(date +%s) - $(stat -c %Y ${CRON_HEARTBEAT_PATH}) )) -lt 180`,
        ],
        intervalSeconds: 60,
        timeoutSeconds: 10,
        retries: 3,
        startPeriodSeconds: 30,
    };
}

/**
 * Health check of a sidecar's cron loop: the heartbeat, asked every 10 s. On Kubernetes it is the
 * sidecar's liveness and readiness (every container of a pod needs both, and the pod counts as
 * ready only with all of them: a fresh heartbeat within seconds of the start keeps that from
 * delaying the workload); a hung loop stops touching it and is restarted.
 */
export function sidecarHealthcheck(): HealthCheck {
    return { ...cronLoopHealthcheck(), intervalSeconds: 10, timeoutSeconds: 5, startPeriodSeconds: 0 };
}

/** The cron loop's CRON_TABLE for a schedule: one "<cron> [args...]" line per run, in order (the first due wins). */
export function cronTable(schedule: SidecarScheduleSpec): string {
    return schedule.runs.map((r) => [r.cron.trim().split(/\s+/).join(" "), ...r.args].join(" ")).join("\n");
}

/** The name a sidecar's container gets (docker container key and name suffix; the Kubernetes container name). */
export function sidecarName(workload: string, sidecar: SidecarSpec): string {
    return `${workload}-${sidecar.name}`;
}

/** What a sidecar becomes before a platform renders it. */
export interface ResolvedSidecar {
    /** `<workload>-<sidecar>`. */
    readonly name: string;
    /** The workload's name. */
    readonly workload: string;
    /** The sidecar's own name (unique within the workload). */
    readonly sidecar: string;
    /** The container: the cron loop over the sidecar's schedules, with the workload's tier. */
    readonly container: ContainerSpec;
    /** The workload's volumes it mounts (same mount paths). */
    readonly volumes: readonly VolumeSpec[];
    /** The workload's scratch directories it shares. */
    readonly shared: readonly ScratchSpec[];
}

/**
 * Resolves a sidecar of `spec` (the workload named `workload`): image, user and read-only root
 * default to the workload's; the component label is the workload's (the store label is not: the
 * sidecar is not the store); a read-only root gets a /tmp for the heartbeat. Pure.
 */
export function resolveSidecar(workload: string, spec: WorkloadSpec, sidecar: SidecarSpec): ResolvedSidecar {
    const readOnly = sidecar.readOnlyRootFilesystem ?? spec.readOnlyRootFilesystem ?? false;
    const own = [...(sidecar.scratch ?? [])];
    const shared = (spec.scratch ?? []).filter((s) => (sidecar.sharedScratch ?? []).includes(s.mountPath));
    if (readOnly && ![...own, ...shared].some((s) => s.mountPath === "/tmp")) own.push({ mountPath: "/tmp", sizeMi: 64 });
    const component = spec.labels?.["proteamcare.io/component"];
    const container: ContainerSpec = {
        image: sidecar.image ?? spec.image,
        env: { ...(sidecar.env ?? {}), CRON_HEARTBEAT: CRON_HEARTBEAT_PATH, CRON_TABLE: cronTable(sidecar.schedule) },
        ...(sidecar.secretEnv !== undefined ? { secretEnv: sidecar.secretEnv } : {}),
        files: [...(sidecar.files ?? []), { path: CRON_LOOP_PATH, content: CRON_LOOP_SCRIPT, executable: true }],
        entrypoint: ["bash", CRON_LOOP_PATH, "--table", "--"],
        command: [...sidecar.schedule.command],
        resources: sidecar.resources,
        ...(sidecar.user ?? spec.user ? { user: sidecar.user ?? spec.user } : {}),
        readOnlyRootFilesystem: readOnly,
        scratch: own,
        tier: spec.tier,
        labels: { ...(component !== undefined ? { "proteamcare.io/component": component } : {}), ...(sidecar.labels ?? {}) },
    };
    return {
        name: sidecarName(workload, sidecar),
        workload,
        sidecar: sidecar.name,
        container,
        volumes: (spec.volumes ?? []).filter((v) => (sidecar.volumes ?? []).includes(v.name)),
        shared,
    };
}

/**
 * The sidecar rules of a workload spec (part of `validateSpec`): names, the volumes and scratch
 * directories they share, their schedules, and the container each resolves to (through
 * `checkContainer`, validateSpec's own container checks, so a sidecar obeys every container rule).
 */
export function sidecarProblems(
    name: string,
    spec: WorkloadSpec,
    checkContainer: (name: string, container: ContainerSpec) => string[],
    tiers: readonly Tier[],
): string[] {
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const sc of spec.sidecars ?? []) {
        if (!/^[a-z]([-a-z0-9]{0,13}[a-z0-9])?$/.test(sc.name)) {
            problems.push(`${name}: sidecar name "${sc.name}" must be a DNS label of at most 15 characters (lowercase letters, digits, "-")`);
            continue;
        }
        if (seen.has(sc.name)) problems.push(`${name}: sidecar "${sc.name}" is listed twice`);
        seen.add(sc.name);
        const volumes = new Set((spec.volumes ?? []).map((v) => v.name));
        for (const v of sc.volumes ?? []) {
            if (!volumes.has(v)) problems.push(`${name}: sidecar "${sc.name}" mounts volume "${v}", which the workload does not have; name one of its volumes`);
        }
        const scratch = new Set((spec.scratch ?? []).map((s) => s.mountPath));
        for (const p of sc.sharedScratch ?? []) {
            if (!scratch.has(p)) problems.push(`${name}: sidecar "${sc.name}" shares scratch ${p}, which is not a scratch directory of the workload`);
        }
        if (sc.schedule.command.length === 0) problems.push(`${name}: sidecar "${sc.name}" needs a schedule command`);
        if (sc.schedule.runs.length === 0) problems.push(`${name}: sidecar "${sc.name}" needs at least one scheduled run`);
        for (const run of sc.schedule.runs) {
            const why = problemOf(cronExpression, run.cron);
            if (why) problems.push(`${name}: sidecar "${sc.name}" cron "${run.cron}" must be ${why}`);
            for (const a of run.args) {
                if (a === "" || /\s/.test(a)) problems.push(`${name}: sidecar "${sc.name}" run argument "${a}" must be one word without blanks`);
            }
        }
        const resolved = resolveSidecar(name, spec, sc);
        problems.push(...checkContainer(resolved.name, resolved.container));
    }
    for (const t of spec.reachesTiers ?? []) {
        if (!tiers.includes(t)) problems.push(`${name}: reachesTiers entry "${t}" is not one of ${tiers.join(", ")}`);
        else if (t === spec.tier) problems.push(`${name}: reachesTiers names its own tier "${t}"; remove it`);
    }
    return problems;
}
