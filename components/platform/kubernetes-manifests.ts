/**
 * Pure builders for the Kubernetes platform: how a platform-neutral spec becomes plain Kubernetes
 * objects. No resources are created here, so tests (and the offline plan) call these without any
 * runtime. The output is deterministic: keys and lists come out in a stable, sorted order.
 *
 * Values that come from other resources stay `pulumi.Input`s inside the objects; with plain
 * strings in the spec the objects are plain JSON and validate against the Kubernetes schema.
 */
import * as crypto from "crypto";
import type * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import {
    ANNOTATIONS,
    ContainerSpec,
    FileSpec,
    HealthCheck,
    JobSpec,
    LABELS,
    resolveHealthCheck,
    ScheduleSpec,
    Tier,
    TIER_INGRESS,
    TIERS,
    WorkloadSpec,
    workloadLabels,
} from "./spec";

type ObjectMeta = k8s.types.input.meta.v1.ObjectMeta;

/** A Namespace object. */
export interface NamespaceManifest {
    readonly apiVersion: "v1";
    readonly kind: "Namespace";
    readonly metadata: ObjectMeta;
}
/** A Deployment object. */
export interface DeploymentManifest {
    readonly apiVersion: "apps/v1";
    readonly kind: "Deployment";
    readonly metadata: ObjectMeta;
    readonly spec: k8s.types.input.apps.v1.DeploymentSpec;
}
/** A StatefulSet object. */
export interface StatefulSetManifest {
    readonly apiVersion: "apps/v1";
    readonly kind: "StatefulSet";
    readonly metadata: ObjectMeta;
    readonly spec: k8s.types.input.apps.v1.StatefulSetSpec;
}
/** A DaemonSet object. */
export interface DaemonSetManifest {
    readonly apiVersion: "apps/v1";
    readonly kind: "DaemonSet";
    readonly metadata: ObjectMeta;
    readonly spec: k8s.types.input.apps.v1.DaemonSetSpec;
}
/** A Service object. */
export interface ServiceManifest {
    readonly apiVersion: "v1";
    readonly kind: "Service";
    readonly metadata: ObjectMeta;
    readonly spec: k8s.types.input.core.v1.ServiceSpec;
}
/** A ConfigMap object. */
export interface ConfigMapManifest {
    readonly apiVersion: "v1";
    readonly kind: "ConfigMap";
    readonly metadata: ObjectMeta;
    readonly data: Record<string, pulumi.Input<string>>;
}
/**
 * A Secret object. `stringData` holds the raw values: the platform wraps them with
 * `pulumi.secret` before they reach a resource.
 */
export interface SecretManifest {
    readonly apiVersion: "v1";
    readonly kind: "Secret";
    readonly metadata: ObjectMeta;
    readonly type: "Opaque";
    readonly stringData: Record<string, pulumi.Input<string>>;
}
/** A PodDisruptionBudget object. */
export interface PodDisruptionBudgetManifest {
    readonly apiVersion: "policy/v1";
    readonly kind: "PodDisruptionBudget";
    readonly metadata: ObjectMeta;
    readonly spec: k8s.types.input.policy.v1.PodDisruptionBudgetSpec;
}
/** A NetworkPolicy object. */
export interface NetworkPolicyManifest {
    readonly apiVersion: "networking.k8s.io/v1";
    readonly kind: "NetworkPolicy";
    readonly metadata: ObjectMeta;
    readonly spec: k8s.types.input.networking.v1.NetworkPolicySpec;
}
/** A ServiceAccount object. */
export interface ServiceAccountManifest {
    readonly apiVersion: "v1";
    readonly kind: "ServiceAccount";
    readonly metadata: ObjectMeta;
    readonly automountServiceAccountToken: boolean;
}
/** A ClusterRole object. */
export interface ClusterRoleManifest {
    readonly apiVersion: "rbac.authorization.k8s.io/v1";
    readonly kind: "ClusterRole";
    readonly metadata: ObjectMeta;
    readonly rules: k8s.types.input.rbac.v1.PolicyRule[];
}
/** A ClusterRoleBinding object. */
export interface ClusterRoleBindingManifest {
    readonly apiVersion: "rbac.authorization.k8s.io/v1";
    readonly kind: "ClusterRoleBinding";
    readonly metadata: ObjectMeta;
    readonly roleRef: k8s.types.input.rbac.v1.RoleRef;
    readonly subjects: k8s.types.input.rbac.v1.Subject[];
}
/** A Job object. */
export interface JobManifest {
    readonly apiVersion: "batch/v1";
    readonly kind: "Job";
    readonly metadata: ObjectMeta;
    readonly spec: k8s.types.input.batch.v1.JobSpec;
}
/** A CronJob object. */
export interface CronJobManifest {
    readonly apiVersion: "batch/v1";
    readonly kind: "CronJob";
    readonly metadata: ObjectMeta;
    readonly spec: k8s.types.input.batch.v1.CronJobSpec;
}

/** Any object these builders produce. */
export type Manifest =
    | NamespaceManifest
    | DeploymentManifest
    | StatefulSetManifest
    | DaemonSetManifest
    | ServiceManifest
    | ConfigMapManifest
    | SecretManifest
    | PodDisruptionBudgetManifest
    | NetworkPolicyManifest
    | ServiceAccountManifest
    | ClusterRoleManifest
    | ClusterRoleBindingManifest
    | JobManifest
    | CronJobManifest;

