/**
 * The PostgreSQL workload with point-in-time recovery (mocks): the server archives through
 * pgBackRest after `ptc-backup pitr-env`, the environment of the ptc-backup contract, the backup
 * sidecar on its three schedules, a generated cipher pass that stays secret, and the refusals.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import type { WorkloadSpec } from "../../components/platform/spec";
import { installMocks, isSecret, type MockRecorder, plaintextStrings, settle, valueOf } from "../support/pulumi";

type Pg = typeof import("../../components/data/postgres");

const S3_SECRET = "pitr-test-s3-secret-77aa";
const bucket = {
    s3Uri: "s3://ptc-backups/pro-team-care",
    region: "us-east-1",
    endpointUrl: "https://minio:9000",
    accessKeyId: "ptc-backup",
    secretAccessKey: pulumi.secret(S3_SECRET),
    caBundle: "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n",
};

describe("Postgres with pitr (mocks)", () => {
    let mocks: MockRecorder;
    let pg: Pg;
    let specs: Record<string, WorkloadSpec>;

    before(async () => {
        mocks = installMocks("pitr-test");
        pg = await import("../../components/data/postgres");
        specs = {};
        // A platform that records the specs it is handed (the component's whole contract with it).
        const platform = {
            capabilities: {} as never,
            service: (name: string, spec: WorkloadSpec) => {
                specs[name] = spec;
                return { endpoint: { host: pulumi.output(name), port: 5432, address: pulumi.output(`${name}:5432`) }, resources: [] };
            },
            job: () => ({ resources: [] }),
            schedule: () => ({ resources: [] }),
        };
        new pg.Postgres("db", { platform, image: "ghcr.io/proteamcare/ptc-postgres:16.9-1", pitr: { bucket, pushgatewayUrl: "http://pushgateway:9091" } });
        new pg.Postgres("plain", { platform, image: "postgres:16.9-bookworm", workloadName: "plain" });
        await settle();
    });

    it("starts the server through ptc-backup pitr-env with archive_mode on, pgBackRest's archive_command and a 60 s archive_timeout", () => {
        const s = specs.postgres;
        assert.deepStrictEqual(s.entrypoint?.slice(0, 2), ["bash", "-c"]);
        assert.match(String(s.entrypoint?.[2]), /pitr=\$\(ptc-backup pitr-env\); eval "\$pitr"; exec docker-entrypoint\.sh "\$@"/);
        assert.match(String(s.entrypoint?.[2]), /set -Eeuo pipefail/, "a failing pitr-env stops the container");
        assert.deepStrictEqual(s.command, ["postgres", "-c", "archive_mode=on", "-c", "archive_command=pgbackrest archive-push %p", "-c", "archive_timeout=60"]);
        assert.deepStrictEqual(s.reachesTiers, ["ops"]);
    });

    it("hands the server and the sidecar the contract's environment, credentials and cipher pass only as secrets", async () => {
        const s = specs.postgres;
        const side = s.sidecars?.[0];
        assert.ok(side);
        for (const env of [s.env ?? {}, side.env ?? {}]) {
            assert.strictEqual(env.BACKUP_S3_URI, bucket.s3Uri);
            assert.strictEqual(env.S3_ENDPOINT_URL, bucket.endpointUrl);
            assert.strictEqual(env.AWS_DEFAULT_REGION, "us-east-1");
            assert.strictEqual(env.AWS_CA_BUNDLE, "/etc/proteamcare/backup-ca.pem");
            assert.strictEqual(env.PGDATA, "/var/lib/postgresql/data/pgdata");
            assert.strictEqual(env.PGHOST, "/var/run/postgresql");
            assert.strictEqual(env.BACKUP_PITR_RETENTION_DAYS, "14");
            assert.strictEqual(env.BACKUP_PITR_STANZA, "ptc");
        }
        for (const secretEnv of [s.secretEnv ?? {}, side.secretEnv ?? {}]) {
            assert.deepStrictEqual(Object.keys(secretEnv).filter((k) => k !== "POSTGRES_PASSWORD").sort(), ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "BACKUP_REPO_CIPHER_PASS"]);
            for (const k of ["AWS_SECRET_ACCESS_KEY", "BACKUP_REPO_CIPHER_PASS"]) assert.strictEqual(await isSecret(pulumi.output(secretEnv[k])), true, k);
        }
        assert.strictEqual(side.env?.PGUSER, "pro_team_care");
        assert.strictEqual(side.env?.PUSHGATEWAY_URL, "http://pushgateway:9091");
        assert.deepStrictEqual([...(s.files ?? []), ...(side.files ?? [])].map((f) => f.path), ["/etc/proteamcare/backup-ca.pem", "/etc/proteamcare/backup-ca.pem"]);
        assert.ok(!plaintextStrings([s.env, side.env]).some((v) => v.includes(S3_SECRET)));
    });

    it("runs base-backup full weekly, diff daily, incr hourly (in that order: the first due wins) on the data volume and socket", () => {
        const side = specs.postgres.sidecars?.[0];
        assert.deepStrictEqual(side?.schedule, {
            command: ["ptc-backup", "base-backup"],
            runs: [
                { cron: "15 1 * * 0", args: ["--type", "full"] },
                { cron: "15 1 * * *", args: ["--type", "diff"] },
                { cron: "15 * * * *", args: ["--type", "incr"] },
            ],
        });
        assert.deepStrictEqual(side?.volumes, ["data"]);
        assert.deepStrictEqual(side?.sharedScratch, ["/var/run/postgresql"]);
    });

    it("generates a 48-character cipher pass once, kept secret (the component's pitrCipherPass output)", async () => {
        const rp = mocks.get("random:index/randomPassword:RandomPassword", "db-pitr-cipher-pass");
        assert.strictEqual(rp.inputs.length, 48);
        const pass = await valueOf(specs.postgres.secretEnv?.BACKUP_REPO_CIPHER_PASS as pulumi.Input<string>);
        assert.ok(mocks.generatedSecrets.includes(pass));
        assert.ok(!plaintextStrings(specs.postgres.env).some((v) => v.includes(pass)));
    });

    it("without pitr, runs the official entrypoint with no archiving, no sidecar and no extra tier", () => {
        const s = specs.plain;
        assert.strictEqual(s.entrypoint, undefined);
        assert.strictEqual(s.command, undefined);
        assert.strictEqual(s.sidecars, undefined);
        assert.strictEqual(s.reachesTiers, undefined);
        assert.ok(!mocks.resources.some((r) => r.name === "plain-pitr-cipher-pass"));
    });

    it("refuses bad pitr settings before any child, one line each", () => {
        const platform = { capabilities: {} as never, service: () => assert.fail("no child"), job: () => assert.fail("no child"), schedule: () => assert.fail("no child") };
        assert.throws(
            () => new pg.Postgres("bad", { platform, image: "x:1", pitr: { bucket, archiveTimeoutSeconds: 0, incrCron: "every hour", retentionDays: 0 } }),
            (e: Error) =>
                /pitr\.incrCron "every hour" must be/.test(e.message) &&
                /pitr\.archiveTimeoutSeconds must be a whole number of seconds from 1 to 3600/.test(e.message) &&
                /pitr\.retentionDays must be a whole number of days/.test(e.message),
        );
    });
});
