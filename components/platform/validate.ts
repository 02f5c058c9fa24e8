/**
 * `validateSpec`: the platform-neutral checks of a workload spec, which both platforms run before
 * creating anything. The value rules (quantities, ports, cron, label syntax) come from the
 * vocabulary in schemas.ts; this module only says which field each applies to. Import it through
 * spec.ts.
 */
import type { z } from "zod";
import { resolveHealthCheck } from "./health-check";
import {
    absolutePath,
    cpuQuantity,
    cronExpression,
    dnsLabel,
    labelKey,
    labelValue,
    memoryQuantity,
    nonNegativeInt,
    port,
    positiveInt,
    problemOf,
} from "./schemas";
import { sidecarProblems } from "./sidecars";
import type { ContainerSpec, ScheduleSpec, WorkloadSpec } from "./spec";
import { TIERS } from "./tiers";

/** Environment variable names that must never be passed as plain env. */
export const SECRET_NAME_PATTERN = /(PASSWORD|PASSWD|SECRET|TOKEN|KEY|CREDENTIAL|_URL_WITH_AUTH)/i;

/**
 * Checks a spec for mistakes that no platform can fix: returns one message per problem, each
 * naming the workload and what to change. Every platform-neutral rule is here (values through the
 * vocabulary in schemas.ts), so the docker and Kubernetes platforms refuse the same spec with the
 * same message; only rules of one platform's API stay with that platform. Platforms call it before
 * creating anything and throw with every problem. `component` is the owning component's name,
 * which becomes a label value. Defaults to none (not checked).
 */
