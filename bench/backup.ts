/**
 * `npm run bench:backup`: builds a home-care-like PostgreSQL database (BENCH_DB_MB, default 1024 MB)
 * and compares, on the same data in one run, raw pg_dump, the seed plan's backup (pg_dump | gzip to
 * a local file, then upload) and ptc-backup (streamed to the S3-compatible server), then the seed's
 * restore (download, gunzip | psql) against ptc-backup's (verified, end to end from S3); then the
 * physical side (bench/physical.ts): pgBackRest full and incremental backups and a restore plus
 * recovery, with the RTO projected per 10 GB.
 *
 * Servers: a local PostgreSQL with durable settings and s3rver, both on 127.0.0.1 (from
 * tests/integration/support/services.ts). Needs the same Debian packages as the integration tests.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

import { startTlsS3, TlsS3Server } from "../tests/integration/support/s3-tls";
import { startPostgres, startS3, makeTempDir, removeTempDir, requireTool, PgServer, S3Server } from "../tests/integration/support/services";
import { FINGERPRINT_SQL, INDEXES_SQL, patientsSql, SCHEMA_SQL, visitsBatchSql } from "./homecare";
import { measure, Measurement } from "./measure";
import { physicalBench } from "./physical";

const SCRIPT = path.resolve(__dirname, "../components/backup/scripts/ptc-backup");
const MB = 1024 * 1024;

interface Row {
    name: string;
    m: Measurement;
    /** Bytes produced (dump, archive or object), when meaningful. */
    outputBytes?: number;
}

function targetMb(): number {
    const raw = process.env.BENCH_DB_MB ?? "1024";
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 16) throw new Error(`BENCH_DB_MB='${raw}' must be an integer of at least 16 (megabytes)`);
    return n;
}

