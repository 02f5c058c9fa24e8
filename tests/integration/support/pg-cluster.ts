/**
 * A PostgreSQL cluster that archives its WAL through pgBackRest the way the ptc-postgres image
 * does: started by `bash -c 'eval "$(ptc-backup pitr-env)" && exec postgres ... -c archive_mode=on
 * -c archive_command="pgbackrest archive-push %p" -c archive_timeout=N'`, as the `postgres` user
 * when the tests run as root. It listens on a private Unix socket only (no TCP), trust
 * authentication there, so pgBackRest and psql reach it the way they do in the container.
 *
 * The same handle starts a server on a restored data directory, and can kill one with SIGKILL.
 */
import { ChildProcess, execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";

import { makeTempDir, postgresIds, removeTempDir, requireTool, spawnTracked, stopChild, tail, waitFor } from "./services";

const execFileAsync = promisify(execFile);

/** A PostgreSQL server on one data directory. */
export interface PgCluster {
    /** The data directory. */
    dataDir: string;
    /** The socket directory (PGHOST). */
    socketDir: string;
    /** The port (its socket's name). */
    port: number;
    /** libpq variables for clients and pgBackRest: PGHOST (socket dir), PGPORT, PGUSER, PGDATABASE, PGDATA. */
    env(): Record<string, string>;
    /** Runs SQL through psql and returns its trimmed unaligned output. */
    query(sql: string, database?: string): Promise<string>;
    /** Starts the server and waits until it answers and has left recovery. */
    start(): Promise<void>;
    /** Fast shutdown. */
    stop(): Promise<void>;
    /** SIGKILL to the postmaster and every backend (a machine that died). */
    kill(): Promise<void>;
    /** The server's log. */
    log(): string;
    /** Stops the server and removes its temp dir (with the data directory). */
    destroy(): Promise<void>;
}

/** Options for {@link initCluster} and {@link clusterOn}. */
export interface PgClusterOptions {
    /** Path of the ptc-backup script whose `pitr-env` configures pgBackRest. */
    script: string;
    /** Environment of ptc-backup (BACKUP_S3_URI, S3 and AWS variables, cipher pass, TMPDIR...). */
    env: Record<string, string>;
    /** archive_timeout in seconds; 0 turns archiving off (a restored copy that must not push). Defaults to 2. */
    archiveTimeout?: number;
    /** Database created at init. Defaults to "app". */
    database?: string;
    /** Server settings over the defaults (fsync off, archiving as `archiveTimeout` says). Defaults to none. */
    settings?: Record<string, string>;
}

/** Owner for files the server must read: the `postgres` user when running as root. */
export function chownToPostgres(p: string): void {
    const ids = postgresIds();
    if (ids) fs.chownSync(p, ids.uid, ids.gid);
}

/** spawn/execFile options that run as the `postgres` user when running as root. */
export function asPostgres(): { uid?: number; gid?: number } {
    const ids = postgresIds();
    return ids ? { uid: ids.uid, gid: ids.gid } : {};
}

let nextPort = 15432;

/** A server on an existing data directory (a restored one, or one made by {@link initCluster}). */
export function clusterOn(dataDir: string, opts: PgClusterOptions): PgCluster {
    const dir = makeTempDir("ptc-pgc");
    chownToPostgres(dir);
    const socketDir = path.join(dir, "socket");
    fs.mkdirSync(socketDir, { mode: 0o700 });
    chownToPostgres(socketDir);
    // The socket lives in a private directory: any port name is free there.
    const port = nextPort++;
    const database = opts.database ?? "app";
    const logFile = path.join(dir, "postgres.log");
    const postgresBin = requireTool("postgres");
    const psql = requireTool("psql");
    const timeout = opts.archiveTimeout ?? 2;
    let child: ChildProcess | undefined;
    const env = (): Record<string, string> => ({ PGHOST: socketDir, PGPORT: String(port), PGUSER: "postgres", PGDATABASE: database, PGDATA: dataDir });
    const query = async (sql: string, db = database): Promise<string> => {
        const { stdout } = await execFileAsync(psql, ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql], {
            env: { ...process.env, ...env(), PGCONNECT_TIMEOUT: "5" },
            maxBuffer: 64 * 1024 * 1024,
        });
        return stdout.trim();
    };
    const settings: Record<string, string> = {
        listen_addresses: "",
        port: String(port),
        unix_socket_directories: socketDir,
        wal_level: "replica",
        fsync: "off",
        synchronous_commit: "on",
        archive_mode: timeout > 0 ? "on" : "off",
        archive_command: "pgbackrest archive-push %p",
        archive_timeout: String(timeout),
        hba_file: path.join(dir, "hba.conf"),
        ...(opts.settings ?? {}),
    };
    fs.writeFileSync(settings.hba_file, "local all all trust\n");
    chownToPostgres(settings.hba_file);
    const args = ["-D", dataDir, ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`])];
    const start = async (): Promise<void> => {
        if (child && child.exitCode === null && child.signalCode === null) return;
        // As the image's entrypoint does: pgBackRest's variables from pitr-env, then the server.
        const program = `eval "$("$PTC_BACKUP" pitr-env)" && exec "$POSTGRES" "$@"`;
        const proc = spawnTracked("/bin/bash", ["-c", program, "postgres", ...args], logFile, {
            ...asPostgres(),
            env: { ...opts.env, ...env(), PTC_BACKUP: opts.script, POSTGRES: postgresBin },
            cwd: dir,
            detached: true,
        });
        child = proc;
        let exited = false;
        proc.once("exit", () => (exited = true));
        await waitFor(
            `PostgreSQL on ${dataDir}`,
            async () => {
                if (exited) throw new Error(`postgres exited at start:\n${tail(logFile)}`);
                return (await query("SELECT pg_is_in_recovery()", "postgres")) === "f";
            },
            120000,
        ).catch((err: Error) => {
            throw new Error(`${err.message}\n${tail(logFile)}`);
        });
    };
    return {
        dataDir,
        socketDir,
        port,
        env,
        query,
        start,
        stop: async () => {
            if (child) await stopChild(child, "SIGINT");
        },
        kill: async () => {
            if (!child || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
            const exited = new Promise<void>((resolve) => child?.once("exit", () => resolve()));
            process.kill(-child.pid, "SIGKILL");
            await exited;
        },
        log: () => tail(logFile, 200),
        destroy: async () => {
            if (child) await stopChild(child, "SIGINT");
            removeTempDir(dir);
        },
    };
}

/** initdb (as `postgres` when root) in a fresh temp dir, then {@link clusterOn} it, started, with one database. */
export async function initCluster(opts: PgClusterOptions): Promise<PgCluster & { remove(): void }> {
    const root = makeTempDir("ptc-pgdata");
    chownToPostgres(root);
    const dataDir = path.join(root, "data");
    await execFileAsync(requireTool("initdb"), ["-D", dataDir, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-instructions"], {
        ...asPostgres(),
        env: { ...process.env, LC_ALL: "C.UTF-8" },
        cwd: root,
    }).catch((err: Error & { stderr?: string }) => {
        throw new Error(`initdb failed: ${err.stderr ?? err.message}`);
    });
    const cluster = clusterOn(dataDir, opts);
    await cluster.start();
    await cluster.query(`CREATE DATABASE "${opts.database ?? "app"}"`, "postgres");
    return { ...cluster, remove: () => removeTempDir(root) };
}
