/**
 * The Kubernetes platform: turns platform-neutral workload specs into Kubernetes objects in one
 * namespace (Deployments or StatefulSets, Services, a headless `<name>-pods` Service per replicated
 * workload, ConfigMaps and Secrets, probes, PodDisruptionBudgets, Jobs and CronJobs) behind
 * default-deny NetworkPolicies. A log collector
 * (`host.containerLogs`) is the one workload that reads the Kubernetes API: it alone gets a
 * ServiceAccount with a token, read access to pods and egress to the API server.
 *
 * The objects themselves come from the pure renderers beside this file; this file only
 * creates resources from them, wraps secret values and wires parents, provider and ordering.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { shortHash } from "../hash";
import { dnsLabel, isCidr, nonNegativeInt, port, problemOf } from "../schemas";
import {
    ContainerSpec,
    JobHandle,
    JobSpec,
    Platform,
    PlatformCapabilities,
    ScheduleSpec,
    ServiceHandle,
    TIERS,
    validateSpec,
    WorkloadOptions,
    WorkloadSpec,
} from "../spec";
import { contentChecksum, podFiles, podSecretEnv } from "./config";
import { jobManifests, scheduleManifests } from "./jobs";
import { jobName, podsServiceName, serviceHost } from "./names";
import { namespaceManifest } from "./namespace";
import {
    DEFAULT_DNS_PEER,
    DEFAULT_EXTERNAL_EGRESS,
    DnsPeer,
    ExternalEgressRule,
    networkPolicyManifests,
    NetworkPolicyOptions,
    reachPolicyManifests,
} from "./network-policies";
import { DEFAULT_API_SERVER_CIDRS, PodReaderManifests } from "./rbac";
import { rolloutAwaitSeconds } from "./rollout";
import { hasPodsService, needsHostAccess } from "./traits";
import type { ConfigMapManifest, ManifestContext, SecretManifest } from "./types";
import { validateKubernetesSpec } from "./validate";
import { serviceManifests } from "./workloads";

/** Arguments of {@link KubernetesPlatform}. */
export interface KubernetesPlatformArgs {
    /** Namespace for every workload (created by the platform; a DNS label). */
    readonly namespace: string;
    /** Provider for every Kubernetes object, passed explicitly to each. Defaults to the default provider. */
    readonly provider?: k8s.Provider;
    /** StorageClass of the stores' volume claims. Defaults to the cluster's default StorageClass. */
    readonly storageClassName?: string;
    /** Cluster DNS domain used in endpoint host names. Defaults to "cluster.local". */
    readonly clusterDomain?: string;
    /**
     * Namespace for host agents (workloads with `host` access: hostPath, hostPID, root), which the
     * "restricted" Pod Security Standard of the main namespace would refuse. It is created, with
     * enforce level "privileged" and the same NetworkPolicies, only when such a workload appears.
     * Defaults to `${namespace}-host`.
     */
    readonly hostAgentNamespace?: string;
    /** Where cluster DNS runs, for the DNS egress rule. Defaults to kube-system pods labelled k8s-app=kube-dns. */
    readonly dns?: DnsPeer;
    /**
     * Egress to outside the cluster, per tier. Defaults to {@link DEFAULT_EXTERNAL_EGRESS}: the ops
     * tier (backups to S3, alert notifications) to public IPv4/IPv6 addresses on TCP 443.
     */
    readonly externalEgress?: readonly ExternalEgressRule[];
    /**
     * Seconds after which Kubernetes deletes a finished run-once Job. Defaults to none: Pulumi
     * replaces the Job when its trigger changes, so one finished Job per workload remains; a TTL
     * would make `pulumi refresh` drop the Job from the state and the next `up` run it again.
     */
    readonly jobTtlSecondsAfterFinished?: number;
    /**
     * Addresses (CIDRs) of the Kubernetes API server, for the log collector, the one workload that
     * reads the API (it discovers pods). The API server is not a pod labels could select, so its
     * pods get an egress rule to these CIDRs on TCP 443 and 6443 only. Set the control plane's
     * addresses (e.g. the `kubernetes` endpoints in `default`, or the managed control plane's
     * range); add "::/0" or IPv6 addresses on IPv6 clusters. CNIs that give the API server a
     * reserved identity (Cilium) may need their own policy for it. Defaults to ["0.0.0.0/0"].
     */
    readonly apiServerCidrs?: readonly string[];
}

