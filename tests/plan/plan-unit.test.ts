import * as assert from "node:assert/strict";

import type { Violation } from "../../policy/runner";
import { parseCliArgs } from "../../tools/plan/cli";
import { kubernetesTypeInfo, PlanMocks, policyDocumentJson } from "../../tools/plan/mocks";
import { parseSeed, PlanRandom } from "../../tools/plan/random";
import {
    exitCodeFor,
    isConfigError,
    normalizePolicyResult,
    type PlanResult,
    type RecordedResource,
    sortViolations,
    toPlanJson,
    treeOrder,
} from "../../tools/plan/plan";
import { renderPolicy, renderReport, renderTree } from "../../tools/plan/report";
import { secretEnvelope } from "../../tools/plan/secrets";
import { securePlaceholder } from "../../tools/plan/stack-config";

const STACK = "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s";

function res(type: string, name: string, parent: string | null, inputs: Record<string, unknown> = {}): RecordedResource {
    return { urn: `urn:pulumi:s::p::${type}::${name}`, type, name, parent, custom: !type.startsWith("proteamcare:") && type !== "pulumi:pulumi:Stack", inputs, state: {} };
}

function violation(level: Violation["level"], policy: string, message = "fix it"): Violation {
    return { policy, level, urn: STACK, message };
}

function result(over: Partial<PlanResult> = {}): PlanResult {
    const stack: RecordedResource = { urn: STACK, type: "pulumi:pulumi:Stack", name: "p-s", parent: null, custom: false, inputs: {}, state: {} };
    const comp = res("proteamcare:data:Postgres", "postgres", STACK);
    return {
        project: "p",
        stack: "s",
        resources: treeOrder([
            stack,
            res("docker:index/container:Container", "postgres", comp.urn, { envs: ["A=1", secretEnvelope("POSTGRES_PASSWORD=s3cr3t-value")] }),
            comp,
        ]),
        outputs: { url: "https://x.test", password: secretEnvelope("s3cr3t-value") },
        violations: [],
        notes: [],
        mockSecrets: ["s3cr3t-value"],
        ...over,
    };
}

describe("plan: pure parts", () => {
    it("orders resources parents first, siblings by type then name, whatever the registration order", () => {
        const a = res("x:index/a:A", "b", STACK);
        const b = res("x:index/a:A", "a", STACK);
        const c = res("x:index/c:C", "z", b.urn);
        const s: RecordedResource = { urn: STACK, type: "pulumi:pulumi:Stack", name: "p-s", parent: null, custom: false, inputs: {}, state: {} };
        assert.deepEqual(treeOrder([c, a, s, b]).map((r) => r.name), ["p-s", "a", "z", "b"]);
        assert.deepEqual(treeOrder([b, s, a, c]).map((r) => r.name), ["p-s", "a", "z", "b"]);
    });

    it("exits 1 exactly when a violation is mandatory", () => {
        assert.equal(exitCodeFor([]), 0);
        assert.equal(exitCodeFor([violation("advisory", "a"), violation("disabled", "b")]), 0);
        assert.equal(exitCodeFor([violation("advisory", "a"), violation("mandatory", "b")]), 1);
    });

    it("sorts violations mandatory first, then by policy", () => {
        const sorted = sortViolations([violation("advisory", "b"), violation("mandatory", "z"), violation("advisory", "a")]);
        assert.deepEqual(sorted.map((v) => `${v.level}:${v.policy}`), ["mandatory:z", "advisory:a", "advisory:b"]);
    });

    it("recognises config errors by class name, including the SDK's", () => {
        class ConfigError extends Error {}
        class Sub extends ConfigError {}
        assert.ok(isConfigError(new Sub("x")));
        const named = new Error("y");
        named.name = "ConfigError";
        assert.ok(isConfigError(named));
        assert.ok(!isConfigError(new TypeError("z")));
        assert.ok(!isConfigError("ConfigError"));
    });

    it("accepts the runner's violations as a list or as { violations, exemptions }", () => {
        assert.deepEqual(normalizePolicyResult([violation("advisory", "a")]).violations.length, 1);
        const r = normalizePolicyResult({ violations: [], exemptions: [{ name: "host-metrics-agent" }] });
        assert.deepEqual(r.exemptions, [{ name: "host-metrics-agent" }]);
        assert.throws(() => normalizePolicyResult(42), /neither a list/);
    });

    it("builds the JSON contract with exactly its keys and every secret replaced", () => {
        const j = toPlanJson(result({ violations: [violation("mandatory", "p", "leaks s3cr3t-value? no")] }));
        assert.deepEqual(Object.keys(j).sort(), ["outputs", "policy", "project", "resources", "stack"]);
        assert.deepEqual(Object.keys(j.resources[0]).sort(), ["custom", "inputs", "name", "options", "parent", "type", "urn"]);
        assert.deepEqual(j.resources[0].options, {}, "a resource without options writes {}");
        assert.deepEqual(Object.keys(j.policy), ["violations"]);
        assert.equal(j.resources[0].parent, null);
        assert.equal(j.resources[1].type, "proteamcare:data:Postgres");
        assert.equal(j.resources[2].parent, j.resources[1].urn);
        assert.deepEqual(j.resources[2].inputs.envs, ["A=1", "[secret]"]);
        assert.deepEqual(j.outputs, { url: "https://x.test", password: "[secret]" });
        assert.ok(!JSON.stringify(toPlanJson(result())).includes("s3cr3t-value"));
        assert.deepEqual(toPlanJson(result({ exemptions: [] })).policy, { violations: [], exemptions: [] });
    });

    it("prints the tree nested by parent and violations grouped by level, with no secret", () => {
        const r = result({ violations: [violation("advisory", "resource-limits"), violation("mandatory", "workload-health-check", "add a healthcheck")] });
        assert.deepEqual(renderTree(r.resources), [
            "pulumi:pulumi:Stack  p-s",
            "└─ proteamcare:data:Postgres  postgres",
            "   └─ docker:index/container:Container  postgres",
        ]);
        const text = renderReport(r);
        assert.ok(!text.includes("s3cr3t-value"));
        assert.match(text, /password: "\[secret\]"/);
        const policy = renderPolicy(r.violations).join("\n");
        assert.ok(policy.indexOf("mandatory (1)") < policy.indexOf("advisory (1)"));
        assert.match(policy, /\[workload-health-check\] urn:pulumi:s::p::pulumi:pulumi:Stack::p-s\n\s+add a healthcheck/);
        assert.match(renderPolicy([]).join("\n"), /no violations/);
    });

    it("parses the command line", () => {
        assert.deepEqual(parseCliArgs(["dev", "--json", "a.json", "--out", "o", "--program", "p.ts", "--config", "c.yaml", "--policy-config", "x.json"]), {
            stack: "dev",
            json: "a.json",
            out: "o",
            program: "p.ts",
            config: "c.yaml",
            policyConfig: "x.json",
            recordMockSecrets: undefined,
        });
        assert.equal(parseCliArgs(["--help"]), "help");
        assert.throws(() => parseCliArgs([]), /missing <stack>/);
        assert.throws(() => parseCliArgs(["dev", "prod"]), /expected one stack/);
        assert.throws(() => parseCliArgs(["../etc"]), /may only contain/);
        assert.throws(() => parseCliArgs(["dev", "--bogus"]), /bogus/);
    });
});

