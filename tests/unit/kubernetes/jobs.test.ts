import * as assert from "assert";
import { CRON_TIME_ZONE, jobManifests, jobName, scheduleManifests, shortHash } from "../../../components/platform/kubernetes";
import { backup, container, ctx, get, migrate } from "./fixtures";

describe("kubernetes jobs", () => {
    describe("jobs and schedules", () => {
        it("names a Job after its trigger, so a new trigger makes a new Job", () => {
            assert.strictEqual(jobName("migrate", "api:1.2.3"), `migrate-${shortHash("api:1.2.3", 10)}`);
            assert.notStrictEqual(jobName("migrate", "api:1.2.3"), jobName("migrate", "api:1.2.4"));
            assert.match(jobName("migrate", "x"), /^migrate-[0-9a-f]{10}$/);
            const job = jobManifests("migrate", migrate, ctx, { jobName: "migrate-abc", triggerHash: "abc" }).job;
            assert.strictEqual(get(job, "metadata.name"), "migrate-abc");
            assert.strictEqual(get(job, "spec.backoffLimit"), 1);
            assert.strictEqual(get(job, "spec.activeDeadlineSeconds"), 600);
            assert.strictEqual(get(job, "spec.template.spec.restartPolicy"), "Never");
            assert.strictEqual(get(job, "spec.ttlSecondsAfterFinished"), undefined);
            assert.deepStrictEqual(get(container(job), "args"), ["alembic", "upgrade", "head"]);
            const withTtl = jobManifests("migrate", migrate, ctx, { jobName: "m", triggerHash: "h", ttlSecondsAfterFinished: 86400 }).job;
            assert.strictEqual(get(withTtl, "spec.ttlSecondsAfterFinished"), 86400);
        });

        it("defaults a Job's retries and deadline", () => {
            const job = jobManifests("init", { image: "x:1", tier: "ops", resources: { cpu: "10m", memory: "16Mi" } }, ctx, { jobName: "init-1", triggerHash: "1" }).job;
            assert.strictEqual(get(job, "spec.backoffLimit"), 2);
            assert.strictEqual(get(job, "spec.activeDeadlineSeconds"), 3600);
        });

        it("makes a CronJob on the spec's schedule in UTC that never overlaps", () => {
            const cron = scheduleManifests("backup", backup, ctx).cronJob;
            assert.strictEqual(get(cron, "spec.schedule"), "15 3 * * *");
            assert.strictEqual(get(cron, "spec.timeZone"), CRON_TIME_ZONE);
            assert.strictEqual(get(cron, "spec.concurrencyPolicy"), "Forbid");
            assert.ok((get(cron, "spec.startingDeadlineSeconds") as number) > 0);
            assert.ok((get(cron, "spec.successfulJobsHistoryLimit") as number) >= 1);
            assert.ok((get(cron, "spec.failedJobsHistoryLimit") as number) >= 1);
            assert.strictEqual(get(cron, "spec.jobTemplate.spec.template.spec.restartPolicy"), "Never");
        });
    });
});