/** Options of a workload's resources: dependsOn is always a list so callers can extend it. */
type ResourceOpts = pulumi.CustomResourceOptions & { dependsOn: pulumi.Input<pulumi.Resource>[] };

/** Extra seconds Pulumi waits for a Job beyond the Job's own deadline. */
const JOB_AWAIT_MARGIN_SECONDS = 120;

/** The namespace-level resources a workload's objects wait for. */
interface NamespaceBase {
    readonly name: string;
    readonly resources: pulumi.Resource[];
}

/** What components ask of a Kubernetes platform (see {@link PlatformCapabilities} for each answer's reason). */
export const KUBERNETES_CAPABILITIES: PlatformCapabilities = {
    // Service cluster IPs are stable for the Service's life.
    runtimeDnsResolver: undefined,
    hostPortsWithReplicas: true,
    // The kubelet probes from outside the container.
    healthChecksRunInContainer: false,
    containerLogSource: "kubernetes-pods",
    edgeAccessInside: "public-url",
    // The pod template sets fsGroup.
    volumesWritableByUser: true,
    scrapeTargets: (endpoint) => ({ dns: { names: [endpoint.podsHost ?? endpoint.host], port: endpoint.port } }),
};

/**
 * The Kubernetes implementation of {@link Platform}. Creates the namespace (Pod Security
 * "restricted") and its NetworkPolicies (default deny, DNS egress, one policy per tier from
 * TIER_INGRESS, external egress as configured); each `service`, `job` and `schedule` call creates
 * that workload's objects as children of the calling component, with this platform's provider.
 */
export class KubernetesPlatform extends pulumi.ComponentResource implements Platform {
    /** What differs from other platforms: {@link KUBERNETES_CAPABILITIES}. */
    public readonly capabilities: PlatformCapabilities = KUBERNETES_CAPABILITIES;
    /** Name of the namespace the workloads run in (resolves once the namespace exists). */
    public readonly namespace: pulumi.Output<string>;

    private readonly provider?: k8s.Provider;
    private readonly namespaceName: string;
    private readonly agentNamespaceName: string;
    private readonly storageClassName?: string;
    private readonly clusterDomain: string;
    private readonly dns: DnsPeer;
    private readonly externalEgress: readonly ExternalEgressRule[];
    private readonly jobTtl?: number;
    private readonly apiServerCidrs: readonly string[];
    private readonly main: NamespaceBase;
    private agents?: NamespaceBase;
    private readonly platformName: string;
    /** Key of the checksum HMACs (see {@link KubernetesPlatform.checksum}). */
    private readonly checksumKey: pulumi.Output<string>;
    /** Workload names in use: they are object names in one namespace, so they must be unique. */
    private readonly used = new Map<string, string>();

