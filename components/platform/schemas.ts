/**
 * The validation vocabulary: one zod schema per kind of value the stack config, the workload
 * specs and the platforms check, each carrying the message that says what is allowed. The stack
 * schema (stacks/schema.ts), `validateSpec`, both platforms and the component constructors import
 * these; none keeps its own regex for a quantity, a cron, a DNS name, a CIDR or a URL. The policy
 * pack cannot import this file (it installs on its own): policy/values.ts mirrors the part it needs,
 * and a test runs one table of samples through both.
 *
 * Messages are noun phrases ("a CPU quantity such as …"), so a caller can say
 * `X "v" must be <message>` or `expected <message>`.
 */
import { Cron } from "croner";
import * as ipaddr from "ipaddr.js";
import { z } from "zod";

/** The first problem `schema` finds in `value` (its message), or undefined when the value is accepted. */
export function problemOf(schema: z.ZodType, value: unknown): string | undefined {
    const r = schema.safeParse(value);
    return r.success ? undefined : r.error.issues[0].message;
}

// ---- CPU and memory ------------------------------------------------------------------------------

/** A decimal number as Kubernetes quantities write it ("1", "0.5", ".5"). */
const NUMBER = String.raw`(?:\d+(?:\.\d+)?|\.\d+)`;

/**
 * Memory suffixes and their size in bytes: the binary (powers of 1024) and decimal (powers of
 * 1000) suffixes of Kubernetes quantities. "m" is missing on purpose: "256m" is 0.256 bytes to
 * Kubernetes, a classic typo for "256Mi"; and Kubernetes has no "K" (its kilo is "k").
 */
export const MEMORY_UNITS: Readonly<Record<string, number>> = {
    "": 1,
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
    Pi: 1024 ** 5,
    Ei: 1024 ** 6,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
};

const CPU_RE = new RegExp(`^(${NUMBER})(m?)$`);
const MEMORY_RE = new RegExp(`^(${NUMBER})(${Object.keys(MEMORY_UNITS).filter((u) => u !== "").join("|")})?$`);

/** A CPU quantity: cores ("1", "0.5") or millicores ("250m"). */
export const cpuQuantity = z.string().regex(CPU_RE, { error: 'a CPU quantity such as 250m or 1 (cores, or millicores with "m")' });

/** A memory quantity: bytes with a binary (Ki … Ei) or decimal (k … E) suffix. */
export const memoryQuantity = z
    .string()
    .regex(MEMORY_RE, { error: "a memory quantity such as 256Mi or 1Gi (a number with Ki, Mi, Gi, Ti, Pi, Ei, or k, M, G, T, P, E)" });

/** Cores of a {@link cpuQuantity}; throws, with the schema's message, on anything it refuses. */
export function cpuCores(quantity: string): number {
    const m = CPU_RE.exec(quantity);
    if (!m) throw new Error(`cpu "${quantity}" is not a Kubernetes quantity: expected ${problemOf(cpuQuantity, quantity) ?? "a CPU quantity"}`);
    return m[2] ? Number(m[1]) / 1000 : Number(m[1]);
}

/** MiB (rounded up) of a {@link memoryQuantity}; throws, with the schema's message, on anything it refuses. */
export function memoryMiB(quantity: string): number {
    const m = MEMORY_RE.exec(quantity);
    if (!m) throw new Error(`memory "${quantity}" is not a Kubernetes quantity: expected ${problemOf(memoryQuantity, quantity) ?? "a memory quantity"}`);
    return Math.ceil((Number(m[1]) * MEMORY_UNITS[m[2] ?? ""]) / 1024 ** 2);
}

// ---- Cron ----------------------------------------------------------------------------------------

/**
 * Field syntax both schedulers run: Kubernetes CronJobs and the docker platform's cron-loop.sh,
 * which understands numbers, "*", ranges, lists and steps only (no names, "?", "L", "W" or "#",
 * which croner would accept).
 */
const CRON_FIELD = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/;

/** Why croner refuses a 5-field expression (ranges, steps, values out of range), or undefined. */
function cronProblem(expr: string): string | undefined {
    try {
        // A paused job never runs: croner only parses the pattern here.
        new Cron(expr, { mode: "5-part", timezone: "Etc/UTC", paused: true, sloppyRanges: true });
        return undefined;
    } catch (e) {
        return (e as Error).message;
    }
}

