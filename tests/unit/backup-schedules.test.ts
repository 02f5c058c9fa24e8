import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ANNOTATIONS, LABELS, validateSpec } from "../../components/platform/spec";
import {
    cronsMaxGapSeconds,
    staleAfterSeconds,
    BackupRunInputs,
    backupScheduleSpec,
    cronProblem,
    DEFAULT_BACKUP_CRON,
    DEFAULT_BACKUP_RESOURCES,
    DEFAULT_DRILL_CRON,
    drillScheduleSpec,
} from "../../components/backup/schedules";

function run(overrides: Partial<BackupRunInputs> = {}): BackupRunInputs {
    return {
        image: "ghcr.io/proteamcare/backup:1.0.0",
        component: "backups",
        postgres: { host: "postgres", port: 5432, database: "pro_team_care", user: "ptc", password: "pg-secret", workloadName: "postgres" },
        redis: { host: "redis", port: 6379, password: "redis-secret", workloadName: "redis" },
        bucket: { s3Uri: "s3://ptc-backups/pro-team-care", region: "us-east-1", endpointUrl: "http://minio:9000", accessKeyId: "ptc-backup", secretAccessKey: "s3-secret" },
        resources: DEFAULT_BACKUP_RESOURCES,
        user: "999:999",
        scratchMi: 256,
        ...overrides,
    };
}

