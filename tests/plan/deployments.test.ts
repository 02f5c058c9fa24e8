/**
 * The deployments project's offline plan (`npm run plan -- <stack> --project deployments`), each
 * stack in its own process: every Pulumi Cloud setting read back from the plan JSON, the way
 * Pulumi Cloud would receive it (triggers, path filters, PR previews, the operation context, the
 * policy pack and its preventative groups, drift detection, the Slack webhook), and no secret in
 * the JSON or the output.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

import { PACK_NAME } from "../../policy/policies";
import { arr, record as obj } from "../../stacks/objects";
import { type ChildPlanResult, planInChildProcess } from "../../tools/plan/child";
import type { PlanJson } from "../../tools/plan/plan";
import { findLeaks } from "./leaks";

const ROOT = path.resolve(__dirname, "..", "..");
const PROJECT = path.join(ROOT, "deployments");

type Resource = PlanJson["resources"][number];

function only(json: PlanJson, type: string): Resource {
    const rs = json.resources.filter((r) => r.type === `pulumiservice:index:${type}`);
    assert.equal(rs.length, 1, `expected one ${type} in the ${json.stack} plan, got ${rs.length}`);
    return rs[0];
}

function none(json: PlanJson, type: string): void {
    assert.deepEqual(
        json.resources.filter((r) => r.type === `pulumiservice:index:${type}`).map((r) => r.name),
        [],
        `the ${json.stack} plan has a ${type}`,
    );
}

/** A path filter as Pulumi Deployments reads it: a glob over the whole path, "**" across folders. */
function globMatches(file: string, glob: string): boolean {
    let re = "";
    for (let i = 0; i < glob.length; i++) {
        const c = glob[i];
        if (c === "*" && glob[i + 1] === "*") {
            re += glob[i + 2] === "/" ? "(?:.*/)?" : ".*";
            i += glob[i + 2] === "/" ? 2 : 1;
        } else if (c === "*") re += "[^/]*";
        else if (c === "?") re += "[^/]";
        else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    }
    return new RegExp(`^${re}$`).test(file);
}

/** Whether a push changing `files` triggers a deployment under `filters` (Pulumi's documented rule). */
function triggers(files: readonly string[], filters: readonly string[]): boolean {
    const include = filters.filter((f) => !f.startsWith("!"));
    const exclude = filters.filter((f) => f.startsWith("!")).map((f) => f.slice(1));
    return files.some((f) => (include.length === 0 || include.some((g) => globMatches(f, g))) && !exclude.some((g) => globMatches(f, g)));
}

const EXPECT = {
    dev: { branch: "refs/heads/main", policyConfig: "dev.json" },
    prod: { branch: "refs/heads/release", policyConfig: "prod.json" },
} as const;

