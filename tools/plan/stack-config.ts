/**
 * Reads a project's Pulumi.yaml and a stack's Pulumi.<stack>.yaml the way the Pulumi CLI hands
 * them to a program: every value a string (structured values as JSON), `secure:` values marked
 * secret. The offline plan has no passphrase or KMS key, so each secure value becomes an opaque
 * random placeholder that is obviously not a real secret (fresh per run, or derived from the
 * plan's seed and the key when the plan is seeded).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";

import { PlanRandom } from "./random";
import { isPlainObject } from "./secrets";

/** A problem with the project or stack files (exit status 2, printed without a stack trace). */
export class PlanConfigError extends Error {
    /** Named like the program's own config errors so the CLI reports both the same way. */
    override readonly name = "ConfigError";
}

/** The config a program run gets, in the CLI's form. */
export interface LoadedStackConfig {
    /** Project name from Pulumi.yaml. */
    readonly project: string;
    /** Directory of Pulumi.yaml (the program's working directory). */
    readonly projectDir: string;
    /** Absolute path of the stack config file that was read. */
    readonly stackFile: string;
    /** `main` from Pulumi.yaml, when set. */
    readonly main?: string;
    /** Full key (`namespace:key`) → value as the CLI passes it (strings; structured values as JSON). */
    readonly config: Readonly<Record<string, string>>;
    /** Full keys whose values are secret. Sorted. */
    readonly secretKeys: readonly string[];
    /** Every placeholder put in place of a `secure:` value (so tests can prove none leaks). */
    readonly placeholders: readonly string[];
    /** Problems the Pulumi CLI may refuse but the plan tolerates (shown as notes). */
    readonly warnings: readonly string[];
}

/** Options of {@link loadStackConfig}. */
export interface LoadStackConfigOptions {
    /** Directory holding Pulumi.yaml. */
    readonly projectDir: string;
    /** Stack name. */
    readonly stack: string;
    /** Stack config file to read instead of `<projectDir>/Pulumi.<stack>.yaml`. Defaults to that file. */
    readonly configFile?: string;
    /** Makes the placeholder of a secure value. Defaults to {@link securePlaceholder}. */
    readonly placeholder?: (key: string) => string;
}

type Declared = "string" | "integer" | "boolean" | "array" | "object";

interface Declaration {
    readonly type?: Declared;
    readonly value?: unknown;
    readonly secret?: boolean;
}

const DECLARATION_KEYS = new Set(["type", "description", "default", "value", "secret", "items"]);

/**
 * A placeholder for the secure value of `key`: a random marker (`offline-plan-placeholder-<hex>`),
 * shaped as a PEM block when the key names a certificate or private key, and as an https URL on
 * the reserved `.invalid` domain when it names a URL, so that programs that check the shape still run.
 * The marker comes from `random` labelled by `key` (fresh randomness by default).
 */
export function securePlaceholder(key: string, random: PlanRandom = new PlanRandom()): string {
    const marker = `offline-plan-placeholder-${random.bytes(`secure:${key}`, 12).toString("hex")}`;
    const leaf = key.split(/[:.]/).pop() ?? key;
    if (/(cert|crt|pem)/i.test(leaf) && !/key/i.test(leaf)) return pem("CERTIFICATE", marker);
    if (/(tls|ssl|private).*key|^key$|pem/i.test(leaf)) return pem("PRIVATE KEY", marker);
    if (/(url|uri|webhook)$/i.test(leaf)) return `https://${marker}.invalid/`;
    return marker;
}

function pem(label: string, marker: string): string {
    return `-----BEGIN ${label}-----\n${Buffer.from(marker).toString("base64")}\n-----END ${label}-----\n`;
}

/** The base64 bodies of PEM blocks in `s` and their decoded text (so leak checks look for every form). */
function pemBodies(s: string): string[] {
    const out: string[] = [];
    for (const m of s.matchAll(/-----BEGIN [A-Z ]+-----\n([A-Za-z0-9+/=\n]+?)\n-----END/g)) {
        out.push(m[1], Buffer.from(m[1], "base64").toString("utf8"));
    }
    return out;
}

function readYaml(file: string, what: string, hint: string): unknown {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch {
        throw new PlanConfigError(`${what} not found: ${hint}`);
    }
    try {
        return YAML.parse(text) ?? {};
    } catch (e) {
        throw new PlanConfigError(`${file} is not valid YAML: ${(e as Error).message}`);
    }
}

