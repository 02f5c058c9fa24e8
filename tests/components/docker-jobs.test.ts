/**
 * Docker jobs gate their dependents by outcome, not only by order (mock runtime): a container's
 * creation succeeds whatever its exit status, so a dependsOn on a migration container alone would
 * let the API roll out over a failed migration.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import type { WorkloadSpec } from "../../components/platform/spec";
import { failureOf, installMocks, MockRecorder, settle, valueOf } from "../support/pulumi";

type Mod = typeof import("../../components/platform/docker");

class Owner extends pulumi.ComponentResource {
    constructor(name: string) {
        super("test:index:JobOwner", name, {}, {});
    }
}

const CONTAINER = "docker:index/container:Container";

const service: WorkloadSpec = {
    image: "api:2",
    tier: "app",
    ports: [{ name: "http", port: 8000 }],
    healthCheck: { kind: "http", path: "/api/v1/health", port: 8000 },
    resources: { cpu: "100m", memory: "128Mi" },
};

describe("DockerPlatform: jobs gate their dependents by outcome (mocks)", () => {
    let mocks: MockRecorder;
    let mod: Mod;
    let ok: pulumi.Output<string> | undefined;
    let bad: pulumi.Output<string> | undefined;

    before(async () => {
        // The job named "migrate-bad" exits 3, as a failed `alembic upgrade head` would.
        mocks = installMocks({ stack: "docker-jobs", outputs: (a) => (a.type === CONTAINER && a.name.startsWith("migrate-") ? { state: { exitCode: a.name === "migrate-bad" ? 3 : 0 } } : undefined) });
        mod = await import("../../components/platform/docker");
        const platform = new mod.DockerPlatform("plat-jobs", { prefix: "ptc-j" });
        const owner = new Owner("owner-jobs");
        const job = { tier: "app" as const, command: ["alembic", "upgrade", "head"], resources: { cpu: "100m", memory: "128Mi" }, trigger: "api:2" };
        ok = platform.job("migrate-ok", { ...job, image: "api:2" }, { parent: owner }).succeeded;
        bad = platform.job("migrate-bad", { ...job, image: "api:2" }, { parent: owner }).succeeded;
        platform.service("api-ok", service, { parent: owner, after: ok ? [ok] : [] });
        platform.service("api-bad", service, { parent: owner, after: bad ? [bad] : [] });
        await settle();
    });

    it("hands out the job's success as an Output", async () => {
        assert.ok(ok && bad);
        assert.match(await valueOf(ok), /^[0-9a-f]{12}$/);
    });

    it("fails that Output on a non-zero exit, naming the job and how to see its logs", async () => {
        assert.ok(bad);
        const e = await failureOf(bad);
        assert.match(e?.message ?? "(resolved)", /job migrate-bad exited with status 3: see `docker logs ptc-j-migrate-bad`/);
    });

    it("labels a dependent with what it waited for, so it is created only after a success", () => {
        const labels = Object.fromEntries((mocks.get(CONTAINER, "api-ok").inputs.labels as { label: string; value: string }[]).map((l) => [l.label, l.value]));
        assert.match(labels[mod.AFTER_LABEL] ?? "", /^[0-9a-f]{12}$/);
    });

    it("never registers a dependent of a failed job", () => {
        assert.equal(mocks.ofType(CONTAINER).filter((r) => r.name === "api-bad").length, 0, "api-bad must not be created over a failed migration");
    });
});
