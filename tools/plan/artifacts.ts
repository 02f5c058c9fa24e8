/**
 * Renders what the plan's resources would put on a platform as files real tools can check:
 * - `kubernetes/<kind>-<namespace>-<name>.yaml`: one manifest per Kubernetes object
 *   (`kubernetes/<kind>-<name>.yaml` for cluster-scoped kinds such as Namespace);
 * - `docker/<container>.json`: one container definition (its inputs) per docker container;
 * - `files/<workload>/<path inside the container>`: every config file a workload gets, from docker
 *   uploads and from ConfigMaps mounted into pods (ConfigMaps no pod mounts go to
 *   `files/_unmounted/<namespace>-<configmap>/<key>`).
 * Secret values never reach a file: manifests and container definitions keep the secret's shape
 * with every value replaced by "[secret]" (base64 of "[secret]" in a Secret's `data`, which must
 * be base64); secret files (docker uploads marked secret, Secret volumes) are not written at all
 * and are listed under `skipped` (and in `plan-artifacts.json`).
 * Pure except {@link writeArtifacts}.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";

import { arr, record, str } from "../../stacks/objects";
import { CLUSTER_SCOPED_KINDS, kubernetesTypeInfo } from "./mocks";
import { containsSecret, isPlainObject, isSecretEnvelope, REDACTED, redactLeaves, unwrapSecrets } from "./secrets";

/** What artifacts are rendered from: a recorded resource (inputs with secret envelopes) and the mock's state. */
export interface ArtifactSource {
    /** URN (named in notes and the index). */
    readonly urn: string;
    /** Type token. */
    readonly type: string;
    /** Logical name (the fallback object name). */
    readonly name: string;
    /** Only custom resources are rendered. */
    readonly custom: boolean;
    /** Inputs in wire form: secrets still in envelopes. */
    readonly inputs: Record<string, unknown>;
    /** The mock's output state (names the program left to auto-naming). Defaults to none. */
    readonly state?: Record<string, unknown>;
}

/** One file to write, relative to the artifact directory. */
export interface Artifact {
    readonly path: string;
    readonly content: string | Buffer;
}

/** A file that was not written because it holds a secret. */
export interface SkippedFile {
    /** Where it would have gone (relative to the artifact directory). */
    readonly path: string;
    /** Why it was skipped. */
    readonly reason: string;
    /** URN of the resource it comes from. */
    readonly source: string;
}

/** The rendered artifacts. */
export interface Artifacts {
    /** Files, sorted by path. */
    readonly files: readonly Artifact[];
    /** Secret files left out, sorted by path. */
    readonly skipped: readonly SkippedFile[];
    /** Anything odd (conflicting files, unsafe paths). */
    readonly notes: readonly string[];
}

/** Label naming the workload an object belongs to (see components/platform/spec.ts LABELS.workload). */
const WORKLOAD_LABEL = "proteamcare.io/workload";

/** Name of the index file written next to the artifacts. */
export const INDEX_FILE = "plan-artifacts.json";

/** base64 of "[secret]": what a secret `data` value becomes (the field must hold base64). */
export const REDACTED_BASE64 = Buffer.from(REDACTED).toString("base64");

/** A rendered Kubernetes object. */
export interface KubernetesManifest {
    readonly kind: string;
    readonly name: string;
    /** Undefined for cluster-scoped kinds. */
    readonly namespace?: string;
    /** Source resource URN. */
    readonly urn: string;
    /** The manifest, secrets redacted. */
    readonly doc: Record<string, unknown>;
    /** The manifest with secret envelopes still in place (never written). */
    readonly raw: Record<string, unknown>;
}

function safeSegment(s: string): string {
    return s.replace(/[^A-Za-z0-9._-]/g, "_");
}

/** Joins a path inside a container under a prefix; undefined when it would escape. */
function containerPath(prefix: string, inside: string): string | undefined {
    const norm = path.posix.normalize(`/${inside}`).replace(/^\/+/, "");
    if (norm === "" || norm.startsWith("..")) return undefined;
    return `${prefix}/${norm}`;
}

