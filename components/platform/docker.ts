/**
 * The docker implementation of the platform seam: a single Docker host (the `dev` stack on a laptop,
 * or a small VM reached with DOCKER_HOST=ssh://…).
 */
import * as fs from "fs";
import * as path from "path";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import {
    dockerHealthcheck,
    dockerLabels,
    dockerResources,
    isInternalNetwork,
    jobExitProblem,
    labelsAndAnnotations,
    networksFor,
    sharedTmpfsOptions,
    tmpfsFor,
    TRIGGER_LABEL,
    volumeName,
} from "./docker-builders";
import { shortHash } from "./hash";
import {
    ANNOTATIONS,
    ContainerSpec,
    CRON_HEARTBEAT_PATH,
    CRON_LOOP_PATH,
    CRON_LOOP_SCRIPT,
    cronLoopHealthcheck,
    JobHandle,
    JobSpec,
    LABELS,
    Platform,
    PlatformCapabilities,
    resolveSidecar,
    ScheduleSpec,
    sidecarHealthcheck,
    ServiceHandle,
    Tier,
    TIERS,
    validateSpec,
    WorkloadOptions,
    WorkloadSpec,
    workloadLabels,
} from "./spec";

/** Arguments of {@link DockerPlatform}. */
export interface DockerPlatformArgs {
    /** Prefix of container, network and volume names on the host (two stacks on one host must differ). */
    readonly prefix: string;
    /** The docker provider to use. Defaults to the ambient provider (DOCKER_HOST or the local engine). */
    readonly provider?: docker.Provider;
    /** Keep named volumes when the stack is destroyed, so `pulumi destroy` never deletes patient data. Defaults to true. */
    readonly retainVolumes?: boolean;
    /** Seconds `pulumi up` waits for a container to become healthy. Defaults to 180. */
    readonly healthyTimeoutSeconds?: number;
    /** json-file log rotation: size of one file. Defaults to "10m". */
    readonly logMaxSize?: string;
    /** json-file log rotation: number of files kept. Defaults to 5. */
    readonly logMaxFiles?: number;
}

const LIVE_FILES_SCRIPT = fs.readFileSync(path.join(__dirname, "scripts", "live-files.sh"), "utf8");

/** Where the live-files script is uploaded, in the workload and in its config-writer job. */
export const LIVE_FILES_SCRIPT_PATH = "/usr/local/lib/ptc/live-files.sh";
/** Where the config-writer job mounts the workload's live volume. */
export const LIVE_VOLUME_PATH = "/ptc-live-volume";
/** The label that carries what a service waited for (a hash of its jobs' triggers), see {@link WorkloadOptions.after}. */
export const AFTER_LABEL = "proteamcare.io/after";
/** Seconds the config-writer job waits for the running workload to apply new files. */
export const LIVE_WAIT_SECONDS = 60;

/** Docker's embedded DNS server, reachable from every container on a user-defined network. */
export const DOCKER_EMBEDDED_DNS = "127.0.0.11";

/** What components ask of a docker platform (see {@link PlatformCapabilities} for each answer's reason). */
export const DOCKER_CAPABILITIES: PlatformCapabilities = {
    // A recreated container gets a new address on the bridge network.
    runtimeDnsResolver: DOCKER_EMBEDDED_DNS,
    hostPortsWithReplicas: false,
    // HEALTHCHECK runs the check command inside the container (see dockerHealthcheck).
    healthChecksRunInContainer: true,
    containerLogSource: "docker-json-files",
    edgeAccessInside: "service-address",
    volumesWritableByUser: false,
    scrapeTargets: (endpoint) => ({ static: [endpoint.address] }),
};

/**
 * Runs workloads as containers on one Docker host: one network per tier (the data network
 * internal), named volumes, healthchecks, `restart: unless-stopped`, json-file log rotation, and
 * `pulumi up` waiting until each service is healthy. Only the edge publishes host ports.
 */
export class DockerPlatform extends pulumi.ComponentResource implements Platform {
    /** What differs from other platforms: {@link DOCKER_CAPABILITIES}. */
    public readonly capabilities: PlatformCapabilities = DOCKER_CAPABILITIES;
    /** Docker network names by tier. */
    public readonly networkNames: pulumi.Output<Record<Tier, string>>;

