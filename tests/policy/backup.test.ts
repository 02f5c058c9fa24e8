import {
    assertClean, assertOnly, awsBucketSet, configFile, DOCKER_SECRET_OPTS, dockerBackupSchedule, dockerJob, dockerLabels, dockerPostgres, k8sBackupCronJob, k8sPostgres, mutate, res, run, Fixture } from "./helpers";

const C = "docker:index/container:Container";
const SS = "kubernetes:apps/v1:StatefulSet";
const CJ = "kubernetes:batch/v1:CronJob";
const labelsOf = (c: Fixture): Record<string, string> => Object.fromEntries(c.labels.map((l: Fixture) => [l.label, l.value]));
const setLabel = (c: Fixture, key: string, value?: string) => {
    const map = labelsOf(c);
    if (value === undefined) delete map[key];
    else map[key] = value;
    c.labels = dockerLabels(map);
};

function dockerStack(pg: (c: Fixture) => void = () => undefined, backup: (c: Fixture) => void = () => undefined) {
    return [res(C, "postgres", mutate(dockerPostgres(), pg), DOCKER_SECRET_OPTS), res(C, "backup-postgres", mutate(dockerBackupSchedule(), backup), DOCKER_SECRET_OPTS), ...awsBucketSet()];
}
function k8sStack(pg: (s: Fixture) => void = () => undefined, backup: (s: Fixture) => void = () => undefined) {
    return [res(SS, "postgres", mutate(k8sPostgres(), pg)), res(CJ, "backup-postgres", mutate(k8sBackupCronJob(), backup)), ...awsBucketSet()];
}

describe("policy: backup-coverage", () => {
    it("passes a docker store covered by an hourly schedule", async () => assertClean(await run(dockerStack())));
    it("passes a Kubernetes store covered by an hourly CronJob", async () => assertClean(await run(k8sStack())));
    it("flags a docker store no schedule names", async () =>
        assertOnly(await run(dockerStack(undefined, (b) => setLabel(b, "proteamcare.io/backup-of", "redis"))), "backup-coverage", /postgres store "postgres" is not backed up: no backup schedule names it|names "redis"/));
    it("flags a schedule interval above the RPO (docker label)", async () =>
        assertOnly(await run(dockerStack(undefined, (b) => setLabel(b, "proteamcare.io/schedule", "0 */2 * * *"))), "backup-coverage", /can leave 2h between runs, more than the RPO of 1h/));
    it("flags a CronJob interval above the RPO (spec.schedule)", async () =>
        assertOnly(await run(k8sStack(undefined, (b) => (b.spec.schedule = "30 3 * * *"))), "backup-coverage", /cron "30 3 \* \* \*".*1d between runs/));
    it("accepts a daily schedule when the RPO is configured to a day", async () =>
        assertClean(await run(k8sStack(undefined, (b) => (b.spec.schedule = "30 3 * * *")), configFile({ "backup-coverage": { enforcementLevel: "mandatory", rpoMinutes: 1440 } }))));
    it("flags an invalid cron", async () =>
        assertOnly(await run(k8sStack(undefined, (b) => (b.spec.schedule = "every hour"))), "backup-coverage", /must have 5 fields|is not backed up/));
    it("flags a suspended CronJob", async () => assertOnly(await run(k8sStack(undefined, (b) => (b.spec.suspend = true))), "backup-coverage", /is suspended/));
    it("does not count a backup job that is not a schedule", async () => {
        const job = mutate(dockerJob(), (c: Fixture) => setLabel(c, "proteamcare.io/role", "backup"));
        assertOnly(await run([res(C, "postgres", dockerPostgres(), DOCKER_SECRET_OPTS), res(C, "backup-once", mutate(job, (c: Fixture) => setLabel(c, "proteamcare.io/backup-of", "postgres")), DOCKER_SECRET_OPTS), ...awsBucketSet()]), "backup-coverage", /no backup schedule names it/);
    });
    it("does not count a schedule without role backup", async () =>
        assertOnly(await run(dockerStack(undefined, (b) => setLabel(b, "proteamcare.io/role", "restore-drill"))), "backup-coverage", /no backup schedule names it/));
    it("flags a redis store too", async () =>
        assertOnly(await run(dockerStack((p) => setLabel(p, "proteamcare.io/store", "redis"), (b) => setLabel(b, "proteamcare.io/backup-of", "cache"))), "backup-coverage", /redis store "postgres"|names "cache"/));
    it("flags a volume-backed StatefulSet without a store label", async () =>
        assertOnly(await run([res(SS, "prometheus", mutate(k8sPostgres(), (s: Fixture) => { s.metadata.labels = { "proteamcare.io/workload": "prometheus", "proteamcare.io/tier": "ops" }; s.spec.template.metadata.labels = s.metadata.labels; }))]), "backup-coverage", /volume-backed StatefulSet "prometheus" is not backed up/));
    it("leaves an object-store StatefulSet (the backup target) alone", async () =>
        assertClean(await run([res(SS, "minio", mutate(k8sPostgres(), (s: Fixture) => { s.metadata.labels = { "proteamcare.io/workload": "minio", "proteamcare.io/tier": "data", "proteamcare.io/store": "object-store" }; s.spec.template.metadata.labels = s.metadata.labels; })), res(C, "init", mutate(dockerJob(), (c: Fixture) => setLabel(c, "proteamcare.io/role", "bucket-init")), DOCKER_SECRET_OPTS)])));
    it("flags a backup-of naming a workload that does not exist", async () => {
        const vs = await run(dockerStack(undefined, (b) => setLabel(b, "proteamcare.io/backup-of", "postgres,postgress")));
        assertOnly(vs, "backup-coverage", /names "postgress".*no workload has that name/);
    });
});

describe("policy: object-store-bucket-init", () => {
    const minio = () => mutate(dockerPostgres(), (c: Fixture) => { c.name = "minio"; c.image = "minio/minio:RELEASE.2025-04-22T22-12-26Z"; setLabel(c, "proteamcare.io/store", "object-store"); setLabel(c, "proteamcare.io/workload", "minio"); });
    const init = () => mutate(dockerJob(), (c: Fixture) => { setLabel(c, "proteamcare.io/role", "bucket-init"); setLabel(c, "proteamcare.io/workload", "minio-bucket-init"); });
    it("passes MinIO with its bucket-init job", async () => assertClean(await run([res(C, "minio", minio(), DOCKER_SECRET_OPTS), res(C, "minio-bucket-init", init(), DOCKER_SECRET_OPTS)])));
    it("flags MinIO without a bucket-init job", async () =>
        assertOnly(await run([res(C, "minio", minio(), DOCKER_SECRET_OPTS)]), "object-store-bucket-init", /object store "minio" has no bucket-init job/, "advisory"));
});
