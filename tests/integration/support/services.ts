/**
 * Real services for integration tests and benchmarks: PostgreSQL, Redis, an S3-compatible server
 * (s3rver) and the Prometheus Pushgateway, each on 127.0.0.1, on a free port, in its own temp dir.
 *
 * Every starter returns a handle whose `stop()` kills what it started and removes its temp dir.
 * A process-exit hook also kills anything still running (a crashed test leaves no server behind).
 * Tools are looked up with {@link requireTool}, which names the Debian package to install when one
 * is missing; under CI (tests/support/ci.ts) a missing tool fails the suite, never skips it.
 */
import { ChildProcess, execFile, spawn, SpawnOptions } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** Debian package that provides each tool the tests use. */
export const TOOL_PACKAGES: Readonly<Record<string, string>> = {
    initdb: "postgresql",
    pg_ctl: "postgresql",
    postgres: "postgresql",
    psql: "postgresql-client",
    pg_dump: "postgresql-client",
    pg_restore: "postgresql-client",
    pg_isready: "postgresql-client",
    createdb: "postgresql-client",
    "redis-server": "redis-server",
    "redis-cli": "redis-tools",
    aws: "awscli",
    zstd: "zstd",
    gzip: "gzip",
    jq: "jq",
    curl: "curl",
    shellcheck: "shellcheck",
    "prometheus-pushgateway": "prometheus-pushgateway",
    promtool: "prometheus",
    amtool: "prometheus-alertmanager",
    nginx: "nginx-light",
    openssl: "openssl",
    sha256sum: "coreutils",
};


function isExecutable(file: string): boolean {
    try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
    } catch {
        return false;
    }
}

/** PostgreSQL server binary directories, newest major version first. */
function postgresBinDirs(): string[] {
    const root = "/usr/lib/postgresql";
    let versions: string[] = [];
    try {
        versions = fs.readdirSync(root).filter((v) => /^\d+$/.test(v));
    } catch {
        return [];
    }
    return versions.sort((a, b) => Number(b) - Number(a)).map((v) => path.join(root, v, "bin"));
}

/**
 * Absolute path of a tool. Debian's system directories and the PostgreSQL server directories are
 * searched before PATH, so `aws` is Debian's awscli v2 (/usr/bin/aws) and not an unrelated `aws`
 * that a language version manager put first on PATH.
 *
 * @throws Error naming the Debian package to install when the tool is missing.
 */
export function requireTool(name: string): string {
    const dirs = ["/usr/bin", "/bin", "/usr/sbin", "/sbin", ...postgresBinDirs(), ...(process.env.PATH ?? "").split(":")];
    for (const dir of dirs) {
        if (!dir) continue;
        const candidate = path.join(dir, name);
        if (isExecutable(candidate)) return candidate;
    }
    const pkg = TOOL_PACKAGES[name];
    throw new Error(
        `required tool '${name}' was not found; install the Debian package '${pkg ?? name}' (apt-get install ${pkg ?? name})`,
    );
}

/**
 * Checks the tools a suite needs: the first one missing, as the message naming its Debian
 * package, or undefined. Callers hand it to `skipOrFail` (tests/support/ci.ts), which fails the
 * suite under CI and skips it elsewhere.
 */
export function missingTools(names: readonly string[]): string | undefined {
    for (const name of names) {
        try {
            requireTool(name);
        } catch (err) {
            return (err as Error).message;
        }
    }
    return undefined;
}

/** A free TCP port on 127.0.0.1 (bound and released; a tiny race is possible and accepted). */
export async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.unref();
        server.on("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const address = server.address();
            if (address === null || typeof address === "string") {
                server.close();
                reject(new Error("could not read the bound port"));
                return;
            }
            const port = address.port;
            server.close(() => resolve(port));
        });
    });
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Repeats `probe` until it resolves true or `timeoutMs` passes. */
export async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 30000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        try {
            if (await probe()) return;
        } catch {
            // not ready yet
        }
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await sleep(100);
    }
}

