/**
 * The pod template every workload kind shares: one container with the spec's image, env, files,
 * scratch dirs, volumes and host access, probes for services, and the security context the
 * "restricted" Pod Security Standard asks for.
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { ContainerSpec, FileSpec, resolveSidecar, ResolvedSidecar, sidecarHealthcheck, WorkloadSpec } from "../spec";
import { podFiles, sidecarSecretKey, splitFiles } from "./config";
import { objectLabels, selectorLabels, sorted } from "./metadata";
import { configMapName, fileKey, pathVolumeName, secretName } from "./names";
import { probes } from "./probes";
import { terminationGracePeriodSeconds } from "./rollout";
import { readsPods } from "./traits";
import type { Kind, ManifestContext } from "./types";

/** Pod template annotation holding the checksum of a workload's ConfigMap: a changed file rolls the pods. */
export const CONFIG_CHECKSUM_ANNOTATION = "proteamcare.io/config-checksum";
/** Pod template annotation holding the checksum of a workload's Secret (itself a secret value). */
export const SECRET_CHECKSUM_ANNOTATION = "proteamcare.io/secret-checksum";

/** Parses "uid[:gid]". */
export function parseUser(user: string | undefined): { uid?: number; gid?: number } {
    if (user === undefined) return {};
    const [uid, gid] = user.split(":");
    return { uid: Number(uid), gid: gid === undefined ? undefined : Number(gid) };
}

/** File mode: read-only; executable adds x; secret files are group-readable only when the group is known (fsGroup). */
export function fileMode(file: FileSpec, groupKnown: boolean): number {
    const read = file.secret && groupKnown ? 0o440 : 0o444;
    return file.executable ? read | ((read & 0o444) >> 2) : read;
}

/** What a pod template gets beyond its spec, per workload kind (see rollout.ts). */
export interface PodTemplateOptions {
    /**
     * Seconds the container pauses in a preStop `sleep` before SIGTERM, so endpoints drain first;
     * the grace period grows by it (see `terminationGracePeriodSeconds`). Defaults to 0: no hook.
     */
    readonly preStopPauseSeconds?: number;
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
    opts: PodTemplateOptions = {},
): k8s.types.input.core.v1.PodTemplateSpec {
    const pause = opts.preStopPauseSeconds ?? 0;
    const { uid, gid } = parseUser(spec.user);
    const host = spec.host;
    const root = host?.root === true;
    const { plain, secret } = splitFiles({ ...spec, files: podFiles(name, spec) });
    // The workload's container mounts its own files; its sidecars mount theirs (below).
    const own = new Set((spec.files ?? []).map((f) => f.path));

    const volumes: k8s.types.input.core.v1.Volume[] = [];
    const mounts: k8s.types.input.core.v1.VolumeMount[] = [];
    if (plain.length > 0) {
        volumes.push({
            name: "files",
            configMap: { name: configMapName(name), items: plain.map(({ key, file }) => ({ key, path: key, mode: fileMode(file, gid !== undefined) })) },
        });
        // subPath mounts place each file without hiding the rest of its directory.
        for (const { key, file } of plain) if (own.has(file.path)) mounts.push({ name: "files", mountPath: file.path, subPath: key, readOnly: true });
    }
    if (secret.length > 0) {
        volumes.push({
            name: "secret-files",
            secret: { secretName: secretName(name), items: secret.map(({ key, file }) => ({ key, path: key, mode: fileMode(file, gid !== undefined) })) },
        });
        for (const { key, file } of secret) if (own.has(file.path)) mounts.push({ name: "secret-files", mountPath: file.path, subPath: key, readOnly: true });
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

    const container: k8s.types.input.core.v1.Container = {
        name,
        image: spec.image,
        imagePullPolicy: "IfNotPresent",
        ...(spec.entrypoint ? { command: [...spec.entrypoint] } : {}),
        ...(spec.command ? { args: [...spec.command] } : {}),
        ...(env.length > 0 ? { env } : {}),
        ...(spec.ports && spec.ports.length > 0 ? { ports: spec.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: "TCP" })) } : {}),
        ...(kind === "service" && spec.healthCheck ? probes(spec.healthCheck) : {}),
        resources: containerResources(spec),
        // The native sleep action needs no binary in the image (Kubernetes 1.30+).
        ...(pause > 0 ? { lifecycle: { preStop: { sleep: { seconds: pause } } } } : {}),
        securityContext: containerSecurity(spec.readOnlyRootFilesystem === true, root),
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
    const sidecars = (spec.sidecars ?? []).map((sc) => sidecarContainer(resolveSidecar(name, spec as WorkloadSpec, sc), uid, gid, volumes));
    const podSpec: k8s.types.input.core.v1.PodSpec = {
        containers: [container, ...sidecars],
        securityContext: podSecurity,
        // Only the log collector talks to the Kubernetes API (its own ServiceAccount, pods read-only);
        // every other pod gets no token. Service links would inject env such as REDIS_PORT.
        ...(apiReader ? { serviceAccountName: name } : {}),
        automountServiceAccountToken: apiReader,
        enableServiceLinks: false,
        ...(host?.pid ? { hostPID: true } : {}),
        restartPolicy: kind === "service" ? "Always" : "Never",
        terminationGracePeriodSeconds: terminationGracePeriodSeconds(spec, pause),
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

/** Requests and limits of a container (the memory limit defaults to the request; no CPU limit unless set). */
function containerResources(spec: ContainerSpec): k8s.types.input.core.v1.ResourceRequirements {
    const limits: Record<string, string> = { memory: spec.resources.memoryLimit ?? spec.resources.memory };
    if (spec.resources.cpuLimit) limits.cpu = spec.resources.cpuLimit;
    return { requests: { cpu: spec.resources.cpu, memory: spec.resources.memory }, limits };
}

/** The restrictive container security context every container of a pod gets. */
function containerSecurity(readOnlyRootFilesystem: boolean, root: boolean): k8s.types.input.core.v1.SecurityContext {
    return {
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: ["ALL"] },
        readOnlyRootFilesystem,
        runAsNonRoot: !root,
        ...(root ? { runAsUser: 0 } : {}),
    };
}

