/**
 * The deployments project's config: one zod schema (strict at every level) over the keys
 * Pulumi.yaml declares, the cross-field rules, and the loader that reads them from the stack.
 * Every problem becomes one line naming the key, what it got and what is allowed, the way
 * stacks/load.ts reports the main project's config; a secret's value is never repeated.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";

import { cronExpression, httpUrlProblem } from "../components/platform/schemas";
import { isPlainObject } from "../stacks/objects";

/** The config namespace (the project name in Pulumi.yaml). */
export const NAMESPACE = "pro-team-care-deployments";

/** A bad config value; named like the main project's so the offline plan prints it as a config error. */
export class ConfigError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ConfigError";
    }
}

/** What a Pulumi stack, project or organization name may be (Pulumi Cloud's own rule). */
const pulumiName = z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, { error: 'a Pulumi name (letters, digits, "-", "_" and ".")' });
/** A GitHub owner or repository name. */
const githubName = z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, { error: 'a GitHub owner or repository name (letters, digits, "-", "_" and ".")' });
/** A git branch name (no refs/heads/ prefix: the program adds it). */
const branchName = z
    .string()
    .regex(/^(?!refs\/)(?!\/)(?!.*\/\/)(?!.*\.\.)(?!.*\/$)[A-Za-z0-9._/-]{1,200}$/, { error: 'a branch name such as "main" or "release" (without "refs/heads/")' });