/** Pod template annotation holding the checksum of a workload's ConfigMap: a changed file rolls the pods. */
export const CONFIG_CHECKSUM_ANNOTATION = "proteamcare.io/config-checksum";
/** Pod template annotation holding the checksum of a workload's Secret (itself a secret value). */
export const SECRET_CHECKSUM_ANNOTATION = "proteamcare.io/secret-checksum";
/** Job annotation holding the hash of the job's trigger. */
export const TRIGGER_ANNOTATION = "proteamcare.io/trigger";

/** Pod Security Admission level of the application namespace. */
export const POD_SECURITY_LEVEL = "restricted";
/** CronJob time zone: cron expressions in the spec are UTC. */
export const CRON_TIME_ZONE = "Etc/UTC";
/** Seconds after its scheduled time a missed CronJob run may still start; later runs are skipped. */
export const CRON_STARTING_DEADLINE_SECONDS = 300;
/** Finished Jobs a CronJob keeps, successful and failed each (for `kubectl logs` after an alert). */
export const CRON_HISTORY_LIMIT = 3;

/**
 * Egress from pods of some tiers to addresses outside the cluster. NetworkPolicies deny egress
 * by default; only these rules (and DNS) let traffic leave the namespace.
 */
export interface ExternalEgressRule {
    /** Tiers whose pods may connect. */
    readonly tiers: readonly Tier[];
    /** TCP ports they may connect to. */
    readonly ports: readonly number[];
    /** Destination CIDRs. */
    readonly cidrs: readonly string[];
    /** Ranges carved out of the CIDRs (each must lie inside one of them). */
    readonly except?: readonly string[];
}

/**
 * Default external egress: the ops tier (backups to S3, alert notifications) may reach public
 * addresses on HTTPS. Private, carrier-grade-NAT and link-local ranges are excluded so the rule
 * cannot reach other in-network services or the cloud metadata endpoint (169.254.169.254).
 */
export const DEFAULT_EXTERNAL_EGRESS: readonly ExternalEgressRule[] = [
    {
        tiers: ["ops"],
        ports: [443],
        cidrs: ["0.0.0.0/0"],
        except: ["10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16"],
    },
    { tiers: ["ops"], ports: [443], cidrs: ["::/0"], except: ["fc00::/7", "fe80::/10"] },
];

/**
 * Where a pod that reads the Kubernetes API (the log collector) may connect to the API server.
 * The API server is no pod that labels could select, so the egress rule is an `ipBlock`; this
 * default admits any IPv4 address, on the API server's ports only ({@link API_SERVER_PORTS}), for
 * that pod only. Narrow it to the control plane's addresses where they are known.
 */
export const DEFAULT_API_SERVER_CIDRS: readonly string[] = ["0.0.0.0/0"];

/**
 * TCP ports of the API server: 443 is the `kubernetes` Service in front of it; 6443 is where most
 * distributions run it, and the port NetworkPolicies see when the Service address is translated
 * to the endpoint before the policy applies.
 */
export const API_SERVER_PORTS: readonly number[] = [443, 6443];

/** Where the cluster DNS runs, for the DNS egress rule every pod needs. */
export interface DnsPeer {
    /** Namespace of the DNS pods. */
    readonly namespace: string;
    /** Labels of the DNS pods. */
    readonly podLabels: Readonly<Record<string, string>>;
}

/** CoreDNS/kube-dns as most distributions deploy it. */
export const DEFAULT_DNS_PEER: DnsPeer = { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } };

/** What the builders need to know besides the spec. */
export interface ManifestContext {
    /** Namespace the objects go into. */
    readonly namespace: string;
    /** Name of the component that owns the workload (the {@link LABELS.component} label). */
    readonly component: string;
    /** StorageClass of volume claims. Defaults to the cluster's default class. */
    readonly storageClassName?: string;
    /** Checksum of the ConfigMap data (see {@link contentChecksum}). Defaults to no annotation. */
    readonly filesChecksum?: pulumi.Input<string>;
    /** Checksum of the Secret data; must be a secret Output when it reaches a resource. Defaults to no annotation. */
    readonly secretChecksum?: pulumi.Input<string>;
    /** Addresses of the API server, for pods that read the Kubernetes API. Defaults to {@link DEFAULT_API_SERVER_CIDRS}. */
    readonly apiServerCidrs?: readonly string[];
}

/** Sorts an object's keys, for stable output. */
function sorted<T>(obj: Record<string, T>): Record<string, T> {
    return Object.fromEntries(Object.keys(obj).sort().map((k) => [k, obj[k]]));
}

/** A short stable hex hash. */
export function shortHash(value: string, length = 10): string {
    return crypto.createHash("sha256").update(value).digest("hex").slice(0, length);
}

/**
 * Checksum (HMAC-SHA256 under `key`) of a set of named contents, independent of key order. Used on
 * pod templates so that a changed file or secret rolls the pods (Kubernetes does not restart pods
 * when a ConfigMap or Secret changes). Key it with a secret when the contents are secret.
 */
export function contentChecksum(entries: Readonly<Record<string, string>>, key = ""): string {
    const h = crypto.createHmac("sha256", key);
    for (const k of Object.keys(entries).sort()) {
        h.update(k).update("\0").update(entries[k]).update("\0");
    }
    return h.digest("hex");
}

/** In-cluster DNS name of a service. */
export function serviceHost(name: string, namespace: string, clusterDomain = "cluster.local"): string {
    return `${name}.${namespace}.svc.${clusterDomain}`;
}

/** Name of the ConfigMap holding a workload's plain files. */
export function configMapName(name: string): string {
    return `${name}-files`;
}
/** Name of the Secret holding a workload's secret env and secret files. */
export function secretName(name: string): string {
    return `${name}-secrets`;
}
/**
 * Name of the ClusterRole (and its binding) of a workload that reads pods: cluster-scoped, so it
 * carries the namespace to keep two stacks' apart.
 */
