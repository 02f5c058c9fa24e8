/**
 * Runs the policy pack's rules outside the Pulumi engine (used by the offline plan and tests).
 *
 * It does what the engine and the pack's analyzer server do, with the same code: every resource
 * becomes a protobuf `AnalyzeRequest` (inputs as a `google.protobuf.Struct`, secrets still in
 * their envelope, unknowns as the engine's sentinels), handed to the Analyze handler that
 * `@pulumi/policy`'s server registers (`makeAnalyzeRpcFun`); the whole set becomes one
 * `AnalyzeStackRequest` for the AnalyzeStack handler (`makeAnalyzeStackRpcFun`). So secrets are
 * unwrapped, unknown values raise the SDK's UnknownValueError and become its "can't run policy …
 * during preview" advisory result, and enforcement levels are resolved exactly as under
 * `pulumi preview --policy-pack policy --policy-pack-config <file>`.
 *
 * Two differences from the engine, both forced by running without it: the pack config is
 * validated here against the rules' schemas (the CLI does that before starting the pack) and
 * handed to each rule's `getConfig`, because the server keeps its config in a private variable
 * only its gRPC `Configure` call sets; and AnalyzeStack receives the resources' inputs, because
 * an offline plan has no provider outputs.
 *
 * The analyzer's internals it drives sit behind ./sdk-analyzer.ts. This module must not import
 * ./index (constructing a PolicyPack starts a gRPC server).
 */
import * as fs from "fs";
import * as path from "path";
import type { EnforcementLevel, Policy, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { DEFAULT_SECRET_NAME_PATTERN } from "./labels";
import { PACK_ENFORCEMENT_LEVEL, PACK_NAME, policies } from "./policies";
import { isPlainObject } from "./objects";
import { TYPES } from "./resources";
import { type AnalyzerDiagnostic, makeAnalyzer, SECRET_SIG, SIG_KEY } from "./sdk-analyzer";

/** One resource as the offline plan saw it registered. */
export interface PlanResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly parent: string | null;
    readonly custom: boolean;
    /**
     * Inputs as the engine received them: secret values are still wrapped in Pulumi's secret
     * envelope `{ [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value }`.
     */
    readonly inputs: Record<string, unknown>;
    /** The resource's additionalSecretOutputs option, when the plan recorded it. Defaults to none. */
    readonly additionalSecretOutputs?: readonly string[];
    /** URNs of the resources it depends on, when the plan recorded them. Defaults to none. */
    readonly dependencies?: readonly string[];
    /** Input name → URNs that input depends on, when the plan recorded them. Defaults to none. */
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

/** One policy violation. */
export interface Violation {
    readonly policy: string;
    readonly level: "advisory" | "mandatory" | "remediate" | "disabled";
    readonly urn: string | null;
    readonly message: string;
}

/** Options for a run. */
export interface RunOptions {
    readonly project: string;
    readonly stack: string;
    /** Path of the pack config JSON (policy/config/<stack>.json). Defaults to the pack defaults. */
    readonly configFile?: string;
}

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** A rule's resolved pack config: its level and its properties (schema defaults filled in). */
export interface ResolvedPolicyConfig {
    /** Enforcement level. */
    readonly enforcementLevel: EnforcementLevel;
    /** Config properties with defaults. */
    readonly properties: Readonly<Record<string, unknown>>;
}

/** The pack's version, from policy/package.json (reported in "can't run during preview" results). */
export const PACK_VERSION: string = (JSON.parse(fs.readFileSync(path.join(__dirname, "package.json"), "utf8")) as { version: string }).version;

function schemaProblem(value: unknown, schema: PolicyConfigJSONSchema): string | undefined {
    const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
    const typeOk = (t: string): boolean =>
        t === "integer" ? Number.isInteger(value) : t === "array" ? Array.isArray(value) : t === "null" ? value === null : t === "object" ? isPlainObject(value) : typeof value === t;
    if (types.length > 0 && !types.some(typeOk)) return `must be of type ${types.join(" or ")}, got ${JSON.stringify(value)}`;
    if (typeof value === "number") {
        if (schema.minimum !== undefined && value < schema.minimum) return `must be at least ${schema.minimum}, got ${value}`;
        if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) return `must be more than ${schema.exclusiveMinimum}, got ${value}`;
        if (schema.maximum !== undefined && value > schema.maximum) return `must be at most ${schema.maximum}, got ${value}`;
    }
    if (typeof value === "string" && schema.minLength !== undefined && value.length < schema.minLength) return `must have at least ${schema.minLength} characters`;
    if (schema.enum !== undefined && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) return `must be one of ${JSON.stringify(schema.enum)}`;
    if (Array.isArray(value) && schema.items !== undefined && typeof schema.items === "object" && !Array.isArray(schema.items)) {
        for (const [i, item] of value.entries()) {
            const p = schemaProblem(item, schema.items);
            if (p) return `item ${i} ${p}`;
        }
    }
    return undefined;
}