/** Builds the manifest of every Kubernetes object among the resources. */
export function kubernetesManifests(resources: readonly ArtifactSource[]): KubernetesManifest[] {
    const out: KubernetesManifest[] = [];
    for (const r of resources) {
        const info = kubernetesTypeInfo(r.type);
        if (!info || !r.custom || /(Patch|List)$/.test(info.kind)) continue;
        const inputs = r.inputs;
        const meta = record(inputs.metadata);
        const stateMeta = record(unwrapSecrets(r.state?.metadata));
        const kind = str(inputs.kind) ?? info.kind;
        const name = str(unwrapSecrets(meta.name)) ?? str(stateMeta.name) ?? r.name;
        const namespace = CLUSTER_SCOPED_KINDS.has(kind) ? undefined : (str(unwrapSecrets(meta.namespace)) ?? str(stateMeta.namespace) ?? "default");
        const rest = Object.fromEntries(Object.entries(inputs).filter(([k]) => !["apiVersion", "kind", "metadata", "status"].includes(k)));
        const raw: Record<string, unknown> = {
            apiVersion: str(inputs.apiVersion) ?? info.apiVersion,
            kind,
            metadata: {
                name,
                ...(namespace !== undefined ? { namespace } : {}),
                ...Object.fromEntries(Object.entries(meta).filter(([k]) => k !== "name" && k !== "namespace")),
            },
            ...rest,
        };
        const doc = redactLeaves(raw, (p) => (p[0] === "data" || p[0] === "binaryData" ? REDACTED_BASE64 : REDACTED)) as Record<string, unknown>;
        out.push({ kind, name, namespace, urn: r.urn, doc, raw });
    }
    return out;
}

/** File name of a manifest: `kubernetes/<kind>-<namespace>-<name>.yaml` (no namespace for cluster-scoped kinds). */
export function manifestPath(m: Pick<KubernetesManifest, "kind" | "name" | "namespace">): string {
    const parts = [m.kind.toLowerCase(), ...(m.namespace !== undefined ? [m.namespace] : []), m.name].map(safeSegment);
    return `kubernetes/${parts.join("-")}.yaml`;
}

function podSpecOf(m: KubernetesManifest): Record<string, unknown> | undefined {
    const spec = record(unwrapSecrets(m.raw.spec));
    switch (m.kind) {
        case "Pod":
            return spec;
        case "CronJob":
            return record(record(record(record(spec.jobTemplate).spec).template).spec);
        case "Deployment":
        case "StatefulSet":
        case "DaemonSet":
        case "ReplicaSet":
        case "Job":
            return record(record(spec.template).spec);
        default:
            return undefined;
    }
}

interface Collector {
    files: Map<string, Artifact>;
    skipped: Map<string, SkippedFile>;
    notes: string[];
}

function addFile(c: Collector, p: string, content: string | Buffer, source: string): void {
    const prev = c.files.get(p);
    if (prev && Buffer.compare(Buffer.from(prev.content), Buffer.from(content)) !== 0) {
        c.notes.push(`${p}: two different contents (kept the first; also from ${source})`);
        return;
    }
    c.files.set(p, { path: p, content });
}

function skip(c: Collector, p: string, reason: string, source: string): void {
    if (!c.skipped.has(p)) c.skipped.set(p, { path: p, reason, source });
}

/** The workload a docker container runs: its `proteamcare.io/workload` label, if any. */
function dockerWorkload(inputs: Record<string, unknown>): string | undefined {
    for (const l of arr(unwrapSecrets(inputs.labels)).map(record)) {
        if (l.label === WORKLOAD_LABEL && typeof l.value === "string") return l.value;
    }
    return undefined;
}

