/**
 * The stack config loader: merges the stack file over the environment's defaults, validates the
 * result with the schema and the cross-field rules, and returns one typed {@link StackConfig}.
 * Every error names the key, the bad value and what is allowed.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { DEFAULTS } from "./defaults";
import { isPlainObject } from "./objects";
import { isMutableImageRef, parseImageRef } from "./images";
import { IMAGE_KEYS, PROJECT_IMAGE_KEYS, SECRET_KEYS, SecretKey, stackConfigSchema, StructuredConfig } from "./schema";

/** The Pulumi config namespace (the project name). */
export const NAMESPACE = "pro-team-care";

/** A bad stack config value. The message names the key, the value and what is allowed. */
export class ConfigError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ConfigError";
    }
}

/** The validated stack config: structured values plus the secrets that were set. */
export interface StackConfig extends StructuredConfig {
    /** Secret values that the stack set (each a secret Output); absent ones are generated or unused. */
    readonly secrets: Partial<Record<SecretKey, pulumi.Output<string>>>;
}

/** Raw config as read from the stack: key → parsed value (objects for structured keys). */
export type RawConfig = Record<string, unknown>;

/** Keys of the structured config, i.e. the top-level keys Pulumi.yaml declares besides the secrets. */
export const STRUCTURED_KEYS = Object.keys(stackConfigSchema.shape) as (keyof StructuredConfig)[];

/** Deep-merges `over` onto `base` (objects merge key by key; anything else replaces). */
export function deepMerge(base: unknown, over: unknown): unknown {
    if (isPlainObject(base) && isPlainObject(over)) {
        const out: Record<string, unknown> = { ...base };
        for (const [k, v] of Object.entries(over)) out[k] = k in base ? deepMerge(base[k], v) : v;
        return out;
    }
    return over === undefined ? base : over;
}

function valueAt(obj: unknown, path: readonly PropertyKey[]): unknown {
    let cur: unknown = obj;
    for (const p of path) {
        if (!isPlainObject(cur) && !Array.isArray(cur)) return undefined;
        cur = (cur as Record<PropertyKey, unknown>)[p];
    }
    return cur;
}

/** True for the images this repository builds ({@link PROJECT_IMAGE_KEYS}). */
function isProjectImageKey(key: string): boolean {
    return (PROJECT_IMAGE_KEYS as readonly string[]).includes(key);
}

