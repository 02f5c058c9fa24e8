/**
 * The offline plan of the two real stacks (index.ts with Pulumi.dev.yaml and Pulumi.prod.yaml),
 * each in its own process: exit 0 with the pack's own config, every core workload present with a
 * health check on the stack's platform, no stand-in secret anywhere, every manifest schema-valid;
 * with `--seed`, two plans are byte-identical and another seed changes the secret-derived values.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";

import { validateManifest } from "../../components/platform/kubernetes";
import { arr, record as obj } from "../../stacks/objects";
import { type ChildPlanResult, planInChildProcess } from "../../tools/plan/child";
import type { PlanJson } from "../../tools/plan/plan";
import { findLeaks, listFiles, readTree } from "./leaks";

const CORE = ["api", "web", "postgres", "redis", "edge"] as const;
const WORKLOAD = "proteamcare.io/workload";

type Resource = PlanJson["resources"][number];

/** The docker containers running `workload` (by the workload label). */
function dockerContainers(json: PlanJson, workload: string): Resource[] {
    return json.resources.filter(
        (r) => r.type === "docker:index/container:Container" && arr(r.inputs.labels).some((l) => obj(l).label === WORKLOAD && obj(l).value === workload),
    );
}

/** The Deployments, StatefulSets and DaemonSets running `workload` (by the workload label). */
function kubernetesControllers(json: PlanJson, workload: string): Resource[] {
    return json.resources.filter(
        (r) =>
            ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:DaemonSet"].includes(r.type) &&
            obj(obj(r.inputs.metadata).labels)[WORKLOAD] === workload,
    );
}