describe("backup schedule builders", () => {
    describe("cronProblem", () => {
        it("accepts the defaults and the syntax both platforms run", () => {
            for (const ok of [DEFAULT_BACKUP_CRON, DEFAULT_DRILL_CRON, "*/15 * * * *", "0,30 * * * *", "5 1-23/2 * * 1-5", "0 0 1 1 0", " 0  *  * * * "]) {
                assert.strictEqual(cronProblem(ok), undefined, ok);
            }
        });

        it("refuses a wrong field count, saying what is wanted", () => {
            const p = cronProblem("0 * * *");
            assert.ok(p);
            assert.match(p, /has 4 fields; want 5 fields "minute hour day-of-month month day-of-week"/);
            assert.match(cronProblem("") ?? "", /has 0 fields/);
            assert.match(cronProblem("0 * * * * *") ?? "", /has 6 fields/);
        });

        it("refuses macros, names and out-of-range values (the docker cron loop supports neither)", () => {
            assert.match(cronProblem("@hourly") ?? "", /fields/);
            assert.match(cronProblem("0 * * JAN *") ?? "", /month field "JAN" is not valid/);
            assert.match(cronProblem("60 * * * *") ?? "", /minute field "60" is out of range 0-59/);
            assert.match(cronProblem("0 24 * * *") ?? "", /hour field/);
            assert.match(cronProblem("0 0 0 * *") ?? "", /day-of-month field "0" is out of range 1-31/);
            assert.match(cronProblem("0 0 * * 7") ?? "", /day-of-week/);
            assert.match(cronProblem("0 5-1 * * *") ?? "", /hour field "5-1" is out of range/);
            assert.match(cronProblem("*/0 * * * *") ?? "", /step below 1/);
        });
    });

    describe("backupScheduleSpec", () => {
        const spec = backupScheduleSpec(run(), "0 * * * *", 3000);

        it("runs ptc-backup backup as the image's non-root user in the ops tier", () => {
            assert.deepStrictEqual([...(spec.entrypoint ?? []), ...(spec.command ?? [])], ["ptc-backup", "backup"]);
            assert.strictEqual(spec.user, "999:999");
            assert.strictEqual(spec.tier, "ops");
            assert.strictEqual(spec.cron, "0 * * * *");
            assert.strictEqual(spec.deadlineSeconds, 3000);
            assert.strictEqual(spec.readOnlyRootFilesystem, true);
            assert.deepStrictEqual(spec.scratch, [{ mountPath: "/tmp", sizeMi: 256 }]);
        });

        it("is labelled role backup and annotated with the stores it covers", () => {
            assert.strictEqual(spec.labels?.[LABELS.role], "backup");
            assert.strictEqual(spec.labels?.[LABELS.component], "backups");
            assert.strictEqual(spec.annotations?.[ANNOTATIONS.backupOf], "postgres,redis");
        });

        it("carries the script contract's plain env and keeps every credential in secretEnv", async () => {
            assert.deepStrictEqual(Object.keys(spec.env ?? {}).sort(), [
                "AWS_DEFAULT_REGION",
                "BACKUP_S3_URI",
                "HOME",
                "PGDATABASE",
                "PGHOST",
                "PGPORT",
                "PGUSER",
                "REDIS_HOST",
                "REDIS_PORT",
                "S3_ENDPOINT_URL",
            ]);
            assert.deepStrictEqual(Object.keys(spec.secretEnv ?? {}).sort(), ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "PGPASSWORD", "REDIS_PASSWORD"]);
            for (const [k, v] of Object.entries(spec.secretEnv ?? {})) {
                assert.ok(pulumi.Output.isInstance(v), `${k} is an Output`);
                assert.strictEqual(await pulumi.isSecret(v as pulumi.Output<string>), true, `${k} is secret`);
            }
            assert.deepStrictEqual(validateSpec("backup", spec), [], "the platform's own checks pass (no secret-looking plain env)");
        });

        it("adds PUSHGATEWAY_URL and the secret BACKUP_HEALTHCHECK_URL only when given, and no S3_ENDPOINT_URL for AWS", async () => {
            const aws = backupScheduleSpec(
                run({
                    bucket: { s3Uri: "s3://b/p", region: "sa-east-1", accessKeyId: "AKIA", secretAccessKey: "x" },
                    pushgatewayUrl: "http://pushgateway:9091",
                    healthcheckUrl: "https://hc-ping.com/uuid",
                }),
                "0 * * * *",
                3000,
            );
            assert.ok(!("S3_ENDPOINT_URL" in (aws.env ?? {})));
            assert.strictEqual(aws.env?.PUSHGATEWAY_URL, "http://pushgateway:9091");
            assert.strictEqual(await pulumi.isSecret(aws.secretEnv?.BACKUP_HEALTHCHECK_URL as pulumi.Output<string>), true);
            assert.ok(!("PUSHGATEWAY_URL" in (spec.env ?? {})));
            assert.ok(!("BACKUP_HEALTHCHECK_URL" in (spec.secretEnv ?? {})));
        });

        it("passes ports as strings", async () => {
            const port = await new Promise((r) => pulumi.output(spec.env?.PGPORT as pulumi.Input<string>).apply(r));
            assert.strictEqual(port, "5432");
        });
    });

    describe("drillScheduleSpec", () => {
        const spec = drillScheduleSpec(run(), "30 3 * * *", 1800);

        it("runs ptc-backup drill with role restore-drill, no backup-of annotation and no retries", () => {
            assert.deepStrictEqual([...(spec.entrypoint ?? []), ...(spec.command ?? [])], ["ptc-backup", "drill"]);
            assert.strictEqual(spec.labels?.[LABELS.role], "restore-drill");
            assert.strictEqual(spec.annotations?.[ANNOTATIONS.backupOf], undefined);
            assert.strictEqual(spec.backoffLimit, 0);
            assert.strictEqual(spec.deadlineSeconds, 1800);
            assert.strictEqual(spec.cron, "30 3 * * *");
        });
    });
});

describe("physical backup staleness limits from their schedules", () => {
    const FULL = "15 1 * * 0", DIFF = "15 1 * * *", INCR = "15 * * * *";
    it("is the longest gap of the union of schedules (a larger type stands in for a smaller one)", () => {
        assert.strictEqual(cronsMaxGapSeconds([FULL]), 7 * 86400);
        assert.strictEqual(cronsMaxGapSeconds([FULL, DIFF]), 86400);
        assert.strictEqual(cronsMaxGapSeconds([FULL, DIFF, INCR]), 3600);
        // Irregular: Monday and Friday only leaves a 4-day gap.
        assert.strictEqual(cronsMaxGapSeconds(["0 2 * * 1,5"]), 4 * 86400);
        assert.strictEqual(cronsMaxGapSeconds(["0 0 30 2 *"]), Infinity);
    });
    it("adds an hour, or a seventh of the gap when longer", () => {
        assert.strictEqual(staleAfterSeconds(3600), 7200);
        assert.strictEqual(staleAfterSeconds(86400), 98743);
        assert.strictEqual(staleAfterSeconds(7 * 86400), 8 * 86400);
    });
});
