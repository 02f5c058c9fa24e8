import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, isSecretInput, type MockRecorder, plaintextStrings, settle, unwrapSecret, valueOf } from "../support/pulumi";
import type { JobHandle, ServiceHandle } from "../../components/platform/spec";

type Mod = typeof import("../../components/platform/kubernetes");
type Manifests = typeof import("../../components/platform/kubernetes");

const OWNER = "proteamcare:test:Owner";

class Owner extends pulumi.ComponentResource {
    constructor(name: string) {
        super(OWNER, name, {}, {});
    }
}

const DB_PASSWORD = "k8s-test-db-password-7f3a";
const TLS_KEY = "K8S-TEST-PRIVATE-KEY-MATERIAL";
const S3_SECRET = "k8s-test-s3-secret-key-91c2";
const CHECKSUM_KEY = "k8s-test-checksum-key-0123456789abcdef";

/** A registration the mocks saw, with the provider reference ("urn::id") it was given. */
interface Registered {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
    readonly provider?: string;
}

/** Recording mocks (they keep each resource's provider reference) with a fixed checksum key. */
function recordingMocks(): MockRecorder {
    return installMocks({
        stack: "k8s-test",
        outputs: (args) => (args.type === "random:index/randomBytes:RandomBytes" ? { state: { hex: CHECKSUM_KEY } } : undefined),
        call: (args) => args.inputs,
    });
}

function get(obj: unknown, path: string): unknown {
    let cur: unknown = obj;
    for (const part of path.split(".")) {
        if (cur === null || cur === undefined) return undefined;
        cur = (unwrapSecret(cur) as Record<string, unknown>)[part];
    }
    return unwrapSecret(cur);
}

