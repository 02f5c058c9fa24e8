/**
 * ptc-backup's point-in-time recovery against real services: PostgreSQL 15 archiving its WAL
 * through pgBackRest 2.45 (both from Debian) into s3rver over TLS (a self-signed certificate for
 * `localhost`, trusted through AWS_CA_BUNDLE), with repository encryption, and a real Pushgateway.
 *
 * Covers pitr-env (eval round trip), base-backup (stanza creation, full then incremental), a
 * restore to a time between two commits, a restore to `latest` after the server was SIGKILLed and
 * its data directory lost, the refusals, the physical drill, a corrupted WAL segment, and S3
 * down or refusing the credentials, each ending in one clear line.
 */
import * as assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";

import { asPostgres, chownToPostgres, clusterOn, initCluster, PgCluster } from "./support/pg-cluster";
import { startTlsS3, TlsS3Server } from "./support/s3-tls";
import { freePort, makeTempDir, missingTools, PushgatewayServer, removeTempDir, sleep, startPushgateway, waitFor } from "./support/services";
import { skipOrFail } from "../support/ci";
import { assertOneLineFailure } from "./support/one-line-failure";

const execFileAsync = promisify(execFile);

const SCRIPT = path.resolve(__dirname, "../../components/backup/scripts/ptc-backup");
const TOOLS = ["initdb", "postgres", "pg_ctl", "pg_waldump", "psql", "pg_dump", "pg_restore", "pgbackrest", "openssl", "aws", "zstd", "jq", "curl", "prometheus-pushgateway"];
const PREFIX = "ptc/pitr";
const ARCHIVE_TIMEOUT = 2;
const CIPHER_PASS = "cipher pass with a ' quote";

interface RunResult {
    code: number | null;
    stdout: string;
    stderr: string;
}



/** Every file under `dir` whose path matches `re`. */
function findFiles(dir: string, re: RegExp): string[] {
    const out: string[] = [];
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) out.push(...findFiles(p, re));
        else if (re.test(p)) out.push(p);
    }
    return out.sort();
}

