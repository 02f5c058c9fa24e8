/**
 * ptc-backup against real services: PostgreSQL, Redis, an S3-compatible server (s3rver) driven by
 * Debian's AWS CLI v2, and a real Prometheus Pushgateway. Covers the round trip (identical data
 * and keys), every fault of issue 3 (each ends non-zero with one clear line, leaves `latest`
 * untouched and earlier backups restorable), verify, drill, metrics and the healthcheck pings.
 */
import * as assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { promisify } from "node:util";

import {
    freePort,
    makeTempDir,
    missingTools,
    PgServer,
    PushgatewayServer,
    RedisServer,
    removeTempDir,
    requireTool,
    S3Server,
    sleep,
    startPostgres,
    startPushgateway,
    startRedis,
    startS3,
    waitFor,
} from "./support/services";
import { skipOrFail } from "../support/ci";
import { assertOneLineFailure, errorLines } from "./support/one-line-failure";

const execFileAsync = promisify(execFile);

const SCRIPT = path.resolve(__dirname, "../../components/backup/scripts/ptc-backup");
const TOOLS = ["initdb", "postgres", "psql", "pg_dump", "pg_restore", "redis-server", "redis-cli", "aws", "zstd", "jq", "curl", "shellcheck", "prometheus-pushgateway"];
const PREFIX = "ptc/test";
const ID_RE = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/;

interface RunResult {
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
}

/** A tiny HTTP endpoint standing in for healthchecks.io; it records every ping. */
interface PingServer {
    url: string;
    pings: { path: string; body: string }[];
    close(): Promise<void>;
}

async function startPingServer(): Promise<PingServer> {
    const port = await freePort();
    const pings: { path: string; body: string }[] = [];
    const server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (chunk: Buffer) => (body += chunk.toString()));
        req.on("end", () => {
            pings.push({ path: req.url ?? "", body });
            res.writeHead(200).end("OK");
        });
    });
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    return {
        url: `http://127.0.0.1:${port}/ping/abc-123`,
        pings,
        close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
}



