/**
 * The wal-archiving rule through the pack's own code paths (runner.ts, the analyzer's handlers):
 * a compliant PostgreSQL store archiving into the hardened bucket, then one change per case.
 */
import * as assert from "assert";
import {
    assertClean,
    assertOnly,
    assertViolation,
    awsBucketSet,
    DEV_CONFIG,
    DOCKER_SECRET_OPTS,
    dockerBackupSchedule,
    dockerJob,
    dockerLabels,
    dockerPostgres,
    Fixture,
    k8sBackupCronJob,
    k8sPostgres,
    mutate,
    res,
    run,
    withInputs,
} from "./helpers";

const C = "docker:index/container:Container";
const SS = "kubernetes:apps/v1:StatefulSet";
const CJ = "kubernetes:batch/v1:CronJob";

/** The prod shape: the StatefulSet archiving to the hardened bucket, covered by the hourly logical backup. */
function k8sStack(pg: (s: Fixture) => void = () => undefined, bucket = awsBucketSet()) {
    return [res(SS, "postgres", mutate(k8sPostgres(), pg)), res(CJ, "backup-postgres", k8sBackupCronJob()), ...bucket];
}
const server = (s: Fixture): Fixture => s.spec.template.spec.containers[0];

describe("policy: wal-archiving", () => {
    it("passes a Kubernetes store archiving through pgBackRest into the hardened bucket", async () => assertClean(await run(k8sStack())));

    it("flags a store without archive_mode (the violating fixture)", async () =>
        assertOnly(
            await run(k8sStack((s) => (server(s).args = ["postgres"]))),
            "wal-archiving",
            /PostgreSQL store "postgres" does not archive its WAL: run it with -c archive_mode=on/,
        ));

    it("flags an archive_command that is not pgBackRest's", async () =>
        assertOnly(
            await run(k8sStack((s) => (server(s).args = ["postgres", "-c", "archive_mode=on", "-c", "archive_command=cp %p /mnt/wal/%f"]))),
            "wal-archiving",
            /does not archive its WAL/,
        ));

    it("counts archiving in any container of the pod (a sidecar does not hide it)", async () =>
        assertClean(await run(k8sStack((s) => s.spec.template.spec.containers.unshift(mutate(server(s), (c: Fixture) => { c.name = "pitr"; c.args = ["ptc-backup", "base-backup"]; }))))));

    it("flags archiving without BACKUP_S3_URI", async () =>
        assertOnly(
            await run(k8sStack((s) => (server(s).env = server(s).env.filter((e: Fixture) => e.name !== "BACKUP_S3_URI")))),
            "wal-archiving",
            /archives, but its BACKUP_S3_URI is not set/,
        ));

    it("flags a bucket that is not the stack's", async () =>
        assertOnly(
            await run(k8sStack((s) => (server(s).env.find((e: Fixture) => e.name === "BACKUP_S3_URI").value = "s3://somebody-elses/x"))),
            "wal-archiving",
            /archives to bucket "somebody-elses", which is not a bucket of this stack/,
        ));

    it("flags the bucket when it is not hardened (versioning suspended), naming the bucket rule", async () => {
        const vs = await run(k8sStack(undefined, withInputs(awsBucketSet(), "backups-versioning", (i: Fixture) => (i.versioningConfiguration.status = "Suspended"))));
        assertViolation(vs, "wal-archiving", /archives to bucket "ptc-backups", which fails backup-bucket-versioning/);
        assertViolation(vs, "backup-bucket-versioning", /versioning status is "Suspended"/);
    });

    it("flags an unencrypted-by-KMS bucket by its own requireKms", async () =>
        assertViolation(
            await run(k8sStack(undefined, withInputs(awsBucketSet(), "backups-sse", (i: Fixture) => (i.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm = "AES256")))),
            "wal-archiving",
            /fails backup-bucket-encryption/,
        ));

    it("flags a lifecycle that expires current versions under the pgBackRest repository", async () => {
        const bucket = withInputs(awsBucketSet(), "backups-lifecycle", (i: Fixture) => (i.rules[0].filter = { prefix: "" }));
        assertOnly(await run(k8sStack(undefined, bucket)), "wal-archiving", /lifecycle rule "retention" expires current versions under pro-team-care\/pgbackrest\/ \(after 35 days\)/);
    });

    it("leaves a lifecycle narrowed by a tag alone (pgBackRest tags nothing)", async () =>
        assertClean(await run(k8sStack(undefined, withInputs(awsBucketSet(), "backups-lifecycle", (i: Fixture) => (i.rules[0].filter = { tag: { key: "kind", value: "logical" } }))))));

    it("passes the docker shape (entrypoints, command and envs)", async () =>
        assertClean(await run([res(C, "postgres", dockerPostgres(), DOCKER_SECRET_OPTS), res(C, "backup-postgres", dockerBackupSchedule(), DOCKER_SECRET_OPTS), ...awsBucketSet()])));

    it("dev: accepts the object store's bucket made by its bucket-init job, and reports only as advisory", async () => {
        const init = mutate(dockerJob(), (c: Fixture) => {
            c.labels = dockerLabels({ "proteamcare.io/workload": "bucket-init", "proteamcare.io/tier": "ops", "proteamcare.io/kind": "job", "proteamcare.io/role": "bucket-init" });
            c.envs = ["BUCKET=ptc-backups"];
        });
        const stack = [res(C, "postgres", dockerPostgres(), DOCKER_SECRET_OPTS), res(C, "backup-postgres", dockerBackupSchedule(), DOCKER_SECRET_OPTS), res(C, "bucket-init", init, DOCKER_SECRET_OPTS)];
        assert.deepStrictEqual((await run(stack, DEV_CONFIG)).filter((v) => v.policy === "wal-archiving"), []);
        // Without its bucket-init job the bucket is unknown; in prod (no allowObjectStore) too.
        assertViolation(await run(stack.slice(0, 2), DEV_CONFIG), "wal-archiving", /not a bucket of this stack nor the object store's/, "advisory");
        assertViolation(await run(stack), "wal-archiving", /not a bucket of this stack;/);
    });
});