describe("KubernetesPlatform (mocks)", () => {
    let mocks: ReturnType<typeof recordingMocks>;
    let mod: Mod;
    let man: Manifests;
    let owner: Owner;
    let platform: InstanceType<Mod["KubernetesPlatform"]>;
    let provider: import("@pulumi/kubernetes").Provider;
    const handles: Record<string, ServiceHandle | JobHandle> = {};

    before(async () => {
        mocks = recordingMocks();
        const k8s = await import("@pulumi/kubernetes");
        mod = await import("../../components/platform/kubernetes");
        man = await import("../../components/platform/kubernetes");
        provider = new k8s.Provider("cluster", {});
        platform = new mod.KubernetesPlatform("plat", { namespace: "ptc", provider, storageClassName: "gp3" });
        owner = new Owner("owner");
        handles.api = platform.service(
            "api",
            {
                image: "ghcr.io/ptc/api:1.0.0",
                tier: "app",
                ports: [{ name: "http", port: 8000 }],
                env: { ENVIRONMENT: "production" },
                secretEnv: { DATABASE_URL: pulumi.secret(`postgresql://ptc:${DB_PASSWORD}@db:5432/ptc`) },
                healthCheck: { kind: "http", path: "/api/v1/health", port: 8000 },
                resources: { cpu: "250m", memory: "256Mi" },
                user: "1000:1000",
                replicas: 2,
            },
            { parent: owner },
        );
        handles.db = platform.service(
            "db",
            {
                image: "postgres:16.4",
                tier: "data",
                ports: [{ name: "postgres", port: 5432 }],
                // A plain string on purpose: the platform must make it secret by itself.
                secretEnv: { POSTGRES_PASSWORD: DB_PASSWORD },
                volumes: [{ name: "data", mountPath: "/var/lib/postgresql/data", sizeGi: 10 }],
                healthCheck: { kind: "exec", command: ["pg_isready"], intervalSeconds: 10, timeoutSeconds: 5 },
                resources: { cpu: "500m", memory: "1Gi" },
                user: "999:999",
                labels: { "proteamcare.io/store": "postgres" },
            },
            { parent: owner },
        );
        handles.edge = platform.service(
            "edge",
            {
                image: "nginx:1.27.1",
                tier: "edge",
                ports: [
                    { name: "https", port: 8443, hostPort: 443 },
                    { name: "http", port: 8080, hostPort: 80 },
                ],
                files: [
                    { path: "/etc/nginx/nginx.conf", content: "events {}" },
                    { path: "/etc/nginx/tls.key", content: TLS_KEY, secret: true },
                ],
                healthCheck: { kind: "http", path: "/healthz", port: 8080 },
                resources: { cpu: "50m", memory: "64Mi" },
                user: "101:101",
                readOnlyRootFilesystem: true,
                scratch: [{ mountPath: "/tmp" }],
                replicas: 2,
            },
            { parent: owner },
        );
        handles.nodeExporter = platform.service(
            "node-exporter",
            {
                image: "quay.io/prometheus/node-exporter:v1.8.2",
                tier: "ops",
                ports: [{ name: "metrics", port: 9100 }],
                healthCheck: { kind: "tcp", port: 9100 },
                resources: { cpu: "50m", memory: "64Mi" },
                user: "65534:65534",
                perNode: true,
                host: { paths: [{ hostPath: "/proc", mountPath: "/host/proc" }], pid: true },
                annotations: { "proteamcare.io/policy-exemptions": "host-metrics-agent" },
            },
            { parent: owner },
        );
        handles.alloy = platform.service(
            "alloy",
            {
                image: "grafana/alloy:v1.4.2",
                tier: "ops",
                ports: [{ name: "http", port: 12345 }],
                healthCheck: { kind: "http", path: "/-/ready", port: 12345 },
                resources: { cpu: "100m", memory: "128Mi" },
                perNode: true,
                host: { containerLogs: true, root: true },
                annotations: { "proteamcare.io/policy-exemptions": "log-collector" },
            },
            { parent: owner },
        );
        handles.migrate = platform.job(
            "migrate",
            {
                image: "ghcr.io/ptc/api:1.0.0",
                tier: "app",
                command: ["alembic", "upgrade", "head"],
                secretEnv: { DATABASE_URL: pulumi.secret(`postgresql://ptc:${DB_PASSWORD}@db:5432/ptc`) },
                resources: { cpu: "100m", memory: "128Mi" },
                user: "1000:1000",
                trigger: pulumi.output("ghcr.io/ptc/api:1.0.0"),
                deadlineSeconds: 900,
            },
            { parent: owner },
        );
        handles.backup = platform.schedule(
            "backup",
            {
                image: "ghcr.io/ptc/backup:1.0.0",
                tier: "ops",
                cron: "0 3 * * *",
                secretEnv: { AWS_SECRET_ACCESS_KEY: S3_SECRET },
                resources: { cpu: "100m", memory: "128Mi" },
                user: "1000:1000",
                labels: { "proteamcare.io/role": "backup" },
                annotations: { "proteamcare.io/backup-of": "db" },
            },
            { parent: owner },
        );
        for (const [name, content] of [["conf-a", "a"], ["conf-b", "b"], ["conf-c", "a"]]) {
            handles[name] = platform.service(
                name,
                {
                    image: "nginx:1.27.1",
                    tier: "app",
                    ports: [{ name: "http", port: 8080 }],
                    files: [{ path: "/etc/app.conf", content }],
                    healthCheck: { kind: "tcp", port: 8080 },
                    resources: { cpu: "10m", memory: "16Mi" },
                    user: "101:101",
                },
                { parent: owner },
            );
        }
        await settle();
    });

    const k8sResources = (): Registered[] => mocks.resources.filter((r) => r.type.startsWith("kubernetes:"));

    it("creates the namespace with the restricted Pod Security Standard and its network policies", () => {
        const ns = mocks.get("kubernetes:core/v1:Namespace", "plat-ns");
        assert.strictEqual(get(ns.inputs, "metadata.name"), "ptc");
        assert.strictEqual((get(ns.inputs, "metadata.labels") as Record<string, string>)["pod-security.kubernetes.io/enforce"], "restricted");
        const policies = mocks
            .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
            .filter((p) => get(p.inputs, "metadata.namespace") === "ptc")
            .map((p) => get(p.inputs, "metadata.name"));
        assert.deepStrictEqual(policies.sort(), ["allow-dns-egress", "default-deny", "edge-public", "tier-app", "tier-data", "tier-edge", "tier-ops"]);
    });

    it("makes a Deployment, a StatefulSet and a DaemonSet as the specs ask, each with the expected objects", () => {
        const names = (type: string): string[] => mocks.ofType(type).map((r) => r.name).sort();
        assert.deepStrictEqual(names("kubernetes:apps/v1:Deployment"), ["api-deploy", "conf-a-deploy", "conf-b-deploy", "conf-c-deploy", "edge-deploy"]);
        assert.deepStrictEqual(names("kubernetes:apps/v1:StatefulSet"), ["db-sts"]);
        assert.deepStrictEqual(names("kubernetes:apps/v1:DaemonSet"), ["alloy-ds", "node-exporter-ds"]);
        assert.deepStrictEqual(names("kubernetes:policy/v1:PodDisruptionBudget"), ["api-pdb", "edge-pdb"]);
        assert.deepStrictEqual(names("kubernetes:batch/v1:Job"), ["migrate-job"]);
        assert.deepStrictEqual(names("kubernetes:batch/v1:CronJob"), ["backup-cron"]);
        assert.deepStrictEqual(names("kubernetes:core/v1:Secret"), ["api-secret", "backup-secret", "db-secret", "edge-secret", "migrate-secret"]);
        const svc = mocks.get("kubernetes:core/v1:Service", "edge-svc-public");
        assert.strictEqual(get(svc.inputs, "spec.type"), "LoadBalancer");
        const claims = get(mocks.get("kubernetes:apps/v1:StatefulSet", "db-sts").inputs, "spec.volumeClaimTemplates") as unknown[];
        assert.strictEqual(get(claims[0], "spec.storageClassName"), "gp3");
    });

    it("gives every object a deterministic metadata name in its namespace", () => {
        for (const r of k8sResources()) {
            const name = get(r.inputs, "metadata.name");
            assert.strictEqual(typeof name, "string", `${r.type} ${r.name} has no metadata.name`);
            assert.match(name as string, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, `${r.type} ${r.name}`);
        }
        assert.strictEqual(get(mocks.get("kubernetes:apps/v1:Deployment", "api-deploy").inputs, "metadata.name"), "api");
    });

    it("parents every workload object to the calling component and uses the platform's provider", async () => {
        const workloadUrns = await Promise.all(Object.values(handles).flatMap((h) => h.resources.map((r) => valueOf(r.urn))));
        assert.ok(workloadUrns.length >= 25, `only ${workloadUrns.length} workload resources`);
        for (const urn of workloadUrns) assert.match(urn, new RegExp(`::${OWNER}\\$kubernetes:`), urn);
        const platformUrn = await valueOf(platform.urn);
        assert.match(platformUrn, /proteamcare:platform:Kubernetes::plat$/);
        const workloadNames = new Set(workloadUrns.map((u) => u.split("::").pop()));
        const own = k8sResources().filter((r) => !workloadNames.has(r.name));
        // The platform's own children: two namespaces and their six policies each.
        assert.strictEqual(own.length, 14, own.map((r) => r.name).join(", "));
    });

    it("passes the platform's provider explicitly to every Kubernetes object", () => {
        assert.strictEqual(mocks.ofType("pulumi:providers:kubernetes").length, 1);
        for (const r of k8sResources()) {
            assert.match(r.provider ?? "<none>", /pulumi:providers:kubernetes::cluster::cluster-id$/, `${r.type} ${r.name}`);
        }
    });

    it("keeps every secret value out of plain inputs and puts it, wrapped, only in Secret stringData", () => {
        for (const r of mocks.resources) {
            for (const s of plaintextStrings(r.inputs)) {
                for (const secret of [DB_PASSWORD, TLS_KEY, S3_SECRET, CHECKSUM_KEY]) {
                    assert.ok(!s.includes(secret), `${r.type} ${r.name} has a secret in a plain input`);
                }
            }
        }
        const db = mocks.get("kubernetes:core/v1:Secret", "db-secret");
        assert.ok(isSecretInput(db.inputs.stringData), "stringData is not a secret");
        assert.deepStrictEqual(get(db.inputs, "stringData"), { POSTGRES_PASSWORD: DB_PASSWORD });
        const edge = mocks.get("kubernetes:core/v1:Secret", "edge-secret");
        assert.deepStrictEqual(get(edge.inputs, "stringData"), { "file.etc-nginx-tls.key": TLS_KEY });
        const env = get(mocks.get("kubernetes:apps/v1:StatefulSet", "db-sts").inputs, "spec.template.spec.containers.0.env");
        assert.deepStrictEqual(env, [{ name: "POSTGRES_PASSWORD", valueFrom: { secretKeyRef: { name: "db-secrets", key: "POSTGRES_PASSWORD" } } }]);
    });

    it("rolls pods on a config change: the checksum follows the content, and the secret one is keyed so it can stay plain", () => {
        const checksum = (name: string): unknown =>
            (get(mocks.get("kubernetes:apps/v1:Deployment", `${name}-deploy`).inputs, "spec.template.metadata.annotations") as Record<string, unknown>)[
                man.CONFIG_CHECKSUM_ANNOTATION
            ];
        assert.match(String(checksum("conf-a")), /^[0-9a-f]{64}$/);
        assert.notStrictEqual(checksum("conf-a"), checksum("conf-b"));
        assert.strictEqual(checksum("conf-a"), checksum("conf-c"));
        // The secret checksum is keyed by the platform's random key, so it can stay plain and keep the spec readable.
        const api = mocks.get("kubernetes:apps/v1:Deployment", "api-deploy").inputs;
        assert.ok(!isSecretInput(api.spec), "the Deployment spec became secret");
        const sum = (get(api, "spec.template.metadata.annotations") as Record<string, unknown>)[man.SECRET_CHECKSUM_ANNOTATION];
        assert.match(String(sum), /^[0-9a-f]{64}$/);
        const unkeyed = man.contentChecksum({ [`env.DATABASE_URL`]: `postgresql://ptc:${DB_PASSWORD}@db:5432/ptc` });
        assert.notStrictEqual(sum, unkeyed);
        assert.strictEqual(sum, man.contentChecksum({ [`env.DATABASE_URL`]: `postgresql://ptc:${DB_PASSWORD}@db:5432/ptc` }, CHECKSUM_KEY));
    });

    it("keeps every workload's spec readable (not secret) so previews and policies can inspect it", () => {
        for (const r of k8sResources().filter((x) => x.type !== "kubernetes:core/v1:Secret")) {
            for (const [k, v] of Object.entries(r.inputs)) assert.ok(!isSecretInput(v), `${r.type} ${r.name} input ${k} is secret`);
        }
    });

    it("returns the in-cluster endpoint of a service", async () => {
        const ep = (handles.api as ServiceHandle).endpoint;
        assert.strictEqual(await valueOf(ep.host), "api.ptc.svc.cluster.local");
        assert.strictEqual(ep.port, 8000);
        assert.strictEqual(await valueOf(ep.address), "api.ptc.svc.cluster.local:8000");
        assert.strictEqual(await valueOf((handles.edge as ServiceHandle).endpoint.address), "edge.ptc.svc.cluster.local:8443");
    });

    it("puts host agents in their own namespace that allows host access and keeps the same policies", async () => {
        const ns = mocks.get("kubernetes:core/v1:Namespace", "plat-host-ns");
        assert.strictEqual(get(ns.inputs, "metadata.name"), "ptc-host");
        assert.strictEqual((get(ns.inputs, "metadata.labels") as Record<string, string>)["pod-security.kubernetes.io/enforce"], "privileged");
        const ds = mocks.get("kubernetes:apps/v1:DaemonSet", "node-exporter-ds");
        assert.strictEqual(get(ds.inputs, "metadata.namespace"), "ptc-host");
        assert.strictEqual((get(ds.inputs, "metadata.annotations") as Record<string, string>)["proteamcare.io/policy-exemptions"], "host-metrics-agent");
        assert.strictEqual(await valueOf((handles.nodeExporter as ServiceHandle).endpoint.host), "node-exporter.ptc-host.svc.cluster.local");
        const policies = mocks
            .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
            .filter((p) => get(p.inputs, "metadata.namespace") === "ptc-host")
            .map((p) => get(p.inputs, "metadata.name"));
        assert.deepStrictEqual(policies.sort(), ["allow-dns-egress", "alloy-apiserver", "default-deny", "tier-app", "tier-data", "tier-edge", "tier-ops"]);
    });

    it("fronts a per-node workload with a headless Service (its name resolves to every node's pod)", () => {
        const svc = mocks.get("kubernetes:core/v1:Service", "node-exporter-svc");
        assert.strictEqual(get(svc.inputs, "spec.clusterIP"), "None");
        assert.strictEqual(get(svc.inputs, "metadata.namespace"), "ptc-host");
        assert.strictEqual(get(mocks.get("kubernetes:core/v1:Service", "api-svc").inputs, "spec.clusterIP"), undefined);
    });

    it("adds a headless <name>-pods Service (ready pods only) for each replicated workload, and only for those", () => {
        const svc = mocks.get("kubernetes:core/v1:Service", "api-svc-pods");
        assert.strictEqual(get(svc.inputs, "metadata.name"), "api-pods");
        assert.strictEqual(get(svc.inputs, "metadata.namespace"), "ptc");
        assert.strictEqual(get(svc.inputs, "spec.clusterIP"), "None");
        assert.strictEqual(get(svc.inputs, "spec.publishNotReadyAddresses"), false);
        assert.deepStrictEqual(get(svc.inputs, "spec.selector"), get(mocks.get("kubernetes:apps/v1:Deployment", "api-deploy").inputs, "spec.selector.matchLabels"));
        assert.deepStrictEqual(get(svc.inputs, "spec.ports"), get(mocks.get("kubernetes:core/v1:Service", "api-svc").inputs, "spec.ports"));
        assert.match(svc.provider ?? "<none>", /pulumi:providers:kubernetes::cluster::cluster-id$/);
        // api and edge run 2 replicas; the store, the per-node agents and the single-replica services do not.
        const pods = mocks
            .ofType("kubernetes:core/v1:Service")
            .filter((r) => r.name.endsWith("-svc-pods"))
            .map((r) => r.name)
            .sort();
        assert.deepStrictEqual(pods, ["api-svc-pods", "edge-svc-pods"]);
        assert.ok((handles.api as ServiceHandle).resources.some((r) => pulumi.resourceName(r) === "api-svc-pods"), "the api's handle lists its pods Service");
    });

    it("returns a pods host that resolves to every replica: the headless name when replicated, the host otherwise", async () => {
        const podsHost = async (n: string): Promise<string | undefined> => {
            const h = (handles[n] as ServiceHandle).endpoint.podsHost;
            return h === undefined ? undefined : valueOf(h);
        };
        assert.strictEqual(await podsHost("api"), "api-pods.ptc.svc.cluster.local");
        assert.strictEqual(await podsHost("edge"), "edge-pods.ptc.svc.cluster.local");
        // Already headless (per node), or one replica: the Service name itself.
        assert.strictEqual(await podsHost("nodeExporter"), "node-exporter.ptc-host.svc.cluster.local");
        assert.strictEqual(await podsHost("db"), "db.ptc.svc.cluster.local");
        assert.strictEqual(await podsHost("conf-a"), "conf-a.ptc.svc.cluster.local");
    });

    it("refuses a workload whose name is taken by another's headless pods Service, before creating anything", () => {
        const before = mocks.resources.length;
        assert.throws(
            () =>
                platform.service(
                    "api-pods",
                    { image: "x:1", tier: "app", ports: [{ name: "http", port: 80 }], healthCheck: { kind: "tcp", port: 80 }, resources: { cpu: "10m", memory: "16Mi" }, user: "1:1" },
                    { parent: owner },
                ),
            /"api-pods".*already used by a headless Service of service "api"/,
        );
        assert.strictEqual(mocks.resources.length, before);
    });

    it("gives the log collector, and only it, an account that reads pods, its token and a way to the API server", async () => {
        const sa = mocks.get("kubernetes:core/v1:ServiceAccount", "alloy-sa");
        assert.strictEqual(get(sa.inputs, "metadata.name"), "alloy");
        assert.strictEqual(get(sa.inputs, "metadata.namespace"), "ptc-host");
        assert.strictEqual(get(sa.inputs, "automountServiceAccountToken"), false);
        const role = mocks.get("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "alloy-pod-reader");
        assert.strictEqual(get(role.inputs, "metadata.name"), "ptc-host-alloy-pod-reader");
        assert.deepStrictEqual(get(role.inputs, "rules"), [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] }]);
        const binding = mocks.get("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "alloy-pod-reader-binding");
        assert.deepStrictEqual(get(binding.inputs, "roleRef"), { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "ptc-host-alloy-pod-reader" });
        assert.deepStrictEqual(get(binding.inputs, "subjects"), [{ kind: "ServiceAccount", name: "alloy", namespace: "ptc-host" }]);
        const policy = mocks.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", "alloy-netpol-apiserver");
        assert.deepStrictEqual(get(policy.inputs, "spec.podSelector"), { matchLabels: { "proteamcare.io/workload": "alloy" } });
        assert.deepStrictEqual(get(policy.inputs, "spec.egress"), [
            { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 443, protocol: "TCP" }, { port: 6443, protocol: "TCP" }] },
        ]);
        const ds = mocks.get("kubernetes:apps/v1:DaemonSet", "alloy-ds");
        assert.strictEqual(get(ds.inputs, "spec.template.spec.serviceAccountName"), "alloy");
        assert.strictEqual(get(ds.inputs, "spec.template.spec.automountServiceAccountToken"), true);
        // The access objects are the collector's: parented to its component, part of its handle.
        const urns = await Promise.all((handles.alloy as ServiceHandle).resources.map((r) => valueOf(r.urn)));
        for (const n of ["alloy-sa", "alloy-pod-reader", "alloy-pod-reader-binding", "alloy-netpol-apiserver"]) {
            assert.ok(urns.some((u) => u.endsWith(`::${n}`) && u.includes(`::${OWNER}$kubernetes:`)), `${n} is not in the collector's handle under its owner`);
        }
        // Every other pod template has no token and no account.
        for (const type of ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:DaemonSet", "kubernetes:batch/v1:Job"]) {
            for (const r of mocks.ofType(type).filter((x) => x.name !== "alloy-ds")) {
                assert.strictEqual(get(r.inputs, "spec.template.spec.automountServiceAccountToken"), false, r.name);
                assert.strictEqual(get(r.inputs, "spec.template.spec.serviceAccountName"), undefined, r.name);
            }
        }
        assert.strictEqual(get(mocks.get("kubernetes:batch/v1:CronJob", "backup-cron").inputs, "spec.jobTemplate.spec.template.spec.automountServiceAccountToken"), false);
        assert.deepStrictEqual(mocks.ofType("kubernetes:core/v1:ServiceAccount").map((r) => r.name), ["alloy-sa"]);
        assert.deepStrictEqual(mocks.ofType("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole").map((r) => r.name), ["alloy-pod-reader"]);
    });

    it("takes the API server's addresses from args and refuses a malformed one before creating anything", async () => {
        const narrow = new mod.KubernetesPlatform("narrow", { namespace: "narrow", provider, apiServerCidrs: ["172.20.0.10/32", "fd00::1/128"] });
        narrow.service(
            "logs",
            {
                image: "grafana/alloy:v1.4.2",
                tier: "ops",
                ports: [{ name: "http", port: 12345 }],
                healthCheck: { kind: "http", path: "/-/ready", port: 12345 },
                resources: { cpu: "100m", memory: "128Mi" },
                perNode: true,
                host: { containerLogs: true, root: true },
            },
            { parent: new Owner("owner-narrow") },
        );
        await settle();
        const policy = mocks.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", "logs-netpol-apiserver");
        assert.deepStrictEqual(get(policy.inputs, "spec.egress.0.to"), [{ ipBlock: { cidr: "172.20.0.10/32" } }, { ipBlock: { cidr: "fd00::1/128" } }]);
        assert.strictEqual(get(mocks.get("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "logs-pod-reader").inputs, "metadata.name"), "narrow-host-logs-pod-reader");

        const k8sCount = (): number => mocks.resources.filter((r) => r.type.startsWith("kubernetes:")).length;
        const before = k8sCount();
        assert.throws(() => new mod.KubernetesPlatform("bad-cidr", { namespace: "x", apiServerCidrs: ["10.0.0.1"] }), /apiServerCidrs entry "10.0.0.1" is not a CIDR/);
        assert.throws(() => new mod.KubernetesPlatform("bad-cidr2", { namespace: "x", apiServerCidrs: ["10.0.0.0/33"] }), /not a CIDR/);
        assert.throws(() => new mod.KubernetesPlatform("no-cidr", { namespace: "x", apiServerCidrs: [] }), /apiServerCidrs needs at least one CIDR/);
        await settle();
        assert.strictEqual(k8sCount(), before);
    });

    it("names the Job after its trigger and waits longer than its deadline", () => {
        const job = mocks.get("kubernetes:batch/v1:Job", "migrate-job");
        assert.strictEqual(get(job.inputs, "metadata.name"), man.jobName("migrate", "ghcr.io/ptc/api:1.0.0"));
        assert.strictEqual(get(job.inputs, "spec.activeDeadlineSeconds"), 900);
        const cron = mocks.get("kubernetes:batch/v1:CronJob", "backup-cron");
        assert.strictEqual(get(cron.inputs, "spec.schedule"), "0 3 * * *");
        assert.strictEqual(get(cron.inputs, "spec.timeZone"), "Etc/UTC");
    });

    it("refuses an invalid spec before creating anything, naming the workload", () => {
        const before = mocks.resources.length;
        assert.throws(
            () =>
                platform.service(
                    "broken",
                    {
                        image: "x:1",
                        tier: "app",
                        ports: [{ name: "http", port: 80, hostPort: 80 }],
                        env: { API_TOKEN: "plain" },
                        healthCheck: { kind: "tcp", port: 80 },
                        resources: { cpu: "10m", memory: "16Mi" },
                    },
                    { parent: owner },
                ),
            (err: Error) => {
                assert.ok(err instanceof pulumi.ResourceError);
                assert.match(err.message, /"broken"/);
                assert.match(err.message, /API_TOKEN looks like a secret/);
                assert.match(err.message, /only the edge tier may publish/);
                return true;
            },
        );
        assert.throws(
            () => platform.job("api", { image: "x:1", tier: "app", resources: { cpu: "10m", memory: "16Mi" } }, { parent: owner }),
            /already used by a service/,
        );
        assert.throws(
            () => platform.schedule("nightly", { image: "x:1", tier: "ops", cron: "daily", resources: { cpu: "10m", memory: "16Mi" } }, { parent: owner }),
            /cron "daily" must be a 5-field cron expression/,
        );
        assert.strictEqual(mocks.resources.length, before);
    });

    it("refuses a namespace that is not a DNS label", () => {
        assert.throws(() => new mod.KubernetesPlatform("bad", { namespace: "Pro_Team" }), /namespace "Pro_Team" must be a DNS label/);
    });
});