export function validateSpec(name: string, spec: ContainerSpec & Partial<WorkloadSpec> & Partial<ScheduleSpec>, component?: string): string[] {
    const problems: string[] = [];
    const bad = (schema: z.ZodType, value: unknown): string | undefined => problemOf(schema, value);
    if (!/^[a-z]([-a-z0-9]{0,40}[a-z0-9])?$/.test(name)) {
        problems.push(`workload name "${name}" must be a DNS label of at most 42 characters (lowercase letters, digits, "-")`);
    }
    for (const key of Object.keys(spec.env ?? {})) {
        if (SECRET_NAME_PATTERN.test(key)) {
            problems.push(`${name}: env ${key} looks like a secret; pass it in secretEnv`);
        }
    }
    for (const key of Object.keys(spec.secretEnv ?? {})) {
        if (key in (spec.env ?? {})) {
            problems.push(`${name}: ${key} is both in env and secretEnv`);
        }
    }
    const ports = spec.ports ?? [];
    const portNames = new Set<string>();
    for (const p of ports) {
        if (portNames.has(p.name)) problems.push(`${name}: port name "${p.name}" is used twice`);
        portNames.add(p.name);
        if (p.hostPort !== undefined && spec.tier !== "edge") {
            problems.push(`${name}: only the edge tier may publish host ports (port ${p.name} of tier ${spec.tier})`);
        }
        for (const [what, n] of [["port", p.port], ["hostPort", p.hostPort]] as const) {
            const why = n === undefined ? undefined : bad(port, n);
            if (why) problems.push(`${name}: ${what} ${n} of port "${p.name}" must be ${why}`);
        }
    }
    const paths = new Set<string>();
    for (const f of spec.files ?? []) {
        if (bad(absolutePath, f.path)) problems.push(`${name}: file path "${f.path}" must be absolute`);
        if (paths.has(f.path)) problems.push(`${name}: file path "${f.path}" is listed twice`);
        paths.add(f.path);
    }
    const volumeNames = new Set<string>();
    for (const v of spec.volumes ?? []) {
        if (volumeNames.has(v.name)) problems.push(`${name}: volume "${v.name}" is listed twice`);
        volumeNames.add(v.name);
        // Volume names become object names (Kubernetes claim templates, docker volumes): the strictest rule applies.
        const why = bad(dnsLabel, v.name);
        if (why) problems.push(`${name}: volume name "${v.name}" must be ${why}`);
        if (!(v.sizeGi > 0)) problems.push(`${name}: volume "${v.name}" needs a positive sizeGi`);
        if (bad(absolutePath, v.mountPath)) problems.push(`${name}: volume "${v.name}" mount path "${v.mountPath}" must be absolute`);
    }
    for (const sc of spec.scratch ?? []) {
        if (bad(absolutePath, sc.mountPath)) problems.push(`${name}: scratch mount path "${sc.mountPath}" must be absolute`);
        if (sc.sizeMi !== undefined && bad(positiveInt, sc.sizeMi)) {
            problems.push(`${name}: scratch ${sc.mountPath} sizeMi must be a positive integer, got ${sc.sizeMi}`);
        }
    }
    for (const hp of spec.host?.paths ?? []) {
        if (bad(absolutePath, hp.hostPath) || bad(absolutePath, hp.mountPath)) {
            problems.push(`${name}: host path ${hp.hostPath} → ${hp.mountPath} must use absolute paths`);
        }
    }
    if (spec.overlapUpdates) {
        // Neutral, although only docker needs it: the same spec must be valid on both platforms.
        if ((spec.volumes?.length ?? 0) > 0) {
            problems.push(`${name}: overlapUpdates runs two revisions at once, which a workload with volumes must never do; drop overlapUpdates or the volumes`);
        }
        if (ports.some((p) => p.hostPort !== undefined)) {
            problems.push(`${name}: overlapUpdates runs two revisions at once, but a host port binds once; drop overlapUpdates or the host ports`);
        }
    }
    if (spec.liveFiles) {
        const dir = spec.liveFiles.directory.replace(/\/+$/, "");
        if (bad(absolutePath, spec.liveFiles.directory) || dir === "") {
            problems.push(`${name}: liveFiles.directory "${spec.liveFiles.directory}" must be an absolute directory other than /`);
        } else if (!(spec.files ?? []).some((f) => f.path.startsWith(`${dir}/`))) {
            problems.push(`${name}: liveFiles.directory ${dir} holds none of the workload's files; put the live files under it`);
        }
        if (spec.liveFiles.check.length === 0) problems.push(`${name}: liveFiles.check needs a command that validates the new files`);
        if (spec.liveFiles.reload.length === 0) problems.push(`${name}: liveFiles.reload needs the command that loads them`);
        if ((spec.volumes ?? []).some((v) => v.mountPath.replace(/\/+$/, "") === dir)) {
            problems.push(`${name}: liveFiles.directory ${dir} is also a volume's mount path`);
        }
    }
    if (spec.perNode && (spec.volumes?.length ?? 0) > 0) {
        problems.push(`${name}: a perNode workload (DaemonSet) cannot have persistent volumes; drop perNode or the volumes`);
    }
    if (spec.perNode && spec.replicas !== undefined && spec.replicas !== 1) {
        problems.push(`${name}: a perNode workload runs one pod per node; remove replicas (${spec.replicas})`);
    }
    if (spec.replicas !== undefined && (!Number.isInteger(spec.replicas) || spec.replicas < 1)) {
        problems.push(`${name}: replicas must be a positive integer, got ${spec.replicas}`);
    }
    if (spec.healthCheck) {
        const hc = resolveHealthCheck(spec.healthCheck);
        if (hc.timeoutSeconds >= hc.intervalSeconds) {
            problems.push(`${name}: health check timeout (${hc.timeoutSeconds}s) must be shorter than its interval (${hc.intervalSeconds}s)`);
        }
        if (hc.kind === "exec" && hc.command.length === 0) problems.push(`${name}: exec health check needs a command`);
    }
    if (spec.user !== undefined && !/^\d+(:\d+)?$/.test(spec.user)) {
        problems.push(`${name}: user must be numeric "uid" or "uid:gid" (so Kubernetes can verify non-root), got "${spec.user}"`);
    }
    const r = spec.resources;
    for (const [what, q, schema] of [
        ["cpu", r.cpu, cpuQuantity],
        ["cpuLimit", r.cpuLimit, cpuQuantity],
        ["memory", r.memory, memoryQuantity],
        ["memoryLimit", r.memoryLimit, memoryQuantity],
    ] as const) {
        const why = q === undefined ? undefined : bad(schema, q);
        if (why) problems.push(`${name}: resources.${what} "${q}" must be ${why}`);
    }
    if (component !== undefined && bad(labelValue, component)) {
        problems.push(`${name}: owning component name "${component}" must be ${bad(labelValue, component)}`);
    }
    for (const [k, v] of Object.entries(spec.labels ?? {})) {
        const kp = bad(labelKey, k);
        if (kp) problems.push(`${name}: label key "${k}" must be ${kp}`);
        const vp = bad(labelValue, v);
        if (vp) problems.push(`${name}: label ${k}="${v}" must be ${vp}`);
    }
    for (const k of Object.keys(spec.annotations ?? {})) {
        const kp = bad(labelKey, k);
        if (kp) problems.push(`${name}: annotation key "${k}" must be ${kp}`);
    }
    if (spec.cron !== undefined) {
        const why = bad(cronExpression, spec.cron);
        if (why) problems.push(`${name}: cron "${spec.cron}" must be ${why}`);
    }
    if ((spec.sidecars?.length ?? 0) > 0 || (spec.reachesTiers?.length ?? 0) > 0) {
        problems.push(...sidecarProblems(name, spec as WorkloadSpec, (n, c) => validateSpec(n, c), TIERS));
    }
    for (const [what, n, schema] of [
        ["backoffLimit", spec.backoffLimit, nonNegativeInt],
        ["deadlineSeconds", spec.deadlineSeconds, positiveInt],
        ["stopGracePeriodSeconds", spec.stopGracePeriodSeconds, nonNegativeInt],
    ] as const) {
        const why = n === undefined ? undefined : bad(schema, n);
        if (why) problems.push(`${name}: ${what} must be ${why}, got ${n}`);
    }
    return problems;
}