export function podReaderRoleName(name: string, namespace: string): string {
    return `${namespace}-${name}-pod-reader`;
}
/** Name of the NetworkPolicy that lets a workload reach the API server. */
export function apiServerPolicyName(name: string): string {
    return `${name}-apiserver`;
}
/**
 * Does the workload read the Kubernetes API? Only a log collector (`host.containerLogs`) does: it
 * discovers the pods on its node to label their log files. It gets its own ServiceAccount with
 * read access to pods and a token; every other workload has no token at all.
 */
export function readsPods(spec: Partial<WorkloadSpec>): boolean {
    return spec.host?.containerLogs === true;
}

/**
 * Name of the headless Service of a replicated workload (see {@link hasPodsService}): its DNS name
 * resolves to the address of every ready pod.
 */
export function podsServiceName(name: string): string {
    return `${name}-pods`;
}

/**
 * Does the workload get a headless `<name>-pods` Service besides its ClusterIP one? Only a
 * workload with ports and more than one replica: a per-node workload's own Service is headless
 * already, and with one replica the ClusterIP name reaches the only pod.
 */
export function hasPodsService(spec: Partial<Pick<WorkloadSpec, "ports" | "replicas" | "perNode">>): boolean {
    return !spec.perNode && (spec.replicas ?? 1) > 1 && (spec.ports?.length ?? 0) > 0;
}

/** Name of the LoadBalancer Service (and its NetworkPolicy) that publishes a workload's host ports. */
export function publicServiceName(name: string): string {
    return `${name}-public`;
}
/**
 * Name of the Job for one trigger value: a new trigger gives a new name, so Pulumi replaces the
 * Job and Kubernetes runs it again; the same trigger keeps the finished Job.
 */
export function jobName(name: string, trigger: string): string {
    return `${name}-${shortHash(trigger)}`;
}

/** ConfigMap/Secret key of a file: its path with "/" as "-" (keys allow only [-._a-zA-Z0-9]). */
export function fileKey(path: string): string {
    return path.replace(/^\/+/, "").replace(/\//g, "-").replace(/[^-._a-zA-Z0-9]/g, "_");
}

/** Secret key of a secret file: "file." plus its {@link fileKey} (env names cannot contain "."). */
export function secretFileKey(path: string): string {
    return `file.${fileKey(path)}`;
}

/** A volume name for a path: readable prefix and slug, plus a hash so different paths never collide. */
function pathVolumeName(prefix: string, path: string): string {
    const slug = path
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, "")
        .slice(0, 40)
        .replace(/-+$/, "");
    return `${prefix}-${slug ? `${slug}-` : ""}${shortHash(path, 6)}`;
}

/** Parses "uid[:gid]". */
function parseUser(user: string | undefined): { uid?: number; gid?: number } {
    if (user === undefined) return {};
    const [uid, gid] = user.split(":");
    return { uid: Number(uid), gid: gid === undefined ? undefined : Number(gid) };
}

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

/** Does the workload need host access (and so the host-agent namespace)? */
export function needsHostAccess(spec: Partial<WorkloadSpec>): boolean {
    const h = spec.host;
    return h !== undefined && ((h.paths?.length ?? 0) > 0 || h.pid === true || h.containerLogs === true || h.root === true);
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

type Kind = "service" | "job" | "schedule";

/**
 * Labels of every object of a workload. The selector labels, tier, kind and component are set
 * last so a spec's own labels cannot change them (that would break selectors or let a workload
 * claim another tier's network access).
 */
export function objectLabels(name: string, spec: ContainerSpec, ctx: ManifestContext, kind: Kind): Record<string, string> {
    return sorted({
        ...workloadLabels(ctx.component, name, spec),
        [LABELS.component]: ctx.component,
        [LABELS.workload]: name,
        [LABELS.tier]: spec.tier,
        [LABELS.kind]: kind,
    });
}

/** Labels that select a workload's pods (stable for the workload's life: selectors are immutable). */
export function selectorLabels(name: string): Record<string, string> {
    return { [LABELS.workload]: name };
}

function objectAnnotations(spec: ContainerSpec, extra: Record<string, string> = {}): Record<string, string> | undefined {
    const all = { ...(spec.annotations ?? {}), ...extra };
    return Object.keys(all).length > 0 ? sorted(all) : undefined;
}

function meta(name: string, ctx: ManifestContext, labels: Record<string, string>, annotations?: Record<string, string>): ObjectMeta {
    return { name, namespace: ctx.namespace, labels, ...(annotations ? { annotations } : {}) };
}

/** Probe handler for the one health check. */
function probeHandler(hc: HealthCheck): k8s.types.input.core.v1.Probe {
    switch (hc.kind) {
        case "http":
            return {
                httpGet: {
                    path: hc.path,
                    port: hc.port,
                    scheme: "HTTP",
                    ...(hc.host ? { httpHeaders: [{ name: "Host", value: hc.host }] } : {}),
                },
            };
        case "exec":
            return { exec: { command: [...hc.command] } };
        case "tcp":
            return { tcpSocket: { port: hc.port } };
    }
}

/**
 * Readiness, liveness and (for slow starters) startup probes, all from the one health check:
 * same handler, period = interval, failureThreshold = retries. With a start period the startup
 * probe holds the other two back for ceil(start / interval) + retries periods: docker ignores
 * failures during start_period and then still allows `retries` failures, and so does this.
 */
export function probes(hc: HealthCheck): {
    readinessProbe: k8s.types.input.core.v1.Probe;
    livenessProbe: k8s.types.input.core.v1.Probe;
    startupProbe?: k8s.types.input.core.v1.Probe;
} {
    const r = resolveHealthCheck(hc);
    const timing = { periodSeconds: r.intervalSeconds, timeoutSeconds: r.timeoutSeconds, failureThreshold: r.retries };
    const out: ReturnType<typeof probes> = {
        readinessProbe: { ...probeHandler(r), ...timing, successThreshold: 1 },
        livenessProbe: { ...probeHandler(r), ...timing, successThreshold: 1 },
    };
    if (r.startPeriodSeconds > 0) {
        out.startupProbe = {
            ...probeHandler(r),
            periodSeconds: r.intervalSeconds,
            timeoutSeconds: r.timeoutSeconds,
            failureThreshold: Math.ceil(r.startPeriodSeconds / r.intervalSeconds) + r.retries,
            successThreshold: 1,
        };
    }
    return out;
}

/** Files split into the ConfigMap's and the Secret's, each with its key. */
function splitFiles(spec: ContainerSpec): { plain: { key: string; file: FileSpec }[]; secret: { key: string; file: FileSpec }[] } {
    const files = [...(spec.files ?? [])].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return {
        plain: files.filter((f) => !f.secret).map((file) => ({ key: fileKey(file.path), file })),
        secret: files.filter((f) => f.secret).map((file) => ({ key: secretFileKey(file.path), file })),
    };
}

/** The workload's ConfigMap (plain files), or undefined when it has none. */
export function configMapManifest(name: string, spec: ContainerSpec, ctx: ManifestContext, kind: Kind): ConfigMapManifest | undefined {
    const { plain } = splitFiles(spec);
    if (plain.length === 0) return undefined;
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: meta(configMapName(name), ctx, objectLabels(name, spec, ctx, kind)),
        data: Object.fromEntries(plain.map(({ key, file }) => [key, file.content])),
    };
}

