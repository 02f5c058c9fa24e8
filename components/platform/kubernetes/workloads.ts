/**
 * What a long-running service becomes: its Deployment, StatefulSet (volumes) or DaemonSet
 * (perNode), composed with its Services, PodDisruptionBudget, ConfigMap, Secret and API access.
 */
import { WorkloadSpec } from "../spec";
import { configMapManifest, secretManifest } from "./config";
import { meta, objectAnnotations, objectLabels, selectorLabels } from "./metadata";
import { podTemplate, PodTemplateOptions } from "./pod-template";
import { PodReaderManifests, podReaderManifests } from "./rbac";
import { clusterIpService, podDisruptionBudget, podsService, publicService } from "./services";
import { MIN_READY_SECONDS, PRESTOP_PAUSE_SECONDS, progressDeadlineSeconds } from "./rollout";
import { readsPods } from "./traits";
import type {
    ConfigMapManifest,
    DaemonSetManifest,
    DeploymentManifest,
    ManifestContext,
    NetworkPolicyManifest,
    PodDisruptionBudgetManifest,
    SecretManifest,
    ServiceManifest,
    StatefulSetManifest,
} from "./types";

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
     * one replica (`hasPodsService`, traits.ts): its name resolves to every ready pod, so a scraper
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

/** The parts every workload kind shares. */
interface WorkloadParts {
    readonly metadata: DeploymentManifest["metadata"];
    readonly selector: Record<string, string>;
    readonly template: DeploymentManifest["spec"]["template"];
}

function parts(name: string, spec: WorkloadSpec, ctx: ManifestContext, opts: PodTemplateOptions = {}): WorkloadParts {
    return {
        metadata: meta(name, ctx, objectLabels(name, spec, ctx, "service"), objectAnnotations(spec)),
        selector: selectorLabels(name),
        template: podTemplate(name, spec, ctx, "service", {}, opts),
    };
}

/** A DaemonSet: one pod per node, replaced one node at a time, each new pod ready for {@link MIN_READY_SECONDS} before the next. */
export function daemonSetManifest(name: string, spec: WorkloadSpec, ctx: ManifestContext): DaemonSetManifest {
    const { metadata, selector, template } = parts(name, spec, ctx);
    return {
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        metadata,
        spec: {
            selector: { matchLabels: selector },
            template,
            updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
            minReadySeconds: MIN_READY_SECONDS,
            revisionHistoryLimit: 5,
        },
    };
}

/** A StatefulSet with a ReadWriteOnce claim template per volume, kept when deleted or scaled down. */
export function statefulSetManifest(name: string, spec: WorkloadSpec, ctx: ManifestContext): StatefulSetManifest {
    const { metadata, selector, template } = parts(name, spec, ctx);
    const labels = objectLabels(name, spec, ctx, "service");
    return {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata,
        spec: {
            replicas: spec.replicas ?? 1,
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
}

/**
 * A Deployment that surges one pod and never drops below its replicas during an update: a new pod
 * counts once ready for {@link MIN_READY_SECONDS}, the rollout fails after its progress deadline
 * without progress (the old ReplicaSet keeps serving), and a pod being replaced pauses
 * {@link PRESTOP_PAUSE_SECONDS} before SIGTERM while endpoints drop it.
 */
export function deploymentManifest(name: string, spec: WorkloadSpec, ctx: ManifestContext): DeploymentManifest {
    const { metadata, selector, template } = parts(name, spec, ctx, { preStopPauseSeconds: PRESTOP_PAUSE_SECONDS });
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata,
        spec: {
            replicas: spec.replicas ?? 1,
            selector: { matchLabels: selector },
            template,
            // Never below the desired count: one extra pod comes up, becomes ready, then an old one goes.
            strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
            minReadySeconds: MIN_READY_SECONDS,
            progressDeadlineSeconds: progressDeadlineSeconds(spec.healthCheck),
            revisionHistoryLimit: 5,
        },
    };
}

/** The objects of a long-running service: DaemonSet (perNode), StatefulSet (volumes) or Deployment, and the rest. */
export function serviceManifests(name: string, spec: WorkloadSpec, ctx: ManifestContext): ServiceManifests {
    const workload = spec.perNode
        ? daemonSetManifest(name, spec, ctx)
        : (spec.volumes?.length ?? 0) > 0
          ? statefulSetManifest(name, spec, ctx)
          : deploymentManifest(name, spec, ctx);
    const pub = publicService(name, spec, ctx);
    return {
        workload,
        service: clusterIpService(name, spec, ctx),
        podsService: podsService(name, spec, ctx),
        publicService: pub?.service,
        publicPolicy: pub?.policy,
        configMap: configMapManifest(name, spec, ctx, "service"),
        secret: secretManifest(name, spec, ctx, "service"),
        pdb: podDisruptionBudget(name, spec, ctx),
        ...(readsPods(spec) ? { podReader: podReaderManifests(name, spec, ctx) } : {}),
    };
}
