/**
 * The scheduled container's health check, run by bash as the engine runs an exec check, against a
 * heartbeat file of a chosen age: the cron loop touches it at least once a minute (every 5 s while
 * a job runs), so a heartbeat a few minutes old means the loop is stuck and must read unhealthy.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CRON_HEARTBEAT_PATH, cronLoopHealthcheck } from "../../components/platform/docker-builders";

describe("schedule health check (the cron loop's heartbeat)", () => {
    let dir: string;
    let file: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-"));
        file = path.join(dir, "heartbeat");
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** Exit status of the check with the heartbeat `ageSeconds` old (undefined: no file). */
    function check(ageSeconds: number | undefined): number | null {
        fs.rmSync(file, { force: true });
        if (ageSeconds !== undefined) {
            fs.writeFileSync(file, "");
            const t = new Date(Date.now() - ageSeconds * 1000);
            fs.utimesSync(file, t, t);
        }
        const hc = cronLoopHealthcheck();
        if (hc.kind !== "exec") throw new Error(`the schedule check is an exec check, got ${hc.kind}`);
        const command = hc.command.map((a) => a.split(CRON_HEARTBEAT_PATH).join(file));
        return spawnSync(command[0], command.slice(1), { encoding: "utf8" }).status;
    }

    it("is healthy with a fresh heartbeat, and one 90 s old (the loop sleeps up to a minute)", () => {
        assert.equal(check(0), 0);
        assert.equal(check(90), 0);
    });

    it("is unhealthy once the heartbeat is over three minutes old, or missing", () => {
        assert.notEqual(check(200), 0);
        assert.notEqual(check(600), 0);
        assert.notEqual(check(undefined), 0);
    });
});
