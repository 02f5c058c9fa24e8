import * as assert from "assert";
import { namespaceManifest } from "../../../components/platform/kubernetes";
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
});
