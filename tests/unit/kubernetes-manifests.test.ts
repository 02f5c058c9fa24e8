import * as assert from "assert";
import {
    API_SERVER_PORTS,
    CONFIG_CHECKSUM_ANNOTATION,
    contentChecksum,
    DEFAULT_API_SERVER_CIDRS,
    CRON_TIME_ZONE,
    DEFAULT_DNS_PEER,
    DEFAULT_EXTERNAL_EGRESS,
    hasPodsService,
    jobManifests,
    jobName,
    Manifest,
    ManifestContext,
    namespaceManifest,
    networkPolicyManifests,
    NetworkPolicyManifest,
    NetworkPolicyOptions,
    podReaderManifests,
    podReaderRoleName,
    podsServiceName,
    probes,
    scheduleManifests,
    SECRET_CHECKSUM_ANNOTATION,
    serviceManifests,
    ServiceManifests,
    shortHash,
    validateKubernetesSpec,
} from "../../components/platform/kubernetes-manifests";
import { validateManifest, validateManifests } from "../../components/platform/kubernetes-validate";
import { ANNOTATIONS, JobSpec, LABELS, ScheduleSpec, Tier, TIER_INGRESS, TIERS, validateSpec, WorkloadSpec } from "../../components/platform/spec";

/** Reads a nested value by a dotted path ("spec.template.spec.containers.0.image"). */
function get(obj: unknown, path: string): unknown {
    let cur: unknown = obj;
    for (const part of path.split(".")) {
        if (cur === null || cur === undefined) return undefined;
        cur = (cur as Record<string, unknown>)[part];
    }
    return cur;
}

type Obj = Record<string, unknown>;
const arr = (v: unknown): Obj[] => {
    assert.ok(Array.isArray(v), `expected an array, got ${JSON.stringify(v)}`);
    return v as Obj[];
};

const NS = "ptc";
const ctx: ManifestContext = { namespace: NS, component: "app" };
const DB_PASSWORD = "s3cr3t-db-password-value";
const TLS_KEY = "-----BEGIN PRIVATE KEY-----\nnot-a-real-key\n-----END PRIVATE KEY-----\n";
const BACKUP_KEY = "aws-secret-access-key-value";

const api: WorkloadSpec = {
    image: "ghcr.io/ptc/api:1.2.3",
    tier: "app",
    ports: [{ name: "http", port: 8000 }],
    env: { ENVIRONMENT: "production", LOG_LEVEL: "info" },
    secretEnv: { DATABASE_URL: `postgresql://ptc:${DB_PASSWORD}@postgres:5432/ptc` },
    healthCheck: { kind: "http", path: "/api/v1/health", port: 8000, startPeriodSeconds: 30 },
    resources: { cpu: "250m", memory: "256Mi", memoryLimit: "512Mi", cpuLimit: "1" },
    user: "1000:1000",
    readOnlyRootFilesystem: true,
    scratch: [{ mountPath: "/tmp", sizeMi: 32 }],
    replicas: 2,
    labels: { [LABELS.tier]: "data", [LABELS.workload]: "spoofed" },
    annotations: { "example.com/owner": "team-api" },
};

const web: WorkloadSpec = {
    image: "ghcr.io/ptc/web:1.2.3",
    tier: "app",
    ports: [{ name: "http", port: 8080 }],
    healthCheck: { kind: "http", path: "/", port: 8080, host: "web.local" },
    resources: { cpu: "100m", memory: "64Mi" },
    user: "101:101",
};

const postgres: WorkloadSpec = {
    image: "postgres:16.4",
    tier: "data",
    ports: [{ name: "postgres", port: 5432 }],
    env: { POSTGRES_DB: "ptc", POSTGRES_INITDB_ARGS: "--encoding=UTF8 --locale=C", PGDATA: "/var/lib/postgresql/data/pgdata" },
    secretEnv: { POSTGRES_PASSWORD: DB_PASSWORD },
    volumes: [{ name: "data", mountPath: "/var/lib/postgresql/data", sizeGi: 20 }],
    healthCheck: { kind: "exec", command: ["pg_isready", "-U", "ptc"], intervalSeconds: 10, timeoutSeconds: 5, retries: 5 },
    resources: { cpu: "500m", memory: "1Gi" },
    user: "999:999",
    labels: { [LABELS.store]: "postgres" },
};

const edge: WorkloadSpec = {
    image: "nginx:1.27.1",
    tier: "edge",
    ports: [
        { name: "http", port: 8080, hostPort: 80 },
        { name: "https", port: 8443, hostPort: 443 },
        { name: "metrics", port: 9113 },
    ],
    files: [
        { path: "/etc/nginx/nginx.conf", content: "events {}\nhttp {}\n" },
        { path: "/etc/nginx/tls/tls.key", content: TLS_KEY, secret: true },
        { path: "/docker-entrypoint.d/99-check.sh", content: "#!/bin/sh\nexit 0\n", executable: true },
    ],
    healthCheck: { kind: "http", path: "/healthz", port: 8080 },
    resources: { cpu: "100m", memory: "128Mi" },
    user: "101:101",
    readOnlyRootFilesystem: true,
    scratch: [{ mountPath: "/var/cache/nginx" }, { mountPath: "/var/run" }],
    replicas: 3,
};

const nodeExporter: WorkloadSpec = {
    image: "quay.io/prometheus/node-exporter:v1.8.2",
    tier: "ops",
    ports: [{ name: "metrics", port: 9100 }],
    healthCheck: { kind: "tcp", port: 9100 },
    resources: { cpu: "50m", memory: "64Mi" },
    user: "65534:65534",
    readOnlyRootFilesystem: true,
    perNode: true,
    host: { paths: [{ hostPath: "/", mountPath: "/host/root" }, { hostPath: "/proc", mountPath: "/host/proc" }], pid: true },
    annotations: { [ANNOTATIONS.exemptions]: "host-metrics-agent" },
};

const alloy: WorkloadSpec = {
    image: "grafana/alloy:v1.4.2",
    tier: "ops",
    ports: [{ name: "http", port: 12345 }],
    healthCheck: { kind: "http", path: "/-/ready", port: 12345 },
    resources: { cpu: "100m", memory: "128Mi" },
    perNode: true,
    host: { containerLogs: true, root: true },
    annotations: { [ANNOTATIONS.exemptions]: "log-collector" },
};

const migrate: JobSpec = {
    image: "ghcr.io/ptc/api:1.2.3",
    tier: "app",
    command: ["alembic", "upgrade", "head"],
    secretEnv: { DATABASE_URL: `postgresql://ptc:${DB_PASSWORD}@postgres:5432/ptc` },
    resources: { cpu: "100m", memory: "128Mi" },
    user: "1000:1000",
    labels: { [LABELS.role]: "migration" },
    backoffLimit: 1,
    deadlineSeconds: 600,
};

