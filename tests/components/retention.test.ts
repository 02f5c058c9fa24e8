/**
 * Data that must outlive a `pulumi destroy` or a replacement: the docker platform's volumes
 * (retainOnDelete unless the caller opts out) and, in prod, the backup bucket and its KMS key
 * (protect and retainOnDelete). Resource options never reach the mocks, so a transformation
 * on the owning component (inherited by every child) records what each child was given.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { settle } from "../support/pulumi";

type DockerMod = typeof import("../../components/platform/docker");
type BackupMod = typeof import("../../components/backup");
type PostgresMod = typeof import("../../components/data/postgres");

interface Seen {
    readonly type: string;
    readonly name: string;
    readonly opts: pulumi.ResourceOptions;
}

/** A parent whose children (and theirs) report their options to `seen`. */
function recordingParent(name: string, seen: Seen[]): pulumi.ComponentResource {
    const record: pulumi.ResourceTransformation = (a) => {
        seen.push({ type: a.type, name: a.name, opts: a.opts });
        return undefined;
    };
    return new pulumi.ComponentResource("test:index:Recorder", name, {}, { transformations: [record] });
}

describe("retention of stored data (resource options)", () => {
    let docker: DockerMod;
    let backup: BackupMod;
    let postgres: PostgresMod;

    before(async () => {
        pulumi.runtime.setMocks(
            {
                newResource: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, arn: `arn:aws:mock:::${a.name}`, bucket: a.inputs.bucket ?? a.name, secret: "s", name: a.name } }),
                call: (a) => (a.token === "aws:iam/getPolicyDocument:getPolicyDocument" ? { json: "{}" } : a.inputs),
            },
            "pro-team-care",
            "retention-test",
            false,
        );
        docker = await import("../../components/platform/docker");
        backup = await import("../../components/backup");
        postgres = await import("../../components/data/postgres");
    });

    const spec = () =>
        postgres.postgresSpec({ image: "postgres:16.9", database: "app", user: "app", password: "pw", volumeSizeGi: 1, resources: { cpu: "100m", memory: "128Mi" }, component: "pg" });

    it("keeps docker volumes when a stack is destroyed, unless retainVolumes is false", async () => {
        const seen: Seen[] = [];
        new docker.DockerPlatform("keep", { prefix: "ptc-keep" }).service("pg-keep", spec(), { parent: recordingParent("keep-parent", seen) });
        new docker.DockerPlatform("drop", { prefix: "ptc-drop", retainVolumes: false }).service("pg-drop", spec(), { parent: recordingParent("drop-parent", seen) });
        await settle();
        const volumes = seen.filter((s) => s.type === "docker:index/volume:Volume");
        assert.equal(volumes.length, 2, JSON.stringify(seen.map((s) => `${s.type} ${s.name}`)));
        const kept = volumes.filter((v) => v.opts.retainOnDelete === true).map((v) => v.name);
        assert.equal(kept.length, 1, "exactly the default platform's volume is retained");
        assert.ok(kept[0].includes("keep"), kept[0]);
    });

    it("protects and retains the prod backup bucket and its KMS key", async () => {
        const seen: Seen[] = [];
        new backup.BackupBucket("prod-backups", { mode: "aws", region: "sa-east-1" }, { parent: recordingParent("bucket-parent", seen) });
        await settle();
        for (const type of ["aws:s3/bucket:Bucket", "aws:kms/key:Key"]) {
            const r = seen.find((s) => s.type === type);
            assert.ok(r, `a ${type} is created`);
            assert.equal(r.opts.protect, true, `${type} is protected`);
            assert.equal(r.opts.retainOnDelete, true, `${type} is retained on delete`);
        }
    });
});
