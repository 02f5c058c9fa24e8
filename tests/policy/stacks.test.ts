/**
 * The pack over whole programs, through the offline plan (tools/plan) in a child process: the
 * shipped dev and prod stacks have no mandatory violation and every rule really ran (no "can't
 * run during preview"); a deliberately broken program makes the plan exit 1 and names each rule.
 */
import * as assert from "assert";
import * as path from "path";
import { planInChildProcess } from "../../tools/plan/child";
import { EXEMPTIONS } from "../../policy/exemptions";

const BROKEN = path.join(__dirname, "fixtures", "broken-stack", "index.ts");

describe("policy pack over whole stacks (offline plan)", function () {
    this.timeout(600_000);

    for (const stack of ["dev", "prod"]) {
        it(`the shipped ${stack} stack has zero mandatory violations, every rule ran, every exemption is registered`, async () => {
            const run = await planInChildProcess({ stack });
            assert.ok(run.json, `plan of ${stack} failed (exit ${run.code}):\n${run.stderr}`);
            const vs = run.json.policy.violations;
            const mandatory = vs.filter((v) => v.level === "mandatory");
            assert.deepStrictEqual(mandatory.map((v) => `${v.policy} ${v.urn}: ${v.message}`), []);
            assert.strictEqual(run.code, 0);
            assert.deepStrictEqual(vs.filter((v) => /^can't run policy/.test(v.message)).map((v) => v.message), [], "a rule could not run");
            assert.deepStrictEqual(vs.filter((v) => v.policy === "policy-exemptions").map((v) => v.message), []);
            const names = EXEMPTIONS.map((e) => e.name);
            for (const v of vs.filter((x) => x.policy === "exemption-applied")) {
                assert.ok(names.some((n) => v.message.includes(`exemption "${n}"`)), v.message);
            }
        });
    }

    it("a broken program makes the plan exit 1 and names each violated rule", async () => {
        const run = await planInChildProcess({ stack: "prod", program: BROKEN, policyConfig: path.join(__dirname, "..", "..", "policy", "config", "prod.json") });
        assert.strictEqual(run.code, 1, `${run.stdout}\n${run.stderr}`);
        const mandatory = new Set(run.json!.policy.violations.filter((v) => v.level === "mandatory").map((v) => v.policy));
        const expected = [
            "docker-health-check", "immutable-image", "no-plaintext-secret-env", "non-root-container", "no-privileged-container", "resource-limits",
            "no-host-access", "no-data-tier-exposure", "policy-exemptions", "kubernetes-probes", "health-check-timing", "backup-coverage",
            "backup-bucket-versioning", "backup-bucket-encryption", "backup-bucket-public-access-block", "backup-bucket-tls-only", "backup-bucket-lifecycle",
        ];
        for (const rule of expected) {
            assert.ok(mandatory.has(rule), `no mandatory ${rule} violation`);
            assert.ok(run.stdout.includes(rule), `the report does not name ${rule}`);
        }
    });
});