function fullKey(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

function parseDeclaration(value: unknown): Declaration {
    if (isPlainObject(value) && Object.keys(value).length > 0 && Object.keys(value).every((k) => DECLARATION_KEYS.has(k))) {
        return {
            type: typeof value.type === "string" ? (value.type as Declared) : undefined,
            value: "value" in value ? value.value : value.default,
            secret: value.secret === true,
        };
    }
    return { value };
}

function checkType(file: string, key: string, type: Declared | undefined, v: unknown): void {
    if (type === undefined || v === undefined) return;
    const ok =
        type === "string"
            ? typeof v === "string"
            : type === "integer"
              ? (typeof v === "number" && Number.isInteger(v)) || (typeof v === "string" && /^-?\d+$/.test(v))
              : type === "boolean"
                ? typeof v === "boolean" || v === "true" || v === "false"
                : type === "array"
                  ? Array.isArray(v)
                  : isPlainObject(v);
    if (!ok) {
        throw new PlanConfigError(`${file}: ${key} must be of type ${type} (declared in Pulumi.yaml), got ${JSON.stringify(v)}`);
    }
}

/** Replaces `{ secure: ... }` values (at any depth) by placeholders; reports whether any was found. */
function resolveSecure(key: string, v: unknown, placeholder: (key: string) => string, found: string[], at: string = key): unknown {
    if (isPlainObject(v) && Object.keys(v).length === 1 && typeof v.secure === "string") {
        const p = placeholder(at);
        found.push(p, ...pemBodies(p));
        return p;
    }
    if (Array.isArray(v)) return v.map((x, i) => resolveSecure(key, x, placeholder, found, `${at}[${i}]`));
    if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolveSecure(key, x, placeholder, found, `${at}.${k}`)]));
    return v;
}

function asCliString(v: unknown): string {
    return typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : JSON.stringify(v);
}

/**
 * Loads the project and stack config. Throws {@link PlanConfigError} naming the file and key on
 * a missing file, bad YAML, a value of the wrong declared type or a declared key with no value.
 */
export function loadStackConfig(opts: LoadStackConfigOptions): LoadedStackConfig {
    const projectDir = path.resolve(opts.projectDir);
    const projectFile = path.join(projectDir, "Pulumi.yaml");
    const proj = readYaml(projectFile, `project file ${projectFile}`, "pass --program PATH of a program that has a Pulumi.yaml beside it");
    if (!isPlainObject(proj) || typeof proj.name !== "string" || proj.name === "") {
        throw new PlanConfigError(`${projectFile} needs a "name"`);
    }
    const project = proj.name;
    const stackFile = path.resolve(opts.configFile ?? path.join(projectDir, `Pulumi.${opts.stack}.yaml`));
    const stackDoc = readYaml(stackFile, `stack config file ${stackFile} (stack "${opts.stack}")`, "create it or pass --config FILE");
    if (!isPlainObject(stackDoc)) throw new PlanConfigError(`${stackFile} must be a YAML mapping with a "config:" key`);
    const stackConfig = stackDoc.config ?? {};
    if (!isPlainObject(stackConfig)) throw new PlanConfigError(`${stackFile}: "config" must be a mapping of keys to values`);

    const placeholder = opts.placeholder ?? securePlaceholder;
    const declarations = new Map<string, Declaration>();
    const projConfig = proj.config ?? {};
    if (!isPlainObject(projConfig)) throw new PlanConfigError(`${projectFile}: "config" must be a mapping`);
    for (const [k, v] of Object.entries(projConfig)) declarations.set(fullKey(project, k), parseDeclaration(v));

    const values = new Map<string, unknown>();
    const secret = new Set<string>();
    const placeholders: string[] = [];
    for (const [k, d] of declarations) {
        if (d.value !== undefined) values.set(k, d.value);
    }
    for (const [k, raw] of Object.entries(stackConfig)) {
        const key = fullKey(project, k);
        const found: string[] = [];
        const v = resolveSecure(key, raw, placeholder, found);
        checkType(path.basename(stackFile), key, declarations.get(key)?.type, found.length > 0 && typeof v === "string" ? undefined : v);
        if (found.length > 0) secret.add(key);
        placeholders.push(...found);
        values.set(key, v);
    }
    const missing: string[] = [];
    const warnings: string[] = [];
    for (const [k, d] of declarations) {
        if (!values.has(k)) missing.push(k);
        if (d.secret && values.has(k) && !secret.has(k)) {
            warnings.push(`${k} is declared secret in Pulumi.yaml but ${path.basename(stackFile)} sets it in plaintext: the Pulumi CLI refuses that; set it with \`pulumi config set --secret\``);
        }
        if (d.secret) secret.add(k);
    }
    if (missing.length > 0) {
        warnings.unshift(
            `${path.basename(stackFile)} sets no value for ${missing.join(", ")}, declared in Pulumi.yaml without a default: ` +
                `the Pulumi CLI refuses such a stack ("Stack '${opts.stack}' is missing configuration values ..."); give each a default or a value`,
        );
    }
    const config: Record<string, string> = {};
    for (const k of [...values.keys()].sort()) {
        const v = values.get(k);
        if (v !== undefined && v !== null) config[k] = asCliString(v);
    }
    return {
        project,
        projectDir,
        stackFile,
        main: typeof proj.main === "string" ? proj.main : undefined,
        config,
        secretKeys: [...secret].sort(),
        placeholders,
        warnings,
    };
}