    private readonly prefix: string;
    private readonly provider?: docker.Provider;
    private readonly retainVolumes: boolean;
    private readonly healthyTimeoutSeconds: number;
    private readonly logOpts: Record<string, string>;
    private readonly networks: Record<Tier, docker.Network>;

    constructor(name: string, args: DockerPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("proteamcare:platform:Docker", name, {}, opts);
        if (!/^[a-z][a-z0-9-]{0,30}$/.test(args.prefix)) {
            throw new pulumi.ResourceError(
                `docker prefix "${args.prefix}" must be lowercase letters, digits and "-", starting with a letter, at most 31 characters`,
                this,
            );
        }
        this.prefix = args.prefix;
        this.provider = args.provider;
        this.retainVolumes = args.retainVolumes ?? true;
        this.healthyTimeoutSeconds = args.healthyTimeoutSeconds ?? 180;
        this.logOpts = {
            "max-size": args.logMaxSize ?? "10m",
            "max-file": String(args.logMaxFiles ?? 5),
            // json-file copies these container labels into each line's "attrs", so the log
            // collector labels lines by workload and tier from the files alone.
            labels: [LABELS.workload, LABELS.tier, LABELS.component].join(","),
        };

        const networks = {} as Record<Tier, docker.Network>;
        for (const tier of TIERS) {
            networks[tier] = new docker.Network(
                `${name}-${tier}`,
                {
                    name: `${this.prefix}-${tier}`,
                    driver: "bridge",
                    internal: isInternalNetwork(tier),
                    labels: dockerLabels({ "app.kubernetes.io/part-of": "pro-team-care", [LABELS.tier]: tier }),
                },
                { parent: this, provider: this.provider },
            );
        }
        this.networks = networks;
        this.networkNames = pulumi
            .all(TIERS.map((t) => networks[t].name))
            .apply((names) => Object.fromEntries(TIERS.map((t, i) => [t, names[i]])) as Record<Tier, string>);
        this.registerOutputs({ networkNames: this.networkNames });
    }

