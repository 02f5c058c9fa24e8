/**
 * Security rules: immutable images, no root, no privileges, no host access without an exemption,
 * no data-tier port reachable from outside.
 */
import { LABELS } from "./labels";
import { arr, at, K8S_POD_OWNERS, metaOf, num, obj, podOf, str, stringMap, Subject, TYPES, workloadName } from "./resources";
import { Finding, resourceRule, stackRule } from "./rule";

/** Resolved config of {@link immutableImage}. */
export interface ImageConfig {
    /** Tags that move: a reference with one of them is mutable. */
    readonly forbiddenTags: readonly string[];
    /** Require a digest (@sha256:…) on every image. */
    readonly requireDigest: boolean;
    /**
     * Repositories (no tag, e.g. "ghcr.io/proteamcare/ptc-backup") whose references need a digest
     * even when `requireDigest` is off: the images the project builds and pushes itself, whose tags
     * it could push again over a tested image.
     */
    readonly digestRequiredRepositories: readonly string[];
}

/** Why an image reference is mutable under `cfg`, or undefined when it is pinned. */
export function mutableImageProblem(ref: string, cfg: ImageConfig): string | undefined {
    const image = ref.trim();
    if (image === "") return "has no image";
    if (/^sha256:[a-f0-9]{64}$/.test(image)) return undefined; // an image id: immutable
    const at = image.indexOf("@");
    const digest = at >= 0 ? image.slice(at + 1) : undefined;
    const name = at >= 0 ? image.slice(0, at) : image;
    if (digest !== undefined) {
        return /^sha256:[a-f0-9]{64}$/.test(digest) ? undefined : `image "${image}" has a malformed digest; use @sha256:<64 hex>`;
    }
    const lastSlash = name.lastIndexOf("/");
    const colon = name.lastIndexOf(":");
    const tag = colon > lastSlash ? name.slice(colon + 1) : undefined;
    const repository = tag === undefined ? name : name.slice(0, colon);
    if (cfg.requireDigest) return `image "${image}" has no digest; pin it as ${name}@sha256:<digest>`;
    if (cfg.digestRequiredRepositories.includes(repository)) {
        return `image "${image}" is one of the project's own images, referenced by digest here; pin it as ${name}@sha256:<digest> (the images workflow prints it)`;
    }
    if (tag === undefined) return `image "${image}" has no tag (it means :latest); pin a version tag or a digest`;
    if (cfg.forbiddenTags.includes(tag)) return `image "${image}" uses the moving tag ":${tag}"; pin a version tag or a digest`;
    return undefined;
}

/** `immutable-image`: no container runs a mutable image reference. */
export const immutableImage = resourceRule<ImageConfig>({
    name: "immutable-image",
    description: "Checks that every container image is pinned: a version tag or a digest, never :latest or no tag.",
    checks: { "mutable-image": "an image reference can point at different images over time" },
    config: {
        forbiddenTags: { type: "array", items: { type: "string" }, default: ["latest"], description: "Tags that move and are refused." },
        requireDigest: { type: "boolean", default: false, description: "Require an @sha256 digest on every image." },
        digestRequiredRepositories: {
            type: "array",
            items: { type: "string" },
            default: [],
            description: "Repositories (without tag) whose images need an @sha256 digest even when requireDigest is off: the project's own images.",
        },
    },
    types: [TYPES.container, ...K8S_POD_OWNERS],
    check(subject, cfg): Finding[] {
        const images: { where: string; ref: string }[] =
            subject.type === TYPES.container
                ? [{ where: "the container", ref: str(subject.props.image) ?? "" }]
                : (podOf(subject)?.containers ?? []).map((c) => ({ where: `container "${c.name}"`, ref: str(c.spec.image) ?? "" }));
        return images.flatMap(({ where, ref }) => {
            const problem = mutableImageProblem(ref, cfg);
            return problem ? [{ check: "mutable-image", message: `${where}: ${problem}` }] : [];
        });
    },
});