/** The workload's Secret (secret env and secret files), or undefined when it has none. */
export function secretManifest(name: string, spec: ContainerSpec, ctx: ManifestContext, kind: Kind): SecretManifest | undefined {
    const { secret } = splitFiles(spec);
    const env = spec.secretEnv ?? {};
    if (secret.length === 0 && Object.keys(env).length === 0) return undefined;
    const stringData: Record<string, pulumi.Input<string>> = {};
    for (const k of Object.keys(env).sort()) stringData[k] = env[k];
    for (const { key, file } of secret) stringData[key] = file.content;
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: meta(secretName(name), ctx, objectLabels(name, spec, ctx, kind)),
        type: "Opaque",
        stringData,
    };
}

/** File mode: read-only; executable adds x; secret files are group-readable only when the group is known (fsGroup). */
function fileMode(file: FileSpec, groupKnown: boolean): number {
    const read = file.secret && groupKnown ? 0o440 : 0o444;
    return file.executable ? read | ((read & 0o444) >> 2) : read;
}

/**
 * The pod template shared by Deployments, StatefulSets, DaemonSets, Jobs and CronJobs: one
 * container with the spec's image, env, files, scratch dirs, volumes and the restrictive security
 * context the "restricted" Pod Security Standard asks for.
 */
export function podTemplate(
    name: string,
    spec: ContainerSpec & Partial<WorkloadSpec>,
    ctx: ManifestContext,
    kind: Kind,
    extraAnnotations: Record<string, string> = {},
): k8s.types.input.core.v1.PodTemplateSpec {
    const { uid, gid } = parseUser(spec.user);
    const host = spec.host;
    const root = host?.root === true;
    const { plain, secret } = splitFiles(spec);

    const volumes: k8s.types.input.core.v1.Volume[] = [];
    const mounts: k8s.types.input.core.v1.VolumeMount[] = [];
    if (plain.length > 0) {
        volumes.push({
            name: "files",
            configMap: { name: configMapName(name), items: plain.map(({ key, file }) => ({ key, path: key, mode: fileMode(file, gid !== undefined) })) },
        });
        // subPath mounts place each file without hiding the rest of its directory.
        for (const { key, file } of plain) mounts.push({ name: "files", mountPath: file.path, subPath: key, readOnly: true });
    }
    if (secret.length > 0) {
        volumes.push({
            name: "secret-files",
            secret: { secretName: secretName(name), items: secret.map(({ key, file }) => ({ key, path: key, mode: fileMode(file, gid !== undefined) })) },
        });
        for (const { key, file } of secret) mounts.push({ name: "secret-files", mountPath: file.path, subPath: key, readOnly: true });
    }
    for (const s of [...(spec.scratch ?? [])].sort((a, b) => (a.mountPath < b.mountPath ? -1 : 1))) {
        const vol = pathVolumeName("scratch", s.mountPath);
        volumes.push({ name: vol, emptyDir: { sizeLimit: `${s.sizeMi ?? 64}Mi` } });
        mounts.push({ name: vol, mountPath: s.mountPath });
    }
    // Persistent volumes come from the StatefulSet's claim templates (same names); nothing to declare here.
    for (const v of spec.volumes ?? []) mounts.push({ name: v.name, mountPath: v.mountPath });

    const hostPaths = [...(host?.paths ?? [])];
    if (host?.containerLogs) {
        // Kubelet writes container logs under /var/log/pods; /var/log/containers holds symlinks into it.
        hostPaths.push({ hostPath: "/var/log/pods", mountPath: "/var/log/pods" }, { hostPath: "/var/log/containers", mountPath: "/var/log/containers" });
    }
    for (const hp of hostPaths) {
        const vol = pathVolumeName("host", `${hp.hostPath}:${hp.mountPath}`);
        volumes.push({ name: vol, hostPath: { path: hp.hostPath } });
        mounts.push({ name: vol, mountPath: hp.mountPath, readOnly: true, mountPropagation: "HostToContainer" });
    }

    const env: k8s.types.input.core.v1.EnvVar[] = [
        ...Object.entries(spec.env ?? {}).map(([k, value]) => ({ name: k, value })),
        ...Object.keys(spec.secretEnv ?? {}).map((k) => ({ name: k, valueFrom: { secretKeyRef: { name: secretName(name), key: k } } })),
    ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

    const requests = { cpu: spec.resources.cpu, memory: spec.resources.memory };
    const limits: Record<string, string> = { memory: spec.resources.memoryLimit ?? spec.resources.memory };
    if (spec.resources.cpuLimit) limits.cpu = spec.resources.cpuLimit;

    const container: k8s.types.input.core.v1.Container = {
        name,
        image: spec.image,
        imagePullPolicy: "IfNotPresent",
        ...(spec.entrypoint ? { command: [...spec.entrypoint] } : {}),
        ...(spec.command ? { args: [...spec.command] } : {}),
        ...(env.length > 0 ? { env } : {}),
        ...(spec.ports && spec.ports.length > 0 ? { ports: spec.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: "TCP" })) } : {}),
        ...(kind === "service" && spec.healthCheck ? probes(spec.healthCheck) : {}),
        resources: { requests, limits },
        securityContext: {
            allowPrivilegeEscalation: false,
            privileged: false,
            capabilities: { drop: ["ALL"] },
            readOnlyRootFilesystem: spec.readOnlyRootFilesystem === true,
            runAsNonRoot: !root,
            ...(root ? { runAsUser: 0 } : {}),
        },
        ...(mounts.length > 0 ? { volumeMounts: mounts } : {}),
        terminationMessagePolicy: "FallbackToLogsOnError",
    };

    const podSecurity: k8s.types.input.core.v1.PodSecurityContext = {
        runAsNonRoot: !root,
        ...(root ? { runAsUser: 0 } : uid !== undefined ? { runAsUser: uid } : {}),
        ...(!root && gid !== undefined ? { runAsGroup: gid, fsGroup: gid } : {}),
        ...(gid !== undefined && (spec.volumes?.length ?? 0) > 0 ? { fsGroupChangePolicy: "OnRootMismatch" } : {}),
        seccompProfile: { type: "RuntimeDefault" },
    };

    const replicas = spec.replicas ?? 1;
    const selector = selectorLabels(name);
    const apiReader = kind === "service" && readsPods(spec);
    const podSpec: k8s.types.input.core.v1.PodSpec = {
        containers: [container],
        securityContext: podSecurity,
        // Only the log collector talks to the Kubernetes API (its own ServiceAccount, pods read-only);
        // every other pod gets no token. Service links would inject env such as REDIS_PORT.
        ...(apiReader ? { serviceAccountName: name } : {}),
        automountServiceAccountToken: apiReader,
        enableServiceLinks: false,
        ...(host?.pid ? { hostPID: true } : {}),
        restartPolicy: kind === "service" ? "Always" : "Never",
        terminationGracePeriodSeconds: spec.stopGracePeriodSeconds ?? 30,
        ...(kind === "service" && !spec.perNode && replicas > 1
            ? {
                  // Soft spreading: replicas prefer different nodes and zones but still schedule on a small cluster.
                  topologySpreadConstraints: ["kubernetes.io/hostname", "topology.kubernetes.io/zone"].map((topologyKey) => ({
                      maxSkew: 1,
                      topologyKey,
                      whenUnsatisfiable: "ScheduleAnyway",
                      labelSelector: { matchLabels: selector },
                  })),
              }
            : {}),
        ...(spec.perNode ? { tolerations: [{ operator: "Exists", effect: "NoSchedule" }] } : {}),
        ...(volumes.length > 0 ? { volumes } : {}),
    };

    const annotations: Record<string, pulumi.Input<string>> = { ...(spec.annotations ?? {}), ...extraAnnotations };
    if (ctx.filesChecksum !== undefined && plain.length > 0) annotations[CONFIG_CHECKSUM_ANNOTATION] = ctx.filesChecksum;
    if (ctx.secretChecksum !== undefined && (secret.length > 0 || Object.keys(spec.secretEnv ?? {}).length > 0)) {
        annotations[SECRET_CHECKSUM_ANNOTATION] = ctx.secretChecksum;
    }
    return {
        metadata: {
            labels: objectLabels(name, spec, ctx, kind),
            ...(Object.keys(annotations).length > 0 ? { annotations: sorted(annotations) } : {}),
        },
        spec: podSpec,
    };
}

