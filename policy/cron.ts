/**
 * Cron arithmetic for the backup rule: the longest gap between two runs of a standard 5-field
 * cron expression (minute hour day-of-month month day-of-week, UTC), as Kubernetes CronJobs and
 * the docker schedule loop evaluate it.
 */

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

const MACROS: Readonly<Record<string, string>> = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
};

/** A parsed cron expression: the allowed values of each field. */
export interface CronSchedule {
    /** Minutes 0-59. */
    readonly minutes: readonly number[];
    /** Hours 0-23. */
    readonly hours: readonly number[];
    /** Days of month 1-31. */
    readonly daysOfMonth: ReadonlySet<number>;
    /** Months 1-12. */
    readonly months: ReadonlySet<number>;
    /** Days of week 0-6 (0 = Sunday). */
    readonly daysOfWeek: ReadonlySet<number>;
    /** Day-of-month field started with "*" (then both day fields must match, as cron does). */
    readonly domStar: boolean;
    /** Day-of-week field started with "*". */
    readonly dowStar: boolean;
}

function parseField(field: string, min: number, max: number, names: readonly string[], label: string, expr: string): number[] {
    const bad = (why: string): Error => new Error(`cron "${expr}": ${label} field "${field}" ${why}`);
    const value = (token: string): number => {
        const lower = token.toLowerCase();
        const named = names.indexOf(lower);
        if (named >= 0) return named + (label === "month" ? 1 : 0);
        if (!/^\d+$/.test(token)) throw bad(`has "${token}", which is not a number${names.length ? " or a name" : ""}`);
        let n = Number(token);
        if (label === "day-of-week" && n === 7) n = 0;
        if (n < min || n > max) throw bad(`has ${token}, outside ${min}-${max}`);
        return n;
    };
    const out = new Set<number>();
    for (const part of field.split(",")) {
        const [range, stepText, extra] = part.split("/");
        if (extra !== undefined || range === "") throw bad("is malformed");
        const step = stepText === undefined ? 1 : Number(stepText);
        if (!Number.isInteger(step) || step < 1) throw bad(`has step "${stepText}", which must be a positive integer`);
        let lo: number;
        let hi: number;
        if (range === "*" || range === "?") {
            lo = min;
            hi = label === "day-of-week" ? 6 : max;
        } else if (range.includes("-")) {
            const [a, b] = range.split("-");
            lo = value(a);
            hi = value(b);
            if (label === "day-of-week" && b === "7") hi = 7;
            if (hi < lo) throw bad(`has range ${range} that runs backwards`);
        } else {
            lo = value(range);
            hi = stepText === undefined ? lo : label === "day-of-week" ? 6 : max;
        }
        for (let n = lo; n <= hi; n += step) out.add(label === "day-of-week" ? n % 7 : n);
    }
    return [...out].sort((x, y) => x - y);
}

/** Parses a 5-field cron expression (or an @-macro); throws an Error that names the bad field. */
export function parseCron(expression: string): CronSchedule {
    const trimmed = expression.trim();
    const expanded = MACROS[trimmed.toLowerCase()] ?? trimmed;
    const fields = expanded.split(/\s+/);
    if (fields.length !== 5) {
        throw new Error(`cron "${expression}" must have 5 fields (minute hour day-of-month month day-of-week), found ${fields.length}`);
    }
    const [mi, h, dom, mon, dow] = fields;
    return {
        minutes: parseField(mi, 0, 59, [], "minute", expression),
        hours: parseField(h, 0, 23, [], "hour", expression),
        daysOfMonth: new Set(parseField(dom, 1, 31, [], "day-of-month", expression)),
        months: new Set(parseField(mon, 1, 12, MONTHS, "month", expression)),
        daysOfWeek: new Set(parseField(dow, 0, 7, DAYS, "day-of-week", expression)),
        domStar: dom.startsWith("*") || dom.startsWith("?"),
        dowStar: dow.startsWith("*") || dow.startsWith("?"),
    };
}

function dayMatches(s: CronSchedule, date: Date): boolean {
    if (!s.months.has(date.getUTCMonth() + 1)) return false;
    const dom = s.daysOfMonth.has(date.getUTCDate());
    const dow = s.daysOfWeek.has(date.getUTCDay());
    // Standard cron: when both day fields are restricted, a day matching either runs the job.
    return s.domStar || s.dowStar ? dom && dow : dom || dow;
}

/** Days scanned: long enough to contain two leap days (so "29 2" yields its 4-year gap). */
const WINDOW_DAYS = 8 * 366;
const WINDOW_START = Date.UTC(2024, 0, 1);
const DAY_MINUTES = 24 * 60;

/**
 * The longest gap, in minutes, between consecutive runs of a cron expression (UTC).
 * Infinity when it runs at most once in eight years (e.g. "0 0 30 2 *", which never runs).
 * Throws on a malformed expression.
 */
export function maxCronGapMinutes(expression: string): number {
    const s = parseCron(expression);
    const dayOffsets: number[] = [];
    for (const h of s.hours) for (const m of s.minutes) dayOffsets.push(h * 60 + m);
    let previous: number | undefined;
    let first: number | undefined;
    let maxGap = 0;
    for (let day = 0; day < WINDOW_DAYS; day++) {
        if (!dayMatches(s, new Date(WINDOW_START + day * DAY_MINUTES * 60_000))) continue;
        for (const offset of dayOffsets) {
            const t = day * DAY_MINUTES + offset;
            if (previous !== undefined) maxGap = Math.max(maxGap, t - previous);
            else first = t;
            previous = t;
        }
    }
    if (previous === undefined || first === previous) return Infinity;
    return maxGap;
}

/** Formats minutes for messages ("1h", "1d 6h", "45m"). */
export function formatMinutes(minutes: number): string {
    if (!Number.isFinite(minutes)) return "never (or less than twice in 8 years)";
    const d = Math.floor(minutes / DAY_MINUTES);
    const h = Math.floor((minutes % DAY_MINUTES) / 60);
    const m = minutes % 60;
    return [d ? `${d}d` : "", h ? `${h}h` : "", m || (!d && !h) ? `${m}m` : ""].filter(Boolean).join(" ");
}