function show(v: unknown): string {
    if (v === undefined) return "nothing";
    const s = JSON.stringify(v);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** The keys a (strict) object schema allows at `path` of the stack schema, or undefined. */
function shapeAt(path: readonly PropertyKey[]): Record<string, unknown> | undefined {
    let schema: unknown = stackConfigSchema;
    for (const p of path) {
        const shape = (schema as { shape?: Record<PropertyKey, unknown> }).shape;
        if (!shape) return undefined;
        schema = shape[p];
    }
    return (schema as { shape?: Record<string, unknown> } | undefined)?.shape;
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
    const key = `${NAMESPACE}:${issue.path.map(String).join(".")}`;
    if (issue.code === "unrecognized_keys") {
        const parent = issue.path.length ? `${NAMESPACE}:${issue.path.map(String).join(".")}` : NAMESPACE;
        const allowed = Object.keys(shapeAt(issue.path) ?? {});
        return `${parent}: unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}${allowed.length ? `; allowed keys: ${allowed.join(", ")}` : ""}`;
    }
    const value = valueAt(input, issue.path);
    let allowed = issue.message;
    if (issue.code === "invalid_value") allowed = `one of ${issue.values.map((x) => JSON.stringify(x)).join(", ")}`;
    if (issue.code === "invalid_type") allowed = `a ${issue.expected}`;
    if (issue.code === "too_small") allowed = `at least ${String(issue.minimum)}`;
    if (issue.code === "too_big") allowed = `at most ${String(issue.maximum)}`;
    return `${key}: got ${show(value)}; expected ${allowed}`;
}

/**
 * Validates raw structured config for a stack into {@link StructuredConfig}. Pure: tests call it
 * with plain objects. Throws {@link ConfigError} listing every problem.
 */
export function parseStructuredConfig(raw: RawConfig): StructuredConfig {
    const env = raw.environment ?? "dev";
    if (env !== "dev" && env !== "prod") {
        throw new ConfigError(`${NAMESPACE}:environment: got ${show(env)}; expected one of "dev", "prod"`);
    }
    const merged = deepMerge({ ...DEFAULTS[env], environment: env }, raw);
    const result = stackConfigSchema.safeParse(merged);
    if (!result.success) {
        throw new ConfigError(
            `invalid stack config:\n${result.error.issues.map((i) => `  - ${describeIssue(i, merged)}`).join("\n")}`,
        );
    }
    const cfg = result.data;
    const problems: string[] = [];
    for (const key of IMAGE_KEYS) {
        const ref = cfg.images[key];
        try {
            parseImageRef(ref);
        } catch (e) {
            problems.push(`${NAMESPACE}:images.${key}: ${(e as Error).message}; expected an image reference such as "repo/name:1.2.3" or "repo/name@sha256:…"`);
            continue;
        }
        if (cfg.environment === "prod" && isMutableImageRef(ref)) {
            problems.push(
                `${NAMESPACE}:images.${key}: got "${ref}"; prod refuses mutable image references (":latest" or no tag): pin a version tag or a digest`,
            );
        } else if (cfg.environment === "prod" && isProjectImageKey(key) && parseImageRef(ref).digest === undefined) {
            problems.push(
                `${NAMESPACE}:images.${key}: got "${ref}"; prod references the project's own images by digest: set it to the ` +
                    `"repository:tag@sha256:…" reference the images workflow prints in its job summary`,
            );
        }
    }
    if (cfg.docker.httpPort === cfg.docker.httpsPort) {
        problems.push(`${NAMESPACE}:docker.httpsPort: got ${cfg.docker.httpsPort}, the same as docker.httpPort; expected two different host ports`);
    }
    if (cfg.environment === "prod" && cfg.platform === "kubernetes") {
        for (const k of ["api", "web", "edge"] as const) {
            if (cfg.replicas[k] < 2) {
                problems.push(`${NAMESPACE}:replicas.${k}: got ${cfg.replicas[k]}; prod on kubernetes needs at least 2 replicas so a node loss or a rollout never takes the service down`);
            }
        }
    }
    if (cfg.backup.objectLock !== "off") {
        const days = cfg.backup.objectLockDays;
        if (days === undefined) {
            problems.push(`${NAMESPACE}:backup.objectLockDays: got nothing; expected a number of days ≤ backup.retentionDays (${cfg.backup.retentionDays}) when backup.objectLock is ${cfg.backup.objectLock}`);
        } else if (days > cfg.backup.retentionDays) {
            problems.push(`${NAMESPACE}:backup.objectLockDays: got ${days}; expected at most backup.retentionDays (${cfg.backup.retentionDays}), or the lifecycle could never expire locked backups`);
        }
        if (cfg.backup.bucket !== "aws") {
            problems.push(`${NAMESPACE}:backup.objectLock: got "${cfg.backup.objectLock}"; Object Lock needs backup.bucket "aws" (got "${cfg.backup.bucket}")`);
        }
    }
    if (cfg.environment === "prod" && cfg.backup.bucket !== "aws") {
        problems.push(`${NAMESPACE}:backup.bucket: got "${cfg.backup.bucket}"; prod keeps its backups off the cluster: expected "aws"`);
    }
    if (cfg.monitoring.rpoSeconds < 60 * 5) {
        problems.push(`${NAMESPACE}:monitoring.rpoSeconds: got ${cfg.monitoring.rpoSeconds}; expected at least 300`);
    }
    if (cfg.deploy.gate.intervalSeconds > cfg.deploy.gate.budgetSeconds) {
        problems.push(
            `${NAMESPACE}:deploy.gate.intervalSeconds: got ${cfg.deploy.gate.intervalSeconds}; expected at most deploy.gate.budgetSeconds (${cfg.deploy.gate.budgetSeconds}), or the gate could try only once`,
        );
    }
    if (problems.length > 0) {
        throw new ConfigError(`invalid stack config:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    }
    return cfg;
}

/**
 * Reads the stack's config with `pulumi.Config`, validates it and returns the {@link StackConfig}.
 * Unknown top-level keys in the `pro-team-care` namespace are refused (a typo must not be ignored).
 */
export function loadStackConfig(): StackConfig {
    const config = new pulumi.Config(NAMESPACE);
    const raw: RawConfig = {};
    for (const key of STRUCTURED_KEYS) {
        let value: unknown;
        try {
            value = config.getObject<unknown>(key);
        } catch {
            // Not JSON: a plain string value (platform, environment, domain).
            value = config.get(key);
        }
        // Pulumi.yaml declares every key with an empty default ("" or {}): empty means not set.
        if (value !== undefined && value !== "") raw[key] = value;
    }
    const misspelt = misspeltNamespaceKeys(Object.keys(pulumi.runtime.allConfig()));
    if (misspelt.length > 0) {
        throw new ConfigError(
            `invalid stack config:\n  - ${misspelt
                .map((k) => `${k}: the namespace "${k.split(":")[0]}" is not this project's; rename the key to ${NAMESPACE}:${k.slice(k.indexOf(":") + 1)}`)
                .join("\n  - ")}`,
        );
    }
    const known = new Set<string>([...STRUCTURED_KEYS, ...SECRET_KEYS]);
    const unknown = configuredKeys().filter((k) => !known.has(k));
    if (unknown.length > 0) {
        throw new ConfigError(
            `invalid stack config:\n  - ${unknown.map((k) => `${NAMESPACE}:${k}: unknown key`).join("\n  - ")}; allowed keys: ${[...known].sort().join(", ")}`,
        );
    }
    const cfg = parseStructuredConfig(raw);
    const secrets: Partial<Record<SecretKey, pulumi.Output<string>>> = {};
    const rawAll = pulumi.runtime.allConfig();
    for (const key of SECRET_KEYS) {
        // Whether a secret is set is not itself secret; its value never leaves the Output.
        if ((rawAll[`${NAMESPACE}:${key}`] ?? "") !== "") secrets[key] = config.requireSecret(key);
    }
    if (cfg.monitoring.requireSlack && !secrets.alertSlackWebhookUrl) {
        throw new ConfigError(
            `invalid stack config:\n  - ${NAMESPACE}:alertSlackWebhookUrl: got nothing; this stack pages people (monitoring.requireSlack is true): set it with \`pulumi config set --secret alertSlackWebhookUrl https://hooks.slack.com/...\``,
        );
    }
    if (!cfg.edge.tlsCertificate !== !secrets.tlsPrivateKey) {
        throw new ConfigError(
            `invalid stack config:\n  - ${NAMESPACE}:${cfg.edge.tlsCertificate ? "tlsPrivateKey" : "edge.tlsCertificate"}: got nothing; a TLS certificate and its private key come together (or neither, for a self-signed pair in dev)`,
        );
    }
    if (cfg.environment === "prod" && !cfg.edge.tlsCertificate) {
        throw new ConfigError(
            `invalid stack config:\n  - ${NAMESPACE}:edge.tlsCertificate: got nothing; prod serves a real certificate: set edge.tlsCertificate (PEM) and the secret tlsPrivateKey`,
        );
    }
    return { ...cfg, secrets };
}

/**
 * Config keys whose namespace is a misspelling of the project's ("proteamcare:backup",
 * "pro_team_care:replicas", "Pro-Team-Care:domain"): Pulumi passes any namespace through (providers
 * read their own, such as aws:region), so without this check such a block would be silently ignored
 * and the stack would run on defaults. A namespace counts as misspelt when it differs from
 * {@link NAMESPACE} but equals it once case and every character but letters and digits are dropped.
 */
export function misspeltNamespaceKeys(keys: readonly string[]): string[] {
    const fold = (ns: string): string => ns.toLowerCase().replace(/[^a-z0-9]/g, "");
    return keys
        .filter((k) => {
            const i = k.indexOf(":");
            if (i <= 0) return false;
            const ns = k.slice(0, i);
            return ns !== NAMESPACE && fold(ns) === fold(NAMESPACE);
        })
        .sort();
}

/** Top-level keys set in this stack's `pro-team-care` namespace. */
function configuredKeys(): string[] {
    const all = pulumi.runtime.allConfig();
    return Object.keys(all)
        .filter((k) => k.startsWith(`${NAMESPACE}:`))
        .map((k) => k.slice(NAMESPACE.length + 1));
}
