/**
 * The small framework every rule of the pack is built with: a rule is a pure check that returns
 * findings (a check id and a message that says what to change); the framework resolves the
 * rule's config (schema defaults + pack config), drops the findings an applicable exemption lifts
 * and reports the rest through the analyzer's `reportViolation`.
 */
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { liftedChecks } from "./exemptions";
import { Subject } from "./resources";

/** One problem a rule found. */
export interface Finding {
    /** Id of the check within the rule (what an exemption names). */
    readonly check: string;
    /** What is wrong and what to change. */
    readonly message: string;
    /** The resource at fault (stack rules); resource rules report on the resource they check. */
    readonly urn?: string;
}

/** A config property: its JSON schema, which must carry a default. */
export type ConfigProperty<T> = PolicyConfigJSONSchema & { readonly default: T; readonly description: string };

/** The config schema of a rule whose resolved config has type C. */
export type ConfigSpec<C> = { readonly [K in keyof C]: ConfigProperty<C[K]> };

/** What every rule declares. */
interface RuleBase<C> {
    /** Kebab-case name. */
    readonly name: string;
    /** Starts "Checks that…". */
    readonly description: string;
    /** Check id → what it checks (the README and the exemption registry use these ids). */
    readonly checks: Readonly<Record<string, string>>;
    /** Thresholds with defaults. */
    readonly config: ConfigSpec<C>;
}

/** A rule over one resource at a time. */
export interface ResourceRuleDef<C> extends RuleBase<C> {
    /** Resource types it looks at, or "all". */
    readonly types: readonly string[] | "all";
    /** The pure check. */
    check(subject: Subject, config: C): Finding[];
}

/** A rule over the whole stack. */
export interface StackRuleDef<C> extends RuleBase<C> {
    /** The pure check; findings name the resource at fault with `urn`. */
    check(resources: readonly Subject[], config: C): Finding[];
}

/** Metadata the framework keeps on every policy it builds (for the README, tests and the registry check). */
export interface RuleInfo {
    /** Check ids and what they check. */
    readonly checks: Readonly<Record<string, string>>;
}

/** A resource policy built by {@link resourceRule}. */
export type ResourceRule = ResourceValidationPolicy & { readonly rule: RuleInfo };
/** A stack policy built by {@link stackRule}. */
export type StackRule = StackValidationPolicy & {
    readonly rule: RuleInfo;
    /**
     * The rule's findings over `resources` with `configured` over its defaults, for a rule that
     * holds another rule's standard (the WAL archive's bucket is hardened as backup buckets are).
     */
    readonly findings: (resources: readonly Subject[], configured?: object) => Finding[];
};
/** Any policy of this pack. */
export type Rule = ResourceRule | StackRule;

/** Resolves a rule's config: schema defaults overlaid with the pack config for the rule. */
export function resolveConfig<C>(spec: ConfigSpec<C>, configured: object): C {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(spec)) out[key] = (spec as Record<string, ConfigProperty<unknown>>)[key].default;
    for (const [key, value] of Object.entries(configured)) {
        if (key in out && value !== undefined) out[key] = value;
    }
    return out as C;
}

function configSchema<C>(spec: ConfigSpec<C>): ResourceValidationPolicy["configSchema"] {
    return { properties: { ...(spec as Record<string, PolicyConfigJSONSchema>) } };
}

function checkFindings(ruleName: string, checks: Readonly<Record<string, string>>, findings: Finding[]): void {
    for (const f of findings) {
        if (!(f.check in checks)) throw new Error(`rule ${ruleName} reported undeclared check "${f.check}"`);
    }
}

/** Builds a resource policy from a pure check. */
export function resourceRule<C>(def: ResourceRuleDef<C>): ResourceRule {
    return {
        name: def.name,
        description: def.description,
        configSchema: configSchema(def.config),
        rule: { checks: def.checks },
        validateResource: (args, reportViolation) => {
            if (def.types !== "all" && !def.types.includes(args.type)) return;
            const subject: Subject = {
                type: args.type,
                name: args.name,
                urn: args.urn,
                props: args.props,
                additionalSecretOutputs: args.opts?.additionalSecretOutputs ?? [],
            };
            const config = resolveConfig(def.config, args.getConfig<object>());
            const findings = def.check(subject, config);
            checkFindings(def.name, def.checks, findings);
            const lifted = findings.length > 0 ? liftedChecks(subject, def.name) : new Set<string>();
            for (const f of findings) {
                if (!lifted.has(f.check)) reportViolation(f.message);
            }
        },
    };
}

/** The stack rules' view of a resource. */
export function subjectOf(r: PolicyResource): Subject {
    const propertyDependencies: Record<string, string[]> = {};
    for (const [key, deps] of Object.entries(r.propertyDependencies ?? {})) {
        propertyDependencies[key] = deps.map((d) => d.urn);
    }
    return {
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: r.props,
        additionalSecretOutputs: r.opts?.additionalSecretOutputs ?? [],
        parent: r.parent?.urn ?? r.opts?.parent,
        propertyDependencies,
    };
}

/** Builds a stack policy from a pure check. */
export function stackRule<C>(def: StackRuleDef<C>): StackRule {
    return {
        name: def.name,
        description: def.description,
        configSchema: configSchema(def.config),
        rule: { checks: def.checks },
        findings: (resources, configured = {}) => def.check(resources, resolveConfig(def.config, configured)),
        validateStack: (args, reportViolation) => {
            const subjects = args.resources.map(subjectOf);
            const byUrn = new Map(subjects.map((s) => [s.urn, s]));
            const config = resolveConfig(def.config, args.getConfig<object>());
            const findings = def.check(subjects, config);
            checkFindings(def.name, def.checks, findings);
            for (const f of findings) {
                const subject = f.urn === undefined ? undefined : byUrn.get(f.urn);
                if (subject && liftedChecks(subject, def.name).has(f.check)) continue;
                reportViolation(f.message, f.urn);
            }
        },
    };
}