/** Docker: container definitions and uploaded files. */
function dockerArtifacts(resources: readonly ArtifactSource[], c: Collector): void {
    for (const r of resources) {
        if (r.type !== "docker:index/container:Container") continue;
        const container = str(unwrapSecrets(r.inputs.name)) ?? r.name;
        const definition = redactLeaves(r.inputs);
        addFile(c, `docker/${safeSegment(container)}.json`, `${JSON.stringify(definition, null, 2)}\n`, r.urn);
        const workload = dockerWorkload(r.inputs) ?? container;
        const uploads = r.inputs.uploads;
        const wholeSecret = isSecretEnvelope(uploads);
        for (const item of arr(unwrapSecrets(uploads))) {
            const u = record(item);
            const file = str(u.file);
            if (!file) continue;
            const target = containerPath(`files/${safeSegment(workload)}`, file);
            if (!target) {
                c.notes.push(`${r.urn}: upload path ${file} is not a safe path; not written`);
                continue;
            }
            const rawItem = arr(wholeSecret ? [] : uploads).find((x) => str(record(unwrapSecrets(x)).file) === file);
            if (wholeSecret || rawItem === undefined || containsSecret(rawItem)) {
                skip(c, target, "secret upload", r.urn);
                continue;
            }
            if (typeof u.content === "string") addFile(c, target, u.content, r.urn);
            else if (typeof u.contentBase64 === "string") addFile(c, target, Buffer.from(u.contentBase64, "base64"), r.urn);
            else c.notes.push(`${r.urn}: upload ${file} has no inline content (source file on the host); not written`);
        }
    }
}

interface Entry {
    key: string;
    rel: string;
}

function entriesOf(source: Record<string, unknown>, keys: readonly string[]): Entry[] {
    const items = arr(source.items).map(record);
    if (items.length > 0) return items.map((i) => ({ key: str(i.key) ?? "", rel: str(i.path) ?? str(i.key) ?? "" })).filter((e) => e.key !== "");
    return keys.map((k) => ({ key: k, rel: k }));
}

/** Kubernetes: files that ConfigMaps put into pods (Secret volumes are listed as skipped). */
function kubernetesFiles(manifests: readonly KubernetesManifest[], c: Collector): void {
    const index = new Map(manifests.map((m) => [`${m.kind}/${m.namespace}/${m.name}`, m]));
    const mounted = new Set<string>();
    for (const w of manifests) {
        const pod = podSpecOf(w);
        if (!pod) continue;
        const labels = record(record(w.raw.metadata).labels);
        const workload = safeSegment(str(unwrapSecrets(labels[WORKLOAD_LABEL])) ?? w.name);
        const volumes = new Map(arr(pod.volumes).map(record).map((v) => [str(v.name) ?? "", v]));
        for (const ctr of [...arr(pod.initContainers), ...arr(pod.containers)].map(record)) {
            for (const mount of arr(ctr.volumeMounts).map(record)) {
                const vol = volumes.get(str(mount.name) ?? "");
                if (!vol) continue;
                const sources: { kind: "ConfigMap" | "Secret"; name: string; src: Record<string, unknown> }[] = [];
                if (isPlainObject(vol.configMap)) sources.push({ kind: "ConfigMap", name: str(vol.configMap.name) ?? "", src: vol.configMap });
                if (isPlainObject(vol.secret)) sources.push({ kind: "Secret", name: str(vol.secret.secretName) ?? "", src: vol.secret });
                for (const s of arr(record(vol.projected).sources).map(record)) {
                    if (isPlainObject(s.configMap)) sources.push({ kind: "ConfigMap", name: str(s.configMap.name) ?? "", src: s.configMap });
                    if (isPlainObject(s.secret)) sources.push({ kind: "Secret", name: str(s.secret.name) ?? "", src: s.secret });
                }
                const mountPath = str(mount.mountPath) ?? "/";
                const subPath = str(mount.subPath);
                for (const s of sources) {
                    const target = index.get(`${s.kind}/${w.namespace}/${s.name}`);
                    if (!target) {
                        c.notes.push(`${w.urn}: volume ${String(vol.name)} refers to ${s.kind} ${s.name}, which the program does not create`);
                        continue;
                    }
                    mounted.add(target.urn);
                    const data = target.raw.data;
                    const binary = target.raw.binaryData;
                    const stringData = target.raw.stringData;
                    const keys = [...new Set([...Object.keys(record(unwrapSecrets(data))), ...Object.keys(record(unwrapSecrets(binary))), ...Object.keys(record(unwrapSecrets(stringData)))])].sort();
                    for (const e of entriesOf(s.src, keys)) {
                        if (subPath !== undefined && e.rel !== subPath) continue;
                        const inside = subPath !== undefined ? mountPath : `${mountPath}/${e.rel}`;
                        const out = containerPath(`files/${workload}`, inside);
                        if (!out) continue;
                        if (s.kind === "Secret") {
                            skip(c, out, "Kubernetes Secret volume", target.urn);
                            continue;
                        }
                        writeConfigMapEntry(c, out, target, e.key);
                    }
                }
            }
        }
    }
    for (const m of manifests) {
        if (m.kind !== "ConfigMap" || mounted.has(m.urn)) continue;
        const keys = [...new Set([...Object.keys(record(unwrapSecrets(m.raw.data))), ...Object.keys(record(unwrapSecrets(m.raw.binaryData)))])].sort();
        for (const k of keys) {
            const out = containerPath(`files/_unmounted/${safeSegment(`${m.namespace}-${m.name}`)}`, k);
            if (out) writeConfigMapEntry(c, out, m, k);
        }
    }
}