    /** A long-running service: a container per replica, healthy before `pulumi up` moves on. */
    service(name: string, spec: WorkloadSpec, opts: WorkloadOptions): ServiceHandle {
        this.check(name, spec, opts.parent);
        if ((spec.volumes?.length ?? 0) > 0 && (spec.replicas ?? 1) > 1) {
            throw new pulumi.ResourceError(`${name}: a workload with volumes runs one replica on docker (got ${spec.replicas})`, opts.parent);
        }
        const volumes = (spec.volumes ?? []).map(
            (v) =>
                new docker.Volume(
                    `${name}-${v.name}`,
                    {
                        name: volumeName(this.prefix, name, v.name),
                        labels: [{ label: LABELS.workload, value: name }],
                    },
                    { parent: opts.parent, provider: this.provider, retainOnDelete: this.retainVolumes },
                ),
        );
        // Scratch directories a sidecar shares (a Unix socket directory) cannot be per-container
        // tmpfs mounts: each becomes a tmpfs-backed volume both containers mount, emptied when the
        // last of them stops, owned by the workload's user.
        const sharedPaths = new Set((spec.sidecars ?? []).flatMap((sc) => sc.sharedScratch ?? []));
        const sharedScratch = (spec.scratch ?? []).filter((s) => sharedPaths.has(s.mountPath));
        const sharedVolumes = new Map(
            sharedScratch.map((s) => [
                s.mountPath,
                new docker.Volume(
                    `${name}-shared-${shortHash(s.mountPath, 6)}`,
                    {
                        name: volumeName(this.prefix, name, `shared-${shortHash(s.mountPath, 6)}`),
                        driver: "local",
                        driverOpts: { type: "tmpfs", device: "tmpfs", o: sharedTmpfsOptions(s, spec.user) },
                        labels: [{ label: LABELS.workload, value: name }],
                    },
                    // Scratch: nothing to retain.
                    { parent: opts.parent, provider: this.provider },
                ),
            ]),
        );
        const mounts = [
            ...(spec.volumes ?? []).map((v, i) => ({ volumeName: volumes[i].name, containerPath: v.mountPath })),
            ...sharedScratch.map((s) => ({ volumeName: (sharedVolumes.get(s.mountPath) as docker.Volume).name, containerPath: s.mountPath })),
            ...(spec.host?.paths ?? []).map((p) => ({ hostPath: p.hostPath, containerPath: p.mountPath, readOnly: true })),
            // Log files only, never the engine socket (even read-only it controls the engine): every
            // line carries the workload and tier labels in its `attrs` (see logOpts below).
            ...(spec.host?.containerLogs
                ? [{ hostPath: "/var/lib/docker/containers", containerPath: "/var/lib/docker/containers", readOnly: true }]
                : []),
        ];
        const live = spec.liveFiles ? this.liveFiles(name, spec, opts) : undefined;
        if (live) mounts.push({ volumeName: live.volume.name, containerPath: live.directory });
        const replicas = spec.replicas ?? 1;
        const overlap = spec.overlapUpdates === true;
        const after = opts.after ?? [];
        const ownSpec: WorkloadSpec = { ...(live ? live.serviceSpec : spec), scratch: (spec.scratch ?? []).filter((s) => !sharedPaths.has(s.mountPath)) };
        const base = this.common(
            name,
            ownSpec,
            "service",
            // An input, not only an order: a failed job (a migration) rejects it, so this workload is never touched.
            after.length > 0 ? { [AFTER_LABEL]: pulumi.all([...after]).apply((v) => shortHash(v.join(","), 12)) } : {},
        );
        const shared: docker.ContainerArgs = {
            ...base,
            restart: "unless-stopped",
            healthcheck: dockerHealthcheck(spec.healthCheck),
            wait: true,
            waitTimeout: this.healthyTimeoutSeconds + (spec.healthCheck.startPeriodSeconds ?? 0),
            ports: spec.ports
                .filter((p) => p.hostPort !== undefined)
                .map((p) => ({ internal: p.port, external: p.hostPort as number, protocol: "tcp" })),
            volumes: mounts,
            pidMode: spec.host?.pid ? "host" : undefined,
            stopTimeout: spec.stopGracePeriodSeconds ?? 30,
            destroyGraceSeconds: spec.stopGracePeriodSeconds ?? 30,
        };
        // An overlapping update needs a name the old container does not hold: each revision's
        // containers are named after a hash of everything they run with, so any change that
        // replaces them also renames them. The hash covers secret values too (a rotated password
        // must give a new revision); 8 hex digits of SHA-256 say nothing about a secret, so the
        // name is not kept secret (Kubernetes' config checksum annotations do the same).
        const revision = overlap ? pulumi.unsecret(pulumi.output(shared).apply((resolved) => shortHash(JSON.stringify(resolved), 8))) : undefined;
        const dependsOn = [...(opts.dependsOn ?? []), ...(live ? [live.writer] : [])];
        const containers: docker.Container[] = [];
        for (let r = 1; r <= replicas; r++) {
            // The first replica keeps the plain key; extra replicas share its network aliases.
            const key = r === 1 ? name : `${name}-r${r}`;
            containers.push(
                new docker.Container(
                    key,
                    {
                        ...shared,
                        name: revision ? pulumi.interpolate`${this.prefix}-${key}-${revision}` : `${this.prefix}-${key}`,
                        networksAdvanced: revision
                            ? networksFor(spec.tier, spec.reachesTiers).map((t) => ({
                                  name: this.networks[t].name,
                                  // The service's name, for what may reach any revision (Prometheus), and the
                                  // revision's own alias, which the edge is given only once this revision is healthy.
                                  aliases: [pulumi.output(name), pulumi.interpolate`${name}-${revision}`],
                              }))
                            : shared.networksAdvanced,
                    },
                    { ...this.containerOptions(spec, { ...opts, dependsOn }), deleteBeforeReplace: !overlap },
                ),
            );
        }
        const sidecars = (spec.sidecars ?? []).map((sc) => {
            const r = resolveSidecar(name, spec, sc);
            const args = this.common(r.name, r.container, "sidecar", {}, spec.reachesTiers);
            return new docker.Container(
                r.name,
                {
                    ...args,
                    name: `${this.prefix}-${r.name}`,
                    restart: "unless-stopped",
                    healthcheck: dockerHealthcheck(sidecarHealthcheck()),
                    wait: true,
                    waitTimeout: this.healthyTimeoutSeconds,
                    volumes: [
                        ...r.volumes.map((v) => ({ volumeName: volumes[(spec.volumes ?? []).indexOf(v)].name, containerPath: v.mountPath })),
                        ...r.shared.map((s) => ({ volumeName: (sharedVolumes.get(s.mountPath) as docker.Volume).name, containerPath: s.mountPath })),
                    ],
                },
                // After the workload: a sidecar's first run finds its server up.
                { ...this.containerOptions(r.container, { ...opts, dependsOn: [...dependsOn, ...containers] }) },
            );
        });
        const host = pulumi.output(name);
        const port = spec.ports[0]?.port ?? 0;
        // The revision alias comes from the containers' outputs, so whatever uses it (the edge's
        // config) waits until every replica of this revision is created and healthy (wait: true);
        // Pulumi deletes the replaced containers only after that, at the end of the update.
        const servingAddress = revision
            ? pulumi.all(containers.map((c) => c.name)).apply(() => revision).apply((rev) => `${name}-${rev}:${port}`)
            : undefined;
        return {
            // Every replica carries the alias `name`, and docker's embedded DNS answers it with each
            // container's address: the host already resolves to every replica.
            endpoint: { host, port, address: pulumi.interpolate`${host}:${port}`, podsHost: host, ...(servingAddress ? { servingAddress } : {}) },
            resources: [...volumes, ...sharedVolumes.values(), ...(live ? [live.volume, live.writer] : []), ...containers, ...sidecars],
        };
    }