/** The keys as validated. Empty objects and lists (Pulumi.yaml's defaults) mean "not set". */
export const deploymentsConfigSchema = z.strictObject({
    organization: pulumiName,
    environment: z.enum(["dev", "prod"]),
    target: z.strictObject({ project: pulumiName.default("pro-team-care"), stack: pulumiName }),
    source: z.strictObject({
        owner: githubName,
        name: githubName,
        branch: branchName,
        repoDir: z
            .string()
            .regex(/^(\.|[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*)$/, { error: 'a directory relative to the repository root, such as "." or "infra"' })
            .default("."),
    }),
    paths: z.array(z.string().min(1, { error: "a non-empty glob" })).optional(),
    aws: z
        .strictObject({
            roleArn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, { error: "an IAM role ARN such as arn:aws:iam::123456789012:role/pulumi-deployments" }),
            sessionName: z.string().regex(/^[\w+=,.@-]{2,64}$/, { error: "an STS session name (2-64 of letters, digits and +=,.@_-)" }).optional(),
            duration: z
                .string()
                .regex(/^(\d+h)?(\d+m)?(\d+s)?$/, { error: 'a duration in "XhYmZs" form such as "1h0m0s"' })
                .refine((d) => d !== "", { error: 'a duration in "XhYmZs" form such as "1h0m0s"' })
                .default("1h0m0s"),
        })
        .optional(),
    cluster: z
        .discriminatedUnion("source", [
            z.strictObject({
                source: z.literal("esc"),
                environment: z.string().regex(/^([A-Za-z0-9_.-]+\/){0,2}[A-Za-z0-9_.-]+$/, { error: 'an ESC environment such as "pro-team-care/prod-cluster"' }),
                property: z.string().regex(/^[A-Za-z0-9_.[\]"-]+$/, { error: 'a property path such as "kubeconfig"' }).default("kubeconfig"),
            }),
            z.strictObject({ source: z.literal("secret") }),
        ])
        .optional(),
    drift: z.strictObject({ cron: cronExpression }).optional(),
    policyPack: z.strictObject({ publish: z.boolean().default(false) }).default({ publish: false }),
});

/** The validated config, plus the secrets (as secret Outputs). */
export type DeploymentsConfig = z.output<typeof deploymentsConfigSchema> & {
    /** The Slack webhook URL (secret). */
    readonly slackWebhookUrl: pulumi.Output<string>;
    /** The kubeconfig, when cluster.source is "secret" (secret). */
    readonly clusterKubeconfig?: pulumi.Output<string>;
};

/** The structured keys, in Pulumi.yaml's order. */
export const KEYS = Object.keys(deploymentsConfigSchema.shape) as (keyof z.input<typeof deploymentsConfigSchema>)[];

function show(v: unknown): string {
    if (v === undefined) return "nothing";
    const s = JSON.stringify(v);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function valueAt(obj: unknown, at: readonly PropertyKey[]): unknown {
    let cur: unknown = obj;
    for (const p of at) {
        if (!isPlainObject(cur) && !Array.isArray(cur)) return undefined;
        cur = (cur as Record<PropertyKey, unknown>)[p];
    }
    return cur;
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
    const key = [NAMESPACE, issue.path.map(String).join(".")].filter(Boolean).join(":");
    if (issue.code === "unrecognized_keys") return `${key}: unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
    let allowed = issue.message;
    if (issue.code === "invalid_value") allowed = `one of ${issue.values.map((x) => JSON.stringify(x)).join(", ")}`;
    // The cluster's discriminator: zod's own message names its internals, not the choices.
    if (issue.code === "invalid_union" && issue.path[0] === "cluster") allowed = 'one of "esc" (with environment) or "secret" (with the secret clusterKubeconfig)';
    if (issue.code === "invalid_type") allowed = `${/^[aeiou]/.test(issue.expected) ? "an" : "a"} ${issue.expected}`;
    return `${key}: got ${show(valueAt(input, issue.path))}; expected ${allowed}`;
}

/**
 * Validates the raw structured config (key → parsed value; `{}` and `[]` read as not set) and
 * the secrets that are set (`secretsSet`, names only). Pure: tests call it with plain objects.
 * Throws {@link ConfigError}: one line per problem, each naming the key and what to change.
 */
export function parseDeploymentsConfig(raw: Record<string, unknown>, secretsSet: ReadonlySet<string>): z.output<typeof deploymentsConfigSchema> {
    const input: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(raw)) {
        const empty = v === undefined || v === "" || (isPlainObject(v) && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0);
        if (!empty) input[k] = v;
    }
    const r = deploymentsConfigSchema.safeParse(input);
    if (!r.success) throw new ConfigError(r.error.issues.map((i) => describeIssue(i, input)).join("\n"));
    const cfg = r.data;
    const problems: string[] = [];
    if (cfg.environment === "prod") {
        // Prod runs on Kubernetes with its backups in AWS: a deployment without either cannot work.
        if (cfg.aws === undefined) problems.push(`${NAMESPACE}:aws: prod needs { roleArn } (Deployments reach AWS by OIDC; no stored keys)`);
        if (cfg.cluster === undefined) problems.push(`${NAMESPACE}:cluster: prod needs the cluster's credentials: { source: "esc", environment } or { source: "secret" }`);
        if (cfg.drift === undefined) problems.push(`${NAMESPACE}:drift: prod needs a drift schedule: { cron: "0 */6 * * *" } (detect only)`);
    }
    if (cfg.cluster?.source === "secret" && !secretsSet.has("clusterKubeconfig")) {
        problems.push(`${NAMESPACE}:clusterKubeconfig: cluster.source is "secret" but no kubeconfig is set: pulumi config set --secret clusterKubeconfig < kubeconfig`);
    }
    if (cfg.cluster?.source !== "secret" && secretsSet.has("clusterKubeconfig")) {
        problems.push(`${NAMESPACE}:clusterKubeconfig: set, but cluster.source is not "secret": remove it or set cluster to { source: "secret" }`);
    }
    if (!secretsSet.has("slackWebhookUrl")) {
        problems.push(`${NAMESPACE}:slackWebhookUrl: not set: pulumi config set --secret slackWebhookUrl https://hooks.slack.com/services/...`);
    }
    if (problems.length > 0) throw new ConfigError(problems.join("\n"));
    return cfg;
}

/** Why a Slack webhook URL is unusable (never repeating it), or undefined. */
export function slackUrlProblem(url: string): string | undefined {
    const why = httpUrlProblem(url);
    if (why !== undefined) return `expected ${why}`;
    if (!url.startsWith("https://")) return "expected an https URL (Slack incoming webhooks are https)";
    return undefined;
}

/**
 * Reads and validates this stack's config. Secrets are checked for shape here, synchronously
 * (the raw value from the runtime, never printed), and handed on only as secret Outputs.
 */
export function loadDeploymentsConfig(): DeploymentsConfig {
    const config = new pulumi.Config(NAMESPACE);
    const raw: Record<string, unknown> = {};
    for (const key of KEYS) {
        const text = pulumi.runtime.getConfig(`${NAMESPACE}:${key}`);
        if (text === undefined) continue;
        if (key === "organization" || key === "environment") {
            raw[key] = text;
            continue;
        }
        try {
            raw[key] = JSON.parse(text);
        } catch {
            throw new ConfigError(`${NAMESPACE}:${key}: got ${show(text)}; expected a YAML mapping${key === "paths" ? " (a list of globs)" : ""}`);
        }
    }
    const secret = (key: string): string | undefined => {
        const v = pulumi.runtime.getConfig(`${NAMESPACE}:${key}`);
        return v === undefined || v === "" ? undefined : v;
    };
    const set = new Set(["slackWebhookUrl", "clusterKubeconfig"].filter((k) => secret(k) !== undefined));
    const cfg = parseDeploymentsConfig(raw, set);
    const slack = secret("slackWebhookUrl");
    const why = slack === undefined ? undefined : slackUrlProblem(slack);
    if (why !== undefined) throw new ConfigError(`${NAMESPACE}:slackWebhookUrl: ${why}`);
    return {
        ...cfg,
        slackWebhookUrl: config.requireSecret("slackWebhookUrl"),
        ...(cfg.cluster?.source === "secret" ? { clusterKubeconfig: config.requireSecret("clusterKubeconfig") } : {}),
    };
}
