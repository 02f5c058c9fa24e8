/**
 * The offline plan end to end, on fixture programs, each run in its own process (the Pulumi
 * runtime is process-global): the tree, the JSON contract, secrets, artifacts and exit statuses.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";

import { validateManifest } from "../../components/platform/kubernetes";
import { type ChildPlanResult, planInChildProcess } from "../../tools/plan/child";
import type { PlanJson } from "../../tools/plan/plan";
import { secretEnvelope } from "../../tools/plan/secrets";
import { findLeaks, listFiles, readTree } from "./leaks";

const FIXTURE = path.join(__dirname, "..", "fixtures", "plan-basic");
const PROGRAM = path.join(FIXTURE, "index.ts");
const VIOLATIONS = path.join(__dirname, "..", "fixtures", "plan-violations", "index.ts");

type Resource = PlanJson["resources"][number];

function byName(json: PlanJson, type: string, name: string): Resource {
    const r = json.resources.find((x) => x.type === type && x.name === name);
    assert.ok(r, `no ${type} named ${name} in the plan`);
    return r;
}

describe("plan: CLI on a fixture program", function () {
    this.timeout(300_000);
    let tmp: string;
    let out: string;
    let run: ChildPlanResult;
    let json: PlanJson;

    before(async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-fixture-"));
        out = path.join(tmp, "out");
        run = await planInChildProcess({ stack: "test", program: PROGRAM, out, recordMockSecrets: true });
        assert.equal(run.code, 0, `plan failed:\n${run.stdout}\n${run.stderr}`);
        assert.ok(run.json, "no JSON written");
        json = run.json;
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("prints the resource tree nested by parent", () => {
        const lines = run.stdout.split("\n");
        assert.ok(lines.includes("pulumi:pulumi:Stack  pro-team-care-test"));
        assert.ok(lines.includes("└─ proteamcare:fixture:App  fixture"));
        assert.ok(lines.includes("   ├─ docker:index/container:Container  web"));
        assert.ok(lines.includes("   └─ random:index/randomPassword:RandomPassword  fixture-password"));
        assert.match(run.stdout, /Plan OK/);
    });

    it("writes the JSON contract: project, stack, resources with parents and custom flags, outputs, policy", () => {
        assert.deepEqual(Object.keys(json).sort(), ["outputs", "policy", "project", "resources", "stack"]);
        assert.equal(json.project, "pro-team-care");
        assert.equal(json.stack, "test");
        assert.equal(json.resources.length, 12);
        for (const r of json.resources) assert.deepEqual(Object.keys(r).sort(), ["custom", "inputs", "name", "options", "parent", "type", "urn"]);
        const stack = byName(json, "pulumi:pulumi:Stack", "pro-team-care-test");
        assert.equal(stack.parent, null);
        assert.equal(stack.custom, false);
        const app = byName(json, "proteamcare:fixture:App", "fixture");
        assert.equal(app.parent, stack.urn);
        assert.equal(app.custom, false);
        const children = json.resources.filter((r) => r.parent === app.urn);
        assert.equal(children.length, 10);
        assert.ok(children.every((r) => r.custom));
        assert.ok(Array.isArray(json.policy.violations));
        const urns = json.resources.map((r) => r.urn);
        assert.deepEqual(urns.slice(0, 2), [stack.urn, app.urn], "parents come before children");
    });

    it("exits 0 with advisory violations only, printing them grouped under advisory", () => {
        const levels = new Set(json.policy.violations.map((v) => v.level));
        assert.ok(!levels.has("mandatory"));
        if (levels.has("advisory")) assert.match(run.stdout, /\n {2}advisory \(\d+\):\n/);
        else assert.match(run.stdout, /\n {2}no violations\n/);
    });

    it("passes the stack's config as the CLI would (integers, objects)", () => {
        const deploy = byName(json, "kubernetes:apps/v1:Deployment", "fixture-web");
        assert.equal((deploy.inputs.spec as { replicas: number }).replicas, 2);
        assert.equal(json.outputs.team, "care");
    });

    it("replaces every secret by [secret]: env, uploads, Kubernetes Secrets, outputs", () => {
        const web = byName(json, "docker:index/container:Container", "web");
        assert.deepEqual(web.inputs.envs, ["ENVIRONMENT=test", "[secret]"]);
        const uploads = web.inputs.uploads as { file: string; content: string }[];
        assert.deepEqual(
            uploads.map((u) => [u.file, u.content === "[secret]"]),
            [
                ["/etc/nginx/nginx.conf", false],
                ["/etc/nginx/tls/server.key", true],
                ["/etc/web/token", true],
            ],
        );
        assert.equal(byName(json, "kubernetes:core/v1:Secret", "fixture-web-env").inputs.stringData, "[secret]");
        assert.equal(json.outputs.password, "[secret]");
        assert.equal(json.outputs.token, "[secret]");
        assert.equal(json.outputs.url, "https://fixture.example.test/");
    });

    it("never shows a generated password, key or secure-config placeholder, in any form, anywhere", () => {
        const secrets = run.mockSecrets ?? [];
        // password + its bcrypt hash, the command's key, two placeholders (one PEM: + body + marker)
        assert.ok(secrets.length >= 7, `expected the run's stand-in secrets, got ${secrets.length}`);
        const texts = { stdout: run.stdout, stderr: run.stderr, json: JSON.stringify(json, null, 2), ...readTree(out, "out") };
        assert.deepEqual(findLeaks(secrets, texts), []);
        // The checker itself finds a planted leak and a planted envelope.
        assert.equal(findLeaks(secrets.slice(0, 1), { planted: `x${Buffer.from(secrets[0]).toString("base64")}x` }).length, 1);
        assert.deepEqual(findLeaks([], { planted: JSON.stringify(secretEnvelope("v")) }), ["planted: secret envelope"]);
    });

    it("writes manifests, container definitions and config files; lists the secret files it left out", () => {
        const files = listFiles(out);
        assert.deepEqual(
            files.filter((f) => f.startsWith("kubernetes/")),
            [
                "kubernetes/configmap-proteamcare-fixture-web-config.yaml",
                "kubernetes/deployment-proteamcare-web.yaml",
                "kubernetes/namespace-proteamcare.yaml",
                "kubernetes/secret-proteamcare-fixture-web-env.yaml",
                "kubernetes/secret-proteamcare-web-tls.yaml",
                "kubernetes/service-proteamcare-web.yaml",
            ],
        );
        assert.ok(files.includes("docker/web.json"));
        const conf = fs.readFileSync(path.join(out, "files/web/etc/nginx/nginx.conf"), "utf8");
        assert.match(conf, /listen 8080/);
        assert.ok(files.includes("files/web/etc/nginx/conf/mime.types"));
        for (const secretFile of ["files/web/etc/nginx/tls/server.key", "files/web/etc/nginx/tls/tls.key", "files/web/etc/web/token"]) {
            assert.ok(!files.includes(secretFile), `${secretFile} must not be written`);
            assert.match(run.stdout, new RegExp(`not written \\(.*\\): ${secretFile.replace(/\./g, "\\.")}`));
        }
        const secret = YAML.parse(fs.readFileSync(path.join(out, "kubernetes/secret-proteamcare-web-tls.yaml"), "utf8")) as { stringData: Record<string, string> };
        assert.deepEqual(secret.stringData, { "tls.crt": "[secret]", "tls.key": "[secret]" });
    });

    it("writes only Kubernetes manifests that validate against the OpenAPI schema", async () => {
        const manifests = listFiles(out).filter((f) => f.startsWith("kubernetes/"));
        assert.ok(manifests.length > 0);
        for (const f of manifests) await validateManifest(YAML.parse(fs.readFileSync(path.join(out, f), "utf8")));
    });
});

describe("plan: CLI exit statuses", function () {
    this.timeout(300_000);
    const runs: Record<string, ChildPlanResult> = {};
    let tmp: string;

    before(async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-exit-"));
        const wrongType = path.join(tmp, "wrong-type.yaml");
        fs.writeFileSync(wrongType, fs.readFileSync(path.join(FIXTURE, "Pulumi.test.yaml"), "utf8").replace("pro-team-care:replicas: 2", "pro-team-care:replicas: many"));
        const cases: [string, Parameters<typeof planInChildProcess>[0]][] = [
            ["badconfig", { stack: "badconfig", program: PROGRAM }],
            ["throws", { stack: "throws", program: PROGRAM }],
            ["throwsInApply", { stack: "throws-in-apply", program: PROGRAM }],
            ["noStackFile", { stack: "nope", program: PROGRAM }],
            ["wrongType", { stack: "test", program: PROGRAM, config: wrongType }],
            ["violations", { stack: "prod", program: VIOLATIONS }],
        ];
        // Two at a time: the machine is shared.
        for (let i = 0; i < cases.length; i += 2) {
            const batch = cases.slice(i, i + 2);
            const results = await Promise.all(batch.map(([, o]) => planInChildProcess(o)));
            batch.forEach(([k], j) => (runs[k] = results[j]));
        }
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("exits 2 on a config error and prints its message without a stack trace", () => {
        const r = runs.badconfig;
        assert.equal(r.code, 2, r.stdout + r.stderr);
        assert.equal(r.stderr.trim(), "config error: pro-team-care:replicas: 99 is too many; allowed: an integer from 1 to 10");
        assert.equal(r.json, undefined, "no JSON for a failed plan");
    });

    it("exits 2 when the program throws, naming the error and where", () => {
        const r = runs.throws;
        assert.equal(r.code, 2, r.stdout + r.stderr);
        assert.match(r.stderr, /^error: the program failed: fixture program failed on purpose\n/);
        assert.match(r.stderr, /tests\/fixtures\/plan-basic\/index\.ts:\d+/);
        assert.ok(!r.stderr.includes("node_modules"), "no SDK frames");
    });

    it("exits 2 when the program fails inside an apply", () => {
        const r = runs.throwsInApply;
        assert.equal(r.code, 2, r.stdout + r.stderr);
        assert.match(r.stderr, /fixture failed inside apply/);
    });

    it("exits 2 when the stack config file is missing or a value has the wrong declared type", () => {
        assert.equal(runs.noStackFile.code, 2);
        assert.match(runs.noStackFile.stderr, /Pulumi\.nope\.yaml \(stack "nope"\) not found: create it or pass --config FILE/);
        assert.equal(runs.wrongType.code, 2);
        assert.match(runs.wrongType.stderr, /pro-team-care:replicas must be of type integer \(declared in Pulumi\.yaml\), got "many"/);
    });

    it("exits 1 on a mandatory violation, prints it under mandatory and puts it in the JSON", () => {
        const r = runs.violations;
        assert.equal(r.code, 1, r.stdout + r.stderr);
        assert.match(r.stdout, /\n {2}mandatory \(\d+\):\n/);
        assert.match(r.stdout, /Plan FAILED: \d+ mandatory policy violation\(s\)/);
        const json = r.json;
        assert.ok(json);
        const mandatory = json.policy.violations.filter((v) => v.level === "mandatory");
        assert.ok(mandatory.length > 0);
        const urns = new Set(json.resources.map((x) => x.urn));
        for (const v of json.policy.violations) {
            for (const k of ["policy", "level", "urn", "message"]) assert.ok(k in v, `violation without ${k}`);
            assert.ok(v.urn === null || urns.has(v.urn), `violation on an unknown URN ${v.urn}`);
            assert.match(r.stdout, new RegExp(`\\[${v.policy}\\]`), `${v.policy} is printed`);
        }
    });
});
