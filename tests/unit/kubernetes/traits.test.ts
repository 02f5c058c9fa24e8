import * as assert from "assert";
import { hasPodsService, needsHostAccess, readsPods } from "../../../components/platform/kubernetes";

describe("kubernetes traits", () => {
    it("gives a headless pods Service only to a replicated workload with ports, not per node", () => {
        const ports = [{ name: "http", port: 80 }];
        assert.strictEqual(hasPodsService({ ports, replicas: 2 }), true);
        assert.strictEqual(hasPodsService({ ports, replicas: 1 }), false);
        assert.strictEqual(hasPodsService({ ports }), false);
        assert.strictEqual(hasPodsService({ ports: [], replicas: 3 }), false);
        assert.strictEqual(hasPodsService({ ports, replicas: 3, perNode: true }), false);
    });

    it("lets only a log collector read pods", () => {
        assert.strictEqual(readsPods({ host: { containerLogs: true, root: true } }), true);
        assert.strictEqual(readsPods({ host: { pid: true } }), false);
        assert.strictEqual(readsPods({}), false);
    });

    it("sends any host access (paths, PID, logs, root) to the host-agent namespace, and nothing else", () => {
        for (const host of [{ paths: [{ hostPath: "/", mountPath: "/host" }] }, { pid: true }, { containerLogs: true }, { root: true }]) {
            assert.strictEqual(needsHostAccess({ host }), true, JSON.stringify(host));
        }
        for (const host of [undefined, {}, { paths: [] }, { pid: false, root: false }]) {
            assert.strictEqual(needsHostAccess({ host }), false, JSON.stringify(host));
        }
    });
});