/** Everything a service becomes. */
export interface ServiceManifests {
    /** Deployment, StatefulSet (volumes) or DaemonSet (perNode). */
    readonly workload: DeploymentManifest | StatefulSetManifest | DaemonSetManifest;
    /**
     * ClusterIP Service on the container ports (headless for a perNode workload: its name resolves
     * to every pod); its DNS name is the endpoint host. Absent without ports.
     */
    readonly service?: ServiceManifest;
    /**
     * Headless Service `<name>-pods` on the same selector and ports, for a workload with more than
     * one replica ({@link hasPodsService}): its name resolves to every ready pod, so a scraper
     * reaches each replica. Absent otherwise.
     */
    readonly podsService?: ServiceManifest;
    /** LoadBalancer Service publishing the host ports (edge only). */
    readonly publicService?: ServiceManifest;
    /** NetworkPolicy admitting any source to the published container ports (edge only). */
    readonly publicPolicy?: NetworkPolicyManifest;
    /** Plain files. */
    readonly configMap?: ConfigMapManifest;
    /** Secret env and secret files. */
    readonly secret?: SecretManifest;
    /** PodDisruptionBudget when replicas > 1. */
    readonly pdb?: PodDisruptionBudgetManifest;
    /** API access of a workload that reads pods ({@link readsPods}); absent for every other. */
    readonly podReader?: PodReaderManifests;
}

