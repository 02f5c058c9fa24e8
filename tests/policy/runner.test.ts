import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { ANNOTATIONS as SPEC_ANNOTATIONS, LABELS as SPEC_LABELS, SECRET_NAME_PATTERN } from "../../components/platform/spec";
import { ANNOTATIONS, DEFAULT_SECRET_NAME_PATTERN, LABELS } from "../../policy/labels";
import { policies, rules } from "../../policy/policies";
import { resolvePackConfig, runPolicyPack } from "../../policy/runner";
import {
    awsBucketSet, configFile, DEV_CONFIG, DOCKER_SECRET_OPTS, dockerBackupSchedule, dockerPostgres, dockerService, k8sDeployment, mutate, PROD_CONFIG, res, run, UNKNOWN, withInputs, Fixture } from "./helpers";

const C = "docker:index/container:Container";
const D = "kubernetes:apps/v1:Deployment";
const ROOT = path.join(__dirname, "..", "..");

describe("policy runner: enforcement levels and config", () => {
    const broken = () => [res(C, "api", mutate(dockerService(), (c: Fixture) => (c.image = "api:latest")), DOCKER_SECRET_OPTS)];
    it("defaults every rule to advisory without a config file", async () => {
        const vs = await runPolicyPack(broken(), { project: "ptc", stack: "x" });
        assert.deepStrictEqual(vs.map((v) => [v.policy, v.level]), [["immutable-image", "advisory"]]);
    });
    it("takes levels from the config file, never from the stack name", async () => {
        const prodNamed = await runPolicyPack(broken(), { project: "ptc", stack: "prod", configFile: DEV_CONFIG });
        assert.strictEqual(prodNamed[0].level, "advisory");
        const devNamed = await runPolicyPack(broken(), { project: "ptc", stack: "dev", configFile: PROD_CONFIG });
        assert.strictEqual(devNamed[0].level, "mandatory");
    });
    it("supports \"all\" and disabled", async () => {
        assert.strictEqual((await run(broken(), configFile({ all: "mandatory" })))[0].level, "mandatory");
        assert.deepStrictEqual(await run(broken(), configFile({ all: "mandatory", "immutable-image": "disabled" })), []);
    });
    it("prod makes the health-check, backup, image and secret rules mandatory; dev keeps everything advisory", () => {
        const prod = resolvePackConfig(PROD_CONFIG);
        for (const name of [
            "docker-health-check", "kubernetes-probes", "health-check-timing", "backup-coverage", "backup-bucket-versioning", "backup-bucket-encryption",
            "backup-bucket-public-access-block", "backup-bucket-tls-only", "backup-bucket-lifecycle", "immutable-image", "no-plaintext-secret-env",
        ]) {
            assert.strictEqual(prod.get(name)!.enforcementLevel, "mandatory", name);
        }
        assert.strictEqual(prod.get("exemption-applied")!.enforcementLevel, "advisory");
        assert.strictEqual(prod.get("backup-bucket-encryption")!.properties.requireKms, true);
        for (const [name, c] of resolvePackConfig(DEV_CONFIG)) assert.strictEqual(c.enforcementLevel, "advisory", name);
    });
    it("rejects an unknown policy, an unknown setting, a bad value and a bad level with a clear message", () => {
        assert.throws(() => resolvePackConfig(configFile({ "health-checks": "mandatory" })), /unknown policy "health-checks"; known policies: docker-health-check/);
        assert.throws(() => resolvePackConfig(configFile({ "backup-coverage": { rpo: 60 } })), /"backup-coverage" has no setting "rpo"; its settings: rpoMinutes, storeKinds/);
        assert.throws(() => resolvePackConfig(configFile({ "backup-coverage": { rpoMinutes: "1h" } })), /"backup-coverage.rpoMinutes" must be of type number/);
        assert.throws(() => resolvePackConfig(configFile({ "backup-coverage": { rpoMinutes: 0 } })), /must be more than 0/);
        assert.throws(() => resolvePackConfig(configFile({ "immutable-image": "block" })), /enforcement level "block"; use one of advisory, mandatory/);
        assert.throws(() => resolvePackConfig("/nonexistent/config.json"), /cannot read it/);
    });
});

