/**
 * The `options` of each resource in the plan's JSON, from the two real stacks: how the engine will
 * replace and delete what the program registers (stop-first containers, retained volumes and
 * namespace, protected backup bucket and key, the migration job's timeouts, explicit ordering),
 * visible to a reviewer without an engine.
 */
import * as assert from "node:assert/strict";

import { planInChildProcess } from "../../tools/plan/child";
import type { PlanJson } from "../../tools/plan/plan";
import { customResourcesUnder, onlyResource } from "../support/plan-json";

/** Plans `stack` with a fixed seed in a child process and returns its JSON. */
async function plan(stack: string): Promise<PlanJson> {
    const run = await planInChildProcess({ stack, seed: 1 });
    assert.ok(run.json, `the ${stack} plan wrote no JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
    return run.json;
}

/** Checks the invariants of the `options` shape itself: present, only set fields, sorted lists. */
function checkShape(json: PlanJson): void {
    const known = new Set(["deleteBeforeReplace", "protect", "retainOnDelete", "dependsOn", "replaceOnChanges", "ignoreChanges", "customTimeouts"]);
    for (const r of json.resources) {
        assert.ok(r.options, `${r.urn} has no options`);
        for (const [k, v] of Object.entries(r.options)) {
            assert.ok(known.has(k), `${r.urn}: unknown option ${k}`);
            if (Array.isArray(v)) {
                assert.ok(v.length > 0, `${r.urn}: empty ${k} is written (it should be left out)`);
                assert.deepEqual(v, [...v].sort(), `${r.urn}: ${k} is not sorted`);
            }
        }
    }
}

describe("plan: resource options of the dev stack", function () {
    this.timeout(300_000);
    let json: PlanJson;
    before(async () => {
        json = await plan("dev");
    });

    it("writes options on every resource, only the set ones, lists sorted", () => checkShape(json));

    it("replaces api and web create-before-delete, and every other container stop-first", () => {
        const containers = json.resources.filter((r) => r.type === "docker:index/container:Container");
        assert.ok(containers.length >= 5);
        const overlapping = new Set(["api", "web"]);
        for (const c of containers) {
            assert.equal(c.options?.deleteBeforeReplace, overlapping.has(c.name) ? false : true, `${c.name}: ${JSON.stringify(c.options)}`);
        }
        for (const name of overlapping) assert.ok(containers.some((c) => c.name === name), `${name} is planned`);
    });

    it("keeps the data volumes on delete (retainOnDelete)", () => {
        for (const name of ["postgres-data", "redis-data"]) {
            assert.equal(onlyResource(json, "docker:index/volume:Volume", name).options?.retainOnDelete, true, name);
        }
    });

    it("gives the migration container a create timeout and orders it after the stores", () => {
        const migrate = onlyResource(json, "docker:index/container:Container", "api-migrate");
        assert.ok(migrate.options?.customTimeouts?.create, `api-migrate: ${JSON.stringify(migrate.options)}`);
        for (const store of ["postgres", "redis"]) {
            const urn = onlyResource(json, "docker:index/container:Container", store).urn;
            assert.ok(migrate.options?.dependsOn?.includes(urn), `api-migrate does not dependsOn ${urn}`);
        }
    });

    it("lists the stores among the dependsOn of every resource of the Api", () => {
        const stores = [onlyResource(json, "docker:index/container:Container", "postgres").urn, onlyResource(json, "docker:index/container:Container", "redis").urn];
        const api = customResourcesUnder(json, "proteamcare:app:Api", "api");
        assert.ok(api.length > 0);
        for (const r of api) for (const s of stores) assert.ok(r.options?.dependsOn?.includes(s), `${r.name} does not dependsOn ${s}`);
    });

    it("leaves an input dependency out of dependsOn (it is in the inputs already)", () => {
        // The edge's config writer reads the api's and web's serving addresses from their outputs:
        // no explicit dependsOn; the edge itself waits for the writer (explicitly).
        assert.equal(onlyResource(json, "docker:index/container:Container", "edge-live-files").options?.dependsOn, undefined);
        assert.deepEqual(onlyResource(json, "docker:index/container:Container", "edge").options?.dependsOn, [
            onlyResource(json, "docker:index/container:Container", "edge-live-files").urn,
        ]);
    });
});

describe("plan: resource options of the prod stack", function () {
    this.timeout(300_000);
    let json: PlanJson;
    before(async () => {
        json = await plan("prod");
    });

    it("writes options on every resource, only the set ones, lists sorted", () => checkShape(json));

    it("keeps the application namespace on delete", () => {
        assert.equal(onlyResource(json, "kubernetes:core/v1:Namespace", "platform-ns").options?.retainOnDelete, true);
    });

    it("protects and retains the backup bucket and its KMS key", () => {
        for (const [type, name] of [
            ["aws:s3/bucket:Bucket", "backup-bucket-bucket"],
            ["aws:kms/key:Key", "backup-bucket-key"],
        ] as const) {
            const o = onlyResource(json, type, name).options;
            assert.equal(o?.protect, true, `${name}: ${JSON.stringify(o)}`);
            assert.equal(o?.retainOnDelete, true, `${name}: ${JSON.stringify(o)}`);
        }
    });

    it("gives the migration Job its create and update timeouts", () => {
        const t = onlyResource(json, "kubernetes:batch/v1:Job", "api-migrate-job").options?.customTimeouts;
        assert.ok(t?.create && t.update, `api-migrate-job: ${JSON.stringify(t)}`);
    });

    it("lists the stores' StatefulSets among the dependsOn of every resource of the Api", () => {
        const stores = ["postgres-sts", "redis-sts"].map((n) => onlyResource(json, "kubernetes:apps/v1:StatefulSet", n).urn);
        const api = customResourcesUnder(json, "proteamcare:app:Api", "api");
        assert.ok(api.length > 0);
        for (const r of api) for (const s of stores) assert.ok(r.options?.dependsOn?.includes(s), `${r.name} does not dependsOn ${s}`);
        const deploy = onlyResource(json, "kubernetes:apps/v1:Deployment", "api-deploy");
        assert.ok(deploy.options?.dependsOn?.includes(onlyResource(json, "kubernetes:batch/v1:Job", "api-migrate-job").urn), "the API rollout is not ordered after its migration");
    });
});
