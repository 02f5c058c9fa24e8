/**
 * The WAL archiving alerts on the real thing: a PostgreSQL 15 with `archive_mode=on` and an
 * `archive_command` the test can make hang or fail, the Debian postgres-exporter reading its
 * pg_stat_archiver and pg_stat_database, and a real Prometheus evaluating the *rendered* rule file
 * (archive_timeout 2 s, so WalArchivingLate waits 6 s; `for` shortened to 2 s). Then:
 * - a committed write is archived within archive_timeout, and nothing fires;
 * - the database goes idle: the archive age grows well past 3 × archive_timeout, and
 *   WalArchivingLate stays quiet (nothing to archive is not lateness);
 * - the archive command hangs while rows keep changing: WalArchivingLate fires, WalArchivingFailing
 *   does not (nothing failed);
 * - the archive command fails: WalArchivingFailing fires once its 90-second window holds failures
 *   and no success (the window is not shortened: this test waits for it).
 * The Debian exporter (0.11) has no postmaster collector, so the start-up grace of
 * WalArchivingLate is inert here; PostgreSQL's checkpointer is woken with a reload instead (after
 * a start it honours archive_timeout only from its first checkpoint, checkpoint_timeout later).
 * Under CI a missing tool fails the suite; elsewhere it is skipped with the reason.
 */
import * as assert from "assert";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { renderAlertRules } from "../../components/monitoring/rules";
import { freePort, makeTempDir, missingTools, PgServer, removeTempDir, requireTool, sleep, startPostgres, waitFor } from "./support/services";
import { skipOrFail } from "../support/ci";

const ARCHIVE_TIMEOUT_SECONDS = 2;
const TOOLS = ["prometheus", "prometheus-postgres-exporter", "initdb"];