    /**
     * @param name Unique name of the platform.
     * @param args Namespace, provider and network settings.
     * @param opts Resource options.
     */
    constructor(name: string, args: KubernetesPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("proteamcare:platform:Kubernetes", name, {}, opts);

        this.platformName = name;
        this.provider = args.provider;
        this.namespaceName = args.namespace;
        this.agentNamespaceName = args.hostAgentNamespace ?? `${args.namespace}-host`;
        this.storageClassName = args.storageClassName;
        this.clusterDomain = args.clusterDomain ?? "cluster.local";
        this.dns = args.dns ?? DEFAULT_DNS_PEER;
        this.externalEgress = args.externalEgress ?? DEFAULT_EXTERNAL_EGRESS;
        this.jobTtl = args.jobTtlSecondsAfterFinished;
        this.apiServerCidrs = args.apiServerCidrs ?? DEFAULT_API_SERVER_CIDRS;

        const problems: string[] = [];
        for (const [key, ns] of [["namespace", this.namespaceName], ["hostAgentNamespace", this.agentNamespaceName]] as const) {
            const why = problemOf(dnsLabel, ns);
            if (why) problems.push(`${key} "${ns}" must be ${why}`);
        }
        if (this.namespaceName === this.agentNamespaceName) problems.push(`hostAgentNamespace must differ from namespace "${this.namespaceName}"`);
        if (this.jobTtl !== undefined && problemOf(nonNegativeInt, this.jobTtl)) {
            problems.push(`jobTtlSecondsAfterFinished must be a non-negative integer, got ${this.jobTtl}`);
        }
        for (const rule of this.externalEgress) {
            for (const t of rule.tiers) if (!TIERS.includes(t)) problems.push(`externalEgress tier "${t}" is not one of ${TIERS.join(", ")}`);
            for (const p of rule.ports) if (problemOf(port, p)) problems.push(`externalEgress port ${p} must be ${problemOf(port, p)}`);
            for (const c of [...rule.cidrs, ...(rule.except ?? [])]) if (!isCidr(c)) problems.push(`externalEgress entry "${c}" is not a CIDR such as 10.0.0.0/8 or ::/0`);
            if (rule.cidrs.length === 0) problems.push("externalEgress rules need at least one CIDR");
        }
        if (this.apiServerCidrs.length === 0) problems.push('apiServerCidrs needs at least one CIDR (the API server\'s addresses, or "0.0.0.0/0")');
        for (const cidr of this.apiServerCidrs) {
            if (!isCidr(cidr)) problems.push(`apiServerCidrs entry "${cidr}" is not a CIDR such as 10.0.0.1/32 or 0.0.0.0/0`);
        }
        if (problems.length > 0) {
            throw new pulumi.ResourceError(`KubernetesPlatform ${name}: ${problems.join("; ")}`, this);
        }

        // Keys the pod-template checksums, so publishing them says nothing about the secrets they cover.
        this.checksumKey = new random.RandomBytes(`${name}-checksum-key`, { length: 32 }, { parent: this }).hex;
        this.main = this.createNamespace(`${name}`, this.namespaceName, "restricted");
        this.namespace = pulumi.output(this.main.resources[0].urn).apply(() => this.namespaceName);
        this.registerOutputs({ namespace: this.namespace });
    }