const backup: ScheduleSpec = {
    image: "ghcr.io/ptc/backup:1.0.0",
    tier: "ops",
    cron: "15 3 * * *",
    env: { S3_BUCKET: "ptc-backups" },
    secretEnv: { AWS_SECRET_ACCESS_KEY: BACKUP_KEY, PGPASSWORD: DB_PASSWORD },
    files: [{ path: "/opt/backup/backup.sh", content: "#!/bin/bash\nset -euo pipefail\n", executable: true }],
    resources: { cpu: "100m", memory: "256Mi" },
    user: "1000:1000",
    readOnlyRootFilesystem: true,
    scratch: [{ mountPath: "/work", sizeMi: 2048 }],
    labels: { [LABELS.role]: "backup" },
    annotations: { [ANNOTATIONS.backupOf]: "postgres,redis" },
};

const netOpts: NetworkPolicyOptions = {
    namespace: NS,
    peerNamespaces: [NS, `${NS}-host`],
    dns: DEFAULT_DNS_PEER,
    externalEgress: DEFAULT_EXTERNAL_EGRESS,
};

const checksums: ManifestContext = { ...ctx, filesChecksum: "f".repeat(64), secretChecksum: "s".repeat(64) };

function all(m: ServiceManifests): Manifest[] {
    const reader = m.podReader ? [m.podReader.serviceAccount, m.podReader.clusterRole, m.podReader.clusterRoleBinding, m.podReader.apiServerPolicy] : [];
    return [m.workload, m.service, m.podsService, m.publicService, m.publicPolicy, m.configMap, m.secret, m.pdb, ...reader].filter((x): x is NonNullable<typeof x> => x !== undefined);
}

/** A pod as NetworkPolicies see it: its namespace and labels. */
interface PodRef {
    readonly ns: string;
    readonly labels: Readonly<Record<string, string>>;
}
type Selector = { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };

/** Does a label selector select these labels (matchLabels and In/NotIn/Exists/DoesNotExist)? */
function selects(sel: Selector | undefined, labels: Readonly<Record<string, string>>): boolean {
    if (!sel) return true;
    for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
    for (const e of sel.matchExpressions ?? []) {
        const has = e.key in labels;
        const ok =
            e.operator === "In" ? has && (e.values ?? []).includes(labels[e.key]) :
            e.operator === "NotIn" ? !has || !(e.values ?? []).includes(labels[e.key]) :
            e.operator === "Exists" ? has :
            e.operator === "DoesNotExist" ? !has : assert.fail(`operator ${e.operator}`);
        if (!ok) return false;
    }
    return true;
}

function ipv4(ip: string): number {
    return ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
}
function inCidr(ip: string, cidr: string): boolean {
    if (cidr.includes(":")) return false;
    const [base, bits] = cidr.split("/");
    const size = 2 ** (32 - Number(bits));
    return Math.floor(ipv4(ip) / size) === Math.floor(ipv4(base) / size);
}

type Dest = { pod: PodRef } | { ip: string };

/** Does one policy peer match a destination or source? */
function peerMatches(peer: Obj, target: Dest, policyNs: string): boolean {
    if ("ip" in target) {
        const block = peer.ipBlock as { cidr: string; except?: string[] } | undefined;
        return block !== undefined && inCidr(target.ip, block.cidr) && !(block.except ?? []).some((e) => inCidr(target.ip, e));
    }
    if (peer.ipBlock) return false;
    const nsOk = peer.namespaceSelector ? selects(peer.namespaceSelector as Selector, { "kubernetes.io/metadata.name": target.pod.ns }) : target.pod.ns === policyNs;
    return nsOk && selects(peer.podSelector as Selector | undefined, target.pod.labels);
}

function portMatches(ports: unknown, port: number): boolean {
    return ports === undefined || arr(ports).some((p) => p.port === undefined || p.port === port);
}

/**
 * Evaluates NetworkPolicies the way the API defines them: a direction is open when no policy
 * selecting the pod covers it, or when some rule of a policy that does admits the peer and port.
 */
function allowed(policies: readonly NetworkPolicyManifest[], dir: "Ingress" | "Egress", pod: PodRef, peer: Dest, port: number): boolean {
    const applying = policies.filter(
        (p) => p.metadata.namespace === pod.ns && (p.spec.policyTypes as string[]).includes(dir) && selects(p.spec.podSelector as Selector, pod.labels),
    );
    if (applying.length === 0) return true;
    const key = dir === "Ingress" ? "ingress" : "egress";
    const peers = dir === "Ingress" ? "from" : "to";
    return applying.some((p) =>
        arr((p.spec as unknown as Obj)[key] ?? []).some((rule) => (rule[peers] === undefined || arr(rule[peers]).some((x) => peerMatches(x, peer, pod.ns))) && portMatches(rule.ports, port)),
    );
}

/** Can `from` open a connection to `to` on `port`: egress of the source and ingress of the destination. */
function connects(policies: readonly NetworkPolicyManifest[], from: PodRef, to: PodRef, port: number): boolean {
    return allowed(policies, "Egress", from, { pod: to }, port) && allowed(policies, "Ingress", to, { pod: from }, port);
}

function podOf(m: ServiceManifests, ns: string): PodRef {
    return { ns, labels: get(m.workload, "spec.template.metadata.labels") as Record<string, string> };
}

function container(workload: unknown): Obj {
    const path = get(workload, "kind") === "CronJob" ? "spec.jobTemplate.spec.template.spec.containers" : "spec.template.spec.containers";
    const cs = arr(get(workload, path));
    assert.strictEqual(cs.length, 1);
    return cs[0];
}