describe("ptc-backup (real PostgreSQL, Redis, s3rver, Pushgateway)", function () {
    this.timeout(900000);

    let pg: PgServer;
    let redis: RedisServer;
    let s3: S3Server;
    let pushgateway: PushgatewayServer;
    let pings: PingServer;
    let work: string;
    const secrets: string[] = [];
    const started: (() => Promise<void>)[] = [];

    /** Complete backups taken so far, oldest first. */
    const complete: string[] = [];

    before(async function () {
        const missing = missingTools(TOOLS);
        if (missing) skipOrFail(this, `ptc-backup integration tests: ${missing}`);
        work = makeTempDir("ptc-backup-test");
        [pg, redis, s3, pushgateway, pings] = await Promise.all([startPostgres(), startRedis(), startS3(), startPushgateway(), startPingServer()]);
        started.push(() => pg.destroy(), () => redis.stop(), () => s3.stop(), () => pushgateway.stop(), () => pings.close());
        secrets.push(pg.password, redis.password);
        await seedPostgres(pg);
        await seedRedis(redis);
    });

    after(async () => {
        await Promise.allSettled(started.map((stop) => stop()));
        if (work) removeTempDir(work);
    });

    function scriptEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
        const env: Record<string, string | undefined> = {
            // /usr/bin first: Debian's AWS CLI v2, not another `aws` on the caller's PATH.
            PATH: `/usr/bin:/bin:/usr/sbin:/sbin`,
            HOME: work,
            TMPDIR: work,
            LANG: "C.UTF-8",
            ...pg.env(),
            REDIS_HOST: redis.host,
            REDIS_PORT: String(redis.port),
            REDIS_PASSWORD: redis.password,
            ...s3.env(),
            BACKUP_S3_URI: `s3://${s3.bucket}/${PREFIX}`,
            PUSHGATEWAY_URL: pushgateway.url,
            BACKUP_HEALTHCHECK_URL: pings.url,
            ...extra,
        };
        return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
    }

    /** Runs the script in its own process group; `onStderr` sees stderr as it arrives. */
    function run(args: string[], extra: Record<string, string | undefined> = {}, onStderr?: (all: string, pid: number) => void): Promise<RunResult> {
        return new Promise((resolve, reject) => {
            const child = spawn(SCRIPT, args, { env: scriptEnv(extra), detached: true, stdio: ["ignore", "pipe", "pipe"] });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
            child.stderr.on("data", (d: Buffer) => {
                stderr += d.toString();
                if (onStderr && child.pid !== undefined) onStderr(stderr, child.pid);
            });
            child.on("error", reject);
            child.on("close", (code, signal) => {
                for (const secret of secrets) {
                    if (secret) {
                        assert.ok(!stdout.includes(secret) && !stderr.includes(secret), "a secret appeared in the output");
                    }
                }
                resolve({ code, signal, stdout, stderr });
            });
        });
    }

    async function aws(...args: string[]): Promise<string> {
        const { stdout } = await execFileAsync(requireTool("aws"), ["--endpoint-url", s3.endpoint, ...args], { env: { ...scriptEnv(), AWS_PAGER: "" } });
        return stdout;
    }

    async function readLatest(): Promise<string> {
        return (await aws("s3", "cp", `s3://${s3.bucket}/${PREFIX}/latest`, "-")).trim();
    }

    async function backup(extra: Record<string, string | undefined> = {}): Promise<string> {
        const r = await run(["backup"], extra);
        assert.equal(r.code, 0, r.stderr);
        const id = r.stdout.trim();
        assert.match(id, ID_RE);
        complete.push(id);
        return id;
    }

    async function restoreAndCompare(id: string, db: string): Promise<void> {
        const r = await run(["restore", id, "--target-db", db]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, new RegExp(`^restore ok backup=${id} database=${db} seconds=\\d+\\.\\d+`));
        assert.deepEqual(await pgFingerprint(pg, db), await pgFingerprint(pg, pg.database));
    }

    async function dbExists(db: string): Promise<boolean> {
        return (await pg.query(`SELECT count(*) FROM pg_database WHERE datname = '${db}'`, "postgres")) === "1";
    }

    async function metric(name: string, labels: Record<string, string>): Promise<number | undefined> {
        const text = await pushgateway.metrics();
        for (const line of text.split("\n")) {
            if (!line.startsWith(`${name}{`)) continue;
            const ok = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
            if (ok) return Number(line.split(" ").pop());
        }
        return undefined;
    }

    it("is shellcheck clean", async () => {
        const r = await execFileAsync(requireTool("shellcheck"), ["-x", SCRIPT]).then(
            () => ({ code: 0, out: "" }),
            (err: { code: number; stdout: string }) => ({ code: err.code, out: err.stdout }),
        );
        assert.equal(r.code, 0, r.out);
    });

    it("backs up, then restores identical PostgreSQL data and identical Redis keys", async () => {
        const id = await backup();
        assert.equal(await readLatest(), id);

        // The manifest lists both objects with the size and SHA-256 of what is really in the bucket.
        const manifest = JSON.parse(await aws("s3", "cp", `s3://${s3.bucket}/${PREFIX}/backups/${id}/manifest.json`, "-"));
        assert.equal(manifest.id, id);
        assert.deepEqual(manifest.objects.map((o: { store: string }) => o.store), ["postgres", "redis"]);
        for (const o of manifest.objects as { key: string; size: number; sha256: string }[]) {
            const stored = fs.readFileSync(s3.objectPath(`${PREFIX}/${o.key}`));
            assert.equal(stored.length, o.size);
            assert.equal(createHash("sha256").update(stored).digest("hex"), o.sha256);
        }
        assert.ok(manifest.tools.pg_dump.includes("pg_dump"), "tool versions are recorded");
        const manifestText = JSON.stringify(manifest);
        for (const secret of secrets) if (secret) assert.ok(!manifestText.includes(secret), "a secret is in the manifest");

        await restoreAndCompare(id, "restored_roundtrip");
        const tables = await pgFingerprint(pg, "restored_roundtrip");
        assert.ok(Object.keys(tables).length >= 4 && tables["public.visits"].startsWith("3000|"), JSON.stringify(tables));

        // Redis: the RDB written by restore-redis, loaded by a fresh server (the runbook's RDB swap).
        const rdb = path.join(work, "restored.rdb");
        const rr = await run(["restore-redis", id, "--target", rdb]);
        assert.equal(rr.code, 0, rr.stderr);
        const fresh = await startRedis({ rdbFile: rdb });
        try {
            const original = await redisFingerprint(redis);
            assert.ok(original.length > 1000, "the source keyspace is not trivial");
            assert.equal(await redisFingerprint(fresh), original);
            // Then AOF back on, as the runbook does, without losing keys.
            await fresh.cli("config", "set", "appendonly", "yes");
            await waitFor("AOF rewrite", async () => (await fresh.cli("info", "persistence")).includes("aof_rewrite_in_progress:0"));
            assert.equal(await redisFingerprint(fresh), original);
        } finally {
            await fresh.stop();
        }
    });

    it("publishes the run's metrics to the Pushgateway and pings the healthcheck", async () => {
        for (const store of ["postgres", "redis"]) {
            const ts = await metric("ptc_backup_last_success_timestamp_seconds", { job: "ptc_backup", store });
            assert.ok(ts !== undefined && Math.abs(ts - Date.now() / 1000) < 900, `last success of ${store}: ${ts}`);
            assert.ok(((await metric("ptc_backup_duration_seconds", { store })) ?? -1) > 0);
            assert.ok(((await metric("ptc_backup_size_bytes", { store })) ?? -1) > 0);
        }
        const ok = pings.pings.filter((p) => p.path === "/ping/abc-123");
        assert.ok(ok.length >= 1 && ok[ok.length - 1].body.includes(complete[0]), JSON.stringify(pings.pings));
    });

    it("a backup still succeeds when the Pushgateway is unreachable (and says so)", async () => {
        const dead = `http://127.0.0.1:${await freePort()}`;
        const r = await run(["backup"], { PUSHGATEWAY_URL: dead });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, /warning: could not push ptc_backup metrics for postgres to the Pushgateway/);
        assert.equal(errorLines(r.stderr).length, 0);
        const id = r.stdout.trim();
        assert.equal(await readLatest(), id);
        complete.push(id);
    });

    it("signs its curl requests exactly as the AWS CLI's own SigV4 signer does (session token included), secrets never in argv", async () => {
        // A recording proxy in front of s3rver (which checks only the access key id) keeps every request
        // curl sends; the AWS CLI's bundled botocore then recomputes each signature from scratch.
        const target = new URL(s3.endpoint);
        const recorded: { method: string; path: string; headers: Record<string, string>; body: string }[] = [];
        const proxyPort = await freePort();
        const proxy = http.createServer((req, res) => {
            const chunks: Buffer[] = [];
            req.on("data", (c: Buffer) => chunks.push(c));
            req.on("end", () => {
                const body = Buffer.concat(chunks);
                if ((req.headers["user-agent"] ?? "").startsWith("curl/")) {
                    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
                    recorded.push({ method: req.method ?? "", path: req.url ?? "", headers, body: body.toString("base64") });
                }
                const fwd = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
                    res.writeHead(up.statusCode ?? 502, up.headers);
                    up.pipe(res);
                });
                fwd.on("error", () => res.writeHead(502).end());
                fwd.end(body);
            });
        });
        await new Promise<void>((resolve) => proxy.listen(proxyPort, "127.0.0.1", resolve));
        const secretKey = `secret-${Date.now()}/Key+With=Chars`;
        const token = `FwoGZXIvYXdzEXAMPLE/${Date.now()}+token==`;
        const extra = { S3_ENDPOINT_URL: `http://127.0.0.1:${proxyPort}`, AWS_SECRET_ACCESS_KEY: secretKey, AWS_SESSION_TOKEN: token, AWS_DEFAULT_REGION: "eu-west-1" };
        const argvLeaks: string[] = [];
        let group = 0;
        let sawUpload = false;
        const scan = (pid: number): void => {
            for (const p of fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
                try {
                    const cmd = fs.readFileSync(`/proc/${p}/cmdline`, "utf8");
                    const stat = fs.readFileSync(`/proc/${p}/stat`, "utf8");
                    const pgrp = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2];
                    if (pgrp !== String(pid)) continue;
                    if (cmd.includes("\0cp\0-\0")) sawUpload = true;
                    if (cmd.includes(secretKey) || cmd.includes(token)) argvLeaks.push(cmd.replace(/\0/g, " "));
                } catch {
                    // gone
                }
            }
        };
        // Sampled every 10 ms while the runs last, and at every line they print.
        const watch = (_all: string, pid: number): void => {
            group = pid;
            scan(pid);
        };
        const timer = setInterval(() => group !== 0 && scan(group), 10);
        try {
            const r = await run(["backup"], extra, watch);
            assert.equal(r.code, 0, r.stderr);
            const id = r.stdout.trim();
            complete.push(id);
            group = 0;
            const v = await run(["verify", id], extra, watch);
            assert.equal(v.code, 0, v.stderr);
        } finally {
            clearInterval(timer);
            await new Promise<void>((resolve) => proxy.close(() => resolve()));
        }
        assert.ok(sawUpload, "the argv sampler saw the upload's AWS CLI process (it works)");
        assert.deepEqual(argvLeaks, [], "a secret appeared in a process's argv");
        const methods = recorded.map((q) => q.method);
        assert.ok(methods.filter((m) => m === "PUT").length >= 2 && methods.filter((m) => m === "GET").length >= 3, JSON.stringify(methods));
        for (const q of recorded) {
            assert.equal(q.headers["x-amz-security-token"], token, `${q.method} ${q.path} carries the session token`);
            assert.match(q.headers.authorization ?? "", /SignedHeaders=[^,]*x-amz-security-token/);
        }
        const file = path.join(work, "signed-requests.json");
        fs.writeFileSync(file, JSON.stringify(recorded));
        const python = fs.readFileSync(requireTool("aws"), "utf8").split("\n")[0].replace(/^#!\s*/, "").trim();
        const { stdout } = await execFileAsync(python, ["-c", SIGV4_CHECK, file, "S3RVER", secretKey, token, "eu-west-1"]);
        assert.equal(stdout.trim().split("\n").length, recorded.length, stdout);
        assert.ok(stdout.trim().split("\n").every((l) => l.startsWith("MATCH ")), stdout);
    });

    it("works the same through the AWS CLI alone (BACKUP_S3_CLIENT=aws-cli, the fallback when curl cannot sign)", async () => {
        const cli = { BACKUP_S3_CLIENT: "aws-cli" };
        const id = await backup(cli);
        assert.equal(await readLatest(), id);
        const v = await run(["verify", id], cli);
        assert.equal(v.code, 0, v.stderr);
        const r = await run(["restore", id, "--target-db", "restored_cli"], cli);
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(await pgFingerprint(pg, "restored_cli"), await pgFingerprint(pg, pg.database));
        const missing = await run(["verify", "20000101T000000Z-000000"], cli);
        assertOneLineFailure(missing, /manifest of backup 20000101T000000Z-000000 not found/);
        assert.equal(missing.code, 3);
        const down = await run(["verify"], { ...cli, S3_ENDPOINT_URL: `http://127.0.0.1:${await freePort()}` });
        assertOneLineFailure(down, /S3 .* is unreachable or refused access .*Could not connect to the endpoint URL/);
    });

    it("lists backups, marking the latest", async () => {
        const r = await run(["list"]);
        assert.equal(r.code, 0, r.stderr);
        for (const id of complete) assert.match(r.stdout, new RegExp(`^${id}\\s+complete\\s+\\d+`, "m"));
        assert.match(r.stdout, new RegExp(`^${complete[complete.length - 1]}\\s+complete\\s+\\d+ latest$`, "m"));
    });

    describe("faults during backup leave latest untouched", () => {
        let latestBefore: string;
        beforeEach(async () => {
            latestBefore = await readLatest();
        });
        afterEach(async () => {
            assert.equal(await readLatest(), latestBefore, "latest moved");
        });

        it("S3 unreachable", async () => {
            const r = await run(["backup"], { S3_ENDPOINT_URL: `http://127.0.0.1:${await freePort()}` });
            // curl (the default reader) or the AWS CLI (BACKUP_S3_CLIENT=aws-cli) says it in its own words.
            assertOneLineFailure(r, /S3 .* is unreachable or refused access .*(Failed to connect|Could not connect to the endpoint URL)/);
            assert.equal(r.code, 1);
            assert.ok(pings.pings.some((p) => p.path === "/ping/abc-123/fail" && p.body.includes("unreachable")), "failure ping");
        });

        it("wrong credentials (an access key id the server does not know)", async () => {
            // s3rver checks the access key id but not SigV4 signatures, so the bad credential is the id;
            // against AWS a wrong secret fails the same way (SignatureDoesNotMatch, 403).
            const r = await run(["backup"], { AWS_ACCESS_KEY_ID: "AKIAWRONGWRONGWRONG0", AWS_SECRET_ACCESS_KEY: "wrong" });
            assertOneLineFailure(r, /S3 .* refused access .*(403|Forbidden|InvalidAccessKeyId)/);
        });

        it("a manifest that cannot be written leaves latest on the previous backup (manifest first, then latest)", async () => {
            // A proxy in front of s3rver that refuses only the manifest PUT: the backup fails, and
            // `latest` still names the last complete backup, never one without a manifest.
            const target = new URL(s3.endpoint);
            const proxy = http.createServer((req, res) => {
                if (req.method === "PUT" && (req.url ?? "").split("?")[0].endsWith("/manifest.json")) {
                    req.resume();
                    req.on("end", () => res.writeHead(500, { "content-type": "application/xml" }).end("<Error><Code>InternalError</Code></Error>"));
                    return;
                }
                const fwd = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
                    res.writeHead(up.statusCode ?? 502, up.headers);
                    up.pipe(res);
                });
                fwd.on("error", () => res.writeHead(502).end());
                req.pipe(fwd);
            });
            const port = await freePort();
            await new Promise<void>((resolve) => proxy.listen(port, "127.0.0.1", resolve));
            try {
                const r = await run(["backup"], { S3_ENDPOINT_URL: `http://127.0.0.1:${port}` });
                assertOneLineFailure(r, /writing the manifest .*manifest\.json failed/);
                assert.equal(r.code, 1);
                assert.equal(await readLatest(), latestBefore, "latest moved to a backup without a manifest");
            } finally {
                await new Promise<void>((resolve) => proxy.close(() => resolve()));
            }
        });

        it("database down", async () => {
            const before = await metric("ptc_backup_last_failure_timestamp_seconds", { store: "postgres" });
            await pg.stop();
            let r: RunResult;
            try {
                r = await run(["backup"]);
            } finally {
                await pg.start();
            }
            assertOneLineFailure(r, /PostgreSQL 127\.0\.0\.1:\d+\/app is unreachable or refused the connection: .*Connection refused/);
            const after = await metric("ptc_backup_last_failure_timestamp_seconds", { store: "postgres" });
            assert.ok(after !== undefined && after !== before, "a failure timestamp was pushed");
        });

        it("Redis refuses the password", async () => {
            const r = await run(["backup"], { REDIS_PASSWORD: "not-the-password" });
            assertOneLineFailure(r, /Redis 127\.0\.0\.1:\d+ is unreachable or refused the connection: .*(NOAUTH|WRONGPASS|AUTH)/);
        });

        it("the process killed (SIGKILL, whole process group) mid-upload", async () => {
            let id = "";
            let killed = false;
            const r = await run(["backup"], {}, (stderr, pid) => {
                const m = /backup (\S+) to s3:/.exec(stderr);
                if (m) id = m[1];
                if (!killed && stderr.includes("streaming pg_dump")) {
                    killed = true;
                    // Let the dump start flowing into the upload, then kill everything at once (an OOM kill).
                    setTimeout(() => process.kill(-pid, "SIGKILL"), 300);
                }
            });
            assert.equal(r.signal, "SIGKILL");
            assert.ok(!r.stderr.includes("complete"), r.stderr);
            assert.match(id, ID_RE);
            const listing = await aws("s3", "ls", "--recursive", `s3://${s3.bucket}/${PREFIX}/backups/${id}/`).catch(() => "");
            assert.ok(!listing.includes("manifest.json"), "no manifest for the killed run");
            const list = await run(["list"]);
            if (listing.trim() !== "") assert.match(list.stdout, new RegExp(`^${id}\\s+incomplete`, "m"));
        });

        it("the process stopped with SIGTERM reports it in one line, pushes a failure and leaves no process behind", async () => {
            let pidSeen = 0;
            const failedBefore = await metric("ptc_backup_last_failure_timestamp_seconds", { store: "postgres" });
            const r = await run(["backup"], {}, (stderr, pid) => {
                if (pidSeen === 0 && stderr.includes("streaming pg_dump")) {
                    pidSeen = pid;
                    setTimeout(() => process.kill(pid, "SIGTERM"), 300);
                }
            });
            assertOneLineFailure(r, /interrupted by SIGTERM during (dumping PostgreSQL|snapshotting Redis)/);
            const failedAfter = await metric("ptc_backup_last_failure_timestamp_seconds", { store: "postgres" });
            assert.ok(failedAfter !== undefined && failedAfter !== failedBefore, "a failure timestamp was pushed");
            await sleep(500);
            const leftovers = fs
                .readdirSync("/proc")
                .filter((p) => /^\d+$/.test(p))
                .filter((p) => {
                    try {
                        const stat = fs.readFileSync(`/proc/${p}/stat`, "utf8");
                        const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
                        // Zombies are dead already (reaped by whatever init the host runs).
                        return pgrp === String(pidSeen) && state !== "Z";
                    } catch {
                        return false;
                    }
                });
            assert.deepEqual(leftovers, [], "processes of the stopped run are still alive");
        });
    });

    // Mocha runs a describe's own tests before its nested describes: this block runs after the faults.
    describe("after the faults", () => {
        it("verify detects an object corrupted in the bucket; restore refuses before writing; earlier backups still restore", async () => {
            const id = await backup();
            const good = await run(["verify", id]);
            assert.equal(good.code, 0, good.stderr);
            assert.match(good.stdout, new RegExp(`^verify ok backup=${id} objects=2 bytes=\\d+`));

            // Bit rot: one byte of the stored dump changes.
            const file = s3.objectPath(`${PREFIX}/backups/${id}/postgres.dump.zst`);
            const fd = fs.openSync(file, "r+");
            const byte = Buffer.alloc(1);
            fs.readSync(fd, byte, 0, 1, 4096);
            byte[0] ^= 0xff;
            fs.writeSync(fd, byte, 0, 1, 4096);
            fs.closeSync(fd);

            const bad = await run(["verify", id]);
            assertOneLineFailure(bad, new RegExp(`checksum mismatch for .*backups/${id}/postgres\\.dump\\.zst`));
            assert.equal(bad.code, 3);

            const latest = await readLatest();
            assert.equal(latest, id);
            const restore = await run(["restore", "--target-db", "must_not_exist"]);
            assertOneLineFailure(restore, /checksum mismatch .*refusing to use this backup/);
            assert.equal(restore.code, 3);
            assert.equal(await dbExists("must_not_exist"), false, "restore wrote to the target before verifying");

            const rdb = path.join(work, "must-not-exist.rdb");
            const rr = await run(["restore-redis", id, "--target", rdb]);
            assert.equal(rr.code, 0, "the Redis object of that backup is intact: " + rr.stderr);
            fs.rmSync(rdb);

            const drill = await run(["drill"]);
            assertOneLineFailure(drill, /checksum mismatch/);
            const drillFailed = await metric("ptc_restore_drill_last_failure_timestamp_seconds", { job: "ptc_restore_drill", store: "postgres" });
            assert.ok(drillFailed !== undefined && Math.abs(drillFailed - Date.now() / 1000) < 900, "the drill failure was pushed");
            assert.equal(await readLatest(), latest);
            complete.pop(); // no longer a good backup
        });

        it("a missing manifest makes that backup unusable, with a clear message; the earlier ones still restore", async () => {
            const id = await backup();
            await aws("s3", "rm", `s3://${s3.bucket}/${PREFIX}/backups/${id}/manifest.json`);
            complete.pop();
            for (const args of [["restore", id, "--target-db", "no_manifest"], ["restore", "--target-db", "no_manifest"], ["verify"]]) {
                const r = await run(args);
                assertOneLineFailure(r, new RegExp(`manifest of backup ${id} not found at s3://.*manifest\\.json; the backup is incomplete`));
                assert.equal(r.code, 3);
            }
            assert.equal(await dbExists("no_manifest"), false);
            const list = await run(["list"]);
            assert.match(list.stdout, new RegExp(`^${id}\\s+incomplete\\s+\\d+ latest$`, "m"));
        });

        it("every earlier complete backup is still restorable", async () => {
            assert.ok(complete.length >= 2, JSON.stringify(complete));
            for (const [i, id] of complete.entries()) await restoreAndCompare(id, `restored_earlier_${i}`);
        });

        it("refuses to restore into a database that has tables, changing nothing", async () => {
            const r = await run(["restore", complete[0], "--target-db", pg.database]);
            assertOneLineFailure(r, /target database app already exists and has \d+ tables/);
            assert.equal(r.code, 2);
        });

        it("drill restores the latest complete backup into a scratch database, reports its duration and drops it", async () => {
            const id = await backup();
            const r = await run(["drill"]);
            assert.equal(r.code, 0, r.stderr);
            const m = new RegExp(`^drill ok backup=${id} seconds=(\\d+\\.\\d+) tables=(\\d+)$`, "m").exec(r.stdout);
            assert.ok(m, r.stdout);
            assert.ok(Number(m[1]) > 0);
            assert.equal(await pg.query("SELECT count(*) FROM pg_database WHERE datname LIKE 'ptc_drill_%'", "postgres"), "0");
            const duration = await metric("ptc_restore_drill_duration_seconds", { job: "ptc_restore_drill" });
            assert.equal(duration, Number(m[1]));
            const ts = await metric("ptc_restore_drill_last_success_timestamp_seconds", { job: "ptc_restore_drill" });
            assert.ok(ts !== undefined && Math.abs(ts - Date.now() / 1000) < 900);
        });

        it("rejects bad usage with one line and exit 2", async () => {
            assertOneLineFailure(await run(["restore"]), /restore needs --target-db NAME/);
            assertOneLineFailure(await run(["restore", "--target-db", "bad-name;"]), /--target-db 'bad-name;' must be letters/);
            assertOneLineFailure(await run(["verify", "../../etc"]), /is not a backup id/);
            assertOneLineFailure(await run(["frobnicate"]), /unknown command 'frobnicate'/);
            assertOneLineFailure(await run(["backup"], { BACKUP_S3_URI: undefined }), /BACKUP_S3_URI is not set/);
            assertOneLineFailure(await run(["backup"], { BACKUP_S3_URI: "https://bucket/x" }), /is not an S3 URI/);
            const r = await run(["verify", "frobnicate"]);
            assert.equal(r.code, 2);
        });
    });
});