/** What a workload that reads pods gets: its identity, read access to pods and a way to the API server. */
export interface PodReaderManifests {
    /** ServiceAccount named after the workload (its token is mounted only where the pod asks). */
    readonly serviceAccount: ServiceAccountManifest;
    /** get/list/watch on pods, cluster-wide (the collector discovers pods in every namespace it ships). */
    readonly clusterRole: ClusterRoleManifest;
    /** Binds the role to the ServiceAccount. */
    readonly clusterRoleBinding: ClusterRoleBindingManifest;
    /** Egress from the workload's pods to the API server addresses on {@link API_SERVER_PORTS}. */
    readonly apiServerPolicy: NetworkPolicyManifest;
}

/**
 * The ServiceAccount, ClusterRole, ClusterRoleBinding and API-server egress policy of a workload
 * that reads pods. Alloy's `discovery.kubernetes` with `role = "pod"` lists and watches pods (in
 * the namespaces it is given, or all); it reads no other kind unless asked to attach node or
 * namespace metadata, which the collector's configuration does not do.
 */
export function podReaderManifests(name: string, spec: ContainerSpec, ctx: ManifestContext): PodReaderManifests {
    const labels = objectLabels(name, spec, ctx, "service");
    const roleName = podReaderRoleName(name, ctx.namespace);
    const cidrs = [...(ctx.apiServerCidrs ?? DEFAULT_API_SERVER_CIDRS)];
    return {
        serviceAccount: {
            apiVersion: "v1",
            kind: "ServiceAccount",
            metadata: meta(name, ctx, labels),
            // Only a pod that asks for the token gets it (the collector's does); any other pod
            // naming this account by mistake gets none.
            automountServiceAccountToken: false,
        },
        clusterRole: {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRole",
            metadata: { name: roleName, labels },
            rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] }],
        },
        clusterRoleBinding: {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: { name: roleName, labels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: roleName },
            subjects: [{ kind: "ServiceAccount", name, namespace: ctx.namespace }],
        },
        apiServerPolicy: {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: meta(apiServerPolicyName(name), ctx, labels),
            spec: {
                podSelector: { matchLabels: selectorLabels(name) },
                policyTypes: ["Egress"],
                egress: [
                    {
                        to: cidrs.map((cidr) => ({ ipBlock: { cidr } })),
                        ports: [...API_SERVER_PORTS].map((port) => ({ port, protocol: "TCP" })),
                    },
                ],
            },
        },
    };
}

