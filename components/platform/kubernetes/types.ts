/**
 * The shapes of the Kubernetes objects the renderers emit, and what every renderer needs to know
 * besides the spec ({@link ManifestContext}). Values that come from other resources stay
 * `pulumi.Input`s inside the objects; with plain strings in the spec the objects are plain JSON and
 * validate against the Kubernetes schema.
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";

/** Object metadata as the provider takes it. */
export type ObjectMeta = k8s.types.input.meta.v1.ObjectMeta;

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

/** What the builders need to know besides the spec. */
export interface ManifestContext {
    /** Namespace the objects go into. */
    readonly namespace: string;
    /** Name of the component that owns the workload (the `LABELS.component` label). */
    readonly component: string;
    /** StorageClass of volume claims. Defaults to the cluster's default class. */
    readonly storageClassName?: string;
    /** Checksum of the ConfigMap data (see `contentChecksum` in config.ts). Defaults to no annotation. */
    readonly filesChecksum?: pulumi.Input<string>;
    /** Checksum of the Secret data; must be a secret Output when it reaches a resource. Defaults to no annotation. */
    readonly secretChecksum?: pulumi.Input<string>;
    /** Addresses of the API server, for pods that read the Kubernetes API. Defaults to `DEFAULT_API_SERVER_CIDRS` (rbac.ts). */
    readonly apiServerCidrs?: readonly string[];
}

/** What the platform makes of a spec; the `LABELS.kind` label of its objects. */
export type Kind = "service" | "job" | "schedule";
