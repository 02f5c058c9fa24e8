/**
 * The deployments project's config: the pure validator (one line per problem, naming the key and
 * what to change), and the offline plan on bad and alternative stack files (exit 2 with that
 * line and no stack trace; the secret-kubeconfig route keeps the kubeconfig secret).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";

import { ConfigError, parseDeploymentsConfig } from "../../deployments/config";
import { arr, record as obj } from "../../stacks/objects";
import { planInChildProcess } from "../../tools/plan/child";
import { parseCliArgs } from "../../tools/plan/cli";
import { findLeaks } from "./leaks";

const ROOT = path.resolve(__dirname, "..", "..");
const NS = "pro-team-care-deployments";

/** A valid prod config (as the loader hands it to the validator). */
function prod(): Record<string, unknown> {
    return {
        organization: "proteamcare",
        environment: "prod",
        target: { project: "pro-team-care", stack: "prod" },
        source: { owner: "proteamcare", name: "pro-team-care-infra", branch: "release" },
        aws: { roleArn: "arn:aws:iam::123456789012:role/pulumi-deployments-prod" },
        cluster: { source: "esc", environment: "pro-team-care/prod-cluster" },
        drift: { cron: "0 */6 * * *" },
        policyPack: {},
        paths: [],
    };
}

const SLACK = new Set(["slackWebhookUrl"]);

function problem(raw: Record<string, unknown>, secrets: ReadonlySet<string> = SLACK): string {
    try {
        parseDeploymentsConfig(raw, secrets);
    } catch (e) {
        assert.ok(e instanceof ConfigError, `not a ConfigError: ${String(e)}`);
        return e.message;
    }
    assert.fail("the config was accepted");
}