function writeConfigMapEntry(c: Collector, out: string, cm: KubernetesManifest, key: string): void {
    const data = cm.raw.data;
    const binary = cm.raw.binaryData;
    const dataValue = isSecretEnvelope(data) ? data : record(data)[key];
    const binaryValue = isSecretEnvelope(binary) ? binary : record(binary)[key];
    const v = dataValue ?? binaryValue;
    if (v === undefined) return;
    if (containsSecret(v)) {
        skip(c, out, "secret ConfigMap value", cm.urn);
        return;
    }
    if (dataValue !== undefined && typeof dataValue === "string") addFile(c, out, dataValue, cm.urn);
    else if (typeof binaryValue === "string") addFile(c, out, Buffer.from(binaryValue, "base64"), cm.urn);
}

/** Renders every artifact of a plan. */
export function renderArtifacts(resources: readonly ArtifactSource[]): Artifacts {
    const c: Collector = { files: new Map(), skipped: new Map(), notes: [] };
    const manifests = kubernetesManifests(resources);
    for (const m of manifests) {
        addFile(c, manifestPath(m), YAML.stringify(m.doc, { lineWidth: 0 }), m.urn);
    }
    dockerArtifacts(resources, c);
    kubernetesFiles(manifests, c);
    const byPath = <T extends { path: string }>(a: T, b: T): number => a.path.localeCompare(b.path);
    return { files: [...c.files.values()].sort(byPath), skipped: [...c.skipped.values()].sort(byPath), notes: c.notes };
}

/**
 * Writes artifacts under `dir`. A directory the plan wrote before (it holds {@link INDEX_FILE})
 * is cleared of the plan's own subdirectories first; any other non-empty directory is refused,
 * so the plan never deletes files it did not write.
 */
export function writeArtifacts(dir: string, a: Artifacts): void {
    if (fs.existsSync(dir)) {
        const entries = fs.readdirSync(dir);
        if (entries.length > 0 && !entries.includes(INDEX_FILE)) {
            throw new Error(`--out ${dir} is not empty and was not written by the plan: choose an empty or new directory`);
        }
        for (const sub of ["kubernetes", "docker", "files", INDEX_FILE]) fs.rmSync(path.join(dir, sub), { recursive: true, force: true });
    }
    fs.mkdirSync(dir, { recursive: true });
    for (const f of a.files) {
        const target = path.join(dir, f.path);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, f.content);
    }
    const index = { files: a.files.map((f) => f.path), skippedSecretFiles: a.skipped, notes: a.notes };
    fs.writeFileSync(path.join(dir, INDEX_FILE), `${JSON.stringify(index, null, 2)}\n`);
}