/** Home-care-like test data with awkward values: NULLs, quotes, newlines, unicode, bytea, a sequence. */
async function seedPostgres(pg: PgServer): Promise<void> {
    await pg.query(`
        CREATE TABLE patients (id bigserial PRIMARY KEY, name text NOT NULL, birth date, notes text);
        CREATE TABLE caregivers (id serial PRIMARY KEY, name text NOT NULL, license text UNIQUE, photo bytea);
        CREATE TABLE visits (id bigserial PRIMARY KEY, patient_id bigint REFERENCES patients(id),
            caregiver_id int REFERENCES caregivers(id), at timestamptz NOT NULL, note text, vitals jsonb);
        CREATE INDEX visits_patient_at ON visits (patient_id, at);
        CREATE TABLE empty_table (id int);
        CREATE VIEW recent_visits AS SELECT * FROM visits WHERE at > now() - interval '30 days';
        INSERT INTO patients (name, birth, notes)
            SELECT 'Paciente ' || g || ' Conceição', date '1930-01-01' + (g % 20000),
                   CASE WHEN g % 7 = 0 THEN NULL ELSE 'nota "' || md5(g::text) || E'"\\nlinha 2 \\\\ tab\\t' END
            FROM generate_series(1, 1000) g;
        INSERT INTO caregivers (name, license, photo)
            SELECT 'Cuidador ' || g, 'LIC-' || g, decode(md5(g::text), 'hex') FROM generate_series(1, 50) g;
        INSERT INTO visits (patient_id, caregiver_id, at, note, vitals)
            SELECT 1 + g % 1000, 1 + g % 50, timestamptz '2024-01-01' + g * interval '17 minutes',
                   repeat(md5(g::text), 1 + g % 5), jsonb_build_object('bp', 120 + g % 30, 'ok', g % 2 = 0)
            FROM generate_series(1, 3000) g;
    `);
}

