/**
 * The physical half of `npm run bench:backup`, on the same database in the same run: pgBackRest
 * (through ptc-backup) takes a full backup, an incremental one after ~1 % of the rows changed, then
 * `pitr-restore --to latest` plus recovery until a server on the restored directory answers
 * queries. pgBackRest speaks S3 over TLS only, so these rows use an s3rver over TLS of their own.
 *
 * The benchmark's server (tests/integration/support/services.ts) is started with an archive_command
 * that is this module's wrapper: it discards WAL while the database is built (as a fresh database
 * would not be archived before its first backup), then, once {@link PhysicalBench.enable} has run,
 * hands every segment to `pgbackrest archive-push` with the variables `ptc-backup pitr-env` printed.
 */
import * as fs from "node:fs";
import * as path from "node:path";

import { asPostgres, chownToPostgres, clusterOn } from "../tests/integration/support/pg-cluster";
import { TlsS3Server } from "../tests/integration/support/s3-tls";
import { makeTempDir, PgServer, removeTempDir } from "../tests/integration/support/services";
import { CHANGE_ONE_PERCENT_SQL, FINGERPRINT_SQL } from "./homecare";
import { measure, Measurement } from "./measure";

/** One measured physical row. */
export interface PhysicalRow {
    /** What was measured. */
    name: string;
    /** The measurement. */
    m: Measurement;
    /** Bytes the backup added to the repository, when meaningful. */
    outputBytes?: number;
}

/** The physical side's wiring, made before the server starts. */
export interface PhysicalBench {
    /** Server settings that route WAL through the wrapper. */
    settings: Record<string, string>;
    /** Writes the pgBackRest variables for `pg` and turns archiving through pgBackRest on. */
    enable(pg: PgServer): Promise<void>;
    /** Runs the three measurements; returns the rows and whether the restored data was identical. */
    run(pg: PgServer): Promise<{ rows: PhysicalRow[]; restoredSame: string; expected: string; recoverySeconds: number; restoreSeconds: number }>;
    /** Removes its temp dir. */
    remove(): void;
}

/** Prepares the wrapper and the directories (owned by `postgres`, which runs the server and pgBackRest). */
export function physicalBench(script: string, s3: TlsS3Server): PhysicalBench {
    const dir = makeTempDir("ptc-bench-pitr");
    fs.chmodSync(dir, 0o755);
    chownToPostgres(dir);
    const tmp = path.join(dir, "tmp");
    fs.mkdirSync(tmp);
    chownToPostgres(tmp);
    // pgBackRest refuses to back up a server whose archive_command does not name it: the wrapper does.
    const wrapper = path.join(dir, "pgbackrest-archive-push.sh");
    const envFile = path.join(dir, "pitr.env");
    const flag = path.join(dir, "archive-on");
    fs.writeFileSync(wrapper, `#!/bin/bash\nset -e\n[ -f '${flag}' ] || exit 0\n. '${envFile}'\nexec pgbackrest archive-push "$1"\n`, { mode: 0o755 });
    let env: Record<string, string> = {};

    const enable = async (pg: PgServer): Promise<void> => {
        env = {
            PATH: "/usr/bin:/bin",
            HOME: tmp,
            TMPDIR: tmp,
            LANG: "C.UTF-8",
            ...pg.env(),
            // pgBackRest reaches the server through its socket (services.ts puts it beside the data directory).
            PGHOST: path.dirname(pg.dataDir),
            PGDATA: pg.dataDir,
            ...s3.env(),
            BACKUP_S3_URI: `s3://${s3.bucket}/physical`,
        };
        const printed = await measure(`"${script}" pitr-env`, env, tmp, asPostgres());
        const sources = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"].map((k) => `export ${k}='${env[k]}'\n`).join("");
        fs.writeFileSync(envFile, sources + printed.stdout, { mode: 0o600 });
        chownToPostgres(envFile);
        fs.writeFileSync(flag, "");
        await pg.query("SELECT pg_switch_wal()", "postgres");
    };

    const run = async (pg: PgServer): Promise<{ rows: PhysicalRow[]; restoredSame: string; expected: string; recoverySeconds: number; restoreSeconds: number }> => {
        const rows: PhysicalRow[] = [];
        const step = async (name: string, cmd: string, diskDir = tmp): Promise<Measurement> => {
            process.stderr.write(`running: ${name}\n`);
            const m = await measure(cmd, env, diskDir, asPostgres());
            const bytes = /bytes=(\d+)/.exec(m.stdout);
            rows.push({ name, m, outputBytes: bytes ? Number(bytes[1]) : undefined });
            return m;
        };
        await step("pgBackRest full backup (ptc-backup base-backup --type full)", `"${script}" base-backup --type full`);
        await pg.query(CHANGE_ONE_PERCENT_SQL);
        await step("pgBackRest incremental after changing 1 % of rows", `"${script}" base-backup --type incr`);
        const expected = await pg.query(FINGERPRINT_SQL);
        // The newest commits must be in the bucket before a restore can reach them.
        await pg.query("SELECT pg_switch_wal()", "postgres");
        await new Promise((resolve) => setTimeout(resolve, 2000));
        const target = path.join(dir, "restored");
        const restore = await step("physical restore (ptc-backup pitr-restore --to latest)", `"${script}" pitr-restore --to latest --pgdata "${target}"`, target);
        process.stderr.write("running: recovery of the restored directory\n");
        const t0 = process.hrtime.bigint();
        const restored = clusterOn(target, { script, env: { ...env, PGDATA: target }, archiveTimeout: 0, database: pg.database, settings: { fsync: "on", shared_buffers: "256MB" } });
        try {
            await restored.start();
            const recoverySeconds = Number(process.hrtime.bigint() - t0) / 1e9;
            const restoredSame = await restored.query(FINGERPRINT_SQL);
            return { rows, restoredSame, expected, recoverySeconds, restoreSeconds: restore.seconds };
        } finally {
            await restored.destroy();
        }
    };

    return {
        settings: { archive_mode: "on", archive_command: `${wrapper} %p`, wal_level: "replica" },
        enable,
        run,
        remove: () => removeTempDir(dir),
    };
}