for (const stack of ["dev", "prod"] as const) {
    describe(`plan: the ${stack} stack`, function () {
        this.timeout(300_000);
        let tmp: string;
        let out: string;
        let run: ChildPlanResult;
        let again: ChildPlanResult;
        let other: ChildPlanResult;
        let json: PlanJson;

        before(async () => {
            tmp = fs.mkdtempSync(path.join(os.tmpdir(), `plan-${stack}-`));
            out = path.join(tmp, "out");
            // Seeded, so the leak checks below also hold for deterministic plans; the same seed
            // again and another seed, in parallel, for the determinism checks.
            [run, again, other] = await Promise.all([
                planInChildProcess({ stack, out, seed: 1, recordMockSecrets: true }),
                planInChildProcess({ stack, out: path.join(tmp, "again"), seed: 1, recordMockSecrets: true }),
                planInChildProcess({ stack, out: path.join(tmp, "other"), seed: 2, recordMockSecrets: true }),
            ]);
            assert.ok(run.json, `the ${stack} plan wrote no JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
            json = run.json;
        });
        after(() => fs.rmSync(tmp, { recursive: true, force: true }));

        it("exits 0: no config or program error and no mandatory policy violation", () => {
            const mandatory = json.policy.violations.filter((v) => v.level === "mandatory").map((v) => `${v.policy}: ${v.message}`);
            assert.deepEqual(mandatory, []);
            assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
        });

        it("registers everything under the stack resource", () => {
            assert.equal(json.project, "pro-team-care");
            assert.equal(json.stack, stack);
            const roots = json.resources.filter((r) => r.parent === null);
            assert.deepEqual(roots.map((r) => r.type), ["pulumi:pulumi:Stack"]);
            const urns = new Set(json.resources.map((r) => r.urn));
            assert.ok(json.resources.every((r) => r.parent === null || urns.has(r.parent)));
        });

        if (stack === "dev") {
            it("runs api, web, postgres, redis and edge as docker containers, each with a healthcheck", () => {
                assert.ok(!json.resources.some((r) => r.type.startsWith("kubernetes:")), "dev has no Kubernetes objects");
                for (const w of CORE) {
                    const services = dockerContainers(json, w).filter((r) => arr(r.inputs.labels).some((l) => obj(l).label === "proteamcare.io/kind" && obj(l).value === "service"));
                    assert.equal(services.length, 1, `one docker service container for ${w}`);
                    const tests = arr(obj(services[0].inputs.healthcheck).tests);
                    assert.ok(["CMD", "CMD-SHELL"].includes(String(tests[0])) && tests.length >= 2, `${w} has a real healthcheck test, got ${JSON.stringify(tests)}`);
                }
            });
        } else {
            it("runs api, web, postgres, redis and edge as Kubernetes controllers whose containers have readiness and liveness probes", () => {
                assert.ok(!json.resources.some((r) => r.type.startsWith("docker:")), "prod has no docker containers");
                for (const w of CORE) {
                    const controllers = kubernetesControllers(json, w);
                    assert.equal(controllers.length, 1, `one controller for ${w}`);
                    const containers = arr(obj(obj(obj(obj(controllers[0].inputs.spec).template).spec)).containers).map(obj);
                    assert.ok(containers.length > 0, `${w} has containers`);
                    for (const c of containers) {
                        assert.ok(Object.keys(obj(c.readinessProbe)).length > 0, `${w}/${String(c.name)} has a readiness probe`);
                        assert.ok(Object.keys(obj(c.livenessProbe)).length > 0, `${w}/${String(c.name)} has a liveness probe`);
                    }
                }
            });

            it("renders only Kubernetes manifests that validate against the OpenAPI schema", async () => {
                const manifests = listFiles(out).filter((f) => f.startsWith("kubernetes/"));
                const objects = json.resources.filter((r) => /^kubernetes:[\w.-]+\/v\w+:\w+$/.test(r.type));
                assert.equal(manifests.length, objects.length, "one manifest per Kubernetes object");
                for (const f of manifests) await validateManifest(YAML.parse(fs.readFileSync(path.join(out, f), "utf8")));
            });
        }

        it("exports the public URL, the API health URL and each service's internal endpoint", () => {
            assert.match(String(json.outputs.publicUrl), /^https:\/\//);
            assert.match(String(json.outputs.apiHealthUrl), /^https:\/\/.*\/api\/v1\/health$/);
            const endpoints = obj(json.outputs.endpoints);
            for (const w of CORE) assert.match(String(endpoints[w]), /^[a-z0-9.-]+:\d+$/, `endpoint of ${w}`);
        });

        it("renders the edge's nginx.conf as a file", () => {
            // On docker the config writer uploads it (a live file); on Kubernetes the edge's ConfigMap holds it.
            const conf = listFiles(out).find((f) => /^files\/edge(-live-files)?\/.*nginx\.conf$/.test(f));
            assert.ok(conf, "files/edge[-live-files]/.../nginx.conf");
            assert.match(fs.readFileSync(path.join(out, conf), "utf8"), /server\s*\{/);
        });

        it(stack === "prod" ? "scrapes every API replica through the headless api-pods Service (DNS discovery)" : "scrapes the single API container at its address", () => {
            const file = listFiles(out).find((f) => /^files\/prometheus\/.*\/prometheus\.yml$/.test(f));
            assert.ok(file, "files/prometheus/.../prometheus.yml");
            const doc = obj(YAML.parse(fs.readFileSync(path.join(out, file), "utf8")));
            const api = obj(arr(doc.scrape_configs).map(obj).find((j) => j.job_name === "api"));
            if (stack === "prod") {
                const namespace = String(obj(obj(json.resources.find((r) => r.type === "kubernetes:apps/v1:Deployment" && obj(obj(r.inputs.metadata).labels)[WORKLOAD] === "api")?.inputs.metadata)).namespace);
                assert.equal(api.static_configs, undefined, "no static target through the load-balanced Service");
                assert.deepEqual(arr(api.dns_sd_configs).map(obj).map((d) => [d.names, d.type, d.port]), [[[`api-pods.${namespace}.svc.cluster.local`], "A", 8000]]);
                const svc = json.resources.find((r) => r.type === "kubernetes:core/v1:Service" && obj(r.inputs.metadata).name === "api-pods");
                assert.ok(svc, "the api-pods Service exists");
                assert.equal(obj(svc.inputs.spec).clusterIP, "None");
                assert.equal(obj(svc.inputs.metadata).namespace, namespace);
            } else {
                assert.equal(api.dns_sd_configs, undefined);
                assert.deepEqual(arr(api.static_configs).map(obj).map((c) => c.targets), [["api:8000"]]);
            }
        });

        it("gives byte-identical JSON and artifacts for the same seed", () => {
            assert.equal(again.code, 0, again.stderr);
            assert.ok(run.jsonText !== undefined && again.jsonText !== undefined);
            assert.ok(run.jsonText === again.jsonText, "the two --json files differ");
            const files = listFiles(out);
            assert.deepEqual(listFiles(path.join(tmp, "again")), files);
            const differ = files.filter((f) => !fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(tmp, "again", f))));
            assert.deepEqual(differ, [], "artifacts that differ between two plans with the same seed");
            assert.deepEqual(again.mockSecrets, run.mockSecrets, "the same stand-in secrets");
        });

        it("derives the stand-in secrets from the seed: another seed changes them and what the plan derives from them", () => {
            assert.equal(other.code, 0, other.stderr);
            const first = new Set(run.mockSecrets ?? []);
            assert.deepEqual((other.mockSecrets ?? []).filter((s) => first.has(s)), [], "no stand-in secret is shared between seeds 1 and 2");
            const files = listFiles(out);
            const changed = files.filter((f) => fs.existsSync(path.join(tmp, "other", f)) && !fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(tmp, "other", f))));
            assert.ok(other.jsonText !== run.jsonText || changed.length > 0, "seed 2 renders exactly what seed 1 does");
        });

        it("shows no generated password, key or secure-config placeholder anywhere", () => {
            const secrets = run.mockSecrets ?? [];
            assert.ok(secrets.length >= 2, "the postgres and redis passwords at least");
            const texts = { stdout: run.stdout, stderr: run.stderr, json: JSON.stringify(json), ...readTree(out, "out") };
            assert.deepEqual(findLeaks(secrets, texts), []);
        });
    });
}