/** Children still running, killed on process exit so that no test leaves a server behind. */
const liveChildren = new Set<ChildProcess>();
/** Temp dirs still present, removed on process exit. */
const liveDirs = new Set<string>();

process.on("exit", () => {
    for (const child of liveChildren) {
        try {
            child.kill("SIGKILL");
        } catch {
            // already gone
        }
    }
    for (const dir of liveDirs) {
        try {
            fs.rmSync(dir, { recursive: true, force: true });
        } catch {
            // best effort
        }
    }
});

/** Creates a temp dir tracked for removal at exit. */
export function makeTempDir(prefix: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
    liveDirs.add(dir);
    return dir;
}

/** Removes a temp dir made by {@link makeTempDir}. */
export function removeTempDir(dir: string): void {
    fs.rmSync(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
}

/** Spawns a long-running child that is tracked and killed at exit; its output goes to `logFile`. */
export function spawnTracked(command: string, args: readonly string[], logFile: string, options: SpawnOptions = {}): ChildProcess {
    const log = fs.openSync(logFile, "a");
    const child = spawn(command, args, { ...options, stdio: ["ignore", log, log] });
    fs.closeSync(log);
    liveChildren.add(child);
    child.on("exit", () => liveChildren.delete(child));
    return child;
}

/** Sends `signal` and waits for the child to exit; SIGKILL after `graceMs`. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals, graceMs = 15000): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
}

/** The last `lines` lines of a log file ("" when it cannot be read). */
export function tail(file: string, lines = 20): string {
    try {
        return fs.readFileSync(file, "utf8").trim().split("\n").slice(-lines).join("\n");
    } catch {
        return "";
    }
}

/** The uid and gid of the `postgres` user when running as root (initdb refuses root). */
export function postgresIds(): { uid: number; gid: number } | undefined {
    if (process.getuid?.() !== 0) return undefined;
    const line = fs
        .readFileSync("/etc/passwd", "utf8")
        .split("\n")
        .find((l) => l.startsWith("postgres:"));
    if (line === undefined) throw new Error("running as root but there is no 'postgres' user; install the Debian package 'postgresql'");
    const fields = line.split(":");
    return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

/** A running PostgreSQL cluster. */
export interface PgServer {
    /** Always 127.0.0.1. */
    host: string;
    /** TCP port. */
    port: number;
    /** Superuser name. */
    user: string;
    /** Superuser password (password authentication is enforced). */
    password: string;
    /** The database created at start. */
    database: string;
    /** The cluster's data directory. */
    dataDir: string;
    /** libpq variables for clients: PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE. */
    env(): Record<string, string>;
    /** Fast shutdown; the data directory stays until {@link PgServer.destroy} or process exit. */
    stop(): Promise<void>;
    /** Starts again after {@link PgServer.stop}, on the same port. */
    start(): Promise<void>;
    /** Stops the server and removes its temp dir. */
    destroy(): Promise<void>;
    /** Runs SQL through psql as the superuser and returns its trimmed unaligned output. */
    query(sql: string, database?: string): Promise<string>;
}

/** Options for {@link startPostgres}. */
export interface PostgresOptions {
    /** Database created at start. Defaults to "app". */
    database?: string;
    /**
     * Server settings (`-c name=value`). Defaults to test-speed settings (fsync off); pass
     * `{ fsync: "on", ... }` for realistic figures.
     */
    settings?: Record<string, string>;
}

/** Test-speed settings: durability off (the data is disposable). */
const FAST_SETTINGS: Record<string, string> = { fsync: "off", synchronous_commit: "off", full_page_writes: "off" };

/**
 * Starts a fresh PostgreSQL cluster: initdb (as the `postgres` user when running as root) in a temp
 * dir, listening on 127.0.0.1 on a free port, scram-sha-256 password authentication, a superuser
 * `postgres` with a random password, and one database.
 */
export async function startPostgres(opts: PostgresOptions = {}): Promise<PgServer> {
    const initdb = requireTool("initdb");
    const postgresBin = requireTool("postgres");
    const psql = requireTool("psql");
    const ids = postgresIds();
    const dir = makeTempDir("ptc-pg");
    if (ids) fs.chownSync(dir, ids.uid, ids.gid);
    const dataDir = path.join(dir, "data");
    const password = randomBytes(18).toString("hex");
    const pwfile = path.join(dir, "pwfile");
    fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (ids) fs.chownSync(pwfile, ids.uid, ids.gid);
    const asPostgres = ids ? { uid: ids.uid, gid: ids.gid } : {};
    const childEnv = { ...process.env, HOME: dir, LC_ALL: "C.UTF-8" };
    await execFileAsync(
        initdb,
        ["-D", dataDir, "-U", "postgres", "--auth=scram-sha-256", `--pwfile=${pwfile}`, "--encoding=UTF8", "--no-instructions"],
        { ...asPostgres, env: childEnv, cwd: dir },
    ).catch((err: Error & { stderr?: string }) => {
        throw new Error(`initdb failed: ${err.stderr ?? err.message}`);
    });
    fs.rmSync(pwfile);
    const port = await freePort();
    const settings = { ...FAST_SETTINGS, ...(opts.settings ?? {}) };
    const args = ["-D", dataDir, "-c", "listen_addresses=127.0.0.1", "-c", `port=${port}`, "-c", `unix_socket_directories=${dir}`];
    for (const [k, v] of Object.entries(settings)) args.push("-c", `${k}=${v}`);
    const logFile = path.join(dir, "postgres.log");
    const database = opts.database ?? "app";
    let child: ChildProcess | undefined;

    const env = (): Record<string, string> => ({
        PGHOST: "127.0.0.1",
        PGPORT: String(port),
        PGUSER: "postgres",
        PGPASSWORD: password,
        PGDATABASE: database,
    });
    const query = async (sql: string, db = database): Promise<string> => {
        const { stdout } = await execFileAsync(psql, ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql], {
            env: { ...process.env, ...env(), PGCONNECT_TIMEOUT: "5" },
            maxBuffer: 256 * 1024 * 1024,
        });
        return stdout.trim();
    };
    const start = async (): Promise<void> => {
        if (child && child.exitCode === null && child.signalCode === null) return;
        const proc = spawnTracked(postgresBin, args, logFile, { ...asPostgres, env: childEnv, cwd: dir });
        child = proc;
        let exited = false;
        proc.once("exit", () => (exited = true));
        await waitFor(`PostgreSQL on port ${port}`, async () => {
            if (exited) throw new Error(`postgres exited at start:\n${tail(logFile)}`);
            await query("SELECT 1", "postgres");
            return true;
        }).catch((err: Error) => {
            throw new Error(`${err.message}\n${tail(logFile)}`);
        });
    };
    const stop = async (): Promise<void> => {
        // SIGINT is PostgreSQL's fast shutdown.
        if (child) await stopChild(child, "SIGINT");
    };
    await start();
    await query(`CREATE DATABASE "${database}"`, "postgres");
    return {
        host: "127.0.0.1",
        port,
        user: "postgres",
        password,
        database,
        dataDir,
        env,
        stop,
        start,
        query,
        destroy: async () => {
            await stop();
            removeTempDir(dir);
        },
    };
}

/** A running Redis server. */
export interface RedisServer {
    /** Always 127.0.0.1. */
    host: string;
    /** TCP port. */
    port: number;
    /** The `requirepass` password. */
    password: string;
    /** Its working directory (RDB and AOF files). */
    dir: string;
    /** Runs one redis-cli command (password passed through REDISCLI_AUTH) and returns raw output. */
    cli(...args: string[]): Promise<string>;
    /** Stops the server and removes its temp dir. */
    stop(): Promise<void>;
}

/** Options for {@link startRedis}. */
export interface RedisOptions {
    /** Start from this RDB file (copied in as dump.rdb) with AOF off, as the RDB swap does. Defaults to none. */
    rdbFile?: string;
    /** Append-only file. Defaults to true, or false when `rdbFile` is given. */
    appendonly?: boolean;
}

/**
 * Starts a Redis server on 127.0.0.1 on a free port in a temp dir, with `requirepass` (written to
 * a config file, never on a command line) and, by default, `appendonly yes`.
 */
export async function startRedis(opts: RedisOptions = {}): Promise<RedisServer> {
    const redisServer = requireTool("redis-server");
    const redisCli = requireTool("redis-cli");
    const dir = makeTempDir("ptc-redis");
    const port = await freePort();
    const password = randomBytes(18).toString("hex");
    const appendonly = opts.appendonly ?? opts.rdbFile === undefined;
    if (opts.rdbFile) fs.copyFileSync(opts.rdbFile, path.join(dir, "dump.rdb"));
    const conf = path.join(dir, "redis.conf");
    fs.writeFileSync(
        conf,
        [
            "bind 127.0.0.1",
            `port ${port}`,
            `dir ${dir}`,
            "dbfilename dump.rdb",
            `appendonly ${appendonly ? "yes" : "no"}`,
            `requirepass ${password}`,
            'save ""',
            // redis-cli --rdb is a replica sync: start it at once instead of waiting 5 s for more replicas.
            "repl-diskless-sync-delay 0",
            "daemonize no",
            "",
        ].join("\n"),
        { mode: 0o600 },
    );
    const logFile = path.join(dir, "redis.log");
    const child = spawnTracked(redisServer, [conf], logFile, { cwd: dir });
    const cli = async (...args: string[]): Promise<string> => {
        const { stdout } = await execFileAsync(redisCli, ["-h", "127.0.0.1", "-p", String(port), "--no-auth-warning", ...args], {
            env: { ...process.env, REDISCLI_AUTH: password },
            maxBuffer: 256 * 1024 * 1024,
        });
        return stdout;
    };
    await waitFor(`Redis on port ${port}`, async () => {
        if (child.exitCode !== null) throw new Error(`redis-server exited:\n${tail(logFile)}`);
        return (await cli("ping")).trim() === "PONG";
    }).catch((err: Error) => {
        throw new Error(`${err.message}\n${tail(logFile)}`);
    });
    return {
        host: "127.0.0.1",
        port,
        password,
        dir,
        cli,
        stop: async () => {
            await stopChild(child, "SIGTERM");
            removeTempDir(dir);
        },
    };
}

/** A running S3-compatible server (s3rver). */
export interface S3Server {
    /** Endpoint URL for clients (`--endpoint-url`, S3_ENDPOINT_URL). */
    endpoint: string;
    /** The bucket created at start. */
    bucket: string;
    /** The only access key id the server accepts (s3rver's built-in account). */
    accessKeyId: string;
    /** Its secret key. s3rver does not verify SigV4 signatures, only the access key id. */
    secretAccessKey: string;
    /** The server's data directory: objects are files named `<bucket>/<key>._S3rver_object`. */
    directory: string;
    /** Path of the stored content of `key`, for tests that corrupt an object on "disk". */
    objectPath(key: string): string;
    /** AWS CLI variables for this server: credentials, region, endpoint (S3_ENDPOINT_URL). */
    env(): Record<string, string>;
    /** Stops the server and removes its temp dir. */
    stop(): Promise<void>;
}

/**
 * Starts s3rver as a child process on 127.0.0.1 (a separate process, so its CPU and memory are not
 * the test's) with a temp directory and one bucket; with `tls` (PEM key and certificate files) it
 * serves HTTPS and its endpoint is `https://localhost:<port>`. s3rver rejects an unknown access key id with
 * InvalidAccessKeyId; it accepts any SigV4 signature for a known id.
 */
export async function startS3(opts: { bucket?: string; tls?: { keyFile: string; certFile: string } } = {}): Promise<S3Server> {
    const bucket = opts.bucket ?? "ptc-backups";
    const directory = makeTempDir("ptc-s3");
    const port = await freePort();
    const s3rverModule = require.resolve("s3rver");
    const program = `
        const S3rver = require(${JSON.stringify(s3rverModule)});
        const tls = ${JSON.stringify(opts.tls ?? null)};
        const fs = require("node:fs");
        const server = new S3rver({ address: "127.0.0.1", port: ${port}, silent: true,
            ...(tls ? { key: fs.readFileSync(tls.keyFile), cert: fs.readFileSync(tls.certFile) } : {}),
            directory: ${JSON.stringify(path.join(directory, "data"))},
            configureBuckets: [{ name: ${JSON.stringify(bucket)}, configs: [] }] });
        server.run().then(() => process.stdout.write("ready\\n"), (err) => { console.error(err); process.exit(1); });
        process.on("SIGTERM", () => server.close().then(() => process.exit(0)));
    `;
    const logFile = path.join(directory, "s3rver.log");
    const child = spawnTracked(process.execPath, ["-e", program], logFile, { cwd: directory });
    // Over TLS by host name: pgBackRest checks the certificate against the host, not an IP.
    const endpoint = opts.tls ? `https://localhost:${port}` : `http://127.0.0.1:${port}`;
    await waitFor(`s3rver on port ${port}`, async () => {
        if (child.exitCode !== null) throw new Error(`s3rver exited:\n${tail(logFile)}`);
        return tail(logFile).includes("ready");
    });
    return {
        endpoint,
        bucket,
        accessKeyId: "S3RVER",
        secretAccessKey: "S3RVER",
        directory,
        objectPath: (key: string) => path.join(directory, "data", bucket, `${key}._S3rver_object`),
        env: () => ({
            AWS_ACCESS_KEY_ID: "S3RVER",
            AWS_SECRET_ACCESS_KEY: "S3RVER",
            AWS_DEFAULT_REGION: "us-east-1",
            AWS_EC2_METADATA_DISABLED: "true",
            AWS_PAGER: "",
            S3_ENDPOINT_URL: endpoint,
        }),
        stop: async () => {
            await stopChild(child, "SIGTERM");
            removeTempDir(directory);
        },
    };
}

/** A running Prometheus Pushgateway. */
export interface PushgatewayServer {
    /** Base URL (PUSHGATEWAY_URL). */
    url: string;
    /** The current exposition text of /metrics. */
    metrics(): Promise<string>;
    /** Stops the server and removes its temp dir. */
    stop(): Promise<void>;
}

/**
 * Starts prometheus-pushgateway on 127.0.0.1 on a free port. Debian's build defaults
 * `--persistence.file` to a shared file under /var/lib/prometheus, so every test gateway would start
 * with another run's metrics: each gets its own file in its temp dir instead.
 */
export async function startPushgateway(): Promise<PushgatewayServer> {
    const bin = requireTool("prometheus-pushgateway");
    const dir = makeTempDir("ptc-pushgw");
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const logFile = path.join(dir, "pushgateway.log");
    const child = spawnTracked(
        bin,
        [`--web.listen-address=127.0.0.1:${port}`, `--persistence.file=${path.join(dir, "pushgateway.data")}`],
        logFile,
        { cwd: dir },
    );
    const metrics = async (): Promise<string> => {
        const res = await fetch(`${url}/metrics`);
        if (!res.ok) throw new Error(`pushgateway answered ${res.status}`);
        return res.text();
    };
    await waitFor(`pushgateway on port ${port}`, async () => {
        if (child.exitCode !== null) throw new Error(`pushgateway exited:\n${tail(logFile)}`);
        return (await fetch(`${url}/-/ready`)).ok;
    });
    return {
        url,
        metrics,
        stop: async () => {
            await stopChild(child, "SIGTERM");
            removeTempDir(dir);
        },
    };
}
