import * as assert from "assert";
import { hasPodsService, podsServiceName, serviceManifests } from "../../../components/platform/kubernetes";
import { alloy, api, arr, ctx, edge, get, nodeExporter, NS, postgres, web } from "./fixtures";

describe("kubernetes services", () => {
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