describe("monitoring: WAL archiving alerts on a real PostgreSQL, postgres-exporter and Prometheus", function () {
    this.timeout(420000);
    let dir = "";
    let ctl = "";
    let pg: PgServer | undefined;
    let promUrl = "";
    const children: ChildProcess[] = [];
    let writer: NodeJS.Timeout | undefined;
    let written = 0;

    /** Starts a tool with its output in `<dir>/<name>.log`. */
    function startTool(name: string, bin: string, args: string[], env: Record<string, string> = {}): void {
        const log = fs.openSync(path.join(dir, `${name}.log`), "a");
        children.push(spawn(requireTool(bin), args, { stdio: ["ignore", log, log], env: { ...process.env, ...env }, cwd: dir }));
        fs.closeSync(log);
    }

    /** An instant query's values. */
    async function query(q: string): Promise<{ labels: Record<string, string>; value: number }[]> {
        const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
        const body = (await res.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
        return body.data.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
    }
    const firing = async (alert: string): Promise<boolean> => (await query(`ALERTS{alertname="${alert}",alertstate="firing"}`)).length > 0;
    const metric = async (name: string): Promise<number> => (await query(name))[0]?.value ?? NaN;

    /** Commits a row every 500 ms until {@link stopWrites}. */
    function startWrites(): void {
        writer ??= setInterval(() => {
            void pg?.query(`INSERT INTO t VALUES (${++written})`).catch(() => undefined);
        }, 500);
    }
    function stopWrites(): void {
        if (writer) clearInterval(writer);
        writer = undefined;
    }

    before(async function () {
        const missing = missingTools(TOOLS);
        if (missing) skipOrFail(this, missing);
        dir = makeTempDir("ptc-wal-archiving");
        // The archive command's switches and its archive, writable by the server's user.
        fs.chmodSync(dir, 0o755);
        ctl = path.join(dir, "ctl");
        fs.mkdirSync(path.join(ctl, "archive"), { recursive: true });
        fs.chmodSync(ctl, 0o777);
        fs.chmodSync(path.join(ctl, "archive"), 0o777);
        pg = await startPostgres({
            settings: {
                archive_mode: "on",
                archive_command: `while test -f ${ctl}/hang; do sleep 1; done; test ! -f ${ctl}/fail && cp %p ${ctl}/archive/%f`,
                archive_timeout: String(ARCHIVE_TIMEOUT_SECONDS),
            },
        });
        await pg.query("CREATE TABLE t (i int)");
        // Wakes the checkpointer, which otherwise sleeps a whole checkpoint_timeout after a start.
        await pg.query("SELECT pg_reload_conf()");

        const exporterPort = await freePort();
        const promPort = await freePort();
        fs.mkdirSync(path.join(dir, "rules"));
        fs.writeFileSync(path.join(dir, "rules", "ptc.yml"), renderAlertRules({ archiveTimeoutSeconds: ARCHIVE_TIMEOUT_SECONDS, forOverrideSeconds: 2 }));
        fs.writeFileSync(
            path.join(dir, "prometheus.yml"),
            stringify({
                global: { scrape_interval: "1s", scrape_timeout: "1s", evaluation_interval: "1s" },
                rule_files: [path.join(dir, "rules", "*.yml")],
                scrape_configs: [{ job_name: "postgres", static_configs: [{ targets: [`127.0.0.1:${exporterPort}`], labels: { service: "postgres", tier: "data" } }] }],
            }),
        );
        startTool("postgres-exporter", "prometheus-postgres-exporter", [`--web.listen-address=127.0.0.1:${exporterPort}`], {
            DATA_SOURCE_NAME: `postgresql://${pg.user}:${encodeURIComponent(pg.password)}@127.0.0.1:${pg.port}/${pg.database}?sslmode=disable`,
        });
        fs.mkdirSync(path.join(dir, "tsdb"));
        startTool("prometheus", "prometheus", [
            `--config.file=${path.join(dir, "prometheus.yml")}`,
            `--storage.tsdb.path=${path.join(dir, "tsdb")}`,
            `--web.listen-address=127.0.0.1:${promPort}`,
        ]);
        promUrl = `http://127.0.0.1:${promPort}`;
        await waitFor("pg_stat_archiver scraped", async () => (await query('pg_stat_archiver_archived_count{job="postgres"}')).length === 1, 60000);
    });

    after(async () => {
        stopWrites();
        for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
        await Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once("exit", r)))));
        await pg?.destroy();
        if (dir) removeTempDir(dir);
    });

    it("exposes the archiver counters and age the rules read, and a committed write is archived within archive_timeout", async () => {
        for (const m of ["pg_stat_archiver_failed_count", "pg_stat_archiver_last_archive_age", "pg_stat_database_tup_inserted", "pg_stat_database_tup_updated", "pg_stat_database_tup_deleted", "pg_settings_checkpoint_timeout_seconds"]) {
            assert.ok((await query(`${m}{job="postgres"}`)).length > 0, `${m} is not exported`);
        }
        const before = await metric('pg_stat_archiver_archived_count{job="postgres"}');
        await pg?.query("INSERT INTO t VALUES (0)");
        await waitFor("the write archived", async () => (await metric('pg_stat_archiver_archived_count{job="postgres"}')) > before, 30000);
        assert.ok(fs.readdirSync(path.join(ctl, "archive")).length > 0, "segments reached the archive");
        assert.ok(!(await firing("WalArchivingLate")) && !(await firing("WalArchivingFailing")));
    });

    it("an idle database: the archive age passes 3 × archive_timeout and WalArchivingLate stays quiet", async () => {
        stopWrites();
        await waitFor("archive age > 4 × archive_timeout", async () => (await metric('pg_stat_archiver_last_archive_age{job="postgres"}')) > 4 * 3 * ARCHIVE_TIMEOUT_SECONDS, 60000);
        // Long past the 6 s window and the 2 s for: a rule that ignores idleness would fire by now.
        assert.strictEqual(await firing("WalArchivingLate"), false, "WalArchivingLate fired on an idle database");
        assert.strictEqual((await query('ALERTS{alertname="WalArchivingLate"}')).length, 0, "not even pending");
    });

    it("a hung archive command while rows change: WalArchivingLate fires, WalArchivingFailing does not", async () => {
        fs.writeFileSync(path.join(ctl, "hang"), "");
        startWrites();
        await waitFor("WalArchivingLate firing", () => firing("WalArchivingLate"), 90000);
        const alert = (await query('ALERTS{alertname="WalArchivingLate",alertstate="firing"}'))[0];
        assert.strictEqual(alert.labels.severity, "page");
        assert.strictEqual(alert.labels.store, "postgres");
        assert.strictEqual(await firing("WalArchivingFailing"), false, "nothing failed: the command hangs");
        fs.rmSync(path.join(ctl, "hang"));
        await waitFor("WalArchivingLate resolved once archiving resumes", async () => !(await firing("WalArchivingLate")), 60000);
    });

    it("a failing archive command: WalArchivingFailing fires once its 90-second window holds failures and no success", async () => {
        startWrites();
        const failedBefore = await metric('pg_stat_archiver_failed_count{job="postgres"}');
        fs.writeFileSync(path.join(ctl, "fail"), "");
        await waitFor("failures counted", async () => (await metric('pg_stat_archiver_failed_count{job="postgres"}')) > failedBefore, 60000);
        const t0 = Date.now();
        await waitFor("WalArchivingFailing firing", () => firing("WalArchivingFailing"), 240000);
        console.log(`      WalArchivingFailing fired ${((Date.now() - t0) / 1000).toFixed(0)} s after the first counted failure`);
        const alert = (await query('ALERTS{alertname="WalArchivingFailing",alertstate="firing"}'))[0];
        assert.strictEqual(alert.labels.severity, "page");
        assert.strictEqual(alert.labels.store, "postgres");
        fs.rmSync(path.join(ctl, "fail"));
        stopWrites();
        await sleep(0);
    });
});
