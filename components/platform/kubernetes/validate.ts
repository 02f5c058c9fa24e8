/**
 * Checks of a spec that only the Kubernetes platform needs, on top of `validateSpec` (spec.ts).
 */
import { ContainerSpec, ScheduleSpec, WorkloadSpec } from "../spec";
import { fileKey, secretFileKey } from "./names";
import { parseUser } from "./pod-template";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const CPU_QUANTITY = /^(\d+(\.\d+)?|\.\d+)m?$/;
const MEMORY_QUANTITY = /^(\d+(\.\d+)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

function labelKeyProblem(key: string): string | undefined {
    const slash = key.lastIndexOf("/");
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return "its prefix is not a DNS subdomain";
    if (name.length > 63 || !LABEL_NAME.test(name)) return "its name part is not 1-63 letters, digits, '-', '_', '.'";
    return undefined;
}

/**
 * Kubernetes-specific checks, on top of `validateSpec` from spec.ts: returns one message per
 * problem, each naming the workload and what to change.
 */
export function validateKubernetesSpec(
    name: string,
    spec: ContainerSpec & Partial<WorkloadSpec> & Partial<ScheduleSpec>,
    component: string,
): string[] {
    const problems: string[] = [];
    for (const p of spec.ports ?? []) {
        // Kubernetes port names are IANA service names: at most 15 characters, at least one letter.
        if (p.name.length > 15 || !DNS_LABEL.test(p.name) || !/[a-z]/.test(p.name) || p.name.includes("--")) {
            problems.push(`${name}: port name "${p.name}" must be at most 15 lowercase letters, digits and single "-", with a letter`);
        }
        for (const [what, n] of [["port", p.port], ["hostPort", p.hostPort]] as const) {
            if (n !== undefined && (!Number.isInteger(n) || n < 1 || n > 65535)) {
                problems.push(`${name}: ${what} ${n} of port "${p.name}" must be an integer from 1 to 65535`);
            }
        }
    }
    for (const v of spec.volumes ?? []) {
        if (v.name.length > 63 || !DNS_LABEL.test(v.name)) {
            problems.push(`${name}: volume name "${v.name}" must be a DNS label (lowercase letters, digits, "-")`);
        }
        if (!v.mountPath.startsWith("/")) problems.push(`${name}: volume "${v.name}" mount path "${v.mountPath}" must be absolute`);
    }
    for (const s of spec.scratch ?? []) {
        if (!s.mountPath.startsWith("/")) problems.push(`${name}: scratch mount path "${s.mountPath}" must be absolute`);
        if (s.sizeMi !== undefined && !(Number.isInteger(s.sizeMi) && s.sizeMi > 0)) {
            problems.push(`${name}: scratch ${s.mountPath} sizeMi must be a positive integer, got ${s.sizeMi}`);
        }
    }
    for (const hp of spec.host?.paths ?? []) {
        if (!hp.hostPath.startsWith("/") || !hp.mountPath.startsWith("/")) {
            problems.push(`${name}: host path ${hp.hostPath} → ${hp.mountPath} must use absolute paths`);
        }
    }
    if (spec.perNode && (spec.volumes?.length ?? 0) > 0) {
        problems.push(`${name}: a perNode workload (DaemonSet) cannot have persistent volumes; drop perNode or the volumes`);
    }
    if (spec.perNode && spec.replicas !== undefined && spec.replicas !== 1) {
        problems.push(`${name}: a perNode workload runs one pod per node; remove replicas (${spec.replicas})`);
    }
    const { uid, gid } = parseUser(spec.user);
    if (uid === 0 && !spec.host?.root) {
        problems.push(`${name}: user "${spec.user}" is root; the kubernetes platform runs workloads as non-root (use the image's non-root uid)`);
    }
    if (gid === 0 && !spec.host?.root) {
        problems.push(`${name}: user "${spec.user}" has group 0 (root); use the image's non-root gid`);
    }
    const r = spec.resources;
    for (const [what, q] of [["cpu", r.cpu], ["cpuLimit", r.cpuLimit]] as const) {
        if (q !== undefined && !CPU_QUANTITY.test(q)) problems.push(`${name}: resources.${what} "${q}" is not a CPU quantity such as 250m or 1`);
    }
    for (const [what, q] of [["memory", r.memory], ["memoryLimit", r.memoryLimit]] as const) {
        // "256m" is 0.256 bytes to Kubernetes: a classic typo for "256Mi".
        if (q !== undefined && !MEMORY_QUANTITY.test(q)) problems.push(`${name}: resources.${what} "${q}" is not a memory quantity such as 256Mi or 1Gi`);
    }
    const keys = new Map<string, string>();
    for (const f of spec.files ?? []) {
        const key = f.secret ? secretFileKey(f.path) : fileKey(f.path);
        const other = keys.get(key);
        if (other !== undefined) problems.push(`${name}: files "${other}" and "${f.path}" map to the same key "${key}"; rename one`);
        keys.set(key, f.path);
    }
    if (component.length > 63 || !LABEL_VALUE.test(component)) {
        problems.push(`${name}: owning component name "${component}" is not a valid label value (at most 63 letters, digits, "-", "_", ".")`);
    }
    for (const [k, v] of Object.entries(spec.labels ?? {})) {
        const kp = labelKeyProblem(k);
        if (kp) problems.push(`${name}: label key "${k}" is invalid: ${kp}`);
        if (v.length > 63 || !LABEL_VALUE.test(v)) problems.push(`${name}: label ${k}="${v}" is not a valid label value (at most 63 letters, digits, "-", "_", ".")`);
    }
    for (const k of Object.keys(spec.annotations ?? {})) {
        const kp = labelKeyProblem(k);
        if (kp) problems.push(`${name}: annotation key "${k}" is invalid: ${kp}`);
    }
    if (spec.cron !== undefined && spec.cron.trim().split(/\s+/).length !== 5) {
        problems.push(`${name}: cron "${spec.cron}" must have 5 fields (minute hour day-of-month month day-of-week)`);
    }
    for (const [what, n] of [["backoffLimit", spec.backoffLimit], ["deadlineSeconds", spec.deadlineSeconds], ["stopGracePeriodSeconds", spec.stopGracePeriodSeconds]] as const) {
        if (n !== undefined && !(Number.isInteger(n) && n >= (what === "deadlineSeconds" ? 1 : 0))) {
            problems.push(`${name}: ${what} must be a ${what === "deadlineSeconds" ? "positive" : "non-negative"} integer, got ${n}`);
        }
    }
    return problems;
}
