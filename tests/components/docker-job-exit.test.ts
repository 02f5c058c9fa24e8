/**
 * A docker job that exits non-zero must fail `pulumi up`. The docker provider records an attached
 * container's exit status and reports success (its own acceptance test expects a container that
 * exits 123 to be created), so before this check a failed migration let the API roll out over an
 * unmigrated database. The error surfaces as the program's unhandled rejection, which the Pulumi
 * runtime turns into a failed update; the test listens for it the same way.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { jobExitProblem } from "../../components/platform/docker-builders";
import { installMocks, settle } from "../support/pulumi";

class Owner extends pulumi.ComponentResource {
    constructor(name: string) {
        super("test:index:Owner", name, {}, {});
    }
}

const EXIT_CODES: Record<string, number> = { "ptc-j-fails": 3, "ptc-j-works": 0 };

describe("DockerPlatform jobs: exit status (mocks)", () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown): void => {
        rejections.push(reason);
    };
    let saved: NodeJS.UnhandledRejectionListener[] = [];

    before(async () => {
        saved = process.listeners("unhandledRejection");
        process.removeAllListeners("unhandledRejection");
        process.on("unhandledRejection", onRejection);
        installMocks({
            stack: "docker-job-exit",
            outputs: (args) => (args.type === "docker:index/container:Container" ? { state: { exitCode: EXIT_CODES[String(args.inputs.name)] } } : undefined),
            call: (args) => args.inputs,
        });
        const { DockerPlatform } = await import("../../components/platform/docker");
        const platform = new DockerPlatform("plat", { prefix: "ptc-j" });
        const owner = new Owner("owner");
        const job = { image: "api:1", tier: "app" as const, command: ["alembic", "upgrade", "head"], resources: { cpu: "100m", memory: "128Mi" } };
        platform.job("fails", job, { parent: owner });
        platform.job("works", job, { parent: owner });
        await settle();
        await new Promise((resolve) => setTimeout(resolve, 200));
        await settle();
    });
    after(() => {
        process.removeListener("unhandledRejection", onRejection);
        for (const l of saved) process.on("unhandledRejection", l);
    });

    it("fails the update when a job exits non-zero, naming the job, its status and how to re-run it", () => {
        const messages = rejections.map((r) => (r instanceof Error ? r.message : String(r)));
        const failing = messages.filter((m) => /job fails exited with status 3/.test(m));
        // The SDK may report one rejection per promise of the faulted Output; each is the same error.
        assert.ok(failing.length >= 1, `expected a failure for job "fails"; got ${JSON.stringify(messages)}`);
        assert.match(failing[0], /docker logs ptc-j-fails/);
        assert.match(failing[0], /--replace/);
    });

    it("leaves a job that exits 0 alone", () => {
        const messages = rejections.map((r) => (r instanceof Error ? r.message : String(r)));
        assert.deepStrictEqual(messages.filter((m) => /job works/.test(m)), []);
    });

    it("says nothing while the status is unknown (preview) or zero", () => {
        assert.strictEqual(jobExitProblem("x", "p-x", undefined), undefined);
        assert.strictEqual(jobExitProblem("x", "p-x", null), undefined);
        assert.strictEqual(jobExitProblem("x", "p-x", 0), undefined);
        assert.match(jobExitProblem("x", "p-x", 1) ?? "", /job x exited with status 1/);
    });
});