describe("policy runner: unknown values during preview", () => {
    const cannot = /^can't run policy '([a-z-]+)' from policy pack 'proteamcare-policy@v[\d.]+' during preview: .* can't be known during preview$/;
    const cases: [string, () => ReturnType<typeof res>[], string][] = [
        ["docker-health-check", () => [res(C, "api", mutate(dockerService(), (c: Fixture) => (c.healthcheck = UNKNOWN)), DOCKER_SECRET_OPTS)], "docker-health-check"],
        ["immutable-image", () => [res(C, "api", mutate(dockerService(), (c: Fixture) => (c.image = UNKNOWN)), DOCKER_SECRET_OPTS)], "immutable-image"],
        ["no-plaintext-secret-env (undeclared docker env)", () => [res(C, "api", mutate(dockerService(), (c: Fixture) => (c.envs = [UNKNOWN])))], "no-plaintext-secret-env"],
        ["kubernetes-probes", () => [res(D, "api", mutate(k8sDeployment(), (d: Fixture) => (d.spec.template.spec.containers[0].readinessProbe = UNKNOWN)))], "kubernetes-probes"],
        ["backup-coverage (stack rule)", () => [res(C, "postgres", mutate(dockerPostgres(), (c: Fixture) => (c.labels[0].value = UNKNOWN)), DOCKER_SECRET_OPTS), res(C, "b", dockerBackupSchedule(), DOCKER_SECRET_OPTS)], "backup-coverage"],
        ["backup-bucket-tls-only (stack rule)", () => withInputs(awsBucketSet(), "backups-policy", (i: Fixture) => (i.policy = UNKNOWN)), "backup-bucket-tls-only"],
    ];
    for (const [title, build, policy] of cases) {
        it(`${title}: reports "can't run during preview" as advisory, never crashes`, async () => {
            const vs = await run(build());
            const hit = vs.filter((v) => v.policy === policy);
            assert.ok(hit.length > 0, JSON.stringify(vs, null, 1));
            for (const v of hit) {
                assert.match(v.message, cannot);
                assert.strictEqual(v.level, "advisory");
            }
        });
    }
    it("a rule that throws for another reason is an error, not a silent pass", async () => {
        const boom = rules.find((r) => r.name === "immutable-image")!;
        const saved = (boom as Fixture).validateResource;
        (boom as Fixture).validateResource = () => {
            throw new Error("boom");
        };
        try {
            await assert.rejects(run([res(C, "api", dockerService(), DOCKER_SECRET_OPTS)]), /Error validating resource with policy 'immutable-image'[\s\S]*boom/);
        } finally {
            (boom as Fixture).validateResource = saved;
        }
    });
});

describe("policy pack: structure", () => {
    it("exports the same rules as policies, with unique kebab-case names and 'Checks that' descriptions", () => {
        assert.strictEqual(policies.length, rules.length);
        const names = policies.map((p) => p.name);
        assert.strictEqual(new Set(names).size, names.length);
        for (const p of policies) {
            assert.match(p.name, /^[a-z]+(-[a-z]+)*$/);
            assert.match(p.description, /^Checks that /, p.name);
            for (const [key, schema] of Object.entries(p.configSchema?.properties ?? {})) {
                assert.ok(schema.default !== undefined, `${p.name}.${key} needs a default`);
                assert.ok(schema.description, `${p.name}.${key} needs a description`);
            }
        }
    });
    it("documents every rule and setting in the README", () => {
        const readme = fs.readFileSync(path.join(ROOT, "policy", "README.md"), "utf8");
        for (const p of policies) {
            assert.ok(readme.includes(`\`${p.name}\``), `README lacks ${p.name}`);
            for (const key of Object.keys(p.configSchema?.properties ?? {})) assert.ok(readme.includes(`\`${key}\``), `README lacks ${p.name}.${key}`);
        }
        assert.ok(readme.includes("pulumi preview --policy-pack policy --policy-pack-config policy/config/prod.json"));
    });
    it("keeps label keys and the secret-name pattern in step with components/platform/spec.ts", () => {
        assert.deepStrictEqual(LABELS, SPEC_LABELS);
        assert.deepStrictEqual(ANNOTATIONS, SPEC_ANNOTATIONS);
        assert.strictEqual(DEFAULT_SECRET_NAME_PATTERN, SECRET_NAME_PATTERN.source);
    });
    it("is a real pack: PulumiPolicy.yaml, a versioned package whose dependencies match the root's", () => {
        const yaml = YAML.parse(fs.readFileSync(path.join(ROOT, "policy", "PulumiPolicy.yaml"), "utf8"));
        assert.strictEqual(yaml.runtime, "nodejs");
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "package.json"), "utf8"));
        const root = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        assert.match(pkg.version, /^\d+\.\d+\.\d+$/);
        for (const [name, version] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
            assert.strictEqual(version, root.dependencies[name] ?? root.devDependencies[name], name);
        }
    });
    it("constructs the PolicyPack only in index.ts, and the runner never imports it", () => {
        for (const f of fs.readdirSync(path.join(ROOT, "policy")).filter((f) => f.endsWith(".ts"))) {
            const text = fs.readFileSync(path.join(ROOT, "policy", f), "utf8");
            assert.strictEqual(/new PolicyPack\(/.test(text), f === "index.ts", f);
            if (f !== "index.ts") assert.ok(!/from "\.\/index"|require\("\.\/index"\)/.test(text), `${f} imports ./index`);
        }
    });
});