/** A standard 5-field cron expression (minute hour day-of-month month day-of-week), evaluated in UTC. */
export const cronExpression = z.string().superRefine((expr, ctx) => {
    const fields = expr.trim().split(/\s+/);
    const what = 'a 5-field cron expression such as "0 * * * *" (minute hour day-of-month month day-of-week, UTC) using digits, "*", "-", "," and "/"';
    if (fields.length !== 5 || !fields.every((f) => CRON_FIELD.test(f))) {
        ctx.addIssue({ code: "custom", message: what });
        return;
    }
    const why = cronProblem(fields.join(" "));
    if (why !== undefined) ctx.addIssue({ code: "custom", message: `${what}; ${why.replace(/^CronPattern: /, "")}` });
});

// ---- Names ---------------------------------------------------------------------------------------

const DNS_LABEL_RE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** An RFC 1123 DNS label: at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit. */
export const dnsLabel = z.string().regex(DNS_LABEL_RE, { error: 'a DNS label (at most 63 lowercase letters, digits and "-", not starting or ending with "-")' });

/** A DNS label that starts with a letter (names of namespaces, prefixes and workloads). */
export const dnsLabelStartingWithLetter = z
    .string()
    .regex(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: 'a DNS label starting with a letter (at most 63 lowercase letters, digits and "-")' });

/** An RFC 1123 DNS subdomain: dot-separated DNS labels, at most 253 characters (e.g. app.example.com). */
export const dnsSubdomain = z
    .string()
    .regex(/^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/, {
        error: "a lowercase DNS name such as app.example.com (dot-separated DNS labels, at most 253 characters)",
    });

const LABEL_NAME_RE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** A Kubernetes label (or annotation) key: an optional DNS-subdomain prefix and "/", then a name of at most 63 characters. */
export const labelKey = z.string().superRefine((key, ctx) => {
    const slash = key.lastIndexOf("/");
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    if (prefix !== undefined && !dnsSubdomain.safeParse(prefix).success) {
        ctx.addIssue({ code: "custom", message: "a label key whose prefix (before \"/\") is a DNS subdomain" });
    } else if (name.length > 63 || !LABEL_NAME_RE.test(name)) {
        ctx.addIssue({ code: "custom", message: "a label key whose name part is 1-63 letters, digits, \"-\", \"_\", \".\" (starting and ending with a letter or digit)" });
    }
});

/** A Kubernetes label value: empty, or at most 63 letters, digits, "-", "_", "." starting and ending with a letter or digit. */
export const labelValue = z
    .string()
    .regex(/^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/, { error: 'a valid label value (at most 63 letters, digits, "-", "_", ".")' });

/** A lowercase SQL identifier PostgreSQL takes unquoted: a letter or "_", then letters, digits, "_"; at most 63. */
export const sqlIdentifier = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: 'a lowercase SQL identifier (a letter or "_", then letters, digits or "_"; at most 63)' });

// ---- Numbers, paths, durations -------------------------------------------------------------------

const PORT = "an integer from 1 to 65535";

/** A TCP port: an integer from 1 to 65535. */
export const port = z
    .number({ error: PORT })
    .int({ error: PORT })
    .min(1, { error: PORT })
    .max(65535, { error: PORT });

/** A non-negative integer (retries, grace periods). */
export const nonNegativeInt = z.number({ error: "a non-negative integer" }).int({ error: "a non-negative integer" }).min(0, { error: "a non-negative integer" });

/** A positive integer (deadlines, sizes, replicas). */
export const positiveInt = z.number({ error: "a positive integer" }).int({ error: "a positive integer" }).min(1, { error: "a positive integer" });