function securityContexts(subject: Subject): { name: string; sc: Readonly<Record<string, unknown>>; pod: Readonly<Record<string, unknown>> }[] {
    const pod = podOf(subject);
    if (!pod) return [];
    const podSc = obj(pod.spec.securityContext) ?? {};
    return pod.containers.map((c) => ({ name: c.name, sc: obj(c.spec.securityContext) ?? {}, pod: podSc }));
}

/** `non-root-container`: containers run as a non-root user. */
export const nonRootContainer = resourceRule({
    name: "non-root-container",
    description: "Checks that every container runs as a non-root user (docker user set and not 0/root; Kubernetes runAsNonRoot true and runAsUser not 0).",
    checks: { "run-as-root": "the container runs, or may run, as root" },
    config: {},
    types: [TYPES.container, ...K8S_POD_OWNERS],
    check(subject): Finding[] {
        if (subject.type === TYPES.container) {
            const user = str(subject.props.user)?.trim();
            if (!user) {
                return [{ check: "run-as-root", message: "user is not set, so the image's user (often root) runs; set user to the image's numeric non-root uid:gid" }];
            }
            const uid = user.split(":")[0];
            if (uid === "0" || uid === "root") return [{ check: "run-as-root", message: `user "${user}" is root; set a numeric non-root uid:gid` }];
            return [];
        }
        return securityContexts(subject).flatMap(({ name, sc, pod }) => {
            const runAsUser = num(sc.runAsUser) ?? num(pod.runAsUser);
            const runAsNonRoot = sc.runAsNonRoot ?? pod.runAsNonRoot;
            if (runAsUser === 0) return [{ check: "run-as-root", message: `container "${name}" sets runAsUser 0 (root); use a non-zero uid` }];
            if (runAsNonRoot !== true) {
                return [{ check: "run-as-root", message: `container "${name}" does not set runAsNonRoot: true (pod or container securityContext); set it with a numeric runAsUser` }];
            }
            return [];
        });
    },
});

/** Resolved config of {@link noPrivilegedContainer}. */
export interface PrivilegeConfig {
    /** Capabilities a container may add. */
    readonly allowedCapabilities: readonly string[];
}

/** `no-privileged-container`: no privileged mode, no privilege escalation, no extra capabilities. */
export const noPrivilegedContainer = resourceRule<PrivilegeConfig>({
    name: "no-privileged-container",
    description: "Checks that no container is privileged, every container forbids privilege escalation, and added capabilities are on the allowed list.",
    checks: {
        "privileged": "the container is privileged",
        "privilege-escalation": "privilege escalation is not forbidden (k8s allowPrivilegeEscalation: false; docker no-new-privileges)",
        "capabilities": "the container adds a capability outside the allowed list",
    },
    config: {
        allowedCapabilities: { type: "array", items: { type: "string" }, default: ["NET_BIND_SERVICE"], description: "Capabilities a container may add." },
    },
    types: [TYPES.container, ...K8S_POD_OWNERS],
    check(subject, cfg): Finding[] {
        const strip = (c: unknown): string => String(c).toUpperCase().replace(/^CAP_/, "");
        const allowed = new Set(cfg.allowedCapabilities.map(strip));
        if (subject.type === TYPES.container) {
            const out: Finding[] = [];
            if (subject.props.privileged === true) out.push({ check: "privileged", message: "the container is privileged; remove privileged" });
            const opts = arr(subject.props.securityOpts).map((o) => String(o).replace(/=/g, ":"));
            if (!opts.includes("no-new-privileges:true") && !opts.includes("no-new-privileges")) {
                out.push({ check: "privilege-escalation", message: 'securityOpts lacks "no-new-privileges:true"; add it' });
            }
            const added = arr(at(subject.props, "capabilities", "adds")).map(strip).filter((c) => !allowed.has(c));
            if (added.length > 0) out.push({ check: "capabilities", message: `the container adds ${added.join(", ")}; drop them (allowed: ${[...allowed].join(", ") || "none"})` });
            return out;
        }
        return securityContexts(subject).flatMap(({ name, sc }) => {
            const out: Finding[] = [];
            if (sc.privileged === true) out.push({ check: "privileged", message: `container "${name}" is privileged; remove securityContext.privileged` });
            if (sc.allowPrivilegeEscalation !== false) {
                out.push({ check: "privilege-escalation", message: `container "${name}" does not set allowPrivilegeEscalation: false; set it in its securityContext` });
            }
            const added = arr(at(sc, "capabilities", "add")).map(strip).filter((c) => !allowed.has(c));
            if (added.length > 0) out.push({ check: "capabilities", message: `container "${name}" adds ${added.join(", ")}; drop them (allowed: ${[...allowed].join(", ") || "none"})` });
            return out;
        });
    },
});

