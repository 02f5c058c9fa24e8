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
 * This module must not import ./index (constructing a PolicyPack starts a gRPC server).
 */
import * as fs from "fs";
import * as path from "path";
import type { EnforcementLevel, Policy, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import * as analyzerproto from "@pulumi/pulumi/proto/analyzer_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { DEFAULT_SECRET_NAME_PATTERN } from "./labels";
import { PACK_ENFORCEMENT_LEVEL, PACK_NAME, policies } from "./policies";
import { TYPES } from "./resources";

/** One resource as the offline plan saw it registered. */
export interface PlanResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly parent: string | null;
    readonly custom: boolean;
    /**
     * Inputs as the engine received them: secret values are still wrapped in Pulumi's secret
     * envelope `{ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value }`.
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
        t === "integer" ? Number.isInteger(value) : t === "array" ? Array.isArray(value) : t === "null" ? value === null : t === "object" ? obj(value) : typeof value === t;
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

function obj(v: unknown): v is Record<string, unknown> {
    return v !== null && typeof v === "object" && !Array.isArray(v);
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
        if (!obj(parsed)) throw new Error(`policy config ${configFile}: must be a JSON object of policy name → level or settings`);
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
        } else if (obj(entry)) {
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

/** JSON-safe copy for Struct.fromJavaScript: drops undefined fields, turns undefined items into null. */
function toStructValue(v: unknown): unknown {
    if (v === undefined) return undefined;
    if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
    if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : toStructValue(x)));
    if (typeof v === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
            const y = toStructValue(x);
            if (y !== undefined) out[k] = y;
        }
        return out;
    }
    throw new Error(`cannot pass a ${typeof v} to the analyzer`);
}

function toStruct(inputs: Record<string, unknown>): Struct {
    return Struct.fromJavaScript(toStructValue(inputs) as Parameters<typeof Struct.fromJavaScript>[0]);
}

function resourceOptions(r: PlanResource): analyzerproto.AnalyzerResourceOptions {
    const o = new analyzerproto.AnalyzerResourceOptions();
    o.setProtect(false);
    o.setIgnorechangesList([]);
    o.setAliasesList([]);
    o.setAdditionalsecretoutputsList([...(r.additionalSecretOutputs ?? [])]);
    if (r.parent) o.setParent(r.parent);
    return o;
}

/** The analyzer server's handlers, as @pulumi/policy's serve() registers them (internal module). */
interface ServerModule {
    makeAnalyzeRpcFun(name: string, version: string, level: EnforcementLevel, policies: unknown[]): Handler;
    makeAnalyzeStackRpcFun(name: string, version: string, level: EnforcementLevel, policies: unknown[]): Handler;
}
type Handler = (call: { request: unknown }, callback: (err: unknown, resp?: analyzerproto.AnalyzeResponse) => void) => Promise<void>;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const server = require("@pulumi/policy/server") as ServerModule;

function invoke(handler: Handler, request: unknown): Promise<analyzerproto.AnalyzeResponse> {
    return new Promise((resolve, reject) => {
        handler({ request }, (err, resp) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(resp!))).catch(reject);
    });
}

function levelName(l: analyzerproto.EnforcementLevel): Violation["level"] {
    switch (l) {
        case analyzerproto.EnforcementLevel.MANDATORY:
            return "mandatory";
        case analyzerproto.EnforcementLevel.REMEDIATE:
            return "remediate";
        case analyzerproto.EnforcementLevel.DISABLED:
            return "disabled";
        default:
            return "advisory";
    }
}

function toViolations(resp: analyzerproto.AnalyzeResponse, fallbackUrn: string | null): Violation[] {
    return resp.getDiagnosticsList().map((d) => {
        const description = d.getDescription();
        let message = d.getMessage();
        // The server prefixes the rule's description; the rule's own message is what says what to change.
        if (description && message.startsWith(`${description}\n`)) message = message.slice(description.length + 1);
        return { policy: d.getPolicyname(), level: levelName(d.getEnforcementlevel()), urn: d.getUrn() || fallbackUrn, message };
    });
}

/** Evaluates every resource and stack policy of the pack. */
export async function runPolicyPack(resources: readonly PlanResource[], opts: RunOptions): Promise<Violation[]> {
    const config = resolvePackConfig(opts.configFile);
    const configured = configuredPolicies(config);
    const analyze = server.makeAnalyzeRpcFun(PACK_NAME, PACK_VERSION, PACK_ENFORCEMENT_LEVEL, configured);
    const analyzeStack = server.makeAnalyzeStackRpcFun(PACK_NAME, PACK_VERSION, PACK_ENFORCEMENT_LEVEL, configured);

    const violations: Violation[] = [];
    for (const r of resources) {
        const req = new analyzerproto.AnalyzeRequest();
        req.setType(r.type);
        req.setUrn(r.urn);
        req.setName(r.name);
        req.setProperties(toStruct(r.inputs));
        req.setOptions(resourceOptions(r));
        violations.push(...toViolations(await invoke(analyze, req), r.urn));
    }

    const stackReq = new analyzerproto.AnalyzeStackRequest();
    stackReq.setResourcesList(
        resources.map((r) => {
            const a = new analyzerproto.AnalyzerResource();
            a.setType(r.type);
            a.setUrn(r.urn);
            a.setName(r.name);
            a.setProperties(toStruct(r.inputs));
            a.setOptions(resourceOptions(r));
            if (r.parent) a.setParent(r.parent);
            a.setDependenciesList([...(r.dependencies ?? [])]);
            const deps = a.getPropertydependenciesMap();
            for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
                const d = new analyzerproto.AnalyzerPropertyDependencies();
                d.setUrnsList([...urns]);
                deps.set(k, d);
            }
            return a;
        }),
    );
    violations.push(...toViolations(await invoke(analyzeStack, stackReq), null));
    return violations;
}

const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

function isSecretEnvelope(v: unknown): boolean {
    return obj(v) && v[SECRET_SIG_KEY] === SECRET_SIG;
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
                if (map === undefined || isSecretEnvelope(map) || !obj(map)) continue;
                const plain = Object.keys(map).filter((k) => !isSecretEnvelope(map[k]) && unwrap(map[k]) !== undefined);
                if (plain.length > 0) push(r.urn, `Secret "${r.name}" ${field} key(s) ${plain.join(", ")} are not Pulumi secrets; wrap the values with pulumi.secret`);
            }
        }
    }
    return out;
}