/**
 * A sidecar's container: the cron loop over its schedules, with its files from the pod's ConfigMap,
 * its secret env from the pod's Secret (keys {@link sidecarSecretKey}), the workload's volume claims
 * and shared scratch emptyDirs it names at the same paths, emptyDirs of its own (added to `volumes`),
 * and probes on the loop's heartbeat ({@link sidecarHealthcheck}).
 */
function sidecarContainer(r: ResolvedSidecar, podUid: number | undefined, podGid: number | undefined, volumes: k8s.types.input.core.v1.Volume[]): k8s.types.input.core.v1.Container {
    const c = r.container;
    const mounts: k8s.types.input.core.v1.VolumeMount[] = [];
    for (const f of c.files ?? []) {
        mounts.push({ name: f.secret ? "secret-files" : "files", mountPath: f.path, subPath: f.secret ? `file.${fileKey(f.path)}` : fileKey(f.path), readOnly: true });
    }
    for (const s of r.shared) mounts.push({ name: pathVolumeName("scratch", s.mountPath), mountPath: s.mountPath });
    for (const s of [...(c.scratch ?? [])].sort((a, b) => (a.mountPath < b.mountPath ? -1 : 1))) {
        const vol = pathVolumeName(r.sidecar, s.mountPath);
        volumes.push({ name: vol, emptyDir: { sizeLimit: `${s.sizeMi ?? 64}Mi` } });
        mounts.push({ name: vol, mountPath: s.mountPath });
    }
    for (const v of r.volumes) mounts.push({ name: v.name, mountPath: v.mountPath });
    const env: k8s.types.input.core.v1.EnvVar[] = [
        ...Object.entries(c.env ?? {}).map(([k, value]) => ({ name: k, value })),
        ...Object.keys(c.secretEnv ?? {}).map((k) => ({ name: k, valueFrom: { secretKeyRef: { name: secretName(r.workload), key: sidecarSecretKey(r.name, k) } } })),
    ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const { uid, gid } = parseUser(c.user);
    return {
        name: r.name,
        image: c.image,
        imagePullPolicy: "IfNotPresent",
        ...(c.entrypoint ? { command: [...c.entrypoint] } : {}),
        ...(c.command ? { args: [...c.command] } : {}),
        env,
        ...probes(sidecarHealthcheck()),
        resources: containerResources(c),
        securityContext: {
            ...containerSecurity(c.readOnlyRootFilesystem === true, false),
            ...(uid !== undefined && uid !== podUid ? { runAsUser: uid } : {}),
            ...(gid !== undefined && gid !== podGid ? { runAsGroup: gid } : {}),
        },
        volumeMounts: mounts,
        terminationMessagePolicy: "FallbackToLogsOnError",
    };
}