    /** A long-running service: Deployment, StatefulSet (volumes) or DaemonSet (perNode), with its Services. */
    public service(name: string, spec: WorkloadSpec, opts: WorkloadOptions): ServiceHandle {
        const base = this.prepare(name, spec, opts, "service");
        const ctx = this.context(name, spec, opts, base.name);
        const m = serviceManifests(name, spec, ctx);
        const ro = this.resourceOptions(opts, base);

        const { files, secret, config } = this.configResources(name, m.configMap, m.secret, ro);
        const access = m.podReader ? this.podReaderResources(name, m.podReader, ro) : [];
        // The pods start with their account, its permissions and the way to the API server in place.
        const workloadOpts = { ...ro, dependsOn: [...ro.dependsOn, ...config, ...access] };
        let workload: pulumi.Resource;
        switch (m.workload.kind) {
            case "Deployment": {
                // The provider awaits the rollout; it gives up just after the progress deadline.
                const wait = `${rolloutAwaitSeconds(spec.healthCheck)}s`;
                const deployOpts = { ...workloadOpts, customTimeouts: { create: wait, update: wait } };
                workload = new k8s.apps.v1.Deployment(`${name}-deploy`, { metadata: m.workload.metadata, spec: m.workload.spec }, deployOpts);
                break;
            }
            case "StatefulSet":
                workload = new k8s.apps.v1.StatefulSet(`${name}-sts`, { metadata: m.workload.metadata, spec: m.workload.spec }, workloadOpts);
                break;
            case "DaemonSet":
                workload = new k8s.apps.v1.DaemonSet(`${name}-ds`, { metadata: m.workload.metadata, spec: m.workload.spec }, workloadOpts);
                break;
        }
        const resources: pulumi.Resource[] = [...(files ? [files] : []), ...(secret ? [secret] : []), ...access, workload];
        if (m.service) resources.push(new k8s.core.v1.Service(`${name}-svc`, { metadata: m.service.metadata, spec: m.service.spec }, ro));
        if (m.podsService) {
            resources.push(new k8s.core.v1.Service(`${name}-svc-pods`, { metadata: m.podsService.metadata, spec: m.podsService.spec }, ro));
        }
        if (m.publicService) {
            resources.push(new k8s.core.v1.Service(`${name}-svc-public`, { metadata: m.publicService.metadata, spec: m.publicService.spec }, ro));
        }
        if (m.publicPolicy) {
            resources.push(new k8s.networking.v1.NetworkPolicy(`${name}-netpol-public`, { metadata: m.publicPolicy.metadata, spec: m.publicPolicy.spec }, ro));
        }
        if (m.pdb) resources.push(new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, { metadata: m.pdb.metadata, spec: m.pdb.spec }, ro));
        if ((spec.reachesTiers ?? []).length > 0) {
            const reach = reachPolicyManifests(name, spec.reachesTiers ?? [], this.policyOptions(base.name));
            resources.push(
                new k8s.networking.v1.NetworkPolicy(`${name}-netpol-reach`, { metadata: reach.egress.metadata, spec: reach.egress.spec }, ro),
                new k8s.networking.v1.NetworkPolicy(`${name}-netpol-reach-in`, { metadata: reach.ingress.metadata, spec: reach.ingress.spec }, ro),
            );
        }