/** The objects of a long-running service. */
export function serviceManifests(name: string, spec: WorkloadSpec, ctx: ManifestContext): ServiceManifests {
    const labels = objectLabels(name, spec, ctx, "service");
    const annotations = objectAnnotations(spec);
    const selector = selectorLabels(name);
    const template = podTemplate(name, spec, ctx, "service");
    const replicas = spec.replicas ?? 1;
    const metadata = meta(name, ctx, labels, annotations);

    let workload: ServiceManifests["workload"];
    if (spec.perNode) {
        workload = {
            apiVersion: "apps/v1",
            kind: "DaemonSet",
            metadata,
            spec: {
                selector: { matchLabels: selector },
                template,
                updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
                revisionHistoryLimit: 5,
            },
        };
    } else if ((spec.volumes?.length ?? 0) > 0) {
        workload = {
            apiVersion: "apps/v1",
            kind: "StatefulSet",
            metadata,
            spec: {
                replicas,
                serviceName: name,
                selector: { matchLabels: selector },
                template,
                // A StatefulSet replaces pods one at a time (its maxUnavailable cannot be 0); with one
                // replica an update is a short outage the ReadWriteOnce volume makes unavoidable.
                updateStrategy: { type: "RollingUpdate" },
                podManagementPolicy: "OrderedReady",
                // Keep the data when the StatefulSet is deleted or scaled down.
                persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
                revisionHistoryLimit: 5,
                volumeClaimTemplates: (spec.volumes ?? []).map((v) => ({
                    metadata: { name: v.name, labels },
                    spec: {
                        accessModes: ["ReadWriteOnce"],
                        ...(ctx.storageClassName ? { storageClassName: ctx.storageClassName } : {}),
                        resources: { requests: { storage: `${v.sizeGi}Gi` } },
                    },
                })),
            },
        };
    } else {
        workload = {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata,
            spec: {
                replicas,
                selector: { matchLabels: selector },
                template,
                // Never below the desired count: one extra pod comes up, becomes ready, then an old one goes.
                strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
                revisionHistoryLimit: 5,
            },
        };
    }

    const ports = spec.ports;
    const service: ServiceManifest | undefined =
        ports.length > 0
            ? {
                  apiVersion: "v1",
                  kind: "Service",
                  // The spec's annotations (backup coverage, policy exemptions) describe the
                  // workload; they go on the workload and its pods only.
                  metadata: meta(name, ctx, labels),
                  spec: {
                      type: "ClusterIP",
                      // A per-node workload gets a headless Service: its name resolves to every pod
                      // (one per node), so a scraper can reach each node (Prometheus's DNS discovery)
                      // where a virtual IP would reach one random pod per connection. Pods that are
                      // not ready stay in DNS so a failing agent shows up as a failing target.
                      ...(spec.perNode ? { clusterIP: "None", publishNotReadyAddresses: true } : {}),
                      selector,
                      ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: "TCP" })),
                  },
              }
            : undefined;

    // The ClusterIP name balances connections across the replicas, so a scraper using it sees a
    // random pod's counters on each scrape (resets to rate()). This headless twin resolves to every
    // pod for Prometheus's DNS discovery. Only ready pods are listed: a pod still starting or
    // failing its readiness check serves no traffic, and its counters would only add noise.
    const podsService: ServiceManifest | undefined = hasPodsService(spec)
        ? {
              apiVersion: "v1",
              kind: "Service",
              metadata: meta(podsServiceName(name), ctx, labels),
              spec: {
                  type: "ClusterIP",
                  clusterIP: "None",
                  publishNotReadyAddresses: false,
                  selector,
                  ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: "TCP" })),
              },
          }
        : undefined;

    const published = ports.filter((p) => p.hostPort !== undefined);
    let publicService: ServiceManifest | undefined;
    let publicPolicy: NetworkPolicyManifest | undefined;
    if (published.length > 0) {
        publicService = {
            apiVersion: "v1",
            kind: "Service",
            metadata: meta(publicServiceName(name), ctx, labels),
            spec: {
                type: "LoadBalancer",
                // Local keeps the client's source address (access logs, rate limits) and skips a hop.
                externalTrafficPolicy: "Local",
                selector,
                ports: published.map((p) => ({ name: p.name, port: p.hostPort as number, targetPort: p.name, protocol: "TCP" })),
            },
        };
        publicPolicy = {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: meta(publicServiceName(name), ctx, labels),
            spec: {
                podSelector: { matchLabels: selector },
                policyTypes: ["Ingress"],
                // No "from": any source, but only on the published container ports.
                ingress: [{ ports: published.map((p) => ({ port: p.port, protocol: "TCP" })) }],
            },
        };
    }

    const pdb: PodDisruptionBudgetManifest | undefined =
        !spec.perNode && replicas > 1
            ? {
                  apiVersion: "policy/v1",
                  kind: "PodDisruptionBudget",
                  metadata: meta(name, ctx, labels),
                  spec: {
                      maxUnavailable: 1,
                      selector: { matchLabels: selector },
                      // A crash-looping pod must not block node drains.
                      unhealthyPodEvictionPolicy: "AlwaysAllow",
                  },
              }
            : undefined;

    return {
        workload,
        service,
        podsService,
        publicService,
        publicPolicy,
        configMap: configMapManifest(name, spec, ctx, "service"),
        secret: secretManifest(name, spec, ctx, "service"),
        pdb,
        ...(readsPods(spec) ? { podReader: podReaderManifests(name, spec, ctx) } : {}),
    };
}

/** Everything a job becomes. */
export interface JobManifests {
    /** The Job. */
    readonly job: JobManifest;
    /** Plain files. */
    readonly configMap?: ConfigMapManifest;
    /** Secret env and secret files. */
    readonly secret?: SecretManifest;
}

/** Options of a Job beyond its spec. */
export interface JobOptions {
    /** metadata.name of the Job (see {@link jobName}). */
    readonly jobName: pulumi.Input<string>;
    /** Hash of the trigger, recorded as an annotation. */
    readonly triggerHash: pulumi.Input<string>;
    /** Seconds after which Kubernetes deletes the finished Job. Defaults to never. */
    readonly ttlSecondsAfterFinished?: number;
}

function jobSpecBody(name: string, spec: JobSpec, ctx: ManifestContext, kind: Kind, extraAnnotations: Record<string, string> = {}): k8s.types.input.batch.v1.JobSpec {
    return {
        backoffLimit: spec.backoffLimit ?? 2,
        activeDeadlineSeconds: spec.deadlineSeconds ?? 3600,
        template: podTemplate(name, spec, ctx, kind, extraAnnotations),
    };
}

/** The objects of a run-once job. */
export function jobManifests(name: string, spec: JobSpec, ctx: ManifestContext, opts: JobOptions): JobManifests {
    const labels = objectLabels(name, spec, ctx, "job");
    const annotations: Record<string, pulumi.Input<string>> = { ...(spec.annotations ?? {}), [TRIGGER_ANNOTATION]: opts.triggerHash };
    return {
        job: {
            apiVersion: "batch/v1",
            kind: "Job",
            metadata: { name: opts.jobName, namespace: ctx.namespace, labels, annotations: sorted(annotations) },
            spec: {
                ...jobSpecBody(name, spec, ctx, "job"),
                ...(opts.ttlSecondsAfterFinished !== undefined ? { ttlSecondsAfterFinished: opts.ttlSecondsAfterFinished } : {}),
            },
        },
        configMap: configMapManifest(name, spec, ctx, "job"),
        secret: secretManifest(name, spec, ctx, "job"),
    };
}

/** Everything a schedule becomes. */
export interface ScheduleManifests {
    /** The CronJob. */
    readonly cronJob: CronJobManifest;
    /** Plain files. */
    readonly configMap?: ConfigMapManifest;
    /** Secret env and secret files. */
    readonly secret?: SecretManifest;
}

