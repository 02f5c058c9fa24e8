/**
 * The post-deploy gate in the real program (index.ts), from offline plans of both stacks: it
 * exists, its command runs after every resource of the Edge, Api and Web components, its triggers
 * follow the rendered edge config and not unrelated changes, and `deploy.gate.enabled: false`
 * removes it. Config variants are the dev stack file with one block changed.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";

import { planInChildProcess } from "../../tools/plan/child";
import type { PlanJson } from "../../tools/plan/plan";
import { customResourcesUnder } from "../support/plan-json";
import { parseStructuredConfig, STRUCTURED_KEYS } from "../../stacks/load";

type Resource = PlanJson["resources"][number];

const ROOT = path.resolve(__dirname, "..", "..");
const GATE = "proteamcare:deploy:PostDeployGate";
const COMMAND = "command:local:Command";

/** Plans `stack` (seed 1), with the stack file's `pro-team-care:` keys overridden by `over` when given. */
async function plan(stack: string, tmp: string, over?: Record<string, unknown>): Promise<PlanJson> {
    let config: string | undefined;
    if (over) {
        const doc = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
        for (const [k, v] of Object.entries(over)) doc.config[`pro-team-care:${k}`] = v;
        config = path.join(tmp, `Pulumi.${stack}-${Object.keys(over).join("-")}.yaml`);
        fs.writeFileSync(config, YAML.stringify(doc));
    }
    const run = await planInChildProcess({ stack, seed: 1, ...(config ? { config } : {}) });
    assert.ok(run.json, `the ${stack} plan wrote no JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
    assert.equal(run.code, 0, run.stdout);
    return run.json;
}

/** The gate's command (exactly one, under the gate component). */
function gateCommand(json: PlanJson): Resource {
    const gates = json.resources.filter((r) => r.type === GATE);
    assert.equal(gates.length, 1, `expected one ${GATE}, found ${gates.length}`);
    const commands = json.resources.filter((r) => r.type === COMMAND && r.parent === gates[0].urn);
    assert.equal(commands.length, 1, `expected one command under the gate, found ${commands.length}`);
    return commands[0];
}

/** Every custom resource under the component of `type` (at any depth). */
const COMMAND_CONTAINER = "docker:index/container:Container";


/** The edge's rendered nginx.conf, from the docker config writer's uploads ("" where there is none). */
function edgeConf(json: PlanJson): string {
    const writer = json.resources.find((r) => r.type === COMMAND_CONTAINER && r.name === "edge-live-files");
    const uploads = (writer?.inputs.uploads ?? []) as { file?: unknown; content?: unknown }[];
    return String(uploads.find((u) => String(u.file).endsWith("/nginx.conf"))?.content ?? "");
}

function triggers(json: PlanJson): string[] {
    return gateCommand(json).inputs.triggers as string[];
}

describe("plan: the post-deploy gate of both stacks", function () {
    this.timeout(300_000);
    let tmp: string;
    const plans: Record<string, PlanJson> = {};

    before(async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ptc-gate-plan-"));
        const runs: [string, string, Record<string, unknown> | undefined][] = [
            ["dev", "dev", undefined],
            ["prod", "prod", undefined],
            // The rendered nginx.conf changes (its proxy_read_timeout).
            ["conf", "dev", { edge: { proxyReadTimeoutSeconds: 90 } }],
            // The backup schedule changes; nothing the gate checks does.
            ["unrelated", "dev", { backup: { bucket: "platform", cron: "15 * * * *", drillCron: "30 3 * * *" } }],
            // The API container changes: on docker a new revision, which the edge's config names.
            ["api", "dev", { resources: { api: { cpu: "300m", memory: "256Mi" } } }],
            ["off", "dev", { deploy: { gate: { enabled: false } } }],
        ];
        const results = await Promise.all(runs.map(([, stack, over]) => plan(stack, tmp, over)));
        runs.forEach(([key], i) => (plans[key] = results[i]));
    });

    after(() => {
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    for (const stack of ["dev", "prod"]) {
        it(`${stack}: runs the gate after every resource of the Edge, Api and Web`, () => {
            const json = plans[stack];
            const deps = new Set(gateCommand(json).options?.dependsOn ?? []);
            for (const component of ["proteamcare:edge:Edge", "proteamcare:app:Api", "proteamcare:app:Web"]) {
                const children = customResourcesUnder(json, component);
                assert.ok(children.length > 0, `${component} has resources`);
                for (const r of children) {
                    if (deps.has(r.urn)) continue;
                    // On docker the gate's own input (the edge config) names each api/web revision's
                    // alias, read from those containers' outputs: an input dependency, which the
                    // plan JSON leaves out of options.dependsOn. Accept exactly those.
                    // The migration job comes with them: the API revision takes its success as an
                    // input (the proteamcare.io/after label).
                    const rev = /-([0-9a-f]{8})$/.exec(String(r.inputs.name ?? ""));
                    const named = rev !== null && edgeConf(json).includes(`-${rev[1]}:`);
                    const awaitedJob = r.name.endsWith("-migrate") && children.some((c) => JSON.stringify(c.inputs.labels ?? []).includes("proteamcare.io/after"));
                    assert.ok(named || awaitedJob, `the gate does not wait for ${r.urn}`);
                }
            }
        });

        it(`${stack}: is triggered by the api, web and edge images of the stack and the edge config`, () => {
            const t = triggers(plans[stack]);
            assert.deepEqual(
                t.slice(0, 3).map((x) => x.split("=")[0]),
                ["image:api", "image:edge", "image:web"],
            );
            const doc = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
            const raw = Object.fromEntries(
                Object.entries(doc.config)
                    .filter(([k]) => k.startsWith("pro-team-care:") && (STRUCTURED_KEYS as string[]).includes(k.slice("pro-team-care:".length)))
                    .map(([k, v]) => [k.slice("pro-team-care:".length), v]),
            );
            const images = parseStructuredConfig(raw).images;
            assert.deepEqual(t.slice(0, 3), [`image:api=${images.api}`, `image:edge=${images.edge}`, `image:web=${images.web}`]);
            assert.match(t[3], /^edge-config:sha256:[0-9a-f]{16}$/);
        });
    }

    it("dev: asks the published https port on localhost and trusts the dev self-signed certificate", () => {
        const env = gateCommand(plans.dev).inputs.environment as Record<string, string>;
        assert.equal(env.GATE_URLS, "https://localhost:8443/api/v1/health https://localhost:8443/");
        assert.equal(env.GATE_CONNECT_TO, "localhost:8443");
        assert.match(env.GATE_CA_PEM, /^-----BEGIN CERTIFICATE-----/);
    });

    it("prod: asks the public URLs directly and trusts the system CAs (its certificate is real)", () => {
        const env = gateCommand(plans.prod).inputs.environment as Record<string, string>;
        assert.equal(env.GATE_URLS, "https://app.proteamcare.com.br/api/v1/health https://app.proteamcare.com.br/");
        assert.equal(env.GATE_CONNECT_TO, undefined);
        assert.equal(env.GATE_CA_PEM, undefined);
    });

    it("changes only the edge-config trigger when the rendered nginx.conf changes", () => {
        const before = triggers(plans.dev);
        const after = triggers(plans.conf);
        assert.deepEqual(after.slice(0, 3), before.slice(0, 3));
        assert.notEqual(after[3], before[3]);
    });

    it("keeps its triggers when only unrelated resources change", () => {
        // The change is real: the backup schedules' inputs differ.
        const backups = (json: PlanJson): string => JSON.stringify(customResourcesUnder(json, "proteamcare:backup:Backups").map((r) => r.inputs));
        assert.notEqual(backups(plans.unrelated), backups(plans.dev));
        assert.deepEqual(triggers(plans.unrelated), triggers(plans.dev));
    });

    it("dev: runs again when any API setting makes a new revision (the edge's config names it)", () => {
        const before = triggers(plans.dev);
        const after = triggers(plans.api);
        assert.deepEqual(after.slice(0, 3), before.slice(0, 3), "the images are the same");
        assert.notEqual(after[3], before[3], "the edge config names the new API revision");
    });

    it("is gone with deploy.gate.enabled false, and nothing else changes", () => {
        const off = plans.off;
        assert.equal(off.resources.filter((r) => r.type === GATE || r.type === COMMAND).length, 0);
        const urns = (json: PlanJson): string[] => json.resources.map((r) => r.urn).sort();
        assert.deepEqual(
            urns(off),
            urns(plans.dev).filter((u) => !u.includes(GATE)),
        );
    });
});