/** An absolute path ("/…"). */
export const absolutePath = z.string().regex(/^\//, { error: 'an absolute path (starting with "/")' });

/** A Prometheus duration: a number and one unit of ms, s, m, h, d, w or y (e.g. "15d"). */
export const duration = z.string().regex(/^\d+(ms|s|m|h|d|w|y)$/, { error: 'a Prometheus duration such as "200h" or "15d"' });

// ---- Image references ----------------------------------------------------------------------------

/** The parts of an image reference: repository, tag and digest. */
export interface ImageRef {
    /** Registry and path, e.g. "ghcr.io/org/api". */
    readonly repository: string;
    /** Tag. Defaults to none. */
    readonly tag?: string;
    /** "sha256:…" digest. Defaults to none. */
    readonly digest?: string;
}

/** Splits "registry:5000/org/name:tag@sha256:…" into its parts; throws on an empty or malformed reference. */
export function parseImageRef(ref: string): ImageRef {
    const trimmed = ref.trim();
    if (trimmed === "" || /\s/.test(trimmed)) throw new Error(`"${ref}" is not an image reference`);
    let rest = trimmed;
    let digest: string | undefined;
    const at = rest.indexOf("@");
    if (at >= 0) {
        digest = rest.slice(at + 1);
        rest = rest.slice(0, at);
        if (!/^sha256:[a-f0-9]{64}$/.test(digest)) throw new Error(`"${ref}" has a malformed digest (want sha256:<64 hex>)`);
    }
    // A tag is after the last ":" that comes after the last "/" (a registry port is before a "/").
    const slash = rest.lastIndexOf("/");
    const colon = rest.lastIndexOf(":");
    let tag: string | undefined;
    if (colon > slash) {
        tag = rest.slice(colon + 1);
        rest = rest.slice(0, colon);
        if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) throw new Error(`"${ref}" has a malformed tag "${tag}"`);
    }
    if (!/^[a-z0-9]+([._:/-][a-z0-9]+)*$/.test(rest)) throw new Error(`"${ref}" has a malformed repository "${rest}"`);
    return { repository: rest, tag, digest };
}

/** True when the reference can point at different images over time: ":latest", or neither tag nor digest. */
export function isMutableImageRef(ref: string): boolean {
    const { tag, digest } = parseImageRef(ref);
    if (digest) return false;
    return tag === undefined || tag === "latest";
}

/** An image reference ("repo/name:1.2.3" or "repo/name@sha256:…"). */
export const imageReference = z.string().superRefine((ref, ctx) => {
    try {
        parseImageRef(ref);
    } catch (e) {
        ctx.addIssue({ code: "custom", message: `an image reference such as "repo/name:1.2.3" or "repo/name@sha256:…" (${(e as Error).message})` });
    }
});

// ---- Addresses -----------------------------------------------------------------------------------

/** An IPv4 address in four decimal parts, or an IPv6 address (ipaddr.js; no octal or short IPv4 forms). */
export function isIpAddress(s: string): boolean {
    return ipaddr.IPv4.isValidFourPartDecimal(s) || (s.includes(":") && ipaddr.IPv6.isValid(s));
}

/** Is `s` an IPv4 or IPv6 CIDR (address/prefix, prefix within the family's bits)? */
export function isCidr(s: string): boolean {
    const slash = s.lastIndexOf("/");
    if (slash < 0 || !/^\d{1,3}$/.test(s.slice(slash + 1)) || !isIpAddress(s.slice(0, slash))) return false;
    try {
        ipaddr.parseCIDR(s);
        return true;
    } catch {
        return false;
    }
}

/** An IPv4 or IPv6 CIDR such as 10.0.0.0/16 or fd00::/8. */
export const cidr = z.string().refine(isCidr, { error: "a CIDR such as 10.0.0.0/16, 10.0.0.1/32 or fd00::/8" });

/** An IP address or a CIDR (nginx `allow`). */
export const ipOrCidr = z.string().refine((s) => isIpAddress(s) || isCidr(s), { error: "an IP address or a CIDR such as 172.16.0.0/12" });

/**
 * Why `value` is not an absolute http(s) URL, or undefined when it is. The answer never contains
 * the value (webhook URLs are secrets); callers that may show it add it themselves.
 */
export function httpUrlProblem(value: string): string | undefined {
    let u: URL;
    try {
        u = new URL(value);
    } catch {
        return "an absolute http(s) URL (this value is not a URL)";
    }
    if (u.protocol !== "http:" && u.protocol !== "https:") return `an absolute http(s) URL (this one uses ${u.protocol})`;
    return undefined;
}

/** An absolute http(s) URL. Its message never repeats the value, so it is safe on secrets. */
export const httpUrl = z.string().superRefine((v, ctx) => {
    const why = httpUrlProblem(v);
    if (why !== undefined) ctx.addIssue({ code: "custom", message: why });
});
