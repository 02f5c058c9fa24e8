/**
 * The post-deploy gate's pure half: its defaults, the rules of its settings (one place, used by
 * the stack loader and the component), what re-runs it (triggers) and the environment its script
 * reads. No resource is created here; tests call these with plain values.
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { shortHash } from "../platform/hash";
import { absolutePath, problemOf } from "../platform/schemas";

/** The script the gate's command runs (bash + curl); its header documents every variable. */
export const GATE_SCRIPT_PATH = path.join(__dirname, "scripts", "post-deploy-gate.sh");

/** The script's text: the command passes it on stdin, so the provider's working directory does not matter. */
export const GATE_SCRIPT = fs.readFileSync(GATE_SCRIPT_PATH, "utf8");

/** Defaults of the gate's timing, in seconds. */
export const GATE_DEFAULTS = {
    /** How long all the checks together may take before the update counts as unhealthy. */
    budgetSeconds: 120,
    /** Pause between two attempts at a URL. */
    intervalSeconds: 5,
    /** Longest one attempt may take (never past the budget). */
    requestTimeoutSeconds: 10,
} as const;

/** Upper bound of the budget: an update that is not healthy within an hour is not going to be. */
export const MAX_BUDGET_SECONDS = 3600;

/** Why `value` is not an https origin such as "https://localhost:8443/", or undefined when it is one. */
export function gateBaseUrlProblem(value: string): string | undefined {
    let u: URL;
    try {
        u = new URL(value);
    } catch {
        return 'an https origin such as "https://localhost:8443/" (this value is not a URL)';
    }
    if (u.protocol !== "https:") return `an https origin such as "https://localhost:8443/" (this one uses ${u.protocol}; the edge serves its pages on https)`;
    if (u.username !== "" || u.password !== "") return 'an https origin such as "https://localhost:8443/" without a user or password';
    if ((u.pathname !== "/" && u.pathname !== "") || u.search !== "" || u.hash !== "") {
        return 'an https origin such as "https://localhost:8443/" (scheme, host and port only: the paths checked are the edge\'s own)';
    }
    return undefined;
}

/**
 * Where the gate connects: an https origin (scheme, host, port). The requests keep the public
 * name as Host and TLS SNI, so the certificate is checked against the domain, not this host.
 */
export const gateBaseUrl = z.string().superRefine((v, ctx) => {
    const why = gateBaseUrlProblem(v);
    if (why !== undefined) ctx.addIssue({ code: "custom", message: why });
});

/** A CA bundle on the machine running `pulumi up`: absolute, since the provider's working directory is not the project's. */
export const gateCaFile = absolutePath;

/** A whole number of seconds from 1 to `max`, with the message that says so. */
function wholeSeconds(max: number): z.ZodNumber {
    const error = `a whole number of seconds from 1 to ${max}`;
    return z.number({ error }).int({ error }).min(1, { error }).max(max, { error });
}

/** Whole seconds of the budget. */
export const gateBudgetSeconds = wholeSeconds(MAX_BUDGET_SECONDS);

/** Whole seconds between attempts, or of one attempt. */
export const gateIntervalSeconds = wholeSeconds(300);

/** The "host:port" of an https origin accepted by {@link gateBaseUrl} (port 443 when it has none), for curl --connect-to. */
export function connectTarget(baseUrl: string): string {
    const u = new URL(baseUrl);
    return `${u.hostname}:${u.port === "" ? "443" : u.port}`;
}

/** Resolved settings of the gate, every default applied. */
export interface GateSettings {
    /** URLs that must each answer 200, in order. */
    readonly urls: readonly string[];
    /** Seconds all the checks together may take. */
    readonly budgetSeconds: number;
    /** Seconds between attempts. */
    readonly intervalSeconds: number;
    /** Seconds one attempt may take. */
    readonly requestTimeoutSeconds: number;
    /** Where to connect instead of each URL's host ({@link gateBaseUrl}), if anywhere. */
    readonly baseUrl?: string;
    /** PEM certificate(s) to trust, if any. */
    readonly caCertificate?: string;
    /** Path of a PEM CA bundle to trust, if any. */
    readonly caFile?: string;
}

/** Problems of resolved settings (each names its field); empty when they are fine. */
export function gateSettingsProblems(s: Omit<GateSettings, "urls" | "caCertificate">): string[] {
    const problems: string[] = [];
    const check = (field: string, schema: z.ZodType, value: unknown): void => {
        if (value === undefined) return;
        const why = problemOf(schema, value);
        if (why !== undefined) problems.push(`${field} must be ${why}, got ${JSON.stringify(value)}`);
    };
    check("budgetSeconds", gateBudgetSeconds, s.budgetSeconds);
    check("intervalSeconds", gateIntervalSeconds, s.intervalSeconds);
    check("requestTimeoutSeconds", gateIntervalSeconds, s.requestTimeoutSeconds);
    check("baseUrl", gateBaseUrl, s.baseUrl);
    check("caFile", gateCaFile, s.caFile);
    if (problems.length === 0 && s.intervalSeconds > s.budgetSeconds) {
        problems.push(`intervalSeconds (${s.intervalSeconds}) must not exceed budgetSeconds (${s.budgetSeconds}), or the gate could try only once`);
    }
    return problems;
}

/**
 * The command's triggers: each image reference by workload, then a hash of the edge's rendered
 * config. A change of any of them replaces the command, which runs the gate again; nothing else
 * does (its settings changing runs it as an update). Sorted by workload, so the order never moves.
 */
export function gateTriggers(images: Readonly<Record<string, string>>, edgeConfig: string): string[] {
    return [
        ...Object.keys(images)
            .sort()
            .map((k) => `image:${k}=${images[k]}`),
        `edge-config:sha256:${shortHash(edgeConfig, 16)}`,
    ];
}

/** The script's environment for resolved settings (the variables its header documents). Pure. */
export function gateEnvironment(s: GateSettings): Record<string, string> {
    return {
        GATE_URLS: s.urls.join(" "),
        GATE_BUDGET_SECONDS: String(s.budgetSeconds),
        GATE_INTERVAL_SECONDS: String(s.intervalSeconds),
        GATE_REQUEST_TIMEOUT_SECONDS: String(Math.min(s.requestTimeoutSeconds, s.budgetSeconds)),
        ...(s.baseUrl !== undefined ? { GATE_CONNECT_TO: connectTarget(s.baseUrl) } : {}),
        ...(s.caCertificate !== undefined ? { GATE_CA_PEM: s.caCertificate } : {}),
        ...(s.caFile !== undefined ? { GATE_CA_FILE: s.caFile } : {}),
    };
}