describe("plan: the deployments project", function () {
    this.timeout(300_000);
    const runs = {} as Record<"dev" | "prod", ChildPlanResult>;
    const plans = {} as Record<"dev" | "prod", PlanJson>;
    let again: ChildPlanResult;

    before(async () => {
        const [dev, prod, prodAgain] = await Promise.all([
            ...(["dev", "prod"] as const).map((stack) => planInChildProcess({ stack, project: "deployments", seed: 1, recordMockSecrets: true })),
            planInChildProcess({ stack: "prod", project: "deployments", seed: 1 }),
        ]);
        Object.assign(runs, { dev, prod });
        again = prodAgain;
        for (const stack of ["dev", "prod"] as const) {
            const r = runs[stack];
            assert.equal(r.code, 0, `the deployments ${stack} plan exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
            assert.ok(r.json, `the deployments ${stack} plan wrote no JSON`);
            plans[stack] = r.json;
        }
    });

    it("plans the deployments project with the same JSON contract, evaluated by the pack", () => {
        for (const stack of ["dev", "prod"] as const) {
            const json = plans[stack];
            assert.equal(json.project, "pro-team-care-deployments");
            assert.equal(json.stack, stack);
            assert.deepEqual(Object.keys(json).sort(), ["outputs", "policy", "project", "resources", "stack"]);
            assert.deepEqual(json.policy.violations, []);
            assert.match(runs[stack].stdout, new RegExp(`Policy \\(config .*policy/config/${stack}\\.json\\):`));
            assert.equal(json.outputs.managedStack, `proteamcare/pro-team-care/${stack}`);
        }
        assert.equal(again.jsonText, runs.prod.jsonText, "two plans with the same seed differ");
        // The mocks answer with the provider's id shapes and outputs.
        assert.equal(plans.prod.outputs.deploymentSettingsId, "proteamcare/pro-team-care/prod");
        assert.match(String(plans.prod.outputs.driftScheduleId), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        assert.equal(plans.dev.outputs.driftScheduleId, null);
        assert.match(String(plans.dev.outputs.webhookName), /^dev-slack-[0-9a-f]{7}$/);
    });

    for (const stack of ["dev", "prod"] as const) {
        it(`${stack}: deploys on push to ${EXPECT[stack].branch.replace("refs/heads/", "")} from the repository in config, and previews pull requests`, () => {
            const s = only(plans[stack], "DeploymentSettings").inputs;
            assert.deepEqual([s.organization, s.project, s.stack], ["proteamcare", "pro-team-care", stack]);
            assert.deepEqual(obj(s.sourceContext).git, { branch: EXPECT[stack].branch, repoDir: "." });
            const vcs = obj(s.vcs);
            assert.equal(vcs.provider, "github");
            assert.equal(vcs.repository, "proteamcare/pro-team-care-infra");
            assert.equal(vcs.deployCommits, true);
            assert.equal(vcs.previewPullRequests, true);
            // The GitHub app authenticates: no deprecated github block, no repo URL or git credentials.
            assert.equal(s.github, undefined);
            assert.equal(obj(obj(s.sourceContext).git).repoUrl, undefined);
            assert.equal(obj(obj(s.sourceContext).git).gitAuth, undefined);
        });

        it(`${stack}: path filters deploy program changes and nothing for a docs-only change`, () => {
            const paths = arr(obj(only(plans[stack], "DeploymentSettings").inputs.vcs).paths).map(String);
            const other = stack === "dev" ? "prod" : "dev";
            for (const f of ["index.ts", "components/app/api.ts", "stacks/schema.ts", "policy/workloads.ts", `Pulumi.${stack}.yaml`, "Pulumi.yaml", "package-lock.json", "package.json"]) {
                assert.ok(triggers([f], paths), `a change to ${f} must deploy ${stack} (filters ${paths.join(" ")})`);
            }
            for (const files of [["README.md"], ["docs/deploy.md", "docs/DESIGN.md"], ["components/backup/README.md"], ["docs/img/delivery.png"], [`Pulumi.${other}.yaml`], ["tests/plan/stacks.test.ts"]]) {
                assert.ok(!triggers(files, paths), `a change to ${files.join(", ")} must not deploy ${stack}`);
            }
        });

        it(`${stack}: the operation context installs with npm ci and holds no long-lived AWS key`, () => {
            const oc = obj(only(plans[stack], "DeploymentSettings").inputs.operationContext);
            assert.equal(arr(oc.preRunCommands)[0], "npm ci --no-audit --no-fund");
            assert.equal(obj(oc.options).skipInstallDependencies, true, "the executor's own npm install must be skipped (npm ci is the install)");
            const text = runs[stack].jsonText ?? "";
            for (const key of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]) assert.ok(!text.includes(key), `${key} in the ${stack} plan`);
        });

        it(`${stack}: the policy group is preventative with policy/config/${EXPECT[stack].policyConfig}`, () => {
            const g = only(plans[stack], "PolicyGroup").inputs;
            // The resource's default is audit (reports only): only preventative blocks a preview.
            assert.equal(g.mode, "preventative");
            assert.equal(g.entityType, "stacks");
            assert.deepEqual(g.stacks, [{ name: stack, routingProject: "pro-team-care" }]);
            const packs = arr(g.policyPacks).map(obj);
            assert.equal(packs.length, 1);
            const version = (JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "package.json"), "utf8")) as { version: string }).version;
            assert.deepEqual([packs[0].name, packs[0].versionTag], [PACK_NAME, version]);
            const file = JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "config", EXPECT[stack].policyConfig), "utf8")) as Record<string, unknown>;
            const config = obj(packs[0].config);
            assert.deepEqual(Object.keys(config).sort(), Object.keys(file).sort());
            for (const [policy, v] of Object.entries(file)) {
                const want = typeof v === "string" ? { enforcementLevel: v } : v;
                assert.deepEqual(config[policy], want, `${stack} group: ${policy}`);
            }
        });
    }

    it("prod: OIDC to AWS (role, session, duration) and the kubeconfig from the ESC environment", () => {
        const oc = obj(only(plans.prod, "DeploymentSettings").inputs.operationContext);
        assert.deepEqual(obj(oc.oidc).aws, { roleARN: "arn:aws:iam::123456789012:role/pulumi-deployments-prod", sessionName: "pulumi-deployments-prod", duration: "1h0m0s" });
        assert.ok(
            arr(oc.preRunCommands).includes("umask 077 && mkdir -p ~/.kube && pulumi env open proteamcare/pro-team-care/prod-cluster kubeconfig --format string > ~/.kube/config"),
            `no kubeconfig step in ${JSON.stringify(oc.preRunCommands)}`,
        );
        assert.equal(oc.environmentVariables, undefined, "the ESC route sets no secret variable");
    });

    it("dev: no AWS role and no cluster credentials (a Docker engine, no cloud)", () => {
        const oc = obj(only(plans.dev, "DeploymentSettings").inputs.operationContext);
        assert.equal(oc.oidc, undefined);
        assert.deepEqual(oc.preRunCommands, ["npm ci --no-audit --no-fund"]);
    });

    it("dev publishes policy/ as the pack version of policy/package.json, kept when replaced; prod only references it", () => {
        const p = only(plans.dev, "PolicyPack");
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "package.json"), "utf8")) as { name: string; version: string };
        assert.equal(pkg.name, PACK_NAME, "policy/package.json's name is the pack's name");
        assert.deepEqual([p.inputs.organization, p.inputs.name, p.inputs.versionTag], ["proteamcare", PACK_NAME, pkg.version]);
        assert.equal(path.resolve(PROJECT, String(p.inputs.sourcePath)), path.join(ROOT, "policy"));
        assert.ok(fs.existsSync(path.join(ROOT, "policy", "package-lock.json")), "the published pack has its own lockfile");
        assert.equal(p.options?.retainOnDelete, true, "an old version stays published for groups still on it");
        const group = only(plans.dev, "PolicyGroup");
        assert.ok(arr(group.options?.dependsOn).includes(p.urn), "the dev group waits for the pack it names");
        none(plans.prod, "PolicyPack");
    });

    it("prod: a drift schedule from config that only detects; dev has none", () => {
        const d = only(plans.prod, "DriftSchedule").inputs;
        assert.deepEqual([d.organization, d.project, d.stack, d.scheduleCron], ["proteamcare", "pro-team-care", "prod", "0 */6 * * *"]);
        assert.equal(d.autoRemediate, false);
        none(plans.dev, "DriftSchedule");
    });

    for (const stack of ["dev", "prod"] as const) {
        it(`${stack}: a Slack webhook for deployment results, its URL a secret`, () => {
            const w = only(plans[stack], "Webhook");
            assert.deepEqual([w.inputs.organizationName, w.inputs.projectName, w.inputs.stackName], ["proteamcare", "pro-team-care", stack]);
            assert.equal(w.inputs.format, "slack");
            assert.equal(w.inputs.active, true);
            const drift = stack === "prod" ? ["drift_detected", "drift_detection_failed"] : [];
            assert.deepEqual(arr(w.inputs.filters), ["deployment_succeeded", "deployment_failed", ...drift]);
            assert.equal(w.inputs.payloadUrl, "[secret]");
        });

        it(`${stack}: no stand-in secret (the Slack URL placeholder) in the JSON or the output`, () => {
            const r = runs[stack];
            assert.ok(r.mockSecrets && r.mockSecrets.length > 0, "the plan recorded no stand-in secrets");
            assert.deepEqual(findLeaks(r.mockSecrets, { json: r.jsonText ?? "", stdout: r.stdout, stderr: r.stderr }), []);
        });
    }
});
