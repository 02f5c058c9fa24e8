import * as assert from "assert";
import { networkPolicyManifests, scheduleManifests, serviceManifests } from "../../../components/platform/kubernetes";
import { api, arr, backup, checksums, container, ctx, edge, get, netOpts, postgres, web } from "./fixtures";

describe("kubernetes workloads", () => {
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

    });
    it("is deterministic", () => {
        const a = JSON.stringify([serviceManifests("edge", edge, checksums), scheduleManifests("backup", backup, checksums), networkPolicyManifests(netOpts)]);
        const b = JSON.stringify([serviceManifests("edge", edge, checksums), scheduleManifests("backup", backup, checksums), networkPolicyManifests(netOpts)]);
        assert.strictEqual(a, b);
    });
});
