/**
 * The checks only the Kubernetes platform needs, on top of `validateSpec` (spec.ts), which holds
 * every platform-neutral rule so both platforms refuse the same spec alike. What stays here comes
 * from Kubernetes' own API, and docker has no such rule:
 *
 * - Port names: a container port's name is an IANA service name in the Kubernetes API (at most 15
 *   characters, with a letter); Services target ports by that name. Docker ports have no names.
 * - Root: the application namespace enforces the "restricted" Pod Security Standard, whose
 *   admission refuses uid 0 and group 0 unless the workload is a host agent (host.root), which
 *   runs in the privileged host-agent namespace. Docker has no admission step.
 * - File keys: files become keys of one ConfigMap or Secret ({@link fileKey}), and two paths can
 *   map to the same key; docker uploads each file at its own path.
 */
import { ContainerSpec, ScheduleSpec, WorkloadSpec } from "../spec";
import { fileKey, secretFileKey } from "./names";
import { parseUser } from "./pod-template";

/** An IANA service name as Kubernetes checks a port name: lowercase letters, digits and single "-", with a letter. */
const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Kubernetes-only checks of a spec (see the file comment): returns one message per problem, each
 * naming the workload and what to change.
 */
export function validateKubernetesSpec(name: string, spec: ContainerSpec & Partial<WorkloadSpec> & Partial<ScheduleSpec>): string[] {
    const problems: string[] = [];
    for (const p of spec.ports ?? []) {
        if (p.name.length > 15 || !PORT_NAME.test(p.name) || !/[a-z]/.test(p.name) || p.name.includes("--")) {
            problems.push(`${name}: port name "${p.name}" must be at most 15 lowercase letters, digits and single "-", with a letter`);
        }
    }
    const { uid, gid } = parseUser(spec.user);
    if (uid === 0 && !spec.host?.root) {
        problems.push(`${name}: user "${spec.user}" is root; the kubernetes platform runs workloads as non-root (use the image's non-root uid)`);
    }
    if (gid === 0 && !spec.host?.root) {
        problems.push(`${name}: user "${spec.user}" has group 0 (root); use the image's non-root gid`);
    }
    const keys = new Map<string, string>();
    for (const f of spec.files ?? []) {
        const key = f.secret ? secretFileKey(f.path) : fileKey(f.path);
        const other = keys.get(key);
        if (other !== undefined) problems.push(`${name}: files "${other}" and "${f.path}" map to the same key "${key}"; rename one`);
        keys.set(key, f.path);
    }
    return problems;
}