describe("kubernetes manifests", () => {
    it("accepts every representative spec", () => {
        for (const [name, spec] of Object.entries({ api, web, postgres, edge, nodeExporter, alloy, migrate, backup })) {
            const n = name === "nodeExporter" ? "node-exporter" : name;
            assert.deepStrictEqual(validateSpec(n, spec), []);
            assert.deepStrictEqual(validateKubernetesSpec(n, spec, "app"), []);
        }
    });

    describe("probes", () => {
        it("derive readiness, liveness and startup from an http check on the health path", () => {
            const c = container(serviceManifests("api", api, ctx).workload);
            for (const p of ["readinessProbe", "livenessProbe", "startupProbe"]) {
                assert.strictEqual(get(c, `${p}.httpGet.path`), "/api/v1/health", p);
                assert.strictEqual(get(c, `${p}.httpGet.port`), 8000, p);
            }
            assert.strictEqual(get(c, "readinessProbe.periodSeconds"), 15);
            assert.strictEqual(get(c, "readinessProbe.timeoutSeconds"), 5);
            assert.strictEqual(get(c, "livenessProbe.failureThreshold"), 3);
            // 30s start period / 15s interval, then the 3 retries docker also allows after start_period.
            assert.strictEqual(get(c, "startupProbe.failureThreshold"), 5);
            assert.strictEqual(get(c, "startupProbe.periodSeconds"), 15);
        });

        it("round the start period up and skip the startup probe without one", () => {
            assert.strictEqual(get(probes({ kind: "tcp", port: 1, startPeriodSeconds: 31, intervalSeconds: 10 }), "startupProbe.failureThreshold"), 4 + 3);
            assert.strictEqual(get(probes({ kind: "tcp", port: 1, startPeriodSeconds: 5, intervalSeconds: 10, retries: 2 }), "startupProbe.failureThreshold"), 1 + 2);
            assert.strictEqual(probes({ kind: "tcp", port: 1 }).startupProbe, undefined);
            assert.strictEqual(get(container(serviceManifests("web", web, ctx).workload), "startupProbe"), undefined);
        });

        it("send the Host header of an http check", () => {
            assert.deepStrictEqual(get(container(serviceManifests("web", web, ctx).workload), "readinessProbe.httpGet.httpHeaders"), [
                { name: "Host", value: "web.local" },
            ]);
        });

        it("use exec and tcpSocket for exec and tcp checks", () => {
            const pg = container(serviceManifests("postgres", postgres, ctx).workload);
            assert.deepStrictEqual(get(pg, "livenessProbe.exec.command"), ["pg_isready", "-U", "ptc"]);
            assert.strictEqual(get(pg, "readinessProbe.periodSeconds"), 10);
            assert.strictEqual(get(pg, "readinessProbe.failureThreshold"), 5);
            const ne = container(serviceManifests("node-exporter", nodeExporter, ctx).workload);
            assert.deepStrictEqual(get(ne, "readinessProbe.tcpSocket"), { port: 9100 });
            assert.strictEqual(get(ne, "readinessProbe.httpGet"), undefined);
        });

        it("are absent on jobs and schedules", () => {
            const j = container(jobManifests("migrate", migrate, ctx, { jobName: "migrate-x", triggerHash: "x" }).job);
            const s = container(scheduleManifests("backup", backup, ctx).cronJob);
            for (const c of [j, s]) {
                assert.strictEqual(c.readinessProbe, undefined);
                assert.strictEqual(c.livenessProbe, undefined);
            }
        });
    });

    describe("security context", () => {
        it("runs as the spec's non-root user with no privileges and a read-only root where allowed", () => {
            const w = serviceManifests("api", api, ctx).workload;
            assert.deepStrictEqual(get(w, "spec.template.spec.securityContext"), {
                runAsNonRoot: true,
                runAsUser: 1000,
                runAsGroup: 1000,
                fsGroup: 1000,
                seccompProfile: { type: "RuntimeDefault" },
            });
            const c = container(w);
            assert.strictEqual(get(c, "securityContext.allowPrivilegeEscalation"), false);
            assert.deepStrictEqual(get(c, "securityContext.capabilities.drop"), ["ALL"]);
            assert.strictEqual(get(c, "securityContext.readOnlyRootFilesystem"), true);
            assert.strictEqual(get(c, "securityContext.runAsNonRoot"), true);
            assert.strictEqual(get(container(serviceManifests("postgres", postgres, ctx).workload), "securityContext.readOnlyRootFilesystem"), false);
            assert.strictEqual(get(w, "spec.template.spec.automountServiceAccountToken"), false);
        });

        it("mounts an emptyDir with the size limit for each scratch dir", () => {
            const w = serviceManifests("api", api, ctx).workload;
            const mount = arr(get(container(w), "volumeMounts")).find((m) => m.mountPath === "/tmp");
            assert.ok(mount, "no mount at /tmp");
            const vol = arr(get(w, "spec.template.spec.volumes")).find((v) => v.name === mount.name);
            assert.deepStrictEqual(get(vol, "emptyDir"), { sizeLimit: "32Mi" });
            const e = serviceManifests("edge", edge, ctx).workload;
            const defaults = arr(get(e, "spec.template.spec.volumes")).filter((v) => v.emptyDir !== undefined);
            assert.deepStrictEqual(defaults.map((v) => get(v, "emptyDir.sizeLimit")), ["64Mi", "64Mi"]);
            assert.strictEqual(new Set(defaults.map((v) => v.name)).size, 2);
        });

        it("renders host access only as the spec asks: read-only host paths and host PID", () => {
            const w = serviceManifests("node-exporter", nodeExporter, ctx).workload;
            assert.strictEqual(w.kind, "DaemonSet");
            assert.strictEqual(get(w, "spec.template.spec.hostPID"), true);
            const hostVols = arr(get(w, "spec.template.spec.volumes")).filter((v) => v.hostPath !== undefined);
            assert.deepStrictEqual(hostVols.map((v) => get(v, "hostPath.path")).sort(), ["/", "/proc"]);
            const hostMounts = arr(get(container(w), "volumeMounts")).filter((m) => hostVols.some((v) => v.name === m.name));
            assert.deepStrictEqual(hostMounts.map((m) => [m.mountPath, m.readOnly]).sort(), [["/host/proc", true], ["/host/root", true]]);
            assert.strictEqual(get(w, "spec.template.spec.securityContext.runAsNonRoot"), true);
            assert.strictEqual(get(serviceManifests("api", api, ctx).workload, "spec.template.spec.hostPID"), undefined);
        });

        it("runs a log collector as root only when the spec asks, with the log dirs read-only", () => {
            const w = serviceManifests("alloy", alloy, ctx).workload;
            assert.strictEqual(get(w, "spec.template.spec.securityContext.runAsNonRoot"), false);
            assert.strictEqual(get(w, "spec.template.spec.securityContext.runAsUser"), 0);
            assert.deepStrictEqual(get(container(w), "securityContext.capabilities.drop"), ["ALL"]);
            const mounts = arr(get(container(w), "volumeMounts"));
            assert.deepStrictEqual(mounts.map((m) => [m.mountPath, m.readOnly]).sort(), [["/var/log/containers", true], ["/var/log/pods", true]]);
        });
    });

    describe("Kubernetes API access", () => {
        const hostCtx: ManifestContext = { namespace: `${NS}-host`, component: "monitoring" };

        it("gives only the log collector a token, through its own ServiceAccount; every other pod has none", () => {
            const a = serviceManifests("alloy", alloy, hostCtx);
            assert.strictEqual(get(a.workload, "spec.template.spec.automountServiceAccountToken"), true);
            assert.strictEqual(get(a.workload, "spec.template.spec.serviceAccountName"), "alloy");
            assert.strictEqual(get(a.podReader?.serviceAccount, "metadata.name"), "alloy");
            assert.strictEqual(get(a.podReader?.serviceAccount, "metadata.namespace"), `${NS}-host`);
            // The account itself mounts nothing: a pod has to ask for the token.
            assert.strictEqual(get(a.podReader?.serviceAccount, "automountServiceAccountToken"), false);
            const others = [
                serviceManifests("api", api, ctx).workload,
                serviceManifests("web", web, ctx).workload,
                serviceManifests("postgres", postgres, ctx).workload,
                serviceManifests("edge", edge, ctx).workload,
                serviceManifests("node-exporter", nodeExporter, hostCtx).workload,
                jobManifests("migrate", migrate, ctx, { jobName: "migrate-x", triggerHash: "x" }).job,
            ];
            for (const w of others) {
                assert.strictEqual(get(w, "spec.template.spec.automountServiceAccountToken"), false, String(w.metadata.name));
                assert.strictEqual(get(w, "spec.template.spec.serviceAccountName"), undefined, String(w.metadata.name));
            }
            const cron = scheduleManifests("backup", backup, ctx).cronJob;
            assert.strictEqual(get(cron, "spec.jobTemplate.spec.template.spec.automountServiceAccountToken"), false);
            for (const [n, spec, c] of [["api", api, ctx], ["node-exporter", nodeExporter, hostCtx], ["edge", edge, ctx]] as const) {
                assert.strictEqual(serviceManifests(n, spec, c).podReader, undefined, n);
            }
        });

        it("lets the log collector get, list and watch pods and nothing else, bound to its account by a namespaced role name", () => {
            const r = podReaderManifests("alloy", alloy, hostCtx);
            const roleName = podReaderRoleName("alloy", `${NS}-host`);
            assert.strictEqual(roleName, `${NS}-host-alloy-pod-reader`);
            assert.strictEqual(get(r.clusterRole, "metadata.name"), roleName);
            assert.strictEqual(get(r.clusterRole, "metadata.namespace"), undefined, "a ClusterRole is cluster-scoped");
            assert.deepStrictEqual(r.clusterRole.rules, [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] }]);
            assert.strictEqual(get(r.clusterRoleBinding, "metadata.name"), roleName);
            assert.deepStrictEqual(r.clusterRoleBinding.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: roleName });
            assert.deepStrictEqual(r.clusterRoleBinding.subjects, [{ kind: "ServiceAccount", name: "alloy", namespace: `${NS}-host` }]);
            const labels = get(r.clusterRole, "metadata.labels") as Record<string, string>;
            assert.strictEqual(labels[LABELS.workload], "alloy");
            assert.strictEqual(labels[LABELS.component], "monitoring");
            // Another stack's namespace gets another role: cluster-scoped names must not collide.
            assert.notStrictEqual(podReaderRoleName("alloy", "staging-host"), roleName);
        });

        it("opens egress to the API server only for the collector's pods, only on 443 and 6443, to the configured CIDRs", () => {
            const p = podReaderManifests("alloy", alloy, hostCtx).apiServerPolicy;
            assert.deepStrictEqual(get(p, "spec.podSelector"), { matchLabels: { [LABELS.workload]: "alloy" } });
            assert.deepStrictEqual(get(p, "spec.policyTypes"), ["Egress"]);
            const rules = arr(get(p, "spec.egress"));
            assert.strictEqual(rules.length, 1);
            assert.deepStrictEqual(arr(rules[0].ports).map((x) => [x.protocol, x.port]), [["TCP", 443], ["TCP", 6443]]);
            assert.deepStrictEqual([...API_SERVER_PORTS], [443, 6443]);
            assert.deepStrictEqual(arr(rules[0].to).map((x) => get(x, "ipBlock.cidr")), [...DEFAULT_API_SERVER_CIDRS]);
            assert.deepStrictEqual([...DEFAULT_API_SERVER_CIDRS], ["0.0.0.0/0"]);
            const narrow = podReaderManifests("alloy", alloy, { ...hostCtx, apiServerCidrs: ["172.20.0.10/32", "fd00::1/128"] }).apiServerPolicy;
            assert.deepStrictEqual(arr(get(narrow, "spec.egress.0.to")).map((x) => get(x, "ipBlock.cidr")), ["172.20.0.10/32", "fd00::1/128"]);
        });

        it("under the namespace policies, the collector reaches a private API server address on 443/6443; other pods and ports do not", () => {
            const policies = [
                ...networkPolicyManifests({ ...netOpts, namespace: `${NS}-host` }),
                ...networkPolicyManifests(netOpts),
                podReaderManifests("alloy", alloy, hostCtx).apiServerPolicy,
            ];
            const collector = podOf(serviceManifests("alloy", alloy, hostCtx), `${NS}-host`);
            const nodeExp = podOf(serviceManifests("node-exporter", nodeExporter, hostCtx), `${NS}-host`);
            const prometheus = { ns: NS, labels: { [LABELS.workload]: "prometheus", [LABELS.tier]: "ops" } };
            for (const port of [443, 6443]) {
                assert.ok(allowed(policies, "Egress", collector, { ip: "10.0.0.1" }, port), `collector → API server :${port}`);
                // Without the collector's own policy the ops tier reaches only public addresses on 443.
                assert.ok(!allowed(policies, "Egress", nodeExp, { ip: "10.0.0.1" }, port), `node-exporter → 10.0.0.1:${port}`);
                assert.ok(!allowed(policies, "Egress", prometheus, { ip: "10.0.0.1" }, port), `prometheus → 10.0.0.1:${port}`);
            }
            assert.ok(!allowed(policies, "Egress", collector, { ip: "10.0.0.1" }, 80), "collector → 10.0.0.1:80");
            assert.ok(!allowed(policies, "Egress", collector, { ip: "10.0.0.1" }, 2379), "collector → etcd");
            // The evaluator itself can say no to the default deny and yes to a public HTTPS address.
            assert.ok(allowed(policies, "Egress", prometheus, { ip: "93.184.216.34" }, 443));
            assert.ok(!allowed(policies, "Egress", prometheus, { ip: "169.254.169.254" }, 443));
        });
    });

    describe("workload kinds", () => {
        it("makes a Deployment that never drops below its replicas, spread across nodes", () => {
            const w = serviceManifests("api", api, ctx).workload;
            assert.strictEqual(w.kind, "Deployment");
            assert.strictEqual(get(w, "spec.replicas"), 2);
            assert.deepStrictEqual(get(w, "spec.strategy.rollingUpdate"), { maxUnavailable: 0, maxSurge: 1 });
            const spread = arr(get(w, "spec.template.spec.topologySpreadConstraints"));
            assert.deepStrictEqual(spread.map((s) => s.topologyKey), ["kubernetes.io/hostname", "topology.kubernetes.io/zone"]);
            assert.deepStrictEqual(get(spread[0], "labelSelector.matchLabels"), get(w, "spec.selector.matchLabels"));
            assert.strictEqual(get(serviceManifests("web", web, ctx).workload, "spec.template.spec.topologySpreadConstraints"), undefined);
        });

        it("makes a StatefulSet with a claim template per volume for a store", () => {
            const w = serviceManifests("postgres", postgres, { ...ctx, storageClassName: "gp3" }).workload;
            assert.strictEqual(w.kind, "StatefulSet");
            assert.strictEqual(get(w, "spec.serviceName"), "postgres");
            const claims = arr(get(w, "spec.volumeClaimTemplates"));
            assert.strictEqual(claims.length, 1);
            assert.strictEqual(get(claims[0], "metadata.name"), "data");
            assert.deepStrictEqual(get(claims[0], "spec.accessModes"), ["ReadWriteOnce"]);
            assert.strictEqual(get(claims[0], "spec.resources.requests.storage"), "20Gi");
            assert.strictEqual(get(claims[0], "spec.storageClassName"), "gp3");
            assert.deepStrictEqual(get(w, "spec.persistentVolumeClaimRetentionPolicy"), { whenDeleted: "Retain", whenScaled: "Retain" });
            const mount = arr(get(container(w), "volumeMounts")).find((m) => m.name === "data");
            assert.strictEqual(mount?.mountPath, "/var/lib/postgresql/data");
            // Without a class the cluster default applies.
            assert.strictEqual(get(arr(get(serviceManifests("postgres", postgres, ctx).workload, "spec.volumeClaimTemplates"))[0], "spec.storageClassName"), undefined);
        });

        it("sets requests and limits; the memory limit defaults to the request", () => {
            assert.deepStrictEqual(get(container(serviceManifests("api", api, ctx).workload), "resources"), {
                requests: { cpu: "250m", memory: "256Mi" },
                limits: { memory: "512Mi", cpu: "1" },
            });
            assert.deepStrictEqual(get(container(serviceManifests("web", web, ctx).workload), "resources.limits"), { memory: "64Mi" });
        });

        it("adds a PodDisruptionBudget only when replicas > 1", () => {
            const m = serviceManifests("api", api, ctx);
            assert.ok(m.pdb);
            assert.strictEqual(get(m.pdb, "spec.maxUnavailable"), 1);
            assert.deepStrictEqual(get(m.pdb, "spec.selector.matchLabels"), get(m.workload, "spec.selector.matchLabels"));
            assert.strictEqual(serviceManifests("web", web, ctx).pdb, undefined);
            assert.strictEqual(serviceManifests("postgres", postgres, ctx).pdb, undefined);
            assert.strictEqual(serviceManifests("node-exporter", nodeExporter, ctx).pdb, undefined);
        });
    });

    describe("services", () => {
        it("exposes a ClusterIP Service on the container ports", () => {
            const m = serviceManifests("api", api, ctx);
            assert.strictEqual(get(m.service, "metadata.name"), "api");
            assert.strictEqual(get(m.service, "spec.type"), "ClusterIP");
            assert.deepStrictEqual(get(m.service, "spec.ports"), [{ name: "http", port: 8000, targetPort: "http", protocol: "TCP" }]);
            assert.deepStrictEqual(get(m.service, "spec.selector"), get(m.workload, "spec.selector.matchLabels"));
            assert.strictEqual(m.publicService, undefined);
            assert.strictEqual(m.publicPolicy, undefined);
        });

        it("puts a headless Service in front of a per-node workload, so its name resolves to every pod, ready or not", () => {
            const m = serviceManifests("node-exporter", nodeExporter, ctx);
            assert.strictEqual(get(m.service, "spec.clusterIP"), "None");
            assert.strictEqual(get(m.service, "spec.publishNotReadyAddresses"), true);
            assert.deepStrictEqual(get(m.service, "spec.ports"), [{ name: "metrics", port: 9100, targetPort: "metrics", protocol: "TCP" }]);
            assert.deepStrictEqual(get(m.service, "spec.selector"), get(m.workload, "spec.selector.matchLabels"));
            assert.strictEqual(get(serviceManifests("alloy", alloy, ctx).service, "spec.clusterIP"), "None");
            // Every other workload keeps its virtual IP.
            for (const [n, spec] of [["api", api], ["postgres", postgres], ["edge", edge]] as const) {
                assert.strictEqual(get(serviceManifests(n, spec, ctx).service, "spec.clusterIP"), undefined, n);
                assert.strictEqual(get(serviceManifests(n, spec, ctx).service, "spec.publishNotReadyAddresses"), undefined, n);
            }
            // Pods of a DaemonSet on the pod network: NetworkPolicies apply to them (no hostNetwork).
            assert.strictEqual(get(m.workload, "spec.template.spec.hostNetwork"), undefined);
        });

        it("adds a headless <name>-pods Service, listing ready pods only, when replicas > 1 (not per node)", () => {
            const m = serviceManifests("api", api, ctx);
            assert.ok(hasPodsService(api));
            assert.strictEqual(podsServiceName("api"), "api-pods");
            assert.strictEqual(get(m.podsService, "kind"), "Service");
            assert.strictEqual(get(m.podsService, "metadata.name"), "api-pods");
            assert.strictEqual(get(m.podsService, "metadata.namespace"), NS);
            assert.deepStrictEqual(get(m.podsService, "metadata.labels"), get(m.service, "metadata.labels"));
            assert.strictEqual(get(m.podsService, "spec.type"), "ClusterIP");
            assert.strictEqual(get(m.podsService, "spec.clusterIP"), "None");
            assert.strictEqual(get(m.podsService, "spec.publishNotReadyAddresses"), false);
            // Same pods and ports as the ClusterIP Service, which keeps its virtual IP.
            assert.deepStrictEqual(get(m.podsService, "spec.selector"), get(m.workload, "spec.selector.matchLabels"));
            assert.deepStrictEqual(get(m.podsService, "spec.ports"), get(m.service, "spec.ports"));
            assert.strictEqual(get(m.service, "metadata.name"), "api");
            assert.strictEqual(get(m.service, "spec.clusterIP"), undefined);
            // One replica (the default, or 1 explicitly), a per-node workload (already headless),
            // a store with one replica, or no ports: no extra Service.
            for (const [n, spec] of [
                ["web", web],
                ["web1", { ...web, replicas: 1 }],
                ["postgres", postgres],
                ["node-exporter", { ...nodeExporter, replicas: 3 }],
                ["alloy", alloy],
                ["worker", { ...api, ports: [] }],
            ] as const) {
                assert.strictEqual(serviceManifests(n, spec, ctx).podsService, undefined, n);
                assert.strictEqual(hasPodsService(spec), false, n);
            }
            // Any replicated workload gets one, on its container ports only (never the published host ports).
            const e = serviceManifests("edge", edge, ctx);
            assert.strictEqual(get(e.podsService, "metadata.name"), "edge-pods");
            assert.deepStrictEqual(arr(get(e.podsService, "spec.ports")).map((p) => p.port), [8080, 8443, 9113]);
            assert.strictEqual(get(serviceManifests("web2", { ...web, replicas: 2 }, ctx).podsService, "metadata.name"), "web2-pods");
        });

        it("publishes only the edge's host ports through a LoadBalancer and opens only those to any source", () => {
            const m = serviceManifests("edge", edge, ctx);
            assert.strictEqual(get(m.publicService, "spec.type"), "LoadBalancer");
            assert.deepStrictEqual(
                arr(get(m.publicService, "spec.ports")).map((p) => [p.name, p.port, p.targetPort]),
                [["http", 80, "http"], ["https", 443, "https"]],
            );
            assert.deepStrictEqual(arr(get(m.service, "spec.ports")).map((p) => p.port), [8080, 8443, 9113]);
            const rules = arr(get(m.publicPolicy, "spec.ingress"));
            assert.strictEqual(rules.length, 1);
            assert.strictEqual(rules[0].from, undefined);
            assert.deepStrictEqual(arr(rules[0].ports).map((p) => p.port), [8080, 8443]);
        });
    });

    describe("files, env and secrets", () => {
        it("puts plain files in a ConfigMap and secret files in the Secret, each mounted at its path", () => {
            const m = serviceManifests("edge", edge, ctx);
            assert.deepStrictEqual(Object.keys(m.configMap?.data ?? {}), ["docker-entrypoint.d-99-check.sh", "etc-nginx-nginx.conf"]);
            assert.deepStrictEqual(m.secret?.stringData, { "file.etc-nginx-tls-tls.key": TLS_KEY });
            const mounts = arr(get(container(m.workload), "volumeMounts"));
            const conf = mounts.find((x) => x.mountPath === "/etc/nginx/nginx.conf");
            assert.deepStrictEqual(conf, { name: "files", mountPath: "/etc/nginx/nginx.conf", subPath: "etc-nginx-nginx.conf", readOnly: true });
            const key = mounts.find((x) => x.mountPath === "/etc/nginx/tls/tls.key");
            assert.strictEqual(key?.name, "secret-files");
            const vols = arr(get(m.workload, "spec.template.spec.volumes"));
            const items = arr(get(vols.find((v) => v.name === "files"), "configMap.items"));
            assert.deepStrictEqual(items.map((i) => [i.key, i.mode]), [["docker-entrypoint.d-99-check.sh", 0o555], ["etc-nginx-nginx.conf", 0o444]]);
            assert.strictEqual(get(vols.find((v) => v.name === "secret-files"), "secret.secretName"), "edge-secrets");
            assert.strictEqual(arr(get(vols.find((v) => v.name === "secret-files"), "secret.items"))[0].mode, 0o440);
        });

        it("passes plain env as values and secret env only by reference to the Secret", () => {
            const m = serviceManifests("api", api, ctx);
            assert.deepStrictEqual(get(container(m.workload), "env"), [
                { name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: "api-secrets", key: "DATABASE_URL" } } },
                { name: "ENVIRONMENT", value: "production" },
                { name: "LOG_LEVEL", value: "info" },
            ]);
            assert.deepStrictEqual(Object.keys(m.secret?.stringData ?? {}), ["DATABASE_URL"]);
        });

        it("keeps secret values out of every object but the Secret", () => {
            const objs = [
                ...all(serviceManifests("api", api, checksums)),
                ...all(serviceManifests("postgres", postgres, checksums)),
                ...all(serviceManifests("edge", edge, checksums)),
                ...Object.values(scheduleManifests("backup", backup, checksums)),
                ...Object.values(jobManifests("migrate", migrate, checksums, { jobName: "migrate-1", triggerHash: "1" })),
            ].filter((o) => o !== undefined && o.kind !== "Secret");
            assert.ok(objs.length > 10);
            for (const o of objs) {
                const text = JSON.stringify(o);
                for (const s of [DB_PASSWORD, "not-a-real-key", BACKUP_KEY]) {
                    assert.ok(!text.includes(s), `${o.kind} ${String(get(o, "metadata.name"))} contains a secret value`);
                }
            }
        });

        it("annotates the pod template with checksums so a changed file or secret rolls the pods", () => {
            const w = serviceManifests("edge", edge, checksums).workload;
            const annotations = get(w, "spec.template.metadata.annotations") as Record<string, string>;
            assert.strictEqual(annotations[CONFIG_CHECKSUM_ANNOTATION], "f".repeat(64));
            assert.strictEqual(annotations[SECRET_CHECKSUM_ANNOTATION], "s".repeat(64));
            // No files: no file checksum even when one is offered; the secret env still gets one.
            const pg = get(serviceManifests("postgres", postgres, checksums).workload, "spec.template.metadata.annotations") as Record<string, string>;
            assert.strictEqual(pg[CONFIG_CHECKSUM_ANNOTATION], undefined);
            assert.strictEqual(pg[SECRET_CHECKSUM_ANNOTATION], "s".repeat(64));
            assert.notStrictEqual(contentChecksum({ a: "1" }), contentChecksum({ a: "2" }));
            assert.strictEqual(contentChecksum({ a: "1", b: "2" }), contentChecksum({ b: "2", a: "1" }));
            assert.notStrictEqual(contentChecksum({ a: "1", b: "" }), contentChecksum({ a: "", b: "1" }));
            assert.notStrictEqual(contentChecksum({ a: "1" }, "key-1"), contentChecksum({ a: "1" }, "key-2"));
        });
    });

    describe("labels and annotations", () => {
        it("puts LABELS and the kind on the object and its pod template; the spec cannot override tier or workload", () => {
            const w = serviceManifests("api", api, ctx).workload;
            for (const path of ["metadata.labels", "spec.template.metadata.labels"]) {
                const labels = get(w, path) as Record<string, string>;
                assert.strictEqual(labels[LABELS.component], "app", path);
                assert.strictEqual(labels[LABELS.workload], "api", path);
                assert.strictEqual(labels[LABELS.tier], "app", path);
                assert.strictEqual(labels[LABELS.kind], "service", path);
                assert.deepStrictEqual(Object.keys(labels), Object.keys(labels).sort(), "labels are sorted");
            }
            assert.strictEqual(get(w, "metadata.annotations")?.constructor, Object);
            assert.strictEqual((get(w, "metadata.annotations") as Record<string, string>)["example.com/owner"], "team-api");
            assert.strictEqual((get(w, "spec.template.metadata.annotations") as Record<string, string>)["example.com/owner"], "team-api");
            assert.strictEqual((get(serviceManifests("postgres", postgres, ctx).workload, "metadata.labels") as Record<string, string>)[LABELS.store], "postgres");
        });

        it("labels jobs and schedules with their kind and role, and schedules with their cron", () => {
            const job = jobManifests("migrate", migrate, ctx, { jobName: "migrate-x", triggerHash: "x" }).job;
            assert.strictEqual((get(job, "metadata.labels") as Record<string, string>)[LABELS.kind], "job");
            assert.strictEqual((get(job, "spec.template.metadata.labels") as Record<string, string>)[LABELS.role], "migration");
            const cron = scheduleManifests("backup", backup, ctx).cronJob;
            for (const path of ["metadata", "spec.jobTemplate.spec.template.metadata"]) {
                const labels = get(cron, `${path}.labels`) as Record<string, string>;
                const annotations = get(cron, `${path}.annotations`) as Record<string, string>;
                assert.strictEqual(labels[LABELS.kind], "schedule", path);
                assert.strictEqual(labels[LABELS.role], "backup", path);
                assert.strictEqual(annotations[ANNOTATIONS.backupOf], "postgres,redis", path);
                assert.strictEqual(annotations[ANNOTATIONS.schedule], "15 3 * * *", path);
            }
        });
    });

    describe("jobs and schedules", () => {
        it("names a Job after its trigger, so a new trigger makes a new Job", () => {
            assert.strictEqual(jobName("migrate", "api:1.2.3"), `migrate-${shortHash("api:1.2.3")}`);
            assert.notStrictEqual(jobName("migrate", "api:1.2.3"), jobName("migrate", "api:1.2.4"));
            assert.match(jobName("migrate", "x"), /^migrate-[0-9a-f]{10}$/);
            const job = jobManifests("migrate", migrate, ctx, { jobName: "migrate-abc", triggerHash: "abc" }).job;
            assert.strictEqual(get(job, "metadata.name"), "migrate-abc");
            assert.strictEqual(get(job, "spec.backoffLimit"), 1);
            assert.strictEqual(get(job, "spec.activeDeadlineSeconds"), 600);
            assert.strictEqual(get(job, "spec.template.spec.restartPolicy"), "Never");
            assert.strictEqual(get(job, "spec.ttlSecondsAfterFinished"), undefined);
            assert.deepStrictEqual(get(container(job), "args"), ["alembic", "upgrade", "head"]);
            const withTtl = jobManifests("migrate", migrate, ctx, { jobName: "m", triggerHash: "h", ttlSecondsAfterFinished: 86400 }).job;
            assert.strictEqual(get(withTtl, "spec.ttlSecondsAfterFinished"), 86400);
        });

        it("defaults a Job's retries and deadline", () => {
            const job = jobManifests("init", { image: "x:1", tier: "ops", resources: { cpu: "10m", memory: "16Mi" } }, ctx, { jobName: "init-1", triggerHash: "1" }).job;
            assert.strictEqual(get(job, "spec.backoffLimit"), 2);
            assert.strictEqual(get(job, "spec.activeDeadlineSeconds"), 3600);
        });

        it("makes a CronJob on the spec's schedule in UTC that never overlaps", () => {
            const cron = scheduleManifests("backup", backup, ctx).cronJob;
            assert.strictEqual(get(cron, "spec.schedule"), "15 3 * * *");
            assert.strictEqual(get(cron, "spec.timeZone"), CRON_TIME_ZONE);
            assert.strictEqual(get(cron, "spec.concurrencyPolicy"), "Forbid");
            assert.ok((get(cron, "spec.startingDeadlineSeconds") as number) > 0);
            assert.ok((get(cron, "spec.successfulJobsHistoryLimit") as number) >= 1);
            assert.ok((get(cron, "spec.failedJobsHistoryLimit") as number) >= 1);
            assert.strictEqual(get(cron, "spec.jobTemplate.spec.template.spec.restartPolicy"), "Never");
        });
    });

    describe("namespace and network policies", () => {
        it("enforces the restricted Pod Security Standard", () => {
            const labels = get(namespaceManifest(NS), "metadata.labels") as Record<string, string>;
            assert.strictEqual(labels["pod-security.kubernetes.io/enforce"], "restricted");
            assert.strictEqual(labels["pod-security.kubernetes.io/warn"], "restricted");
            const relaxed = get(namespaceManifest(`${NS}-host`, "privileged"), "metadata.labels") as Record<string, string>;
            assert.strictEqual(relaxed["pod-security.kubernetes.io/enforce"], "privileged");
            assert.strictEqual(relaxed["pod-security.kubernetes.io/audit"], "restricted");
        });

        it("denies all ingress and egress by default", () => {
            const deny = networkPolicyManifests(netOpts).find((p) => p.metadata.name === "default-deny");
            assert.deepStrictEqual(get(deny, "spec"), { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        });

        it("allows exactly the tier pairs of TIER_INGRESS, in both directions", () => {
            const policies = networkPolicyManifests(netOpts);
            const ingressPairs = new Set<string>();
            const egressPairs = new Set<string>();
            for (const p of policies) {
                const sel = get(p, "spec.podSelector.matchLabels") as Record<string, string> | undefined;
                const tier = sel?.[LABELS.tier];
                if (!tier) continue;
                for (const rule of arr(get(p, "spec.ingress") ?? [])) {
                    for (const peer of arr(rule.from)) {
                        assert.deepStrictEqual(get(peer, "namespaceSelector.matchExpressions.0.values"), [NS, `${NS}-host`]);
                        for (const from of get(peer, "podSelector.matchExpressions.0.values") as string[]) ingressPairs.add(`${from}->${tier}`);
                    }
                }
                for (const rule of arr(get(p, "spec.egress") ?? [])) {
                    for (const peer of arr(rule.to)) {
                        if (peer.ipBlock) continue;
                        for (const to of get(peer, "podSelector.matchExpressions.0.values") as string[]) egressPairs.add(`${tier}->${to}`);
                    }
                }
            }
            const expected = new Set(TIERS.flatMap((to: Tier) => TIER_INGRESS[to].map((from) => `${from}->${to}`)));
            assert.deepStrictEqual([...ingressPairs].sort(), [...expected].sort());
            assert.deepStrictEqual([...egressPairs].sort(), [...expected].sort());
            assert.ok(!expected.has("edge->data") && !ingressPairs.has("edge->data"));
        });

        it("lets Prometheus (ops, app namespace) scrape node-exporter pods (ops, host-agent namespace); other tiers cannot", () => {
            const hostCtx: ManifestContext = { namespace: `${NS}-host`, component: "monitoring" };
            const policies = [...networkPolicyManifests(netOpts), ...networkPolicyManifests({ ...netOpts, namespace: `${NS}-host` })];
            const nodeExp = podOf(serviceManifests("node-exporter", nodeExporter, hostCtx), `${NS}-host`);
            const prometheus = podOf(
                serviceManifests("prometheus", { ...web, tier: "ops", ports: [{ name: "http", port: 9090 }], healthCheck: { kind: "tcp", port: 9090 } }, { ...ctx, component: "monitoring" }),
                NS,
            );
            const apiPod = podOf(serviceManifests("api", api, ctx), NS);
            const edgePod = podOf(serviceManifests("edge", edge, ctx), NS);
            assert.ok(connects(policies, prometheus, nodeExp, 9100), "prometheus → node-exporter:9100");
            assert.ok(!connects(policies, apiPod, nodeExp, 9100), "api → node-exporter");
            assert.ok(!connects(policies, edgePod, nodeExp, 9100), "edge → node-exporter");
            // Cluster DNS, for the discovery lookups.
            const dns = { ns: "kube-system", labels: { "k8s-app": "kube-dns" } };
            assert.ok(allowed(policies, "Egress", prometheus, { pod: dns }, 53));
            assert.ok(!allowed(policies, "Egress", prometheus, { pod: dns }, 80));
        });

        it("lets Prometheus scrape each API pod found through the headless api-pods Service; tiers that may not reach the API cannot", () => {
            // A headless Service has no virtual IP: clients connect straight to the pod addresses,
            // so the pod-level tier policies are all that applies (no extra policy is needed).
            const policies = networkPolicyManifests(netOpts);
            const m = serviceManifests("api", api, ctx);
            assert.strictEqual(get(m.podsService, "spec.clusterIP"), "None");
            const apiPod = podOf(m, NS);
            assert.ok(selects({ matchLabels: get(m.podsService, "spec.selector") as Record<string, string> }, apiPod.labels), "api-pods selects the API pods");
            const prometheus = podOf(
                serviceManifests("prometheus", { ...web, tier: "ops", ports: [{ name: "http", port: 9090 }], healthCheck: { kind: "tcp", port: 9090 } }, { ...ctx, component: "monitoring" }),
                NS,
            );
            const pg = podOf(serviceManifests("postgres", postgres, ctx), NS);
            assert.ok(connects(policies, prometheus, apiPod, 8000), "prometheus → api pod:8000");
            assert.ok(!connects(policies, pg, apiPod, 8000), "postgres → api pod");
        });

        it("lets every pod reach cluster DNS and only the ops tier reach the internet on 443, not private ranges", () => {
            const policies = networkPolicyManifests(netOpts);
            const dns = policies.find((p) => p.metadata.name === "allow-dns-egress");
            assert.deepStrictEqual(get(dns, "spec.podSelector"), {});
            assert.deepStrictEqual(arr(get(dns, "spec.egress.0.ports")).map((p) => `${String(p.protocol)}/${String(p.port)}`), ["UDP/53", "TCP/53"]);
            for (const p of policies) {
                const ext = arr(get(p, "spec.egress") ?? []).filter((r) => arr(r.to).some((peer) => peer.ipBlock));
                if (p.metadata.name === "tier-ops") {
                    assert.strictEqual(ext.length, 2);
                    assert.deepStrictEqual(arr(ext[0].ports).map((x) => x.port), [443]);
                    assert.ok((get(ext[0], "to.0.ipBlock.except") as string[]).includes("169.254.0.0/16"));
                    assert.ok((get(ext[0], "to.0.ipBlock.except") as string[]).includes("10.0.0.0/8"));
                } else {
                    assert.strictEqual(ext.length, 0, `${String(p.metadata.name)} must not reach outside`);
                }
            }
        });
    });

    describe("validation", () => {
        const base: WorkloadSpec = { ...web };
        const cases: [string, Partial<WorkloadSpec & ScheduleSpec>, RegExp][] = [
            ["a long port name", { ports: [{ name: "a-very-long-port-name", port: 80 }] }, /port name/],
            ["root", { user: "0:0" }, /non-root/],
            ["memory in millibytes", { resources: { cpu: "100m", memory: "256m" } }, /memory quantity/],
            ["a bad cpu", { resources: { cpu: "1 core", memory: "1Gi" } }, /CPU quantity/],
            ["perNode volumes", { perNode: true, volumes: [{ name: "d", mountPath: "/d", sizeGi: 1 }] }, /perNode/],
            ["a bad label value", { labels: { "proteamcare.io/role": "not ok!" } }, /label/],
            ["a bad cron", { cron: "* * * *" } as Partial<ScheduleSpec>, /cron/],
            ["colliding file keys", { files: [{ path: "/a/b-c", content: "" }, { path: "/a-b/c", content: "" }] }, /same key/],
            ["a volume name that is no DNS label", { volumes: [{ name: "Data_1", mountPath: "/d", sizeGi: 1 }] }, /DNS label/],
        ];
        for (const [what, change, re] of cases) {
            it(`refuses ${what}`, () => {
                const problems = validateKubernetesSpec("web", { ...base, ...change } as WorkloadSpec, "app");
                assert.ok(problems.some((p) => re.test(p) && p.startsWith("web:")), problems.join("\n") || "no problem reported");
            });
        }
    });

    it("is deterministic", () => {
        const a = JSON.stringify([serviceManifests("edge", edge, checksums), scheduleManifests("backup", backup, checksums), networkPolicyManifests(netOpts)]);
        const b = JSON.stringify([serviceManifests("edge", edge, checksums), scheduleManifests("backup", backup, checksums), networkPolicyManifests(netOpts)]);
        assert.strictEqual(a, b);
    });

    describe("against the Kubernetes OpenAPI schema", () => {
        const manifests: Manifest[] = [
            namespaceManifest(NS),
            namespaceManifest(`${NS}-host`, "privileged"),
            ...networkPolicyManifests(netOpts),
            ...all(serviceManifests("api", api, checksums)),
            ...all(serviceManifests("web", web, checksums)),
            ...all(serviceManifests("postgres", postgres, { ...checksums, storageClassName: "gp3" })),
            ...all(serviceManifests("edge", edge, checksums)),
            ...all(serviceManifests("node-exporter", nodeExporter, checksums)),
            ...all(serviceManifests("alloy", alloy, { ...checksums, namespace: `${NS}-host`, apiServerCidrs: ["10.0.0.1/32", "fd00::1/128"] })),
            ...Object.values(jobManifests("migrate", migrate, checksums, { jobName: jobName("migrate", "t"), triggerHash: shortHash("t"), ttlSecondsAfterFinished: 60 })),
            ...Object.values(scheduleManifests("backup", backup, checksums)),
        ].filter((m): m is Manifest => m !== undefined);

        it("covers every kind the platform emits", () => {
            assert.deepStrictEqual([...new Set(manifests.map((m) => `${m.apiVersion}/${m.kind}`))].sort(), [
                "apps/v1/DaemonSet",
                "apps/v1/Deployment",
                "apps/v1/StatefulSet",
                "batch/v1/CronJob",
                "batch/v1/Job",
                "networking.k8s.io/v1/NetworkPolicy",
                "policy/v1/PodDisruptionBudget",
                "rbac.authorization.k8s.io/v1/ClusterRole",
                "rbac.authorization.k8s.io/v1/ClusterRoleBinding",
                "v1/ConfigMap",
                "v1/Namespace",
                "v1/Secret",
                "v1/Service",
                "v1/ServiceAccount",
            ]);
        });

        for (const m of manifests) {
            it(`validates ${m.kind} ${String(m.metadata.name)}`, async () => {
                await validateManifest(m);
            });
        }

        it("rejects a broken manifest, naming it and the schema error", async () => {
            const bad = JSON.parse(JSON.stringify(serviceManifests("api", api, ctx).workload)) as Obj;
            (get(bad, "spec.template.spec.containers.0") as Obj).ports = [{ containerPort: "http" }];
            await assert.rejects(validateManifest(bad), (err: Error) => {
                assert.match(err.message, /apps\/v1 Deployment "ptc\/api"/);
                assert.match(err.message, /\/spec\/template\/spec\/containers\/0\/ports\/0\/containerPort must be integer/);
                return true;
            });
            const missing = JSON.parse(JSON.stringify(scheduleManifests("backup", backup, ctx).cronJob)) as Obj;
            delete (missing.spec as Obj).schedule;
            await assert.rejects(validateManifest(missing), /CronJob "ptc\/backup".*schedule/);
        });

        it("rejects a broken RBAC object (the rbac schema is really applied)", async () => {
            const role = JSON.parse(JSON.stringify(podReaderManifests("alloy", alloy, ctx).clusterRoleBinding)) as Obj;
            delete role.roleRef;
            await assert.rejects(validateManifest(role), /ClusterRoleBinding.*roleRef/);
            const rules = JSON.parse(JSON.stringify(podReaderManifests("alloy", alloy, ctx).clusterRole)) as Obj;
            (rules.rules as Obj[])[0].verbs = "get";
            await assert.rejects(validateManifest(rules), /ClusterRole.*verbs/);
        });

        it("rejects unknown kinds and non-objects", async () => {
            await assert.rejects(validateManifest({ apiVersion: "v1", kind: "Gadget", metadata: { name: "x" } }), /no Kubernetes schema.*Gadget/);
            await assert.rejects(validateManifest({ apiVersion: "../../etc", kind: "Passwd" }), /not a Kubernetes apiVersion/);
            await assert.rejects(validateManifest([]), /must be an object/);
            await assert.rejects(validateManifests([namespaceManifest(NS), { apiVersion: "v1", kind: "Service", spec: { ports: "x" } }]), /Service/);
        });
    });
});