/** Paths of container engine sockets: mounting one (even read-only) hands over the host. */
const ENGINE_SOCKET = /(^|\/)(docker|containerd|crio|cri-dockerd|podman)\.sock$|^\/(var\/)?run\/(containerd|crio|docker)\/?$/;

function hostPathFinding(where: string, path: string, readOnly: boolean): Finding {
    if (ENGINE_SOCKET.test(path)) {
        return { check: "engine-socket", message: `${where} mounts the container engine socket ${path}, which gives control of the host even read-only; remove it (no exemption lifts this)` };
    }
    return readOnly
        ? { check: "host-path-read-only", message: `${where} mounts host path ${path} read-only; use a volume, or annotate a host agent with its exemption from the registry` }
        : { check: "host-path-writable", message: `${where} mounts host path ${path} writable; remove it or mount it read-only (no exemption lifts writable host paths)` };
}

/** `no-host-access`: no host paths, host PID/network/IPC or devices. */
export const noHostAccess = resourceRule({
    name: "no-host-access",
    description: "Checks that no workload uses host paths, the host PID, network or IPC namespace, host devices or the container engine socket.",
    checks: {
        "host-path-read-only": "a host path is mounted read-only (exemptable for host agents)",
        "host-path-writable": "a host path is mounted writable",
        "engine-socket": "the container engine socket is mounted",
        "host-pid": "the host PID namespace is shared (exemptable for host agents)",
        "host-network": "the host network namespace is shared",
        "host-ipc": "the host IPC namespace is shared",
        "host-devices": "host devices are passed through",
    },
    config: {},
    types: [TYPES.container, ...K8S_POD_OWNERS],
    check(subject): Finding[] {
        const out: Finding[] = [];
        if (subject.type === TYPES.container) {
            const p = subject.props;
            for (const v of arr(p.volumes)) {
                const hostPath = str(at(v, "hostPath"));
                if (hostPath) out.push(hostPathFinding("the container", hostPath, at(v, "readOnly") === true));
            }
            for (const m of arr(p.mounts)) {
                if (str(at(m, "type")) === "bind") out.push(hostPathFinding("the container", str(at(m, "source")) ?? "(unset)", at(m, "readOnly") === true));
            }
            if (str(p.pidMode) === "host") out.push({ check: "host-pid", message: 'pidMode is "host"; remove it, or annotate a host agent with its exemption' });
            if (str(p.networkMode) === "host") out.push({ check: "host-network", message: 'networkMode is "host"; use the tier networks' });
            if (str(p.ipcMode) === "host") out.push({ check: "host-ipc", message: 'ipcMode is "host"; remove it' });
            if (arr(p.devices).length > 0) out.push({ check: "host-devices", message: "the container maps host devices; remove devices" });
            return out;
        }
        const pod = podOf(subject);
        if (!pod) return out;
        if (pod.spec.hostPID === true) out.push({ check: "host-pid", message: "hostPID is true; remove it, or annotate a host agent with its exemption" });
        if (pod.spec.hostNetwork === true) out.push({ check: "host-network", message: "hostNetwork is true; remove it and use a Service" });
        if (pod.spec.hostIPC === true) out.push({ check: "host-ipc", message: "hostIPC is true; remove it" });
        for (const v of arr(pod.spec.volumes)) {
            const path = str(at(v, "hostPath", "path"));
            if (path === undefined) continue;
            const volume = str(at(v, "name"));
            const mounts = pod.containers.flatMap((c) => arr(c.spec.volumeMounts).filter((m) => str(at(m, "name")) === volume).map((m) => ({ c: c.name, m })));
            const writable = mounts.filter(({ m }) => at(m, "readOnly") !== true);
            const where = writable.length > 0 ? `container "${writable[0].c}"` : `volume "${volume}"`;
            out.push(hostPathFinding(where, path, writable.length === 0));
        }
        return out;
    },
});