    /**
     * The docker side of {@link WorkloadSpec.liveFiles}: a volume the workload mounts at the live
     * directory, a config-writer job (the workload's image, no network, root with only the
     * capabilities that set the files' owner) that checks the new files and puts them there, and
     * the workload's spec rewritten to run under the watcher (scripts/live-files.sh) without the
     * live files among its uploads, so that a change of them never replaces the workload.
     */
    private liveFiles(name: string, spec: WorkloadSpec, opts: WorkloadOptions): { volume: docker.Volume; writer: docker.Container; directory: string; serviceSpec: WorkloadSpec } {
        const lf = spec.liveFiles as NonNullable<WorkloadSpec["liveFiles"]>;
        const directory = lf.directory.replace(/\/+$/, "");
        const command = [...(spec.entrypoint ?? []), ...(spec.command ?? [])];
        if (command.length === 0) {
            throw new pulumi.ResourceError(`${name}: liveFiles on docker need an explicit entrypoint or command to run under the watcher`, opts.parent);
        }
        const isLive = (f: { path: string }): boolean => f.path.startsWith(`${directory}/`);
        const liveFiles = (spec.files ?? []).filter(isLive);
        const script = { path: LIVE_FILES_SCRIPT_PATH, content: LIVE_FILES_SCRIPT };
        const volume = new docker.Volume(
            `${name}-live`,
            { name: volumeName(this.prefix, name, "live"), labels: [{ label: LABELS.workload, value: name }] },
            // Only copies of what the program renders: nothing to retain.
            { parent: opts.parent, provider: this.provider },
        );
        const generation = pulumi.unsecret(
            pulumi.all(liveFiles.map((f) => pulumi.output(f.content))).apply((contents) => shortHash(JSON.stringify(liveFiles.map((f, i) => [f.path, contents[i]])), 12)),
        );
        const writerSpec: ContainerSpec = {
            image: spec.image,
            tier: spec.tier,
            env: {
                LIVE_DIR: directory,
                LIVE_VOLUME: LIVE_VOLUME_PATH,
                LIVE_CHECK: lf.check.join(" "),
                LIVE_OWNER: spec.user ?? "0:0",
                LIVE_WAIT_SECONDS: String(LIVE_WAIT_SECONDS),
            },
            files: [...liveFiles, script],
            resources: { cpu: "50m", memory: "32Mi", memoryLimit: "128Mi" },
            labels: { ...(spec.labels ?? {}), [LABELS.role]: "live-files" },
            entrypoint: ["sh", LIVE_FILES_SCRIPT_PATH],
            command: ["write"],
        };
        const writerArgs = this.common(`${name}-live-files`, writerSpec, "job");
        const writer = this.runOnce(
            `${name}-live-files`,
            {
                ...writerArgs,
                envs: pulumi.all([pulumi.output(writerArgs.envs ?? []), generation]).apply(([envs, g]) => [...(envs ?? []), `LIVE_GENERATION=${g}`].sort()),
                // Root owns a fresh volume: the writer runs as root with no capability beyond
                // setting owners and modes, and no network at all.
                user: "0:0",
                capabilities: { drops: ["ALL"], adds: ["CHOWN", "DAC_OVERRIDE", "FOWNER"] },
                networksAdvanced: undefined,
                networkMode: "none",
                volumes: [{ volumeName: volume.name, containerPath: LIVE_VOLUME_PATH }],
            },
            this.containerOptions(writerSpec, opts),
            LIVE_WAIT_SECONDS + 120,
        ).container;
        const serviceSpec: WorkloadSpec = {
            ...spec,
            env: { ...(spec.env ?? {}), LIVE_DIR: directory, LIVE_CHECK: lf.check.join(" "), LIVE_RELOAD: lf.reload.join(" ") },
            files: [...(spec.files ?? []).filter((f) => !isLive(f)), script],
            entrypoint: ["sh", LIVE_FILES_SCRIPT_PATH, "watch", "--"],
            command,
        };
        return { volume, writer, directory, serviceSpec };
    }

