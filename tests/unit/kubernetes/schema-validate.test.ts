import * as assert from "assert";
import { jobManifests, jobName, Manifest, namespaceManifest, networkPolicyManifests, podReaderManifests, scheduleManifests, serviceManifests, shortHash, validateManifest, validateManifests } from "../../../components/platform/kubernetes";
import { all, alloy, api, backup, checksums, ctx, edge, get, migrate, netOpts, nodeExporter, NS, Obj, postgres, web } from "./fixtures";

describe("kubernetes schema-validate", () => {
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
            ...Object.values(jobManifests("migrate", migrate, checksums, { jobName: jobName("migrate", "t"), triggerHash: shortHash("t", 10), ttlSecondsAfterFinished: 60 })),
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
