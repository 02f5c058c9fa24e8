/**
 * Cron for the backup rule, through croner: validation of a standard 5-field expression (minute
 * hour day-of-month month day-of-week, UTC) in the dialect Kubernetes CronJobs accept, and the
 * longest gap between two runs, as Kubernetes and the docker schedule loop evaluate it.
 *
 * croner understands more than Kubernetes does (seconds and year fields, `L`, `W`, `#`, `/5`
 * without a start); those are refused here first, so the pack passes only what a CronJob can run.
 */
import { Cron } from "croner";

/** Five fields, in order: a label for messages, the values allowed, and the names accepted. */
const FIELDS: readonly { readonly label: string; readonly values: string; readonly names: readonly string[] }[] = [
    { label: "minute", values: "0-59", names: [] },
    { label: "hour", values: "0-23", names: [] },
    { label: "day-of-month", values: "1-31", names: [] },
    { label: "month", values: "1-12 or jan-dec", names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"] },
    { label: "day-of-week", values: "0-7 (0 and 7 are Sunday) or sun-sat", names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
];

/** The @-macros Kubernetes (robfig/cron) accepts, and what each stands for. */
const MACROS: Readonly<Record<string, string>> = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
};

/**
 * croner's options for the Kubernetes dialect: UTC (as an offset; the "UTC" time zone goes through
 * Intl and is four times slower), exactly five fields, and the classic rule that a day matching
 * either restricted day field runs the job (`domAndDow: false`). `sloppyRanges` admits "5/15"
 * (from 5, every 15), which cron(8) and Kubernetes accept; "/15" is refused before croner.
 */
const CRONER_OPTIONS = { utcOffset: 0, mode: "5-part", domAndDow: false, sloppyRanges: true, paused: true } as const;

/** A valid cron expression, ready to compute runs. */
export interface CronSchedule {
    /** The expression as given. */
    readonly expression: string;
    /** The first run strictly after `after`, or null when there is none. */
    nextRun(after: Date): Date | null;
}

/** A token of one field that croner would take but Kubernetes would not, or undefined. */
function foreignToken(field: string, names: readonly string[]): string | undefined {
    for (const part of field.split(",")) {
        const [range, step, extra] = part.split("/");
        if (extra !== undefined || range === "" || step === "") return part;
        if (step !== undefined && !/^\d+$/.test(step)) return part;
        for (const token of range.split("-")) {
            if (!/^(\d+|\*|\?)$/.test(token) && !names.includes(token.toLowerCase())) return token;
        }
    }
    return undefined;
}

/** Parses a 5-field cron expression (or an @-macro); throws an Error that names the bad field. */
export function parseCron(expression: string): CronSchedule {
    const trimmed = expression.trim();
    const expanded = MACROS[trimmed.toLowerCase()] ?? trimmed;
    const fields = expanded.split(/\s+/);
    if (fields.length !== 5) {
        throw new Error(`cron "${expression}" must have 5 fields (minute hour day-of-month month day-of-week), found ${fields.length}`);
    }
    // "?" is "*" to Kubernetes; croner reads a lone "?" as "the value now", so hand it "*".
    const normalized = fields.map((f) => f.replace(/(^|,)\?(?=$|[,/])/g, "$1*"));
    normalized.forEach((field, i) => {
        const { label, values, names } = FIELDS[i];
        const foreign = foreignToken(field, names);
        if (foreign !== undefined) throw new Error(`cron "${expression}": ${label} field "${fields[i]}" has "${foreign}"; use ${values}, *, a-b, lists and /step`);
        // Check each field alone so the message names the field croner refuses.
        const alone = normalized.map((f, j) => (j === i ? f : "*")).join(" ");
        try {
            new Cron(alone, CRONER_OPTIONS);
        } catch (e) {
            throw new Error(`cron "${expression}": ${label} field "${fields[i]}" is invalid (values ${values}): ${(e as Error).message.replace(/^CronPattern: /, "")}`);
        }
    });
    const cron = new Cron(normalized.join(" "), CRONER_OPTIONS);
    return { expression, nextRun: (after) => cron.nextRun(after) };
}

/** The reason a cron expression is refused, or undefined when it is valid. */
export function cronProblem(expression: string): string | undefined {
    try {
        parseCron(expression);
        return undefined;
    } catch (e) {
        return (e as Error).message;
    }
}

/** Days scanned: long enough to contain two leap days (so "29 2" yields its 4-year gap). */
const WINDOW_DAYS = 8 * 366;
const WINDOW_START = Date.UTC(2024, 0, 1);
const MINUTE_MS = 60_000;
const DAY_MINUTES = 24 * 60;
const DAY_MS = DAY_MINUTES * MINUTE_MS;

/**
 * The longest gap, in minutes, between consecutive runs of a cron expression (UTC).
 * Infinity when it runs at most once in eight years (e.g. "0 0 30 2 *", which never runs).
 * Throws on a malformed expression.
 *
 * In UTC every matching day has the same times of day, so the runs of the first matching day
 * give the gaps within a day, and one `nextRun` from each day's last run finds the next day:
 * a few thousand croner calls for eight years instead of one per run.
 */
export function maxCronGapMinutes(expression: string): number {
    const s = parseCron(expression);
    const windowEnd = WINDOW_START + WINDOW_DAYS * DAY_MS;
    const first = s.nextRun(new Date(WINDOW_START - 1));
    if (first === null || first.getTime() >= windowEnd) return Infinity;

    const dayStart = (t: number): number => t - (t % DAY_MS);
    // Times of day (ms after midnight) of the first matching day.
    const offsets: number[] = [];
    for (let t: Date | null = first; t !== null && dayStart(t.getTime()) === dayStart(first.getTime()); t = s.nextRun(t)) {
        offsets.push(t.getTime() - dayStart(t.getTime()));
    }
    let maxGap = 0;
    for (let i = 1; i < offsets.length; i++) maxGap = Math.max(maxGap, offsets[i] - offsets[i - 1]);
    const lastOffset = offsets[offsets.length - 1];

    let runs = offsets.length;
    let lastRun = dayStart(first.getTime()) + lastOffset;
    for (;;) {
        const next = s.nextRun(new Date(lastRun));
        if (next === null || next.getTime() >= windowEnd) break;
        maxGap = Math.max(maxGap, next.getTime() - lastRun);
        runs += offsets.length;
        lastRun = dayStart(next.getTime()) + lastOffset;
    }
    if (runs < 2) return Infinity;
    return maxGap / MINUTE_MS;
}

/** Formats minutes for messages ("1h", "1d 6h", "45m"). */
export function formatMinutes(minutes: number): string {
    if (!Number.isFinite(minutes)) return "never (or less than twice in 8 years)";
    const d = Math.floor(minutes / DAY_MINUTES);
    const h = Math.floor((minutes % DAY_MINUTES) / 60);
    const m = minutes % 60;
    return [d ? `${d}d` : "", h ? `${h}h` : "", m || (!d && !h) ? `${m}m` : ""].filter(Boolean).join(" ");
}