/**
 * Reads and validates a pack config file (the `--policy-pack-config` format: policy name →
 * level, or → `{ enforcementLevel?, ...properties }`; "all" → level for every policy) and
 * resolves every policy's level and properties. Throws an Error naming the file, the key and
 * what is allowed.
 */
export function resolvePackConfig(configFile?: string): Map<string, ResolvedPolicyConfig> {
    let raw: Record<string, unknown> = {};
    if (configFile !== undefined) {
        let text: string;
        try {
            text = fs.readFileSync(configFile, "utf8");
        } catch (e) {
            throw new Error(`policy config ${configFile}: cannot read it (${(e as Error).message})`);
        }
        let parsed: unknown;
        try {
            parsed = JSON.parse(text);
        } catch (e) {
            throw new Error(`policy config ${configFile}: not valid JSON (${(e as Error).message})`);
        }
        if (!isPlainObject(parsed)) throw new Error(`policy config ${configFile}: must be a JSON object of policy name → level or settings`);
        raw = parsed;
    }
    const where = configFile ?? "(defaults)";
    const level = (v: unknown, key: string): EnforcementLevel => {
        if (typeof v === "string" && (LEVELS as readonly string[]).includes(v)) return v as EnforcementLevel;
        throw new Error(`policy config ${where}: "${key}" has enforcement level ${JSON.stringify(v)}; use one of ${LEVELS.join(", ")}`);
    };
    const names = policies.map((p) => p.name);
    for (const key of Object.keys(raw)) {
        if (key !== "all" && !names.includes(key)) {
            throw new Error(`policy config ${where}: unknown policy "${key}"; known policies: ${names.join(", ")}`);
        }
    }
    const all = raw.all === undefined ? undefined : level(raw.all, "all");
    const out = new Map<string, ResolvedPolicyConfig>();
    for (const p of policies) {
        const entry = raw[p.name];
        const schema = p.configSchema?.properties ?? {};
        const properties: Record<string, unknown> = {};
        for (const [k, s] of Object.entries(schema)) if (s.default !== undefined) properties[k] = s.default;
        let configured: EnforcementLevel | undefined;
        if (typeof entry === "string") {
            configured = level(entry, p.name);
        } else if (isPlainObject(entry)) {
            for (const [k, v] of Object.entries(entry)) {
                if (k === "enforcementLevel") {
                    configured = level(v, p.name);
                    continue;
                }
                const s = schema[k];
                if (!s) {
                    throw new Error(`policy config ${where}: "${p.name}" has no setting "${k}"; its settings: ${Object.keys(schema).join(", ") || "none"}`);
                }
                const problem = schemaProblem(v, s);
                if (problem) throw new Error(`policy config ${where}: "${p.name}.${k}" ${problem}`);
                properties[k] = v;
            }
        } else if (entry !== undefined) {
            throw new Error(`policy config ${where}: "${p.name}" must be a level or an object, got ${JSON.stringify(entry)}`);
        }
        for (const req of p.configSchema?.required ?? []) {
            if (properties[req] === undefined) throw new Error(`policy config ${where}: "${p.name}" needs "${req}"`);
        }
        out.set(p.name, { enforcementLevel: configured ?? all ?? p.enforcementLevel ?? PACK_ENFORCEMENT_LEVEL, properties });
    }
    return out;
}

/**
 * The pack's policies with each one's level set and its `getConfig` answering the resolved
 * properties (what the server's Configure call would have stored).
 */