describe("plan: mocks", () => {
    it("generates a fresh random password per resource and records it", () => {
        const m = new PlanMocks();
        const a = m.newResource({ type: "random:index/randomPassword:RandomPassword", name: "a", inputs: { length: 20, special: false }, custom: true });
        const b = m.newResource({ type: "random:index/randomPassword:RandomPassword", name: "b", inputs: { length: 20, special: false }, custom: true });
        assert.match(String(a.state.result), /^[A-Za-z0-9]{20}$/);
        assert.notEqual(a.state.result, b.state.result);
        assert.ok(m.generatedSecrets.includes(String(a.state.result)));
    });

    it("returns PEM-looking stdout from a local command (key, certificate or both) and records keys", () => {
        const m = new PlanMocks();
        const stdout = (create: string): string => String(m.newResource({ type: "command:local:Command", name: "c", inputs: { create }, custom: true }).state.stdout);
        const both = stdout("openssl req -x509 -newkey rsa:2048 -nodes -keyout /dev/stdout");
        assert.match(both, /-----BEGIN CERTIFICATE-----[\s\S]+-----BEGIN PRIVATE KEY-----/);
        assert.equal(m.generatedSecrets.length, 1);
        assert.ok(both.includes(m.generatedSecrets[0]));
        const key = stdout("set -eu\nopenssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256\n");
        assert.match(key, /^-----BEGIN PRIVATE KEY-----\n[^-]+\n-----END PRIVATE KEY-----\n$/);
        assert.equal(m.generatedSecrets.length, 2);
        const cert = stdout('openssl req -new -x509 -key "$dir/tls.key" -days 365');
        assert.match(cert, /^-----BEGIN CERTIFICATE-----\n[^-]+\n-----END CERTIFICATE-----\n$/);
        assert.equal(m.generatedSecrets.length, 2, "a certificate is not a secret");
    });

    it("gives Kubernetes objects metadata with name and namespace, and AWS buckets a name and ARN", () => {
        const m = new PlanMocks();
        const d = m.newResource({ type: "kubernetes:apps/v1:Deployment", name: "api-deploy", inputs: { metadata: { namespace: "ptc" } }, custom: true });
        assert.deepEqual([(d.state.metadata as Record<string, unknown>).name, (d.state.metadata as Record<string, unknown>).namespace], ["api-deploy", "ptc"]);
        assert.equal(d.id, "ptc/api-deploy");
        const ns = m.newResource({ type: "kubernetes:core/v1:Namespace", name: "ns", inputs: { metadata: { name: "ptc" } }, custom: true });
        assert.equal((ns.state.metadata as Record<string, unknown>).namespace, undefined);
        const b = m.newResource({ type: "aws:s3/bucket:Bucket", name: "backups", inputs: { bucket: "ptc-backups" }, custom: true });
        assert.equal(b.state.arn, "arn:aws:s3:::ptc-backups");
        assert.deepEqual(kubernetesTypeInfo("kubernetes:core/v1:Secret"), { apiVersion: "v1", kind: "Secret" });
        assert.deepEqual(kubernetesTypeInfo("kubernetes:networking.k8s.io/v1:NetworkPolicy"), { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy" });
    });

    it("answers the AWS invokes the program makes", () => {
        const m = new PlanMocks();
        assert.equal(m.call({ token: "aws:index/getCallerIdentity:getCallerIdentity", inputs: {} }).accountId, "123456789012");
        assert.equal(m.call({ token: "aws:index/getRegion:getRegion", inputs: {} }).name, "us-east-1");
        const doc = JSON.parse(
            policyDocumentJson({
                statements: [
                    {
                        sid: "DenyInsecureTransport",
                        effect: "Deny",
                        actions: ["s3:*"],
                        resources: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
                        principals: [{ type: "*", identifiers: ["*"] }],
                        conditions: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
                    },
                ],
            }),
        ) as { Statement: Record<string, unknown>[] };
        assert.deepEqual(doc.Statement[0], {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Action: "s3:*",
            Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
            Principal: "*",
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        });
        m.call({ token: "x:index/unknown:unknown", inputs: { a: 1 } });
        assert.deepEqual([...m.unmockedCalls], ["x:index/unknown:unknown"]);
    });
});

describe("plan: seeded randomness (--seed)", () => {
    const PASSWORD = "random:index/randomPassword:RandomPassword";
    const SERVICE = "kubernetes:core/v1:Service";

    it("derives each value from the seed and its label: same seed and label, same value; another label or seed, another value", () => {
        const a = new PlanRandom("1");
        const b = new PlanRandom("1");
        assert.equal(a.text("x", "abc", 32), b.text("x", "abc", 32));
        assert.equal(a.uuid("x"), b.uuid("x"));
        assert.equal(a.int("x", 1000), b.int("x", 1000));
        assert.notEqual(a.text("x", "abcdef", 32), a.text("y", "abcdef", 32));
        assert.notEqual(a.bytes("x", 16).toString("hex"), new PlanRandom("2").bytes("x", 16).toString("hex"));
        assert.match(a.uuid("x"), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        assert.ok(a.int("y", 7) < 7);
    });

    it("stays fresh without a seed", () => {
        const r = new PlanRandom();
        assert.notEqual(r.bytes("x", 16).toString("hex"), r.bytes("x", 16).toString("hex"));
    });

    it("accepts a non-negative integer seed only, normalised", () => {
        assert.equal(parseSeed("007"), "7");
        assert.throws(() => parseSeed("-1"), /non-negative integer/);
        assert.throws(() => parseSeed("abc"), /non-negative integer/);
        assert.deepEqual(parseCliArgs(["dev", "--seed", "42"]), { stack: "dev", json: undefined, out: undefined, program: undefined, config: undefined, policyConfig: undefined, recordMockSecrets: undefined, seed: "42" });
    });

    it("gives every resource the same mock values whatever order the registrations arrive in", () => {
        const regs = [
            { type: PASSWORD, name: "db-password", inputs: { length: 24 }, custom: true },
            { type: PASSWORD, name: "redis-password", inputs: { length: 24 }, custom: true },
            { type: SERVICE, name: "api-svc", inputs: { metadata: { namespace: "ptc" }, spec: {} }, custom: true },
            { type: "aws:iam/accessKey:AccessKey", name: "backup-key", inputs: {}, custom: true },
            { type: "command:local:Command", name: "dev-cert", inputs: { create: "openssl req -x509 -newkey rsa:2048" }, custom: true },
        ];
        const first = new PlanMocks(new PlanRandom("5"));
        const second = new PlanMocks(new PlanRandom("5"));
        const forward = regs.map((r) => first.newResource(r));
        const backward = [...regs].reverse().map((r) => second.newResource(r)).reverse();
        assert.deepEqual(forward, backward);
        assert.deepEqual([...first.generatedSecrets].sort(), [...second.generatedSecrets].sort());
        assert.notEqual(forward[0].state.result, forward[1].state.result, "two passwords differ");
        const other = new PlanMocks(new PlanRandom("6")).newResource(regs[0]);
        assert.notEqual(other.state.result, forward[0].state.result);
    });

    it("derives secure-config placeholders from the seed and the key", () => {
        const r = new PlanRandom("3");
        assert.equal(securePlaceholder("demo:apiKey", r), securePlaceholder("demo:apiKey", new PlanRandom("3")));
        assert.notEqual(securePlaceholder("demo:apiKey", r), securePlaceholder("demo:otherKey", r));
        assert.notEqual(securePlaceholder("demo:apiKey", r), securePlaceholder("demo:apiKey", new PlanRandom("4")));
        assert.notEqual(securePlaceholder("demo:apiKey"), securePlaceholder("demo:apiKey"), "fresh without a seed");
    });
});
