/**
 * The offline plan: runs the real Pulumi program under the Node SDK's mock runtime with a stack's
 * own config file, records every resource registration as the engine would receive it, and runs
 * the policy pack over the result. No CLI, engine, provider plugin or cloud account is involved.
 *
 * The Pulumi runtime is process-global state: {@link runPlan} runs once per process. Callers
 * that need several plans (tests, tools) spawn the CLI ({@link planInChildProcess}).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";

import { type PlanResource, runPolicyPack, secretEnvelopeFindings, type Violation } from "../../policy/runner";
import { PlanMocks } from "./mocks";
import { PlanRandom } from "./random";
import { type ResourceOptionsRecord, tapMockMonitor, waitForRPCs } from "./sdk-monitor";
import { isPlainObject, normalizeWire, redact } from "./secrets";
import { loadStackConfig, PlanConfigError, securePlaceholder } from "./stack-config";

/** The repository root (where Pulumi.yaml, index.ts and policy/ live). */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** Options of one plan. */
export interface PlanOptions {
    /** Stack name (selects Pulumi.<stack>.yaml and policy/config/<stack>.json). */
    readonly stack: string;
    /** The program's entry file. Defaults to Pulumi.yaml's `main`, else index.ts, in the project directory. */
    readonly program?: string;
    /**
     * Directory holding Pulumi.yaml. Defaults to the program's directory when it has a Pulumi.yaml,
     * else the repository root.
     */
    readonly projectDir?: string;
    /** Stack config file. Defaults to `<projectDir>/Pulumi.<stack>.yaml`. */
    readonly configFile?: string;
    /** Policy pack config. Defaults to `policy/config/<stack>.json` when it exists, else the pack's defaults. */
    readonly policyConfigFile?: string;
    /**
     * Seed (see {@link parseSeed}) every mock secret, id and secure-config placeholder derives
     * from, so that two plans of the same program give identical results. Defaults to fresh randomness.
     */
    readonly seed?: string;
}

/**
 * A resource as recorded (with the options the policy pack reads: additionalSecretOutputs,
 * dependencies), plus the mock's output state (used to render artifacts, never in the JSON).
 */
export interface RecordedResource extends PlanResource {
    /** Output state the mock returned (secrets as envelopes). */
    readonly state: Record<string, unknown>;
    /** Replacement and deletion options (registrations; reads have none). */
    readonly options?: ResourceOptionsRecord;
}

/** A policy exemption the pack applied (when the runner reports them). */
export type AppliedExemption = Record<string, unknown>;

/** Everything a plan found. Secrets are still envelopes here: redact before showing anything. */
export interface PlanResult {
    /** Project name. */
    readonly project: string;
    /** Stack name. */
    readonly stack: string;
    /** Every resource, parents before children, siblings sorted by type then name. */
    readonly resources: readonly RecordedResource[];
    /** Stack outputs (the program module's exports). */
    readonly outputs: Record<string, unknown>;
    /** Policy violations, sorted by level, policy and URN. */
    readonly violations: readonly Violation[];
    /** Exemptions the pack applied, when the runner reports them. */
    readonly exemptions?: readonly AppliedExemption[];
    /** Policy config file used, if any. */
    readonly policyConfigFile?: string;
    /** Things worth knowing (unmocked invokes). */
    readonly notes: readonly string[];
    /**
     * Every stand-in secret of this run: values the mocks generated (passwords, keys) and the
     * placeholders of `secure:` config. Never printed; tests use them to prove nothing leaks.
     */
    readonly mockSecrets: readonly string[];
}

/** The program failed (exit status 2). `configError` when it is a config problem (printed without a stack trace). */
export class PlanProgramError extends Error {
    /** True for config errors. */
    readonly configError: boolean;
    /** The original error. */
    override readonly cause: unknown;

    constructor(message: string, cause: unknown, configError: boolean) {
        super(message);
        this.name = "PlanProgramError";
        this.cause = cause;
        this.configError = configError;
    }
}

/** The JSON contract of `--json FILE` (every secret value replaced by "[secret]"). */
export interface PlanJson {
    /** Project name. */
    readonly project: string;
    /** Stack name. */
    readonly stack: string;
    /** Every resource, parents before children. */
    readonly resources: readonly {
        /** The resource's URN. */
        readonly urn: string;
        /** Type token. */
        readonly type: string;
        /** Logical name. */
        readonly name: string;
        /** Parent URN; null for the stack resource. */
        readonly parent: string | null;
        /** True for provider resources, false for components and the stack. */
        readonly custom: boolean;
        /** Inputs as registered. */
        readonly inputs: Record<string, unknown>;
        /**
         * How the engine will replace and delete it: the options the program set
         * (deleteBeforeReplace, protect, retainOnDelete, dependsOn, replaceOnChanges,
         * ignoreChanges, customTimeouts), each only when set; `{}` when none. Always written;
         * optional only because JSON written before it existed (plan-diff's base side) lacks it.
         */
        readonly options?: ResourceOptionsRecord;
    }[];
    /** Stack outputs. */
    readonly outputs: Record<string, unknown>;
    /** The policy pack's findings. */
    readonly policy: {
        /** Violations, mandatory first. */
        readonly violations: readonly Violation[];
        /** Exemptions the pack applied, when the runner reports them. */
        readonly exemptions?: readonly AppliedExemption[];
    };
}