/** Per-table row count and a checksum of the ordered rows, plus sequence positions. */
async function pgFingerprint(pg: PgServer, db: string): Promise<Record<string, string>> {
    const tables = (await pg.query("SELECT schemaname || '.' || tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1", db)).split("\n").filter(Boolean);
    const out: Record<string, string> = {};
    for (const t of tables) {
        out[t] = await pg.query(`SELECT count(*) || '|' || md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), '')) FROM ${t} x`, db);
    }
    out.sequences = await pg.query("SELECT string_agg(sequencename || '=' || coalesce(last_value, 0), ',' ORDER BY sequencename) FROM pg_sequences", db);
    out.indexes = await pg.query("SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'public'", db);
    out.views = await pg.query("SELECT string_agg(viewname, ',' ORDER BY viewname) FROM pg_views WHERE schemaname = 'public'", db);
    return out;
}

async function seedRedis(redis: RedisServer): Promise<void> {
    const script = `
        for i = 1, 300 do
            redis.call('SET', 'session:' .. i, 'token-' .. i .. '-\\0binary\\255')
            redis.call('HSET', 'patient:' .. i, 'name', 'Paciente ' .. i, 'room', tostring(i % 40))
            redis.call('RPUSH', 'queue:' .. (i % 10), 'job-' .. i)
            redis.call('SADD', 'tags:' .. (i % 7), 'tag-' .. i)
            redis.call('ZADD', 'scores', i * 1.5, 'member-' .. i)
        end
        redis.call('SET', 'expiring', 'soon', 'EX', 86400)
        return redis.call('DBSIZE')`;
    await redis.cli("eval", script, "0");
}