async function buildDatabase(pg: PgServer, mb: number): Promise<number> {
    const t0 = Date.now();
    await pg.query(SCHEMA_SQL);
    const patients = Math.max(2000, mb * 40);
    await pg.query(patientsSql(patients));
    // Data before indexes reaches ~85% of the target; indexes bring it over.
    const dataTarget = mb * MB * 0.85;
    const batch = 50000;
    let offset = 0;
    for (;;) {
        await pg.query(visitsBatchSql(offset, batch, patients));
        offset += batch;
        const size = Number(await pg.query("SELECT pg_database_size(current_database())"));
        process.stderr.write(`\rbuilding: ${(size / MB).toFixed(0)} MB of ~${mb} MB`);
        if (size >= dataTarget) break;
    }
    await pg.query(INDEXES_SQL);
    let size = Number(await pg.query("SELECT pg_database_size(current_database())"));
    while (size < mb * MB) {
        await pg.query(visitsBatchSql(offset, batch, patients));
        offset += batch;
        size = Number(await pg.query("SELECT pg_database_size(current_database())"));
    }
    await pg.query("VACUUM ANALYZE");
    await pg.query("CHECKPOINT", "postgres");
    process.stderr.write(`\rbuilt ${(size / MB).toFixed(0)} MB (${offset} visits) in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
    return size;
}

function fmt(n: number, digits = 1): string {
    return n.toFixed(digits);
}

function printTable(rows: Row[], dbBytes: number): void {
    const header = ["method", "seconds", "MB/s (of DB)", "output MB", "peak extra disk MB", "peak memory MB"];
    const lines = rows.map((r) => [
        r.name,
        fmt(r.m.seconds),
        fmt(dbBytes / MB / r.m.seconds),
        r.outputBytes === undefined ? "-" : fmt(r.outputBytes / MB),
        fmt(r.m.peakDiskBytes / MB),
        fmt(r.m.peakMemoryBytes / MB),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
    const render = (cells: string[]): string => "| " + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ") + " |";
    console.log(render(header));
    console.log("|" + widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : "-".repeat(w + 1) + ":")).join("|") + "|");
    for (const l of lines) console.log(render(l));
}

async function main(): Promise<void> {
    const mb = targetMb();
    for (const tool of ["initdb", "postgres", "psql", "pg_dump", "pg_restore", "aws", "zstd", "gzip", "jq", "curl", "pgbackrest", "pg_waldump", "openssl"]) requireTool(tool);
    const work = makeTempDir("ptc-bench");
    let pg: PgServer | undefined;
    let s3: S3Server | undefined;
    // pgBackRest needs TLS; the logical rows keep the plain-HTTP endpoint they were measured with.
    const tlsS3: TlsS3Server = await startTlsS3({ bucket: "ptc-bench" });
    const physical = physicalBench(SCRIPT, tlsS3);
    try {
        // Durable, production-like settings: the comparison is about the tools, not a tuned server.
        [pg, s3] = await Promise.all([
            startPostgres({
                database: "homecare",
                settings: { fsync: "on", synchronous_commit: "on", full_page_writes: "on", shared_buffers: "256MB", max_wal_size: "4GB", checkpoint_timeout: "15min", ...physical.settings },
            }),
            startS3({ bucket: "ptc-bench" }),
        ]);
        const dbBytes = await buildDatabase(pg, mb);
        const expected = await pg.query(FINGERPRINT_SQL);
        const env: Record<string, string> = {
            PATH: `/usr/bin:/bin:${path.dirname(requireTool("initdb"))}`,
            HOME: work,
            LANG: "C.UTF-8",
            ...pg.env(),
            ...s3.env(),
            BACKUP_S3_URI: `s3://${s3.bucket}/ours`,
            BACKUP_STORES: "postgres",
        };
        const endpoint = `--endpoint-url ${s3.endpoint}`;
        const dirs = Object.fromEntries(["raw", "seed", "ours"].map((k) => [k, path.join(work, k)]));
        for (const d of Object.values(dirs)) fs.mkdirSync(d);
        const rows: Row[] = [];
        const run = async (name: string, script: string, dir: string, extraEnv: Record<string, string> = {}): Promise<Measurement> => {
            process.stderr.write(`running: ${name}\n`);
            const m = await measure(script, { ...env, TMPDIR: dir, ...extraEnv }, dir);
            rows.push({ name, m });
            return m;
        };

        await run("raw pg_dump -Fc -Z0 > /dev/null", "pg_dump -Fc -Z0 > /dev/null", dirs.raw);
        const rawCustom = await measure("pg_dump -Fc -Z0 | wc -c", { ...env, TMPDIR: dirs.raw }, dirs.raw);
        rows[rows.length - 1].outputBytes = Number(rawCustom.stdout.trim());
        await run("raw pg_dump (plain SQL) > /dev/null", "pg_dump > /dev/null", dirs.raw);

        await run(
            "seed backup: pg_dump | gzip > file; aws s3 cp",
            `pg_dump | gzip > "${dirs.seed}/backup.sql.gz" && aws ${endpoint} s3 cp "${dirs.seed}/backup.sql.gz" s3://${s3.bucket}/seed/backup.sql.gz --only-show-errors`,
            dirs.seed,
        );
        const seedBytes = fs.statSync(path.join(dirs.seed, "backup.sql.gz")).size;
        rows[rows.length - 1].outputBytes = seedBytes;
        fs.rmSync(path.join(dirs.seed, "backup.sql.gz"));

        const ours = await run("ptc-backup backup (stream to S3)", `"${SCRIPT}" backup`, dirs.ours);
        const id = ours.stdout.trim();
        const oursObject = s3.objectPath(`ours/backups/${id}/postgres.dump.zst`);
        rows[rows.length - 1].outputBytes = fs.statSync(oursObject).size;
        // The same tool with every S3 request through the AWS CLI (the fallback when curl cannot sign):
        // shows what the curl reads and writes save, in the same run.
        const cli = await run("ptc-backup backup, AWS CLI only", `"${SCRIPT}" backup`, dirs.ours, { BACKUP_S3_CLIENT: "aws-cli" });
        const cliId = cli.stdout.trim();
        rows[rows.length - 1].outputBytes = fs.statSync(s3.objectPath(`ours/backups/${cliId}/postgres.dump.zst`)).size;

        await run(
            "seed restore: aws s3 cp; gunzip | psql",
            `aws ${endpoint} s3 cp s3://${s3.bucket}/seed/backup.sql.gz "${dirs.seed}/backup.sql.gz" --only-show-errors && createdb restored_seed && gunzip -c "${dirs.seed}/backup.sql.gz" | psql -X -q -v ON_ERROR_STOP=1 -d restored_seed > /dev/null && rm "${dirs.seed}/backup.sql.gz"`,
            dirs.seed,
        );
        const seedRestored = await pg.query(FINGERPRINT_SQL, "restored_seed");
        await pg.query("DROP DATABASE restored_seed", "postgres");
        await pg.query("CHECKPOINT", "postgres");

        await run("ptc-backup restore (verify + stream from S3)", `"${SCRIPT}" restore ${id} --target-db restored_ours`, dirs.ours);
        const oursRestored = await pg.query(FINGERPRINT_SQL, "restored_ours");
        await pg.query("DROP DATABASE restored_ours", "postgres");
        await pg.query("CHECKPOINT", "postgres");

        await run("ptc-backup restore, AWS CLI only", `"${SCRIPT}" restore ${cliId} --target-db restored_cli`, dirs.ours, { BACKUP_S3_CLIENT: "aws-cli" });
        const cliRestored = await pg.query(FINGERPRINT_SQL, "restored_cli");
        await pg.query("DROP DATABASE restored_cli", "postgres");
        await pg.query("CHECKPOINT", "postgres");

        // WAL goes to pgBackRest from here on: archiving during the logical rows would compete with them.
        await physical.enable(pg);
        const phys = await physical.run(pg);
        rows.push(...phys.rows);
        const recoveryRow: Row = { name: "  + recovery until the restored server answers queries", m: { ...phys.rows[phys.rows.length - 1].m, seconds: phys.recoverySeconds, peakDiskBytes: 0, peakMemoryBytes: 0 } };
        rows.push(recoveryRow);
        const physTotal = phys.restoreSeconds + phys.recoverySeconds;

        console.log("");
        console.log(`Backup benchmark: ${fmt(dbBytes / MB, 0)} MB home-care database (pg_database_size), PostgreSQL ${await pg.query("SHOW server_version")}, ` +
            `S3-compatible server s3rver on loopback, ${os.cpus().length} CPUs; MB/s = database size / seconds.`);
        console.log("");
        printTable(rows, dbBytes);
        console.log("");
        const raw = rows[0].m.seconds;
        const cliBackup = rows.find((r) => r.name.startsWith("ptc-backup backup, AWS CLI only"))?.m.seconds ?? NaN;
        const cliRestore = rows.find((r) => r.name.startsWith("ptc-backup restore, AWS CLI only"))?.m.seconds ?? NaN;
        const seedRestore = rows.find((r) => r.name.startsWith("seed restore"))?.m.seconds ?? NaN;
        const oursRestore = rows.find((r) => r.name.startsWith("ptc-backup restore"))?.m.seconds ?? NaN;
        console.log(`ptc-backup backup throughput vs raw pg_dump -Fc: ${fmt(raw / ours.seconds, 2)}x (aim >= 0.9x)`);
        console.log(`ptc-backup restore vs seed restore: ${fmt(seedRestore / oursRestore, 2)}x faster`);
        console.log(`AWS CLI only (BACKUP_S3_CLIENT=aws-cli): backup ${fmt(raw / cliBackup, 2)}x raw pg_dump, restore ${fmt(seedRestore / cliRestore, 2)}x the seed's speed`);
        console.log(`stored per GB of database: ptc-backup ${fmt(((rows.find((r) => r.name.startsWith("ptc-backup backup"))?.outputBytes ?? 0) / dbBytes) * 1024, 0)} MB, seed ${fmt((seedBytes / dbBytes) * 1024, 0)} MB`);
        const same = (label: string, got: string): string => (got === expected ? `${label}: identical (${got})` : `${label}: DIFFERENT: ${got} vs ${expected}`);
        console.log(same("seed restore", seedRestored));
        console.log(same("ptc-backup restore", oursRestored));
        console.log(same("ptc-backup restore, AWS CLI only", cliRestored));
        const physSame = phys.restoredSame === phys.expected ? `identical (${phys.restoredSame})` : `DIFFERENT: ${phys.restoredSame} vs ${phys.expected}`;
        console.log(`physical restore + recovery (after the 1 % change): ${physSame}`);
        const gb = dbBytes / (1024 * MB);
        console.log(`physical restore + recovery: ${fmt(physTotal)} s = ${fmt(physTotal / seedRestore, 2)}x the seed restore's time (aim <= 0.5x), ${fmt(physTotal / oursRestore, 2)}x ptc-backup's logical restore`);
        console.log(`RTO projection per 10 GB (linear in size): physical ${fmt((physTotal / gb) * 10 / 60)} min, logical ptc-backup restore ${fmt((oursRestore / gb) * 10 / 60)} min, seed restore ${fmt((seedRestore / gb) * 10 / 60)} min`);
        console.log(`extra disk peaks sampled under each method's TMPDIR/work dir (the physical restore: its target directory); memory = summed RSS of the method's processes (servers excluded)`);
        if (seedRestored !== expected || oursRestored !== expected || cliRestored !== expected || phys.restoredSame !== phys.expected) process.exitCode = 1;
    } finally {
        await Promise.allSettled([pg?.destroy(), s3?.stop(), tlsS3.stop()]);
        physical.remove();
        removeTempDir(work);
    }
}

main().catch((err: Error) => {
    console.error(`bench:backup failed: ${err.message}`);
    process.exit(1);
});
