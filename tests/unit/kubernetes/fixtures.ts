/** Specs, contexts and helpers the Kubernetes renderer tests share (a NetworkPolicy evaluator among them). */
import * as assert from "assert";
import { DEFAULT_DNS_PEER, DEFAULT_EXTERNAL_EGRESS, Manifest, ManifestContext, NetworkPolicyManifest, NetworkPolicyOptions, ServiceManifests } from "../../../components/platform/kubernetes";
import { ANNOTATIONS, JobSpec, LABELS, ScheduleSpec, WorkloadSpec } from "../../../components/platform/spec";

/** Reads a nested value by a dotted path ("spec.template.spec.containers.0.image"). */
export function get(obj: unknown, path: string): unknown {
    let cur: unknown = obj;
    for (const part of path.split(".")) {
        if (cur === null || cur === undefined) return undefined;
        cur = (cur as Record<string, unknown>)[part];
    }
    return cur;
}

export type Obj = Record<string, unknown>;
export const arr = (v: unknown): Obj[] => {
    assert.ok(Array.isArray(v), `expected an array, got ${JSON.stringify(v)}`);
    return v as Obj[];
};

export const NS = "ptc";
export const ctx: ManifestContext = { namespace: NS, component: "app" };
export const DB_PASSWORD = "s3cr3t-db-password-value";
export const TLS_KEY = "-----BEGIN PRIVATE KEY-----\nnot-a-real-key\n-----END PRIVATE KEY-----\n";
export const BACKUP_KEY = "aws-secret-access-key-value";

export const api: WorkloadSpec = {
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

export const web: WorkloadSpec = {
    image: "ghcr.io/ptc/web:1.2.3",
    tier: "app",
    ports: [{ name: "http", port: 8080 }],
    healthCheck: { kind: "http", path: "/", port: 8080, host: "web.local" },
    resources: { cpu: "100m", memory: "64Mi" },
    user: "101:101",
};

export const postgres: WorkloadSpec = {
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

export const edge: WorkloadSpec = {
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

export const nodeExporter: WorkloadSpec = {
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

export const alloy: WorkloadSpec = {
    image: "grafana/alloy:v1.4.2",
    tier: "ops",
    ports: [{ name: "http", port: 12345 }],
    healthCheck: { kind: "http", path: "/-/ready", port: 12345 },
    resources: { cpu: "100m", memory: "128Mi" },
    perNode: true,
    host: { containerLogs: true, root: true },
    annotations: { [ANNOTATIONS.exemptions]: "log-collector" },
};

export const migrate: JobSpec = {
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

export const backup: ScheduleSpec = {
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

export const netOpts: NetworkPolicyOptions = {
    namespace: NS,
    peerNamespaces: [NS, `${NS}-host`],
    dns: DEFAULT_DNS_PEER,
    externalEgress: DEFAULT_EXTERNAL_EGRESS,
};

export const checksums: ManifestContext = { ...ctx, filesChecksum: "f".repeat(64), secretChecksum: "s".repeat(64) };

export function all(m: ServiceManifests): Manifest[] {
    const reader = m.podReader ? [m.podReader.serviceAccount, m.podReader.clusterRole, m.podReader.clusterRoleBinding, m.podReader.apiServerPolicy] : [];
    return [m.workload, m.service, m.podsService, m.publicService, m.publicPolicy, m.configMap, m.secret, m.pdb, ...reader].filter((x): x is NonNullable<typeof x> => x !== undefined);
}

/** A pod as NetworkPolicies see it: its namespace and labels. */
export interface PodRef {
    readonly ns: string;
    readonly labels: Readonly<Record<string, string>>;
}
export type Selector = { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };

/** Does a label selector select these labels (matchLabels and In/NotIn/Exists/DoesNotExist)? */
export function selects(sel: Selector | undefined, labels: Readonly<Record<string, string>>): boolean {
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

export function ipv4(ip: string): number {
    return ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
}
export function inCidr(ip: string, cidr: string): boolean {
    if (cidr.includes(":")) return false;
    const [base, bits] = cidr.split("/");
    const size = 2 ** (32 - Number(bits));
    return Math.floor(ipv4(ip) / size) === Math.floor(ipv4(base) / size);
}

export type Dest = { pod: PodRef } | { ip: string };

/** Does one policy peer match a destination or source? */
export function peerMatches(peer: Obj, target: Dest, policyNs: string): boolean {
    if ("ip" in target) {
        const block = peer.ipBlock as { cidr: string; except?: string[] } | undefined;
        return block !== undefined && inCidr(target.ip, block.cidr) && !(block.except ?? []).some((e) => inCidr(target.ip, e));
    }
    if (peer.ipBlock) return false;
    const nsOk = peer.namespaceSelector ? selects(peer.namespaceSelector as Selector, { "kubernetes.io/metadata.name": target.pod.ns }) : target.pod.ns === policyNs;
    return nsOk && selects(peer.podSelector as Selector | undefined, target.pod.labels);
}

export function portMatches(ports: unknown, port: number): boolean {
    return ports === undefined || arr(ports).some((p) => p.port === undefined || p.port === port);
}

/**
 * Evaluates NetworkPolicies the way the API defines them: a direction is open when no policy
 * selecting the pod covers it, or when some rule of a policy that does admits the peer and port.
 */
export function allowed(policies: readonly NetworkPolicyManifest[], dir: "Ingress" | "Egress", pod: PodRef, peer: Dest, port: number): boolean {
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
export function connects(policies: readonly NetworkPolicyManifest[], from: PodRef, to: PodRef, port: number): boolean {
    return allowed(policies, "Egress", from, { pod: to }, port) && allowed(policies, "Ingress", to, { pod: from }, port);
}

export function podOf(m: ServiceManifests, ns: string): PodRef {
    return { ns, labels: get(m.workload, "spec.template.metadata.labels") as Record<string, string> };
}

export function container(workload: unknown): Obj {
    const path = get(workload, "kind") === "CronJob" ? "spec.jobTemplate.spec.template.spec.containers" : "spec.template.spec.containers";
    const cs = arr(get(workload, path));
    assert.strictEqual(cs.length, 1);
    return cs[0];
}