    /**
     * A job that runs to completion once per trigger: a container with `restart: no` that `pulumi up`
     * attaches to and waits for; a new trigger value replaces (re-runs) it.
     */
    job(name: string, spec: JobSpec, opts: WorkloadOptions): JobHandle {
        this.check(name, spec, opts.parent);
        const trigger = pulumi.output(spec.trigger ?? spec.image).apply((t) => shortHash(t, 12));
        const { container, exited } = this.runOnce(
            name,
            this.common(name, spec, "job", { [TRIGGER_LABEL]: trigger }),
            this.containerOptions(spec, opts),
            spec.deadlineSeconds ?? 3600,
        );
        // A failed job fails `pulumi up` (as a failed Job does on Kubernetes) instead of letting
        // what depends on it (the API on its migrations) roll out over it: the container's
        // creation succeeds whatever the exit status, so dependents take this as an input.
        const succeeded = pulumi.all([exited, trigger]).apply(([, t]) => t);
        return { resources: [container], succeeded };
    }

    /**
     * A scheduled job: docker has no CronJob, so a long-running container runs the job's command from
     * a small cron loop (UTC, no overlapping runs) whose heartbeat is the container's health.
     */
    schedule(name: string, spec: ScheduleSpec, opts: WorkloadOptions): JobHandle {
        this.check(name, spec, opts.parent);
        const command = [...(spec.entrypoint ?? []), ...(spec.command ?? [])];
        if (command.length === 0) {
            throw new pulumi.ResourceError(`${name}: a schedule on docker needs an explicit entrypoint or command to run`, opts.parent);
        }
        const scheduled: ScheduleSpec = {
            ...spec,
            env: { ...(spec.env ?? {}), CRON_HEARTBEAT: CRON_HEARTBEAT_PATH },
            annotations: { ...(spec.annotations ?? {}), [ANNOTATIONS.schedule]: spec.cron },
            files: [...(spec.files ?? []), { path: CRON_LOOP_PATH, content: CRON_LOOP_SCRIPT, executable: true }],
            entrypoint: ["bash", CRON_LOOP_PATH],
            command: [spec.cron, "--", ...command],
            scratch: [...(spec.scratch ?? []), ...(spec.readOnlyRootFilesystem && !spec.scratch?.some((s) => s.mountPath === "/tmp") ? [{ mountPath: "/tmp" }] : [])],
        };
        const container = new docker.Container(
            name,
            {
                ...this.common(name, scheduled, "schedule"),
                name: `${this.prefix}-${name}`,
                restart: "unless-stopped",
                healthcheck: dockerHealthcheck(cronLoopHealthcheck()),
                wait: true,
                waitTimeout: this.healthyTimeoutSeconds + 30,
            },
            this.containerOptions(scheduled, opts),
        );
        return { resources: [container] };
    }

    /**
     * A container that runs once to completion: never restarted, attached (`pulumi up` waits for
     * its exit, bounded by `timeoutSeconds`), its output kept encrypted in state (it may print
     * anything it was given). `exited` resolves on a zero exit status and fails the update, naming
     * the container and how to read its logs, on any other.
     */
    private runOnce(
        key: string,
        args: docker.ContainerArgs,
        base: pulumi.CustomResourceOptions,
        timeoutSeconds: number,
    ): { container: docker.Container; exited: pulumi.Output<void> } {
        const containerName = `${this.prefix}-${key}`;
        const container = new docker.Container(
            key,
            { ...args, name: containerName, restart: "no", mustRun: false, attach: true, logs: true },
            {
                ...base,
                additionalSecretOutputs: [...(base.additionalSecretOutputs ?? []), "containerLogs"],
                // attach waits for the exit; the deadline bounds that wait (waitTimeout only applies to `wait`).
                customTimeouts: { create: `${timeoutSeconds}s` },
            },
        );
        const exited = container.exitCode.apply((code) => {
            const problem = jobExitProblem(key, containerName, code);
            if (problem !== undefined) throw new pulumi.ResourceError(problem, container);
        });
        return { container, exited };
    }

