import * as assert from "assert";
import { formatMinutes, maxCronGapMinutes, parseCron } from "../../policy/cron";

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
    it("rejects malformed expressions with the field named", () => {
        assert.throws(() => maxCronGapMinutes("0 * * *"), /must have 5 fields/);
        assert.throws(() => maxCronGapMinutes("60 * * * *"), /minute field "60" has 60, outside 0-59/);
        assert.throws(() => maxCronGapMinutes("*/0 * * * *"), /step/);
        assert.throws(() => maxCronGapMinutes("0 5-2 * * *"), /runs backwards/);
        assert.throws(() => maxCronGapMinutes("0 0 * foo *"), /month field/);
    });
    it("parses names and the day-field star rule", () => {
        const s = parseCron("0 0 * jan,jul sun");
        assert.deepStrictEqual([...s.months], [1, 7]);
        assert.deepStrictEqual([...s.daysOfWeek], [0]);
        assert.ok(s.domStar && !s.dowStar);
    });
    it("formats durations", () => {
        assert.strictEqual(formatMinutes(60), "1h");
        assert.strictEqual(formatMinutes(90), "1h 30m");
        assert.strictEqual(formatMinutes(1500), "1d 1h");
        assert.strictEqual(formatMinutes(0), "0m");
    });
});
