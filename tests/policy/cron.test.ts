import * as assert from "assert";
import { cronProblem, formatMinutes, maxCronGapMinutes, parseCron } from "../../policy/cron";

describe("policy: cron interval (maxCronGapMinutes)", () => {
    const cases: [string, number][] = [
        ["* * * * *", 1],
        ["*/15 * * * *", 15],
        ["0 * * * *", 60],
        ["@hourly", 60],
        ["7,37 * * * *", 30],
        ["0,50 * * * *", 50],
        ["0 */6 * * *", 360],
        ["30 2 * * *", 1440],
        ["@daily", 1440],
        ["0 9-17 * * 1-5", 64 * 60], // Friday 17:00 → Monday 09:00
        ["0 0 * * mon-fri", 3 * 1440],
        ["0 0 * * 0", 7 * 1440],
        ["0 0 * * 7", 7 * 1440], // 7 is Sunday too
        ["0 0 1 * *", 31 * 1440],
        ["0 0 1 1 *", 366 * 1440], // 2024 is a leap year
        ["0 0 29 2 *", (366 + 365 * 3) * 1440], // leap days only
        ["0 0 1,15 * 1", 7 * 1440], // both day fields restricted: either matches (every Monday, plus the 1st and 15th)
    ];
    for (const [expr, minutes] of cases) {
        it(`"${expr}" → ${formatMinutes(minutes)}`, () => assert.strictEqual(maxCronGapMinutes(expr), minutes));
    }
    it("returns Infinity for a schedule that never runs", () => assert.strictEqual(maxCronGapMinutes("0 0 30 2 *"), Infinity));
    it("returns Infinity for a day that does not exist in its month (31 February)", () => assert.strictEqual(maxCronGapMinutes("0 0 31 2 *"), Infinity));
    it("rejects malformed expressions with the field named", () => {
        assert.throws(() => maxCronGapMinutes("0 * * *"), /must have 5 fields/);
        assert.throws(() => maxCronGapMinutes("0 0 0 * * *"), /must have 5 fields/);
        assert.throws(() => maxCronGapMinutes("60 * * * *"), /minute field "60" is invalid \(values 0-59\)/);
        assert.throws(() => maxCronGapMinutes("*/0 * * * *"), /minute field "\*\/0" is invalid.*step/);
        assert.throws(() => maxCronGapMinutes("0 5-2 * * *"), /hour field "5-2" is invalid/);
        assert.throws(() => maxCronGapMinutes("0 0 * foo *"), /month field "foo" has "foo"/);
    });
    // Each of these has five fields, so a field-count check lets it through; Kubernetes refuses it.
    const refused: [string, RegExp][] = [
        ["61 * * * *", /minute field "61"/],
        ["*/0 * * * *", /minute field "\*\/0"/],
        ["0 24 * * *", /hour field "24"/],
        ["0 0 0 * *", /day-of-month field "0"/],
        ["0 0 32 * *", /day-of-month field "32"/],
        ["0 0 * 13 *", /month field "13"/],
        ["0 0 * * 8", /day-of-week field "8"/],
        ["0 0 L * *", /day-of-month field "L" has "L"/],
        ["0 0 15W * *", /day-of-month field "15W"/],
        ["0 0 * * 1#2", /day-of-week field "1#2"/],
        ["/10 * * * *", /minute field "\/10"/],
        ["1,,2 * * * *", /minute field "1,,2"/],
        ["0 0 * * fri-mon", /day-of-week field "fri-mon" is invalid/],
    ];
    for (const [expr, message] of refused) {
        it(`refuses "${expr}" with the field named`, () => {
            assert.match(cronProblem(expr) ?? "(accepted)", message);
            assert.throws(() => maxCronGapMinutes(expr), message);
        });
    }
    it("accepts what Kubernetes accepts: names, macros, ? for *, start/step, 7 for Sunday", () => {
        for (const expr of ["0 0 * JAN,jul SUN", "@weekly", "@midnight", "0 0 ? * mon-fri", "5/15 * * * *", "0 0 * * 5-7", "0 0 1-31/10 * *"]) {
            assert.strictEqual(cronProblem(expr), undefined, expr);
        }
    });
    it("runs on the days both day fields allow, with names", () => {
        const s = parseCron("0 0 * jan,jul sun");
        const runs: string[] = [];
        for (let t = s.nextRun(new Date(Date.UTC(2024, 0, 1))); t !== null && runs.length < 6; t = s.nextRun(t)) runs.push(t.toISOString().slice(0, 10));
        assert.deepStrictEqual(runs, ["2024-01-07", "2024-01-14", "2024-01-21", "2024-01-28", "2024-07-07", "2024-07-14"]);
    });
    it("counts gaps across days, not only within one (5/15 from 00:05 to 00:50, then 01:05)", () => {
        assert.strictEqual(maxCronGapMinutes("5/15 * * * *"), 15);
        assert.strictEqual(maxCronGapMinutes("5,50 9 * * *"), 1440 - 45);
        assert.strictEqual(maxCronGapMinutes("0 0 1 * 3"), 7 * 1440, "Wednesdays plus the 1st, never more than a week apart");
    });
    it("formats durations", () => {
        assert.strictEqual(formatMinutes(60), "1h");
        assert.strictEqual(formatMinutes(90), "1h 30m");
        assert.strictEqual(formatMinutes(1500), "1d 1h");
        assert.strictEqual(formatMinutes(0), "0m");
    });
});