        const host = serviceHost(name, base.name, this.clusterDomain);
        const port = spec.ports.length > 0 ? spec.ports[0].port : 0;
        // A per-node workload's own Service is headless; a single replica is reached by the host.
        const podsHost = m.podsService ? serviceHost(podsServiceName(name), base.name, this.clusterDomain) : host;
        return {
            endpoint: { host: pulumi.output(host), port, address: pulumi.output(`${host}:${port}`), podsHost: pulumi.output(podsHost) },
            resources,
        };
    }

    /**
     * A run-once Job. Its name ends in a hash of the trigger (defaults to the image): a new trigger
     * is a new name, which Pulumi carries out as a replacement, so Kubernetes runs the Job again;
     * an unchanged trigger leaves the finished Job alone. Pulumi waits for the Job to complete.
     */
    public job(name: string, spec: JobSpec, opts: WorkloadOptions): JobHandle {
        const base = this.prepare(name, spec, opts, "job");
        const ctx = this.context(name, spec, opts, base.name);
        const trigger = pulumi.output(spec.trigger ?? spec.image);
        const m = jobManifests(name, spec, ctx, {
            jobName: trigger.apply((t) => jobName(name, t)),
            triggerHash: trigger.apply((t) => shortHash(t, 10)),
            ttlSecondsAfterFinished: this.jobTtl,
        });
        const ro = this.resourceOptions(opts, base);
        const { files, secret, config } = this.configResources(name, m.configMap, m.secret, ro);
        const wait = `${(spec.deadlineSeconds ?? 3600) + JOB_AWAIT_MARGIN_SECONDS}s`;
        const job = new k8s.batch.v1.Job(
            `${name}-job`,
            { metadata: m.job.metadata, spec: m.job.spec },
            { ...ro, dependsOn: [...ro.dependsOn, ...config], customTimeouts: { create: wait, update: wait } },
        );
        return { resources: [...(files ? [files] : []), ...(secret ? [secret] : []), job] };
    }

    /** A CronJob on the spec's cron expression, evaluated in UTC. */
    public schedule(name: string, spec: ScheduleSpec, opts: WorkloadOptions): JobHandle {
        const base = this.prepare(name, spec, opts, "schedule");
        const ctx = this.context(name, spec, opts, base.name);
        const m = scheduleManifests(name, spec, ctx);
        const ro = this.resourceOptions(opts, base);
        const { files, secret, config } = this.configResources(name, m.configMap, m.secret, ro);
        const cron = new k8s.batch.v1.CronJob(
            `${name}-cron`,
            { metadata: m.cronJob.metadata, spec: m.cronJob.spec },
            { ...ro, dependsOn: [...ro.dependsOn, ...config] },
        );
        return { resources: [...(files ? [files] : []), ...(secret ? [secret] : []), cron] };
    }

    /** Validates a spec and claims its name; returns the namespace it goes into. */
    private prepare(name: string, spec: ContainerSpec & Partial<WorkloadSpec> & Partial<ScheduleSpec>, opts: WorkloadOptions, kind: string): NamespaceBase {
        const component = pulumi.resourceName(opts.parent);
        const problems = [...validateSpec(name, spec, component), ...validateKubernetesSpec(name, spec)];
        const previous = this.used.get(name);
        if (previous !== undefined) {
            problems.push(`${name}: the name is already used by a ${previous} on platform ${this.platformName}; workload names must be unique`);
        }
        // The headless `<name>-pods` Service shares the namespace's Service names with workloads.
        const pods = kind === "service" && hasPodsService(spec) ? podsServiceName(name) : undefined;
        const podsOwner = pods === undefined ? undefined : this.used.get(pods);
        if (pods !== undefined && podsOwner !== undefined) {
            problems.push(`${name}: its headless Service "${pods}" clashes with the ${podsOwner} of that name on platform ${this.platformName}; rename one of them`);
        }
        if (problems.length > 0) {
            throw new pulumi.ResourceError(`kubernetes ${kind} "${name}" is invalid: ${problems.join("; ")}`, opts.parent);
        }
        this.used.set(name, kind);
        if (pods !== undefined) this.used.set(pods, `headless Service of service "${name}"`);
        return needsHostAccess(spec) ? this.agentNamespace() : this.main;
    }

    private context(name: string, spec: ContainerSpec, opts: WorkloadOptions, namespace: string): ManifestContext {
        const { plain, secrets } = this.contents(name, spec);
        return {
            namespace,
            apiServerCidrs: this.apiServerCidrs,
            component: pulumi.resourceName(opts.parent),
            storageClassName: this.storageClassName,
            filesChecksum: Object.keys(plain).length > 0 ? this.checksum(plain) : undefined,
            secretChecksum: Object.keys(secrets).length > 0 ? this.checksum(secrets) : undefined,
        };
    }

    /**
     * An HMAC of contents under the platform's random key, deliberately not secret. A secret value
     * anywhere in a Deployment's pod template makes Pulumi mark the whole `spec` secret (secretness
     * moves up to the top-level input), hiding probes, resources and security settings from
     * previews and policies; a plain hash of secrets would let anyone who reads the manifest test
     * guesses. Keyed with a secret random value, the checksum reveals nothing and can be plain.
     */
    private checksum(contents: Record<string, pulumi.Input<string>>): pulumi.Output<string> {
        return pulumi.unsecret(
            pulumi.all([this.checksumKey, pulumi.all(contents)]).apply(([key, values]) => contentChecksum(values, key ?? "")),
        );
    }

    /** File contents and secret values keyed as in the ConfigMap and Secret, for checksums. */
    private contents(name: string, spec: ContainerSpec): { plain: Record<string, pulumi.Input<string>>; secrets: Record<string, pulumi.Input<string>> } {
        const plain: Record<string, pulumi.Input<string>> = {};
        const secrets: Record<string, pulumi.Input<string>> = {};
        for (const f of podFiles(name, spec)) (f.secret ? secrets : plain)[`${f.secret ? "file." : ""}${f.path}`] = f.content;
        for (const [k, v] of Object.entries(podSecretEnv(name, spec))) secrets[`env.${k}`] = v;
        return { plain, secrets };
    }

    private resourceOptions(opts: WorkloadOptions, base: NamespaceBase): ResourceOpts {
        // Children belong to the calling component; the namespace and its deny-by-default policies come first.
        return { parent: opts.parent, provider: this.provider, dependsOn: [...(opts.dependsOn ?? []), ...base.resources] };
    }

    private configResources(
        name: string,
        configMap: ConfigMapManifest | undefined,
        secret: SecretManifest | undefined,
        ro: ResourceOpts,
    ): { files?: k8s.core.v1.ConfigMap; secret?: k8s.core.v1.Secret; config: pulumi.Resource[] } {
        const files = configMap ? new k8s.core.v1.ConfigMap(`${name}-files`, { metadata: configMap.metadata, data: configMap.data }, ro) : undefined;
        const sec = secret
            ? new k8s.core.v1.Secret(
                  `${name}-secret`,
                  { metadata: secret.metadata, type: secret.type, stringData: pulumi.secret(secret.stringData) },
                  ro,
              )
            : undefined;
        return { files, secret: sec, config: [...(files ? [files] : []), ...(sec ? [sec] : [])] };
    }

    /** ServiceAccount, ClusterRole and binding, and the API-server egress policy of a workload that reads pods. */
    private podReaderResources(name: string, m: PodReaderManifests, ro: ResourceOpts): pulumi.Resource[] {
        const sa = new k8s.core.v1.ServiceAccount(
            `${name}-sa`,
            { metadata: m.serviceAccount.metadata, automountServiceAccountToken: m.serviceAccount.automountServiceAccountToken },
            ro,
        );
        const role = new k8s.rbac.v1.ClusterRole(`${name}-pod-reader`, { metadata: m.clusterRole.metadata, rules: m.clusterRole.rules }, ro);
        const binding = new k8s.rbac.v1.ClusterRoleBinding(
            `${name}-pod-reader-binding`,
            { metadata: m.clusterRoleBinding.metadata, roleRef: m.clusterRoleBinding.roleRef, subjects: m.clusterRoleBinding.subjects },
            { ...ro, dependsOn: [...ro.dependsOn, sa, role] },
        );
        const policy = new k8s.networking.v1.NetworkPolicy(
            `${name}-netpol-apiserver`,
            { metadata: m.apiServerPolicy.metadata, spec: m.apiServerPolicy.spec },
            ro,
        );
        return [sa, role, binding, policy];
    }

    /** The NetworkPolicy options of one of the platform's namespaces. */
    private policyOptions(namespace: string): NetworkPolicyOptions {
        return { namespace, peerNamespaces: [this.namespaceName, this.agentNamespaceName].sort(), dns: this.dns, externalEgress: this.externalEgress };
    }

    /** The host-agent namespace, created the first time a workload needs host access. */
    private agentNamespace(): NamespaceBase {
        if (!this.agents) this.agents = this.createNamespace(`${this.platformName}-host`, this.agentNamespaceName, "privileged");
        return this.agents;
    }

    private createNamespace(resourcePrefix: string, namespace: string, enforce: "restricted" | "privileged"): NamespaceBase {
        const opts = { parent: this, provider: this.provider };
        const nsm = namespaceManifest(namespace, enforce);
        // Deleting a namespace deletes its volume claims and, with the usual reclaim policy, the disks.
        // Kept on delete, a `pulumi destroy` or a renamed namespace leaves the stores' data in place.
        const ns = new k8s.core.v1.Namespace(`${resourcePrefix}-ns`, { metadata: nsm.metadata }, { ...opts, retainOnDelete: enforce === "restricted" });
        const policies = networkPolicyManifests(this.policyOptions(namespace)).map(
            (p) =>
                new k8s.networking.v1.NetworkPolicy(
                    `${resourcePrefix}-netpol-${p.metadata.name as string}`,
                    { metadata: p.metadata, spec: p.spec },
                    { ...opts, dependsOn: [ns] },
                ),
        );
        return { name: namespace, resources: [ns, ...policies] };
    }
}