describe("ptc-backup PITR (real PostgreSQL 15, pgBackRest, s3rver over TLS, Pushgateway)", function () {
    this.timeout(900000);

    let s3: TlsS3Server;
    let pushgateway: PushgatewayServer;
    let work: string;
    let pg: PgCluster & { remove(): void };
    const cleanups: (() => Promise<void> | void)[] = [];

    before(async function () {
        const missing = missingTools(TOOLS);
        if (missing) skipOrFail(this, `ptc-backup PITR integration tests: ${missing}`);
        work = makeTempDir("ptc-pitr-test");
        chownToPostgres(work);
        [s3, pushgateway] = await Promise.all([startTlsS3(), startPushgateway()]);
        cleanups.push(() => s3.stop(), () => pushgateway.stop());
        pg = await initCluster({ script: SCRIPT, env: baseEnv(), archiveTimeout: ARCHIVE_TIMEOUT });
        cleanups.push(() => pg.destroy(), () => pg.remove());
        await pg.query("CREATE TABLE events (n int PRIMARY KEY, note text, at timestamptz NOT NULL DEFAULT clock_timestamp())");
        await pg.query("INSERT INTO events (n, note) SELECT g, md5(g::text) FROM generate_series(1, 1000) g");
    });

    after(async () => {
        for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
        if (work) removeTempDir(work);
    });

    /** ptc-backup's environment without the server's libpq variables. */
    function baseEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
        const env: Record<string, string | undefined> = {
            PATH: "/usr/bin:/bin:/usr/sbin:/sbin",
            HOME: work,
            TMPDIR: work,
            LANG: "C.UTF-8",
            ...s3.env(),
            BACKUP_S3_URI: `s3://${s3.bucket}/${PREFIX}`,
            BACKUP_REPO_CIPHER_PASS: CIPHER_PASS,
            BACKUP_STORES: "postgres",
            PUSHGATEWAY_URL: pushgateway.url,
            ...extra,
        };
        return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
    }

    /** Runs ptc-backup as the `postgres` user (pgBackRest must own what it restores) with the server's variables. */
    function run(args: string[], extra: Record<string, string | undefined> = {}): Promise<RunResult> {
        return new Promise((resolve, reject) => {
            const child = spawn(SCRIPT, args, { ...asPostgres(), env: baseEnv({ ...pg.env(), ...extra }), stdio: ["ignore", "pipe", "pipe"] });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
            child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
            child.on("error", reject);
            child.on("close", (code) => {
                assert.ok(!stdout.includes(CIPHER_PASS) && !stderr.includes(CIPHER_PASS), "the cipher pass appeared in the output");
                resolve({ code, stdout, stderr });
            });
        });
    }

    async function metric(name: string, labels: Record<string, string>): Promise<number | undefined> {
        for (const line of (await pushgateway.metrics()).split("\n")) {
            if (!line.startsWith(`${name}{`)) continue;
            if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.split(" ").pop());
        }
        return undefined;
    }

    /** Forces the current WAL segment out and waits until the archiver has pushed it. */
    async function archiveNow(cluster: PgCluster = pg): Promise<void> {
        const seg = await cluster.query("SELECT pg_walfile_name(pg_switch_wal())");
        await waitFor(`WAL segment ${seg} archived`, async () => (await cluster.query("SELECT last_archived_wal >= '" + seg + "' FROM pg_stat_archiver")) === "t", 60000);
    }

    /** A new empty directory owned by `postgres`. */
    function emptyDir(name: string): string {
        const dir = path.join(work, name);
        fs.mkdirSync(dir, { mode: 0o700 });
        chownToPostgres(dir);
        return dir;
    }

    /** Restores with pitr-restore and starts a non-archiving server on the result. */
    async function restoreAndStart(to: string, name: string): Promise<PgCluster> {
        const dir = path.join(work, name);
        const r = await run(["pitr-restore", "--to", to, "--pgdata", dir]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, new RegExp(`^pitr-restore ok set=\\d{8}-\\d{6}F(_\\d{8}-\\d{6}[DI])? to=\\S+.* pgdata=${dir} seconds=\\d+\\.\\d+$`, "m"));
        const restored = clusterOn(dir, { script: SCRIPT, env: baseEnv(), archiveTimeout: 0 });
        cleanups.push(() => restored.destroy());
        await restored.start();
        return restored;
    }

    describe("pitr-env", () => {
        async function evalEnv(extra: Record<string, string | undefined>): Promise<{ out: string; vars: Record<string, string> }> {
            const r = await run(["pitr-env"], extra);
            assert.equal(r.code, 0, r.stderr);
            // The container's way: eval in the same environment, then read what pgBackRest will see.
            const { stdout } = await execFileAsync("/bin/bash", ["-c", `set -eu; eval "$1"; env -0`, "x", r.stdout], { env: baseEnv({ ...pg.env(), ...extra }) });
            const vars = Object.fromEntries(stdout.split("\0").filter((l) => l.startsWith("PGBACKREST_")).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
            return { out: r.stdout, vars };
        }

        it("prints export lines that eval back to the exact values, quotes included; secrets only as references", async () => {
            const odd = `/tmp/it's a "data" dir $HOME \\ \`x\``;
            const { out, vars } = await evalEnv({ PGDATA: odd, AWS_SESSION_TOKEN: "tok'en" });
            for (const line of out.trim().split("\n")) assert.match(line, /^export PGBACKREST_[A-Z0-9_]+=('.*'|"\$\{[A-Z_]+\}")$/);
            assert.equal(vars.PGBACKREST_PG1_PATH, odd);
            assert.equal(vars.PGBACKREST_REPO1_CIPHER_PASS, CIPHER_PASS);
            assert.equal(vars.PGBACKREST_REPO1_CIPHER_TYPE, "aes-256-cbc");
            assert.equal(vars.PGBACKREST_REPO1_S3_TOKEN, "tok'en");
            assert.equal(vars.PGBACKREST_REPO1_S3_KEY, "S3RVER");
            assert.ok(!out.includes(CIPHER_PASS) && !out.includes("tok'en"), "a secret was printed");
            assert.equal(vars.PGBACKREST_STANZA, "ptc");
            assert.equal(vars.PGBACKREST_REPO1_BUNDLE, "y", "small files bundled: far fewer S3 requests");
            assert.equal(vars.PGBACKREST_REPO1_PATH, `/${PREFIX}/pgbackrest`);
            assert.equal(vars.PGBACKREST_REPO1_S3_BUCKET, s3.bucket);
            assert.equal(vars.PGBACKREST_REPO1_S3_ENDPOINT, "localhost");
            assert.equal(vars.PGBACKREST_REPO1_STORAGE_PORT, new URL(s3.endpoint).port);
            assert.equal(vars.PGBACKREST_REPO1_S3_URI_STYLE, "path");
            assert.equal(vars.PGBACKREST_REPO1_STORAGE_CA_FILE, s3.caFile);
            assert.equal(vars.PGBACKREST_REPO1_RETENTION_FULL_TYPE, "time");
            assert.equal(vars.PGBACKREST_REPO1_RETENTION_FULL, "14");
            assert.equal(vars.PGBACKREST_PG1_SOCKET_PATH, pg.socketDir);
            assert.equal(vars.PGBACKREST_LOCK_PATH, `${work}/pgbackrest/lock`);
            assert.equal(vars.PGBACKREST_LOG_LEVEL_FILE, "off");
        });

        it("AWS without keys: the regional endpoint by host name, credentials from the role (auto, or web-id with IRSA)", async () => {
            const aws = { S3_ENDPOINT_URL: undefined, AWS_CA_BUNDLE: undefined, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_DEFAULT_REGION: "sa-east-1", BACKUP_PITR_STANZA: "prod", BACKUP_PITR_RETENTION_DAYS: "30" };
            const { vars } = await evalEnv(aws);
            assert.equal(vars.PGBACKREST_REPO1_S3_ENDPOINT, "s3.sa-east-1.amazonaws.com");
            assert.equal(vars.PGBACKREST_REPO1_S3_URI_STYLE, "host");
            assert.equal(vars.PGBACKREST_REPO1_S3_KEY_TYPE, "auto");
            assert.equal(vars.PGBACKREST_REPO1_S3_KEY, undefined);
            assert.equal(vars.PGBACKREST_STANZA, "prod");
            assert.equal(vars.PGBACKREST_REPO1_RETENTION_FULL, "30");
            const irsa = await evalEnv({ ...aws, AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/x", AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/secrets/token" });
            assert.equal(irsa.vars.PGBACKREST_REPO1_S3_KEY_TYPE, "web-id");
        });

        it("rejects a bad environment with one line and exit 2", async () => {
            assertOneLineFailure(await run(["pitr-env"], { PGDATA: undefined }), /PGDATA is not set/, 2);
            assertOneLineFailure(await run(["pitr-env"], { S3_ENDPOINT_URL: "http://localhost:9000" }), /must start with https:\/\/: pgBackRest speaks S3 over TLS only/, 2);
            assertOneLineFailure(await run(["pitr-env"], { S3_ENDPOINT_URL: "https://localhost:9000/sub/path" }), /must be https:\/\/host\[:port\]/, 2);
            assertOneLineFailure(await run(["pitr-env"], { AWS_DEFAULT_REGION: undefined, AWS_REGION: undefined }), /AWS_DEFAULT_REGION is not set/, 2);
            assertOneLineFailure(await run(["pitr-env"], { AWS_SECRET_ACCESS_KEY: undefined }), /set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/, 2);
            assertOneLineFailure(await run(["pitr-env"], { AWS_CA_BUNDLE: "/nonexistent.pem" }), /AWS_CA_BUNDLE '\/nonexistent\.pem' is not a readable file/, 2);
            assertOneLineFailure(await run(["pitr-env"], { BACKUP_PITR_RETENTION_DAYS: "two weeks" }), /BACKUP_PITR_RETENTION_DAYS 'two weeks' must be a whole number/, 2);
            assertOneLineFailure(await run(["pitr-env"], { BACKUP_PITR_STANZA: "a b" }), /BACKUP_PITR_STANZA 'a b' must be/, 2);
            assertOneLineFailure(await run(["base-backup", "--type", "weekly"]), /--type 'weekly' must be full, diff or incr/, 2);
            assertOneLineFailure(await run(["pitr-restore", "--to", "yesterday", "--pgdata", "/tmp/x"]), /--to 'yesterday' is not an RFC 3339 time/, 2);
            assertOneLineFailure(await run(["pitr-restore", "--to", "latest"]), /needs --pgdata DIR/, 2);
        });
    });

    describe("backups and restores", () => {
        it("base-backup creates the stanza and takes a full backup first (even when asked for incr), then an incremental; metrics pushed", async () => {
            const first = await run(["base-backup", "--type", "incr"]);
            assert.equal(first.code, 0, first.stderr);
            assert.match(first.stderr, /no stanza yet .*creating it/);
            assert.match(first.stderr, /no full backup .* taking a full backup instead of incr/);
            const full = /^base-backup ok label=(\d{8}-\d{6}F) type=full seconds=([\d.]+) bytes=(\d+)$/m.exec(first.stdout);
            assert.ok(full, first.stdout);
            assert.ok(Number(full[3]) > 0);
            // The repository is encrypted: no object holds the table's plain text.
            const objects = findFiles(s3.directory, /pgbackrest\/backup\/ptc\/.*\._S3rver_object$/);
            // Bundled: the cluster's ~1,000 small files go to S3 as a few objects (without bundling, > 100).
            assert.ok(objects.length > 0 && objects.length < 50, `${objects.length} objects`);
            assert.ok(objects.every((o) => !fs.readFileSync(o).includes("PostgreSQL")), "an unencrypted object in the repository");

            await pg.query("UPDATE events SET note = 'changed' WHERE n <= 10");
            const second = await run(["base-backup", "--type", "incr"]);
            assert.equal(second.code, 0, second.stderr);
            const incr = new RegExp(`^base-backup ok label=(${full[1]}_\\d{8}-\\d{6}I) type=incr seconds=[\\d.]+ bytes=(\\d+)$`, "m").exec(second.stdout);
            assert.ok(incr, second.stdout);
            assert.ok(Number(incr[2]) < Number(full[3]), "an incremental stores less than the full");
            // The sidecar's start run: a full backup exists, so nothing is taken.
            const start = await run(["base-backup", "--type", "full", "--if-none"]);
            assert.equal(start.code, 0, start.stderr);
            assert.match(start.stderr, /a full backup exists .*nothing to do \(--if-none\)/);
            assert.doesNotMatch(start.stdout, /base-backup ok/);

            for (const type of ["full", "incr"]) {
                const ts = await metric("ptc_pitr_backup_last_success_timestamp_seconds", { job: "ptc_pitr_backup", type });
                assert.ok(ts !== undefined && Math.abs(ts - Date.now() / 1000) < 900, `${type}: ${ts}`);
                assert.ok(((await metric("ptc_pitr_backup_duration_seconds", { type })) ?? 0) > 0);
                assert.ok(((await metric("ptc_pitr_backup_size_bytes", { type })) ?? 0) > 0);
            }
            assert.equal(await metric("ptc_pitr_backup_size_bytes", { type: "full" }), Number(full[3]));
        });

        it("pitr-restore to a time between two commits holds exactly what was committed then", async () => {
            await pg.query("INSERT INTO events (n, note) VALUES (1001, 't1')");
            await sleep(1200);
            const t2 = await pg.query("INSERT INTO events (n, note) VALUES (1002, 't2') RETURNING at");
            await sleep(1200);
            const t3 = await pg.query("INSERT INTO events (n, note) VALUES (1003, 't3') RETURNING at");
            await archiveNow();
            const between = new Date((Date.parse(t2) + Date.parse(t3)) / 2).toISOString();
            const restored = await restoreAndStart(between, "restored-between");
            assert.equal(await restored.query("SELECT string_agg(note, ',' ORDER BY n) FROM events WHERE n > 1000"), "t1,t2");
            assert.equal(await restored.query("SELECT count(*) FROM events"), "1002");
            assert.equal(await restored.query("SELECT count(*) FROM events WHERE note = 'changed'"), "10");
            await restored.destroy();
        });

        it("refuses a non-empty directory, a time before the oldest backup and one after the newest archived commit, changing nothing", async () => {
            const busy = emptyDir("not-empty");
            fs.writeFileSync(path.join(busy, "PG_VERSION"), "15\n");
            assertOneLineFailure(await run(["pitr-restore", "--to", "latest", "--pgdata", busy]), /--pgdata .*not-empty is not empty; restore into an empty directory/, 2);
            assert.deepEqual(fs.readdirSync(busy), ["PG_VERSION"]);

            const target = path.join(work, "never");
            assertOneLineFailure(await run(["pitr-restore", "--to", "2001-02-03T04:05:06Z", "--pgdata", target]), /--to 2001-02-03T04:05:06\.000000Z is before the oldest backup .* ended; the earliest time is /, 3);
            const future = new Date(Date.now() + 3600_000).toISOString();
            assertOneLineFailure(await run(["pitr-restore", "--to", future, "--pgdata", target]), /is not before the newest archived commit \(\S+\): later WAL is not in the bucket yet; use --to latest/, 3);
            assert.equal(fs.existsSync(target), false, "the refused restore left a directory behind");
        });

        it("the drill also restores the latest physical backup into a scratch server, checks it, reports the RTO and removes it", async () => {
            const logical = await run(["backup"]);
            assert.equal(logical.code, 0, logical.stderr);
            const scratch = emptyDir("drill-scratch");
            const r = await run(["drill"], { BACKUP_DRILL_SCRATCH: scratch });
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stdout, /^drill ok backup=\S+ seconds=[\d.]+ tables=1$/m);
            const m = /^drill physical ok backup=(\S+) rto_seconds=([\d.]+) tables=(\d+)$/m.exec(r.stdout);
            assert.ok(m, r.stdout);
            assert.equal(m[3], "1");
            assert.ok(Number(m[2]) > 0);
            assert.deepEqual(fs.readdirSync(scratch), [], "the scratch cluster was not removed");
            assert.equal(await metric("ptc_restore_drill_physical_rto_seconds", { job: "ptc_restore_drill", store: "postgres-physical" }), Number(m[2]));
            const ts = await metric("ptc_restore_drill_physical_last_success_timestamp_seconds", { store: "postgres-physical" });
            assert.ok(ts !== undefined && Math.abs(ts - Date.now() / 1000) < 900);

            const off = await run(["drill"], { BACKUP_DRILL_PHYSICAL: "off" });
            assert.equal(off.code, 0, off.stderr);
            assert.doesNotMatch(off.stdout, /physical/);
            assertOneLineFailure(await run(["drill"], { BACKUP_DRILL_PHYSICAL: "maybe" }), /BACKUP_DRILL_PHYSICAL 'maybe' must be auto, on or off/, 2);
        });

        it("S3 down and refused credentials end base-backup and pitr-restore with one line (pgBackRest's reason) and a failure metric", async () => {
            const down = `https://localhost:${await freePort()}`;
            // pgBackRest retries a refused connection until its I/O timeout (60 s, ~4 min in all by default).
            const quick = { PGBACKREST_IO_TIMEOUT: "1" };
            const before = await metric("ptc_pitr_backup_last_failure_timestamp_seconds", { job: "ptc_pitr_backup" });
            const r = await run(["base-backup"], { ...quick, S3_ENDPOINT_URL: down });
            assertOneLineFailure(r, /cannot read the pgBackRest repository s3:\/\/.*: .*(unable to connect|Connection refused)/, 1);
            const after = await metric("ptc_pitr_backup_last_failure_timestamp_seconds", { job: "ptc_pitr_backup" });
            assert.ok(after !== undefined && after !== before, "a failure timestamp was pushed");
            const bad = await run(["base-backup"], { AWS_ACCESS_KEY_ID: "AKIAWRONGWRONGWRONG0" });
            assertOneLineFailure(bad, /cannot read the pgBackRest repository .*(403|Forbidden|InvalidAccessKeyId)/, 1);
            const target = path.join(work, "never2");
            assertOneLineFailure(await run(["pitr-restore", "--to", "latest", "--pgdata", target], { ...quick, S3_ENDPOINT_URL: down }), /cannot read the pgBackRest repository/, 1);
            assert.equal(fs.existsSync(target), false);
        });

        it("the server SIGKILLed and its data directory lost a little after archive_timeout: pitr-restore --to latest holds the last commit", async () => {
            await pg.query("INSERT INTO events (n, note) VALUES (2000, 'last words')");
            // archive_timeout switches the segment; the archiver then pushes it.
            await sleep(ARCHIVE_TIMEOUT * 1000 + 2500);
            await pg.kill();
            fs.rmSync(pg.dataDir, { recursive: true, force: true });
            const restored = await restoreAndStart("latest", "restored-latest");
            assert.equal(await restored.query("SELECT note FROM events WHERE n = 2000"), "last words");
            assert.equal(await restored.query("SELECT count(*) FROM events"), "1004");
            await restored.destroy();
        });

        it("a corrupted WAL segment in the bucket: the drill fails loudly (recovery never promotes early); pitr-restore refuses a corrupt newest segment", async () => {
            // A server on the restored data again (archiving on), new WAL after the last backup.
            const dir = path.join(work, "restored-again");
            const r = await run(["pitr-restore", "--to", "latest", "--pgdata", dir]);
            assert.equal(r.code, 0, r.stderr);
            const again = clusterOn(dir, { script: SCRIPT, env: baseEnv(), archiveTimeout: ARCHIVE_TIMEOUT });
            cleanups.push(() => again.destroy());
            await again.start();
            const backup = await run(["base-backup", "--type", "full"], again.env());
            assert.equal(backup.code, 0, backup.stderr);
            for (const n of [3001, 3002, 3003]) {
                await again.query(`INSERT INTO events (n, note) VALUES (${n}, 'after the backup')`);
                await archiveNow(again);
            }
            const timeline = (await again.query("SELECT lpad(upper(to_hex(timeline_id)), 8, '0') FROM pg_control_checkpoint()"));
            // The drill's logical half needs a live server; this one no longer archives (the bucket stays as it is).
            await again.stop();
            const quiet = clusterOn(dir, { script: SCRIPT, env: baseEnv(), archiveTimeout: 0 });
            cleanups.push(() => quiet.destroy());
            await quiet.start();
            const segments = findFiles(s3.directory, new RegExp(`/archive/ptc/15-1/${timeline}0{8}/${timeline}[0-9A-F]{16}-[0-9a-f]{40}\\.zst\\._S3rver_object$`));
            assert.ok(segments.length >= 4, segments.join("\n"));
            const corrupt = (file: string): void => {
                const fd = fs.openSync(file, "r+");
                const buf = Buffer.alloc(64, 0x55);
                fs.writeSync(fd, buf, 0, buf.length, 256);
                fs.closeSync(fd);
            };
            // The second newest: needed to reach the newest commit.
            corrupt(segments[segments.length - 2]);
            const scratch = emptyDir("drill-scratch-corrupt");
            const drill = await run(["drill"], { ...quiet.env(), BACKUP_DRILL_SCRATCH: scratch, BACKUP_DRILL_PHYSICAL: "on" });
            assertOneLineFailure(drill, /scratch PostgreSQL (on the restored backup \S+ did not start|stopped during recovery): .*FATAL: +recovery ended before configured recovery target was reached/, 1);
            assert.deepEqual(fs.readdirSync(scratch), [], "the failed drill left its scratch cluster");
            const drillFailed = await metric("ptc_restore_drill_last_failure_timestamp_seconds", { job: "ptc_restore_drill", store: "postgres" });
            assert.ok(drillFailed !== undefined && Math.abs(drillFailed - Date.now() / 1000) < 900, "the drill failure was pushed");

            corrupt(segments[segments.length - 1]);
            const target = path.join(work, "never3");
            assertOneLineFailure(await run(["pitr-restore", "--to", "latest", "--pgdata", target], quiet.env()), /archived WAL segment \S+ in s3:\/\/.* is corrupt/, 3);
            assert.equal(fs.existsSync(target), false);
        });
    });
});
