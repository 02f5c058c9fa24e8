import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { skipOrFail } from "../support/ci";

const SCRIPT = path.join(__dirname, "..", "..", "components", "platform", "scripts", "cron-loop.sh");

function matches(expr: string, at: string): boolean {
    const r = spawnSync("bash", [SCRIPT, "--matches", expr, at], { encoding: "utf8" });
    if (r.status !== 0 && r.status !== 1) throw new Error(`cron-loop exited ${r.status}: ${r.stderr}`);
    return r.status === 0;
}

describe("cron-loop (the docker platform's scheduler)", () => {
    // 2026-11-29 is a Sunday.
    const table: [string, string, boolean][] = [
        ["0 * * * *", "2026-11-29 14:00", true],
        ["0 * * * *", "2026-11-29 14:01", false],
        ["*/15 * * * *", "2026-11-29 14:45", true],
        ["*/15 * * * *", "2026-11-29 14:46", false],
        ["30 3 * * *", "2026-11-29 03:30", true],
        ["30 3 * * *", "2026-11-29 04:30", false],
        ["30 3 * * 1-5", "2026-11-29 03:30", false],
        ["30 3 * * 1-5", "2026-11-30 03:30", true],
        ["0 0 * * 0", "2026-11-29 00:00", true],
        ["0 0 * * 7", "2026-11-29 00:00", true],
        ["0 0 1 * 0", "2026-11-30 00:00", false],
        ["0 0 1 * 0", "2026-12-01 00:00", true],
        ["5-10/5 * * * *", "2026-11-29 00:10", true],
        ["5-10/5 * * * *", "2026-11-29 00:15", false],
        ["0 8,20 * * *", "2026-11-29 20:00", true],
        ["0 0 29 2 *", "2026-03-01 00:00", false],
    ];
    for (const [expr, at, want] of table) {
        it(`"${expr}" ${want ? "runs" : "does not run"} at ${at}`, () => assert.strictEqual(matches(expr, at), want));
    }

    describe("--table (a sidecar's several schedules)", () => {
        const TABLE = "15 1 * * 0 --type full\n15 1 * * * --type diff\n15 * * * * --type incr";
        const due = (at: string, table = TABLE): string | undefined => {
            const r = spawnSync("bash", [SCRIPT, "--table-match", at], { encoding: "utf8", env: { ...process.env, CRON_TABLE: table } });
            if (r.status === 1) return undefined;
            if (r.status !== 0) throw new Error(`cron-loop exited ${r.status}: ${r.stderr}`);
            return r.stdout.trim();
        };
        it("runs the first due line: the weekly full over that day's differential and the hourly incremental", () => {
            assert.strictEqual(due("2026-11-29 01:15"), "--type full"); // a Sunday
            assert.strictEqual(due("2026-11-30 01:15"), "--type diff");
            assert.strictEqual(due("2026-11-30 05:15"), "--type incr");
            assert.strictEqual(due("2026-11-30 05:16"), undefined);
        });
        it("CRON_AT_START runs once at start with its args, retried until it succeeds, before the schedule", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cron-start-"));
            try {
                const calls = path.join(dir, "calls");
                // Fails on its first call, succeeds on the second.
                const job = `echo "$*" >> "${calls}"; [ "$(wc -l < "${calls}")" -ge 2 ]`;
                const r = spawnSync("bash", [SCRIPT, "--table", "--", "bash", "-c", job, "job"], {
                    encoding: "utf8",
                    timeout: 8000,
                    env: { ...process.env, CRON_TABLE: "0 0 1 1 * --type full", CRON_AT_START: "--type full --if-none", CRON_AT_START_RETRY_SECONDS: "0", CRON_HEARTBEAT: path.join(dir, "hb") },
                });
                assert.deepStrictEqual(fs.readFileSync(calls, "utf8").trim().split("\n"), ["--type full --if-none", "--type full --if-none"], r.stderr);
                assert.match(r.stderr, /start run failed \(try 1 of 20\)/);
                assert.ok(fs.existsSync(path.join(dir, "hb")), "the heartbeat is kept while it runs");
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
        it("refuses an empty table and an invalid line, naming it", () => {
            for (const [table, says] of [["", /--table needs CRON_TABLE/], ["61 * * * * --type incr", /invalid cron expression "61 \* \* \* \*"/]] as const) {
                const r = spawnSync("bash", [SCRIPT, "--table", "--", "true"], { encoding: "utf8", timeout: 5000, env: { ...process.env, CRON_TABLE: table } });
                assert.strictEqual(r.status, 2, table);
                assert.match(r.stderr, says);
            }
        });
    });

    it("refuses an invalid expression with a message naming it", () => {
        for (const bad of ["0 * * *", "61 * * * *", "* 24 * * *", "*/0 * * * *", "a b c d e"]) {
            const r = spawnSync("bash", [SCRIPT, bad, "--", "true"], { encoding: "utf8", timeout: 5000 });
            assert.strictEqual(r.status, 2, bad);
            assert.match(r.stderr, /invalid cron expression/);
        }
    });

    it("is shellcheck clean", function () {
        const which = spawnSync("sh", ["-c", "command -v shellcheck"], { encoding: "utf8" });
        if (which.status !== 0) skipOrFail(this, "shellcheck is missing: apt-get install shellcheck");
        const r = spawnSync("shellcheck", [SCRIPT], { encoding: "utf8" });
        assert.strictEqual(r.status, 0, r.stdout);
    });
});