function configuredPolicies(config: Map<string, ResolvedPolicyConfig>): (ResourceValidationPolicy | StackValidationPolicy)[] {
    return policies.map((p) => {
        const c = config.get(p.name)!;
        const getConfig = <T extends object>(): T => ({ ...c.properties }) as T;
        const base: Policy = { ...p, enforcementLevel: c.enforcementLevel };
        if ("validateStack" in p && typeof p.validateStack === "function") {
            const validateStack = p.validateStack;
            return { ...base, validateStack: (args, report) => validateStack({ ...args, getConfig }, report) } as StackValidationPolicy;
        }
        const rp = p as ResourceValidationPolicy;
        const validations = rp.validateResource === undefined ? [] : Array.isArray(rp.validateResource) ? rp.validateResource : [rp.validateResource];
        return {
            ...base,
            validateResource: validations.map((v) => {
                const wrapped: typeof v = (args, report) => v({ ...args, getConfig }, report);
                // Keep the type tag validateResourceOfType attaches, which the server uses to skip other types.
                const tag = (v as unknown as { __pulumiType?: string }).__pulumiType;
                if (tag !== undefined) (wrapped as unknown as { __pulumiType?: string }).__pulumiType = tag;
                return wrapped;
            }),
        } as ResourceValidationPolicy;
    });
}

function toViolations(diagnostics: readonly AnalyzerDiagnostic[], fallbackUrn: string | null): Violation[] {
    return diagnostics.map((d) => {
        let message = d.message;
        // The server prefixes the rule's description; the rule's own message is what says what to change.
        if (d.description && message.startsWith(`${d.description}\n`)) message = message.slice(d.description.length + 1);
        return { policy: d.policy, level: d.level, urn: d.urn || fallbackUrn, message };
    });
}

/** Evaluates every resource and stack policy of the pack. */
export async function runPolicyPack(resources: readonly PlanResource[], opts: RunOptions): Promise<Violation[]> {
    const analyzer = makeAnalyzer(PACK_NAME, PACK_VERSION, PACK_ENFORCEMENT_LEVEL, configuredPolicies(resolvePackConfig(opts.configFile)));
    const violations: Violation[] = [];
    for (const r of resources) violations.push(...toViolations(await analyzer.analyze(r), r.urn));
    violations.push(...toViolations(await analyzer.analyzeStack(resources), null));
    return violations;
}

function isSecretEnvelope(v: unknown): boolean {
    return isPlainObject(v) && v[SIG_KEY] === SECRET_SIG;
}

function unwrap(v: unknown): unknown {
    return isSecretEnvelope(v) ? (v as Record<string, unknown>).value : v;
}

/**
 * A plan-only check no policy can make (the analyzer unwraps secrets before policies see them):
 * the values the plan recorded still carry their secret envelopes, so this verifies that every
 * secret-named docker env entry, and every Kubernetes Secret's data/stringData, is a Pulumi
 * secret. Reported under `no-plaintext-secret-env` at that rule's configured level, each message
 * starting "[plan]". Names and levels come from the same pack config as {@link runPolicyPack}.
 */
export function secretEnvelopeFindings(resources: readonly PlanResource[], opts: RunOptions): Violation[] {
    const c = resolvePackConfig(opts.configFile).get("no-plaintext-secret-env")!;
    if (c.enforcementLevel === "disabled") return [];
    const pattern = new RegExp(String(c.properties.namePattern ?? DEFAULT_SECRET_NAME_PATTERN), "i");
    const allowed = new Set((c.properties.allowedNames as string[] | undefined) ?? []);
    const out: Violation[] = [];
    const push = (urn: string, message: string): void => void out.push({ policy: "no-plaintext-secret-env", level: c.enforcementLevel, urn, message: `[plan] ${message}` });
    for (const r of resources) {
        if (r.type === TYPES.container) {
            const envs = r.inputs.envs;
            if (isSecretEnvelope(envs) || !Array.isArray(envs)) continue;
            for (const entry of envs) {
                if (isSecretEnvelope(entry)) continue;
                const name = String(entry).split("=")[0];
                if (!allowed.has(name) && pattern.test(name) && !/_FILE=\//i.test(String(entry))) {
                    push(r.urn, `env ${name} of container "${r.name}" is not a Pulumi secret; pass it through the spec's secretEnv`);
                }
            }
        } else if (r.type === "kubernetes:core/v1:Secret") {
            for (const field of ["data", "stringData"]) {
                const map = r.inputs[field];
                if (map === undefined || isSecretEnvelope(map) || !isPlainObject(map)) continue;
                const plain = Object.keys(map).filter((k) => !isSecretEnvelope(map[k]) && unwrap(map[k]) !== undefined);
                if (plain.length > 0) push(r.urn, `Secret "${r.name}" ${field} key(s) ${plain.join(", ")} are not Pulumi secrets; wrap the values with pulumi.secret`);
            }
        }
    }
    return out;
}
