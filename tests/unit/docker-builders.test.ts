import * as assert from "assert";
import {
    cpuCores,
    dockerHealthcheck,
    dockerResources,
    isInternalNetwork,
    memoryMiB,
    networksFor,
} from "../../components/platform/docker-builders";
import { TIER_INGRESS, TIERS, validateSpec } from "../../components/platform/spec";

describe("docker builders", () => {
    it("turns an http health check into an in-container wget-or-curl with docker's timings", () => {
        const hc = dockerHealthcheck({ kind: "http", path: "/api/v1/health", port: 8000, intervalSeconds: 30, timeoutSeconds: 10, retries: 3, startPeriodSeconds: 60 });
        assert.strictEqual(hc.tests[0], "CMD-SHELL");
        assert.match(hc.tests[1], /wget .*'http:\/\/127\.0\.0\.1:8000\/api\/v1\/health'/);
        assert.match(hc.tests[1], /curl -fsS .*'http:\/\/127\.0\.0\.1:8000\/api\/v1\/health'/);
        assert.deepStrictEqual([hc.interval, hc.timeout, hc.retries, hc.startPeriod], ["30s", "10s", 3, "60s"]);
    });

    it("runs exec checks as given and tcp checks through bash's /dev/tcp", () => {
        assert.deepStrictEqual(dockerHealthcheck({ kind: "exec", command: ["pg_isready", "-h", "127.0.0.1"] }).tests, ["CMD", "pg_isready", "-h", "127.0.0.1"]);
        assert.deepStrictEqual(dockerHealthcheck({ kind: "tcp", port: 6379 }).tests, ["CMD", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/6379"]);
        const d = dockerHealthcheck({ kind: "tcp", port: 1 });
        assert.deepStrictEqual([d.interval, d.timeout, d.retries, d.startPeriod], ["15s", "5s", 3, "0s"]);
    });

    it("joins each tier's own network plus the networks of the tiers it may call, exactly per TIER_INGRESS", () => {
        assert.deepStrictEqual(networksFor("edge"), ["edge", "app"]);
        assert.deepStrictEqual(networksFor("app"), ["app", "data"]);
        assert.deepStrictEqual(networksFor("data"), ["data"]);
        assert.deepStrictEqual(networksFor("ops"), ["edge", "app", "data", "ops"]);
        // Two workloads share a network only when TIER_INGRESS allows one to call the other.
        for (const from of TIERS) {
            for (const to of TIERS) {
                const shared = networksFor(from).includes(to);
                assert.strictEqual(shared, from === to || TIER_INGRESS[to].includes(from), `${from} on ${to}'s network`);
            }
        }
        assert.deepStrictEqual(TIERS.filter(isInternalNetwork), ["data"]);
    });

    it("parses Kubernetes quantities into docker's units", () => {
        assert.strictEqual(memoryMiB("256Mi"), 256);
        assert.strictEqual(memoryMiB("1Gi"), 1024);
        assert.strictEqual(memoryMiB("1G"), 954);
        assert.strictEqual(cpuCores("250m"), 0.25);
        assert.strictEqual(cpuCores("2"), 2);
        assert.deepStrictEqual(dockerResources({ cpu: "500m", memory: "512Mi", memoryLimit: "1Gi", cpuLimit: "2" }), {
            memory: 1024,
            memoryReservation: 512,
            cpuShares: 512,
            cpus: "2",
        });
        assert.throws(() => memoryMiB("lots"), /memory "lots" is not a Kubernetes quantity/);
        assert.throws(() => cpuCores("fast"), /cpu "fast" is not a Kubernetes quantity/);
    });
});

describe("validateSpec", () => {
    const base = {
        image: "x:1",
        tier: "app" as const,
        ports: [{ name: "http", port: 80 }],
        healthCheck: { kind: "http" as const, path: "/", port: 80 },
        resources: { cpu: "1", memory: "1Gi" },
    };
    it("accepts a sound spec", () => assert.deepStrictEqual(validateSpec("api", base), []));
    it("refuses secret-looking names in plain env", () => {
        assert.match(validateSpec("api", { ...base, env: { DB_PASSWORD: "x" } }).join(), /env DB_PASSWORD looks like a secret; pass it in secretEnv/);
        assert.match(validateSpec("api", { ...base, env: { API_TOKEN: "x" } }).join(), /API_TOKEN/);
    });
    it("refuses host ports outside the edge", () => {
        assert.match(validateSpec("api", { ...base, ports: [{ name: "http", port: 80, hostPort: 80 }] }).join(), /only the edge tier may publish/);
        assert.deepStrictEqual(validateSpec("edge", { ...base, tier: "edge", ports: [{ name: "http", port: 80, hostPort: 80 }] }), []);
    });
    it("refuses a timeout as long as the interval, names that are not DNS labels, and non-numeric users", () => {
        assert.match(validateSpec("api", { ...base, healthCheck: { ...base.healthCheck, intervalSeconds: 5, timeoutSeconds: 5 } }).join(), /timeout \(5s\) must be shorter/);
        assert.match(validateSpec("Api_1", base).join(), /must be a DNS label/);
        assert.match(validateSpec("api", { ...base, user: "appuser" }).join(), /user must be numeric/);
    });
    it("refuses duplicate files, relative paths and empty volumes", () => {
        const problems = validateSpec("api", {
            ...base,
            files: [{ path: "etc/x", content: "" }, { path: "/a", content: "" }, { path: "/a", content: "" }],
            volumes: [{ name: "d", mountPath: "/d", sizeGi: 0 }],
        }).join("\n");
        assert.match(problems, /must be absolute/);
        assert.match(problems, /"\/a" is listed twice/);
        assert.match(problems, /positive sizeGi/);
    });
});