describe("deployments: config validation", () => {
    it("accepts the prod config, filling defaults (repoDir, session duration, property, publish)", () => {
        const cfg = parseDeploymentsConfig(prod(), SLACK);
        assert.equal(cfg.source.repoDir, ".");
        assert.equal(cfg.aws?.duration, "1h0m0s");
        assert.deepEqual(cfg.cluster, { source: "esc", environment: "pro-team-care/prod-cluster", property: "kubeconfig" });
        assert.equal(cfg.policyPack.publish, false);
        assert.equal(cfg.paths, undefined, "an empty list (Pulumi.yaml's default) means the default filters");
    });

    const cases: [string, (c: Record<string, unknown>) => void, RegExp][] = [
        ["an unknown environment", (c) => (c.environment = "staging"), /^pro-team-care-deployments:environment: got "staging"; expected one of "dev", "prod"$/],
        ["a refs/heads/ branch", (c) => (c.source = { ...obj(c.source), branch: "refs/heads/release" }), /^pro-team-care-deployments:source\.branch: got "refs\/heads\/release"; expected a branch name/],
        ["no target stack", (c) => (c.target = { project: "pro-team-care" }), /^pro-team-care-deployments:target\.stack: got nothing; expected a string$/],
        ["a role that is not an IAM role ARN", (c) => (c.aws = { roleArn: "pulumi-deployments" }), /^pro-team-care-deployments:aws\.roleArn: got "pulumi-deployments"; expected an IAM role ARN/],
        ["a bad session duration", (c) => (c.aws = { ...obj(c.aws), duration: "60" }), /^pro-team-care-deployments:aws\.duration: got "60"; expected a duration in "XhYmZs" form/],
        ["an unknown cluster source", (c) => (c.cluster = { source: "file" }), /^pro-team-care-deployments:cluster\.source: got "file"; expected one of "esc" \(with environment\) or "secret"/],
        ["paths that are not a list", (c) => (c.paths = "docs/**"), /^pro-team-care-deployments:paths: got "docs\/\*\*"; expected an array$/],
        ["a bad drift cron", (c) => (c.drift = { cron: "every hour" }), /^pro-team-care-deployments:drift\.cron: got "every hour"; expected a 5-field cron expression/],
        ["an unknown key", (c) => (c.drift = { cron: "0 * * * *", remediate: true }), /^pro-team-care-deployments:drift: unknown key\(s\) "remediate"$/],
        ["prod without an AWS role", (c) => delete c.aws, /^pro-team-care-deployments:aws: prod needs \{ roleArn \}/],
        ["prod without cluster credentials", (c) => delete c.cluster, /^pro-team-care-deployments:cluster: prod needs the cluster's credentials/],
        ["prod without a drift schedule", (c) => delete c.drift, /^pro-team-care-deployments:drift: prod needs a drift schedule/],
    ];
    for (const [what, change, message] of cases) {
        it(`refuses ${what} with one line naming the key`, () => {
            const c = prod();
            change(c);
            const m = problem(c);
            assert.equal(m.split("\n").length, 1, `more than one line: ${m}`);
            assert.match(m, message);
        });
    }

    it("refuses a secret cluster source without the kubeconfig, and a kubeconfig the source does not use", () => {
        assert.match(problem({ ...prod(), cluster: { source: "secret" } }), /^pro-team-care-deployments:clusterKubeconfig: cluster\.source is "secret" but no kubeconfig is set: pulumi config set --secret/);
        assert.match(problem(prod(), new Set(["slackWebhookUrl", "clusterKubeconfig"])), /^pro-team-care-deployments:clusterKubeconfig: set, but cluster\.source is not "secret"/);
        assert.match(problem(prod(), new Set()), /^pro-team-care-deployments:slackWebhookUrl: not set: pulumi config set --secret slackWebhookUrl/);
    });

    it("the plan CLI takes --project DIR", () => {
        const a = parseCliArgs(["prod", "--project", "deployments"]);
        assert.ok(a !== "help");
        assert.equal(a.project, "deployments");
    });
});

describe("deployments: the offline plan on other stack files", function () {
    this.timeout(300_000);
    let tmp: string;
    const prodFile = (): Record<string, unknown> => YAML.parse(fs.readFileSync(path.join(ROOT, "deployments", "Pulumi.prod.yaml"), "utf8")) as Record<string, unknown>;
    const write = (name: string, change: (config: Record<string, unknown>) => void): string => {
        const doc = prodFile();
        change(doc.config as Record<string, unknown>);
        const file = path.join(tmp, `${name}.yaml`);
        fs.writeFileSync(file, YAML.stringify(doc));
        return file;
    };

    before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "deployments-config-"))));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("exits 2 on a bad value with one config-error line and no stack trace", async () => {
        const config = write("bad-env", (c) => (c[`${NS}:environment`] = "staging"));
        const r = await planInChildProcess({ stack: "prod", project: "deployments", config });
        assert.equal(r.code, 2, r.stdout + r.stderr);
        assert.equal(r.stderr.trim(), `config error: ${NS}:environment: got "staging"; expected one of "dev", "prod"`);
        assert.equal(r.json, undefined);
    });

    it("exits 2 on a Slack URL that is not https, without repeating it", async () => {
        const url = "hooks.slack.com/services/T000/B000/not-a-url";
        const config = write("bad-slack", (c) => (c[`${NS}:slackWebhookUrl`] = url));
        const r = await planInChildProcess({ stack: "prod", project: "deployments", config });
        assert.equal(r.code, 2, r.stdout + r.stderr);
        assert.match(r.stderr.trim(), /^config error: pro-team-care-deployments:slackWebhookUrl: expected an absolute http\(s\) URL/);
        assert.ok(!(r.stdout + r.stderr).includes("not-a-url"), "the secret was echoed");
    });

    it("exits 2 naming the directory when --project has no Pulumi.yaml", async () => {
        const r = await planInChildProcess({ stack: "prod", project: "docs" });
        assert.equal(r.code, 2);
        assert.match(r.stderr, /^error: --project docs: no Pulumi\.yaml in .*docs; pass the directory of a Pulumi project/);
    });

    it("the secret-kubeconfig route: a secret variable written to ~/.kube/config, never shown", async () => {
        const config = write("secret-cluster", (c) => {
            c[`${NS}:cluster`] = { source: "secret" };
            c[`${NS}:clusterKubeconfig`] = { secure: "v1:placeholder" };
        });
        const r = await planInChildProcess({ stack: "prod", project: "deployments", config, seed: 3, recordMockSecrets: true });
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.ok(r.json && r.mockSecrets);
        const s = r.json.resources.find((x) => x.type === "pulumiservice:index:DeploymentSettings");
        const oc = obj(obj(s?.inputs).operationContext);
        assert.deepEqual(oc.environmentVariables, { PTC_KUBECONFIG: "[secret]" });
        assert.ok(arr(oc.preRunCommands).includes("umask 077 && mkdir -p ~/.kube && printenv PTC_KUBECONFIG > ~/.kube/config"));
        assert.ok(!arr(oc.preRunCommands).some((c) => String(c).includes("pulumi env open")));
        assert.ok(r.mockSecrets.length >= 2, "both secure values got placeholders");
        assert.deepEqual(findLeaks(r.mockSecrets, { json: r.jsonText ?? "", stdout: r.stdout, stderr: r.stderr }), []);
    });
});
