import * as assert from "assert";
import {
    apiServerPolicyName,
    configMapName,
    fileKey,
    jobName,
    pathVolumeName,
    podReaderRoleName,
    podsServiceName,
    publicServiceName,
    secretFileKey,
    secretName,
    serviceHost,
    shortHash,
} from "../../../components/platform/kubernetes";

describe("kubernetes names", () => {
    it("derives every object name from the workload's", () => {
        assert.strictEqual(configMapName("edge"), "edge-files");
        assert.strictEqual(secretName("edge"), "edge-secrets");
        assert.strictEqual(podsServiceName("api"), "api-pods");
        assert.strictEqual(publicServiceName("edge"), "edge-public");
        assert.strictEqual(apiServerPolicyName("alloy"), "alloy-apiserver");
        assert.strictEqual(podReaderRoleName("alloy", "ptc-host"), "ptc-host-alloy-pod-reader");
    });

    it("makes in-cluster DNS names, with the cluster domain", () => {
        assert.strictEqual(serviceHost("api", "ptc"), "api.ptc.svc.cluster.local");
        assert.strictEqual(serviceHost("api", "ptc", "k8s.internal"), "api.ptc.svc.k8s.internal");
    });

    it("names a Job by a 10-character hash of its trigger (the names already in clusters)", () => {
        assert.strictEqual(jobName("migrate", "ghcr.io/ptc/api:1.0.0"), `migrate-${shortHash("ghcr.io/ptc/api:1.0.0", 10)}`);
        // A fixed value: a changed hash length or algorithm would rename every Job and re-run it.
        assert.strictEqual(jobName("migrate", "api:1.2.3"), "migrate-d33ce1f331");
    });

    it("turns file paths into ConfigMap and Secret keys of allowed characters", () => {
        assert.strictEqual(fileKey("/etc/nginx/nginx.conf"), "etc-nginx-nginx.conf");
        assert.strictEqual(fileKey("//a b/c@d"), "a_b-c_d");
        assert.strictEqual(secretFileKey("/etc/tls/tls.key"), "file.etc-tls-tls.key");
        for (const k of [fileKey("/x/ü y"), secretFileKey("/x/ü y")]) assert.match(k, /^[-._a-zA-Z0-9]+$/);
    });

    it("names path volumes with a readable slug and a 6-character hash, so different paths never collide", () => {
        assert.strictEqual(pathVolumeName("scratch", "/var/cache/nginx"), `scratch-var-cache-nginx-${shortHash("/var/cache/nginx", 6)}`);
        assert.notStrictEqual(pathVolumeName("scratch", "/var/run"), pathVolumeName("scratch", "/var-run"));
        assert.strictEqual(pathVolumeName("host", "/"), `host-${shortHash("/", 6)}`);
        const long = pathVolumeName("host", `/${"a".repeat(100)}:/b`);
        assert.ok(long.length <= 63, long);
        assert.match(long, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    });
});