    /**
     * Resource options of a container: parented to the calling component, on this platform's
     * provider, replaced stop-first, and with env and uploads stored as secrets when they hold any.
     */
    private containerOptions(spec: ContainerSpec, opts: WorkloadOptions): pulumi.CustomResourceOptions {
        const secretOutputs = [
            ...(Object.keys(spec.secretEnv ?? {}).length > 0 ? ["envs"] : []),
            ...((spec.files ?? []).some((f) => f.secret) ? ["uploads"] : []),
        ];
        return {
            parent: opts.parent,
            provider: this.provider,
            dependsOn: opts.dependsOn,
            deleteBeforeReplace: true,
            ...(secretOutputs.length > 0 ? { additionalSecretOutputs: secretOutputs } : {}),
        };
    }

    private check(name: string, spec: ContainerSpec, parent: pulumi.Resource): void {
        const problems = validateSpec(name, spec, pulumi.resourceName(parent));
        if (problems.length > 0) throw new pulumi.ResourceError(problems.join("; "), parent);
    }

    /** Container settings shared by services, jobs and schedules. */
    private common(
        name: string,
        spec: ContainerSpec,
        kind: "service" | "job" | "schedule" | "sidecar",
        extraLabels: Record<string, pulumi.Input<string>> = {},
        reachesTiers: readonly Tier[] = (spec as Partial<WorkloadSpec>).reachesTiers ?? [],
    ): docker.ContainerArgs {
        const component = spec.labels?.[LABELS.component] ?? name;
        const labels = labelsAndAnnotations({ ...workloadLabels(component, name, spec), [LABELS.kind]: kind }, spec);
        const res = dockerResources(spec.resources);
        return {
            image: spec.image,
            hostname: name,
            envs: this.envs(spec),
            labels: [
                ...dockerLabels(labels),
                ...Object.keys(extraLabels)
                    .sort()
                    .map((label) => ({ label, value: extraLabels[label] })),
            ],
            entrypoints: spec.entrypoint ? [...spec.entrypoint] : undefined,
            command: spec.command ? [...spec.command] : undefined,
            user: (spec as Partial<WorkloadSpec>).host?.root ? "0:0" : spec.user,
            // Docker refuses to copy files into a container whose root filesystem is read-only
            // ("container rootfs is marked read-only", moby/moby#43015), so a workload with files
            // runs with a writable root on docker; Kubernetes mounts them and keeps the root read-only.
            readOnly: (spec.readOnlyRootFilesystem ?? false) && (spec.files ?? []).length === 0,
            tmpfs: tmpfsFor(spec),
            capabilities: { drops: ["ALL"] },
            securityOpts: ["no-new-privileges:true"],
            memory: res.memory,
            memoryReservation: res.memoryReservation,
            cpuShares: res.cpuShares,
            cpus: res.cpus,
            init: true,
            logDriver: "json-file",
            logOpts: this.logOpts,
            networksAdvanced: networksFor(spec.tier, reachesTiers).map((t) => ({
                name: this.networks[t].name,
                aliases: [name],
            })),
            uploads: (spec.files ?? []).map((f) => ({
                file: f.path,
                content: f.secret ? pulumi.secret(f.content) : f.content,
                executable: f.executable ?? false,
            })),
        };
    }

    /** NAME=value pairs; the whole list is secret when any value is, so no secret shows in plain state. */
    private envs(spec: ContainerSpec): pulumi.Input<pulumi.Input<string>[]> {
        const plain = Object.entries(spec.env ?? {}).map(([k, v]) => pulumi.interpolate`${k}=${v}`);
        const secret = Object.entries(spec.secretEnv ?? {}).map(([k, v]) => pulumi.secret(pulumi.interpolate`${k}=${v}`));
        const all = [...plain, ...secret];
        return all.length === 0 ? [] : pulumi.all(all).apply((xs) => [...xs].sort());
    }
}