/** Builds the `--json` document: the plan's contract, with every secret replaced by "[secret]". */
export function toPlanJson(r: PlanResult): PlanJson {
    return {
        project: r.project,
        stack: r.stack,
        resources: r.resources.map((x) => ({
            urn: x.urn,
            type: x.type,
            name: x.name,
            parent: x.parent,
            custom: x.custom,
            inputs: redact(x.inputs) as Record<string, unknown>,
            options: x.options ?? {},
        })),
        outputs: redact(r.outputs) as Record<string, unknown>,
        policy: {
            violations: r.violations.map((v) => redact(v) as Violation),
            ...(r.exemptions !== undefined ? { exemptions: r.exemptions.map((e) => redact(e) as AppliedExemption) } : {}),
        },
    };
}

const LEVEL_ORDER = ["mandatory", "remediate", "advisory", "disabled"];

/** Sorts violations by level (mandatory first), policy, URN and message. */
export function sortViolations(vs: readonly Violation[]): Violation[] {
    return [...vs].sort(
        (a, b) =>
            LEVEL_ORDER.indexOf(a.level) - LEVEL_ORDER.indexOf(b.level) ||
            a.policy.localeCompare(b.policy) ||
            (a.urn ?? "").localeCompare(b.urn ?? "") ||
            a.message.localeCompare(b.message),
    );
}

/** The plan's exit status: 2 is for errors (thrown), 1 for any mandatory violation, else 0. */
export function exitCodeFor(violations: readonly Violation[]): 0 | 1 {
    return violations.some((v) => v.level === "mandatory") ? 1 : 0;
}

/** Orders resources parents first (depth-first), siblings by type then name: stable across runs. */
export function treeOrder<T extends PlanResource>(resources: readonly T[]): T[] {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const children = new Map<string | null, T[]>();
    for (const r of resources) {
        const p = r.parent !== null && byUrn.has(r.parent) ? r.parent : null;
        const list = children.get(p) ?? [];
        list.push(r);
        children.set(p, list);
    }
    const cmp = (a: T, b: T): number => a.type.localeCompare(b.type) || a.name.localeCompare(b.name) || a.urn.localeCompare(b.urn);
    const out: T[] = [];
    const visit = (p: string | null): void => {
        for (const r of (children.get(p) ?? []).sort(cmp)) {
            out.push(r);
            visit(r.urn);
        }
    };
    visit(null);
    return out;
}

/** True when an error is a config error: a `ConfigError` (by class name anywhere in its chain) or the SDK's Config*Error. */
export function isConfigError(e: unknown): boolean {
    if (!(e instanceof Error)) return false;
    if (e instanceof PlanConfigError) return true;
    for (let p: object | null = e; p !== null && p !== Error.prototype; p = Object.getPrototypeOf(p)) {
        const name = (p as { constructor?: { name?: string } }).constructor?.name ?? "";
        if (name === "ConfigError" || /^Config(Missing|Type|Enum|Range|Pattern)Error$/.test(name)) return true;
    }
    return e.name === "ConfigError";
}

type Draft = RecordedResource;

function wire(v: Record<string, unknown>): Record<string, unknown> {
    const n = normalizeWire(v);
    return isPlainObject(n) ? n : {};
}

/** Records every registration the mock monitor sees (through the SDK adapter), inputs and state normalised. */
function recordRegistrations(): { drafts: Draft[]; outputs: Map<string, Record<string, unknown>> } {
    const drafts: Draft[] = [];
    const outputs = new Map<string, Record<string, unknown>>();
    tapMockMonitor({
        onResource: (r) => void drafts.push({ ...r, inputs: wire(r.inputs), state: wire(r.state) }),
        onOutputs: (urn, o) => void outputs.set(urn, wire(o)),
    });
    return { drafts, outputs };
}

function describe(e: unknown): string {
    if (e instanceof Error) return e.message;
    return String(e);
}

/** Resolves the project directory, program and stack config of a plan. */
export function resolvePlanPaths(opts: PlanOptions): { projectDir: string; program?: string } {
    if (opts.projectDir !== undefined) return { projectDir: path.resolve(opts.projectDir), program: opts.program && path.resolve(opts.program) };
    if (opts.program !== undefined) {
        const program = path.resolve(opts.program);
        const dir = path.dirname(program);
        return { projectDir: fs.existsSync(path.join(dir, "Pulumi.yaml")) ? dir : REPO_ROOT, program };
    }
    return { projectDir: REPO_ROOT };
}

let used = false;

/**
 * Runs one plan in this process. Throws {@link PlanConfigError} for bad project or stack files
 * and {@link PlanProgramError} when the program fails; both mean exit status 2.
 * Runs once per process (the Pulumi runtime is global): spawn the CLI for more.
 */