/** The objects of a scheduled job. */
export function scheduleManifests(name: string, spec: ScheduleSpec, ctx: ManifestContext): ScheduleManifests {
    const labels = objectLabels(name, spec, ctx, "schedule");
    const cronAnnotation = { [ANNOTATIONS.schedule]: spec.cron };
    const annotations = objectAnnotations(spec, cronAnnotation);
    return {
        cronJob: {
            apiVersion: "batch/v1",
            kind: "CronJob",
            metadata: meta(name, ctx, labels, annotations),
            spec: {
                schedule: spec.cron,
                timeZone: CRON_TIME_ZONE,
                // A backup still running when the next one is due is not doubled up.
                concurrencyPolicy: "Forbid",
                startingDeadlineSeconds: CRON_STARTING_DEADLINE_SECONDS,
                successfulJobsHistoryLimit: CRON_HISTORY_LIMIT,
                failedJobsHistoryLimit: CRON_HISTORY_LIMIT,
                suspend: false,
                jobTemplate: {
                    metadata: { labels, ...(annotations ? { annotations } : {}) },
                    spec: jobSpecBody(name, spec, ctx, "schedule", cronAnnotation),
                },
            },
        },
        configMap: configMapManifest(name, spec, ctx, "schedule"),
        secret: secretManifest(name, spec, ctx, "schedule"),
    };
}

/** Pod Security Admission level of a namespace. */
export type PodSecurityLevel = "restricted" | "baseline" | "privileged";

/**
 * A namespace enforcing a Pod Security Standard; audit and warn are always "restricted" so any
 * relaxation shows up in the API server's warnings and audit log.
 */
export function namespaceManifest(namespace: string, enforce: PodSecurityLevel = POD_SECURITY_LEVEL): NamespaceManifest {
    return {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
            name: namespace,
            labels: sorted({
                "app.kubernetes.io/managed-by": "pulumi",
                "app.kubernetes.io/part-of": "pro-team-care",
                "pod-security.kubernetes.io/enforce": enforce,
                "pod-security.kubernetes.io/enforce-version": "latest",
                "pod-security.kubernetes.io/audit": POD_SECURITY_LEVEL,
                "pod-security.kubernetes.io/audit-version": "latest",
                "pod-security.kubernetes.io/warn": POD_SECURITY_LEVEL,
                "pod-security.kubernetes.io/warn-version": "latest",
            }),
        },
    };
}

/** Options of the namespace-wide NetworkPolicies. */
export interface NetworkPolicyOptions {
    /** Namespace the policies go into. */
    readonly namespace: string;
    /** Every namespace of the platform whose pods are peers (the app namespace and the host-agent one). */
    readonly peerNamespaces: readonly string[];
    /** Where cluster DNS runs. */
    readonly dns: DnsPeer;
    /** Egress to outside the cluster. */
    readonly externalEgress: readonly ExternalEgressRule[];
}

/** Tiers a pod of `tier` may open connections to, per {@link TIER_INGRESS}. */
export function egressTargets(tier: Tier): Tier[] {
    return TIERS.filter((target) => TIER_INGRESS[target].includes(tier));
}

function tierPeer(tiers: readonly Tier[], o: NetworkPolicyOptions): k8s.types.input.networking.v1.NetworkPolicyPeer {
    return {
        namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: [...o.peerNamespaces] }] },
        podSelector: { matchExpressions: [{ key: LABELS.tier, operator: "In", values: [...tiers] }] },
    };
}

/**
 * The namespace's NetworkPolicies: deny everything by default, let every pod resolve DNS, and one
 * policy per tier that admits exactly the tiers {@link TIER_INGRESS} names and lets the tier reach
 * exactly the tiers that admit it (both directions must be allowed under a default deny). Tiers
 * named in external egress rules also get those. Public ingress to the edge is per workload
 * ({@link ServiceManifests.publicPolicy}) because it depends on the published ports.
 */
export function networkPolicyManifests(o: NetworkPolicyOptions): NetworkPolicyManifest[] {
    const labels = { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "pro-team-care" };
    const m = (name: string): ObjectMeta => ({ name, namespace: o.namespace, labels });
    const out: NetworkPolicyManifest[] = [
        {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: m("default-deny"),
            spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
        },
        {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: m("allow-dns-egress"),
            spec: {
                podSelector: {},
                policyTypes: ["Egress"],
                egress: [
                    {
                        to: [
                            {
                                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": o.dns.namespace } },
                                podSelector: { matchLabels: sorted({ ...o.dns.podLabels }) },
                            },
                        ],
                        ports: [
                            { port: 53, protocol: "UDP" },
                            { port: 53, protocol: "TCP" },
                        ],
                    },
                ],
            },
        },
    ];
    for (const tier of TIERS) {
        const from = TIER_INGRESS[tier];
        const to = egressTargets(tier);
        const egress: k8s.types.input.networking.v1.NetworkPolicyEgressRule[] = [];
        if (to.length > 0) egress.push({ to: [tierPeer(to, o)] });
        for (const rule of o.externalEgress.filter((r) => r.tiers.includes(tier))) {
            egress.push({
                to: rule.cidrs.map((cidr) => {
                    const except = (rule.except ?? []).filter((e) => e.includes(":") === cidr.includes(":"));
                    return { ipBlock: { cidr, ...(except.length > 0 ? { except } : {}) } };
                }),
                ports: [...rule.ports].sort((a, b) => a - b).map((port) => ({ port, protocol: "TCP" })),
            });
        }
        out.push({
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: m(`tier-${tier}`),
            spec: {
                podSelector: { matchLabels: { [LABELS.tier]: tier } },
                policyTypes: ["Ingress", "Egress"],
                ...(from.length > 0 ? { ingress: [{ from: [tierPeer(from, o)] }] } : {}),
                ...(egress.length > 0 ? { egress } : {}),
            },
        });
    }
    return out;
}
