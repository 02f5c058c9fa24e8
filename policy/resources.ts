/**
 * Read-only views over the resource shapes the platforms emit (see the platform contract): docker
 * containers, Kubernetes workloads and services, AWS S3 resources. Values are read through the
 * analyzer's unknown-checking proxy, so reading a value that is unknown during preview throws
 * the SDK's UnknownValueError, which the analyzer turns into a "can't run during preview" result.
 */
import { ANNOTATIONS, LABELS } from "./labels";
import { arr, at, obj, type Obj, str } from "./objects";

/** Resource type tokens the pack looks at. */
export const TYPES = {
    container: "docker:index/container:Container",
    deployment: "kubernetes:apps/v1:Deployment",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    daemonSet: "kubernetes:apps/v1:DaemonSet",
    job: "kubernetes:batch/v1:Job",
    cronJob: "kubernetes:batch/v1:CronJob",
    pod: "kubernetes:core/v1:Pod",
    service: "kubernetes:core/v1:Service",
    bucket: "aws:s3/bucket:Bucket",
    bucketVersioning: "aws:s3/bucketVersioning:BucketVersioning",
    bucketEncryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    bucketPublicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    bucketLifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
} as const;

/** Kubernetes types that run long-lived pods and therefore need probes. */
export const K8S_SERVICE_WORKLOADS: readonly string[] = [TYPES.deployment, TYPES.statefulSet, TYPES.daemonSet];

/** Every Kubernetes type that carries a pod template (or is a pod). */
export const K8S_POD_OWNERS: readonly string[] = [...K8S_SERVICE_WORKLOADS, TYPES.job, TYPES.cronJob, TYPES.pod];

/** A resource as a rule sees it. */
export interface Subject {
    /** Type token. */
    readonly type: string;
    /** Resource (URN) name. */
    readonly name: string;
    /** URN. */
    readonly urn: string;
    /** Inputs (behind the analyzer's unknown-checking proxy). */
    readonly props: Readonly<Record<string, unknown>>;
    /** The resource's additionalSecretOutputs option (the only secretness the analyzer passes to policies). */
    readonly additionalSecretOutputs?: readonly string[];
    /** URN of the parent resource, when known (stack rules only). */
    readonly parent?: string;
    /** URNs each input depends on, when the engine sent them (stack rules only). */
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

// The object helpers live in ./objects; re-exported because every rule module reads them from here.
export { arr, at, isPlainObject, num, obj, type Obj, str } from "./objects";

/** A string map (labels, annotations) from an object, keeping string values only. */
export function stringMap(v: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    const o = obj(v);
    if (!o) return out;
    for (const k of Object.keys(o)) {
        const s = str(o[k]);
        if (s !== undefined) out[k] = s;
    }
    return out;
}

/** Docker container labels (`[{ label, value }]`) as a map. */
export function dockerLabels(props: Obj): Record<string, string> {
    const out: Record<string, string> = {};
    for (const entry of arr(props.labels)) {
        const label = str(at(entry, "label"));
        const value = str(at(entry, "value"));
        if (label !== undefined && value !== undefined) out[label] = value;
    }
    return out;
}

/** A Kubernetes container of a pod spec. */
export interface ContainerView {
    /** Container name. */
    readonly name: string;
    /** True for init containers. */
    readonly init: boolean;
    /** The container object. */
    readonly spec: Obj;
}

/** The pod a Kubernetes object runs. */
export interface PodView {
    /** Pod template labels. */
    readonly labels: Record<string, string>;
    /** Pod template annotations. */
    readonly annotations: Record<string, string>;
    /** The pod spec. */
    readonly spec: Obj;
    /** Containers and init containers. */
    readonly containers: readonly ContainerView[];
}

/** The pod template (or pod) of a Kubernetes workload; undefined for other types. */
export function podOf(subject: Pick<Subject, "type" | "props">): PodView | undefined {
    let template: unknown;
    switch (subject.type) {
        case TYPES.deployment:
        case TYPES.statefulSet:
        case TYPES.daemonSet:
        case TYPES.job:
            template = at(subject.props, "spec", "template");
            break;
        case TYPES.cronJob:
            template = at(subject.props, "spec", "jobTemplate", "spec", "template");
            break;
        case TYPES.pod:
            template = subject.props;
            break;
        default:
            return undefined;
    }
    const spec = obj(at(template, "spec")) ?? {};
    const containers: ContainerView[] = [];
    for (const [key, init] of [["initContainers", true], ["containers", false]] as const) {
        for (const c of arr(spec[key])) {
            const o = obj(c);
            if (o) containers.push({ name: str(o.name) ?? "(unnamed)", init, spec: o });
        }
    }
    return {
        labels: stringMap(at(template, "metadata", "labels")),
        annotations: stringMap(at(template, "metadata", "annotations")),
        spec,
        containers,
    };
}

/** Labels and annotations of a workload, whatever the platform. */
export interface Meta {
    /** Labels (object labels win over pod template labels). */
    readonly labels: Record<string, string>;
    /** Annotations (object annotations win over pod template annotations). */
    readonly annotations: Record<string, string>;
}

/** Labels and annotations; on docker both are the container labels. */
export function metaOf(subject: Pick<Subject, "type" | "props">): Meta {
    if (subject.type === TYPES.container) {
        const labels = dockerLabels(subject.props);
        return { labels, annotations: labels };
    }
    const pod = subject.type === TYPES.pod ? undefined : podOf(subject);
    return {
        labels: { ...(pod?.labels ?? {}), ...stringMap(at(subject.props, "metadata", "labels")) },
        annotations: { ...(pod?.annotations ?? {}), ...stringMap(at(subject.props, "metadata", "annotations")) },
    };
}

/** True for the resource types that run containers (docker containers and Kubernetes pod owners). */
export function isWorkload(type: string): boolean {
    return type === TYPES.container || K8S_POD_OWNERS.includes(type);
}

/** The workload's name: its workload label, else the container/object name, else the resource name. */
export function workloadName(subject: Pick<Subject, "type" | "props" | "name">): string {
    const meta = metaOf(subject);
    return (
        meta.labels[LABELS.workload] ??
        (subject.type === TYPES.container ? str(subject.props.name) : str(at(subject.props, "metadata", "name"))) ??
        subject.name
    );
}

/** Every image the workload runs (one on docker; every container and init container on Kubernetes). */
export function imagesOf(subject: Pick<Subject, "type" | "props">): string[] {
    if (subject.type === TYPES.container) {
        const image = str(subject.props.image);
        return image === undefined ? [] : [image];
    }
    return (podOf(subject)?.containers ?? []).map((c) => str(c.spec.image) ?? "");
}

/** Splits a comma-separated annotation value into trimmed, non-empty names. */
export function splitList(value: string | undefined): string[] {
    return (value ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
}

/** Exemption names a resource asks for (the policy-exemptions annotation). */
export function requestedExemptions(subject: Pick<Subject, "type" | "props">): string[] {
    if (!isWorkload(subject.type)) {
        return splitList(stringMap(at(subject.props, "metadata", "annotations"))[ANNOTATIONS.exemptions]);
    }
    return splitList(metaOf(subject).annotations[ANNOTATIONS.exemptions]);
}