export async function runPlan(opts: PlanOptions): Promise<PlanResult> {
    if (used) throw new Error("runPlan runs once per process (the Pulumi runtime is global state); spawn `tsx tools/plan/cli.ts` for another plan");
    used = true;
    const paths = resolvePlanPaths(opts);
    if (paths.program !== undefined && !fs.existsSync(paths.program)) throw new PlanConfigError(`program ${paths.program} not found`);
    const random = new PlanRandom(opts.seed);
    const cfg = loadStackConfig({ projectDir: paths.projectDir, stack: opts.stack, configFile: opts.configFile, placeholder: (key) => securePlaceholder(key, random) });
    const program = paths.program ?? path.resolve(cfg.projectDir, cfg.main ?? "index.ts");
    if (!fs.existsSync(program)) throw new PlanConfigError(`program ${program} not found: pass --program PATH`);

    const mocks = new PlanMocks(random);
    pulumi.runtime.setAllConfig({ ...cfg.config }, [...cfg.secretKeys]);
    await pulumi.runtime.setMocks(mocks, cfg.project, opts.stack, false);
    const { drafts, outputs } = recordRegistrations();

    // Errors inside apply callbacks and registrations surface as unhandled rejections; the real
    // language host fails the run on them, so does the plan.
    const asyncErrors: unknown[] = [];
    const onRejection = (e: unknown): void => {
        asyncErrors.push(e);
    };
    process.on("unhandledRejection", onRejection);
    const cwd = process.cwd();
    process.chdir(cfg.projectDir);
    try {
        await pulumi.runtime.runInPulumiStack(async () => {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const exported: unknown = require(program);
            return typeof exported === "function" ? await (exported as () => unknown)() : exported;
        });
        await waitForRPCs();
        // Let rejections queued in the last turn reach the handler.
        await new Promise((resolve) => setImmediate(resolve));
    } catch (e) {
        throw new PlanProgramError(describe(e), e, isConfigError(e));
    } finally {
        process.chdir(cwd);
        process.off("unhandledRejection", onRejection);
    }
    if (asyncErrors.length > 0) {
        const first = asyncErrors[0];
        throw new PlanProgramError([...new Set(asyncErrors.map(describe))].join("\n"), first, asyncErrors.every(isConfigError));
    }
    if (pulumi.log.hasErrors()) {
        throw new PlanProgramError("the program logged errors (see above)", undefined, false);
    }

    const resources = treeOrder(drafts);
    const stackRes = resources.find((r) => r.type === "pulumi:pulumi:Stack");
    const stackOutputs = (stackRes && outputs.get(stackRes.urn)) ?? {};

    const defaultPolicyConfig = path.join(REPO_ROOT, "policy", "config", `${opts.stack}.json`);
    const policyConfigFile =
        opts.policyConfigFile !== undefined ? path.resolve(opts.policyConfigFile) : fs.existsSync(defaultPolicyConfig) ? defaultPolicyConfig : undefined;
    if (policyConfigFile !== undefined && !fs.existsSync(policyConfigFile)) {
        throw new PlanConfigError(`policy config ${policyConfigFile} not found`);
    }
    const policyInput: PlanResource[] = resources.map(({ state: _state, options: _options, ...r }) => r);
    const runOpts = { project: cfg.project, stack: opts.stack, ...(policyConfigFile ? { configFile: policyConfigFile } : {}) };
    // The pack sees secrets unwrapped (as under the engine); the plan still sees the envelopes, so it
    // also checks that every secret-named value really is a Pulumi secret.
    const policy = normalizePolicyResult([...(await runPolicyPack(policyInput, runOpts)), ...secretEnvelopeFindings(policyInput, runOpts)]);

    return {
        project: cfg.project,
        stack: opts.stack,
        resources,
        outputs: stackOutputs,
        violations: sortViolations(policy.violations),
        ...(policy.exemptions !== undefined ? { exemptions: policy.exemptions } : {}),
        ...(policyConfigFile ? { policyConfigFile } : {}),
        notes: [...cfg.warnings, ...[...mocks.unmockedCalls].sort().map((t) => `invoke ${t} is not mocked: it returned its own arguments`)],
        // Sorted: the mocks record in registration order, which is not stable between runs.
        mockSecrets: [...new Set([...mocks.generatedSecrets, ...cfg.placeholders])].sort(),
    };
}

/**
 * Accepts what the policy runner returns: a list of violations, or an object with `violations`
 * and optionally `exemptions` (applied exemptions).
 */
export function normalizePolicyResult(r: unknown): { violations: Violation[]; exemptions?: AppliedExemption[] } {
    if (Array.isArray(r)) return { violations: r as Violation[] };
    if (isPlainObject(r) && Array.isArray(r.violations)) {
        const ex = r.exemptions ?? r.appliedExemptions;
        return { violations: r.violations as Violation[], ...(Array.isArray(ex) ? { exemptions: ex as AppliedExemption[] } : {}) };
    }
    throw new Error("policy/runner.ts returned neither a list of violations nor { violations }");
}