/** The whole keyspace in a canonical form (sorted keys, sorted members), via one Lua call. */
async function redisFingerprint(redis: RedisServer): Promise<string> {
    const script = `
        local keys = redis.call('KEYS', '*')
        table.sort(keys)
        local out = {}
        for _, k in ipairs(keys) do
            local t = redis.call('TYPE', k).ok
            local v
            if t == 'string' then v = {redis.call('GET', k)}
            elseif t == 'hash' then v = redis.call('HGETALL', k)
                local pairs_ = {}
                for i = 1, #v, 2 do table.insert(pairs_, v[i] .. '=' .. v[i + 1]) end
                table.sort(pairs_); v = pairs_
            elseif t == 'list' then v = redis.call('LRANGE', k, 0, -1)
            elseif t == 'set' then v = redis.call('SMEMBERS', k); table.sort(v)
            elseif t == 'zset' then v = redis.call('ZRANGE', k, 0, -1, 'WITHSCORES')
            else v = {'?'} end
            local ttl = redis.call('PTTL', k) > 0 and 'ttl' or 'persist'
            table.insert(out, k .. '|' .. t .. '|' .. ttl .. '|' .. table.concat(v, ','))
        end
        return table.concat(out, '\\n')`;
    return redis.cli("eval", script, "0");
}

/**
 * Recomputes the SigV4 Authorization header of each recorded request with botocore as bundled with
 * the AWS CLI (argv: requests.json, access key id, secret key, session token, region) and prints
 * MATCH or DIFFERENT per request.
 */
const SIGV4_CHECK = `
import base64, datetime, json, sys
import awscli  # makes the CLI's bundled botocore importable as botocore
import botocore.auth as A
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
path, key, secret, token, region = sys.argv[1:6]
for r in json.load(open(path)):
    h = r["headers"]
    auth = h["authorization"]
    signed = auth.split("SignedHeaders=")[1].split(",")[0].split(";")
    ts = datetime.datetime.strptime(h["x-amz-date"], "%Y%m%dT%H%M%SZ")
    class Frozen(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return ts
    A.datetime.datetime = Frozen
    req = AWSRequest(method=r["method"], url="http://" + h["host"] + r["path"], data=base64.b64decode(r["body"]))
    for name in signed:
        if name not in ("host", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"):
            req.headers[name] = h[name]
    A.S3SigV4Auth(Credentials(key, secret, token), "s3", region).add_auth(req)
    print(("MATCH " if req.headers["Authorization"] == auth else "DIFFERENT ") + r["method"] + " " + r["path"])
`;