function tierOf(subject: Subject): string | undefined {
    return metaOf(subject).labels[LABELS.tier];
}

/** `no-data-tier-exposure`: data-tier ports are never published on the host or exposed outside the cluster. */
export const noDataTierExposure = stackRule({
    name: "no-data-tier-exposure",
    description: "Checks that no data-tier port is published on the host (docker ports, Kubernetes hostPort) or exposed by a LoadBalancer, NodePort or externalIPs Service selecting data-tier pods.",
    checks: {
        "host-port": "a data-tier container publishes a port on the host",
        "service-exposure": "a LoadBalancer/NodePort/externalIPs Service selects data-tier pods",
    },
    config: {},
    check(resources): Finding[] {
        const out: Finding[] = [];
        const dataPods: { workload: string; labels: Record<string, string> }[] = [];
        for (const r of resources) {
            if (r.type === TYPES.container) {
                if (tierOf(r) !== "data") continue;
                const ports = arr(r.props.ports);
                if (ports.length > 0) {
                    const list = ports.map((p) => `${num(at(p, "external")) ?? "?"}->${num(at(p, "internal")) ?? "?"}`).join(", ");
                    out.push({ check: "host-port", urn: r.urn, message: `data-tier container "${workloadName(r)}" publishes ${list} on the host; remove ports (data stores are reached over the data network)` });
                }
            } else if (K8S_POD_OWNERS.includes(r.type)) {
                const pod = podOf(r);
                if (!pod || tierOf(r) !== "data") continue;
                dataPods.push({ workload: workloadName(r), labels: pod.labels });
                for (const c of pod.containers) {
                    const published = arr(c.spec.ports).filter((p) => num(at(p, "hostPort")) !== undefined);
                    if (published.length > 0) {
                        out.push({ check: "host-port", urn: r.urn, message: `data-tier container "${c.name}" of "${workloadName(r)}" sets hostPort; remove it` });
                    }
                }
            }
        }
        for (const r of resources) {
            if (r.type !== TYPES.service) continue;
            const type = str(at(r.props, "spec", "type")) ?? "ClusterIP";
            const externalIPs = arr(at(r.props, "spec", "externalIPs"));
            if (type !== "LoadBalancer" && type !== "NodePort" && externalIPs.length === 0) continue;
            const selector = stringMap(at(r.props, "spec", "selector"));
            const keys = Object.keys(selector);
            if (keys.length === 0) continue;
            for (const pod of dataPods) {
                if (keys.every((k) => pod.labels[k] === selector[k])) {
                    const how = externalIPs.length > 0 && type === "ClusterIP" ? "with externalIPs" : `of type ${type}`;
                    out.push({ check: "service-exposure", urn: r.urn, message: `Service "${str(at(r.props, "metadata", "name")) ?? r.name}" ${how} selects data-tier pods of "${pod.workload}"; make it a ClusterIP Service without externalIPs` });
                }
            }
        }
        return out;
    },
});

/** The security rules, in report order. */
export const securityPolicies = [immutableImage, nonRootContainer, noPrivilegedContainer, noHostAccess, noDataTierExposure];
