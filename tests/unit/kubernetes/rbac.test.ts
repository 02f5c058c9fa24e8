import * as assert from "assert";
import { API_SERVER_PORTS, DEFAULT_API_SERVER_CIDRS, jobManifests, ManifestContext, networkPolicyManifests, podReaderManifests, podReaderRoleName, scheduleManifests, serviceManifests } from "../../../components/platform/kubernetes";
import { LABELS } from "../../../components/platform/spec";
import { allowed, alloy, api, arr, backup, ctx, edge, get, migrate, netOpts, nodeExporter, NS, podOf, postgres, web } from "./fixtures";

describe("kubernetes rbac", () => {
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
});
