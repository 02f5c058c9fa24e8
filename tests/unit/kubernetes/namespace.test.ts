import * as assert from "assert";
import { namespaceManifest, POD_SECURITY_LEVEL } from "../../../components/platform/kubernetes";
import { get, NS } from "./fixtures";

describe("kubernetes namespace", () => {
        it("enforces the restricted Pod Security Standard", () => {
            const labels = get(namespaceManifest(NS), "metadata.labels") as Record<string, string>;
            assert.strictEqual(labels["pod-security.kubernetes.io/enforce"], "restricted");
            assert.strictEqual(labels["pod-security.kubernetes.io/warn"], "restricted");
            const relaxed = get(namespaceManifest(`${NS}-host`, "privileged"), "metadata.labels") as Record<string, string>;
            assert.strictEqual(relaxed["pod-security.kubernetes.io/enforce"], "privileged");
            assert.strictEqual(relaxed["pod-security.kubernetes.io/audit"], "restricted");
        });
    it("names the namespace, marks it as ours, and enforces restricted by default", () => {
        const ns = namespaceManifest(NS);
        assert.strictEqual(ns.apiVersion, "v1");
        assert.strictEqual(ns.kind, "Namespace");
        assert.strictEqual(ns.metadata.name, NS);
        const labels = ns.metadata.labels as Record<string, string>;
        assert.strictEqual(labels["app.kubernetes.io/managed-by"], "pulumi");
        assert.strictEqual(labels["pod-security.kubernetes.io/enforce"], POD_SECURITY_LEVEL);
        assert.strictEqual(labels["pod-security.kubernetes.io/enforce-version"], "latest");
        assert.deepStrictEqual(Object.keys(labels), Object.keys(labels).sort());
    });
});
