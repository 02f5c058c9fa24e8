/**
 * Pure builders of the Pulumi Cloud settings (no engine, no resources): what triggers a
 * deployment, what runs before `pulumi up`, where its credentials come from, which events go
 * to Slack. index.ts turns them into @pulumi/pulumiservice resources; tests read them directly.
 */
import * as fs from "node:fs";
import * as path from "node:path";

import type { DeploymentsConfig } from "./config";

/** The repository root, seen from this project (deployments/ sits in it). */
export const REPO_ROOT = path.resolve(__dirname, "..");

/**
 * Files whose change can change what `pulumi up` does: the program, its components and stack
 * loader, the policy pack the preview runs, the stack's own config and the npm manifests.
 * Everything else (README, docs/, tests, tools, workflows, this project) deploys nothing.
 */
export const DEPLOY_PATHS = [
    "index.ts",
    "components/**",
    "stacks/**",
    "policy/**",
    "Pulumi.yaml",
    "package.json",
    "package-lock.json",
    "tsconfig.json",
] as const;

/** Never a reason to deploy, even under an included folder (a README in components/, say). */
export const EXCLUDED_PATHS = ["!docs/**", "!*.md", "!**/*.md"] as const;

/**
 * The path filters of `stack`: the defaults plus the stack's own file (a change to the other
 * stack's config deploys nothing here), under `repoDir`; or `custom` as given.
 */
export function pathFilters(repoDir: string, stack: string, custom?: readonly string[]): string[] {
    if (custom !== undefined) return [...custom];
    const prefix = repoDir === "." ? "" : `${repoDir}/`;
    const include = [...DEPLOY_PATHS, `Pulumi.${stack}.yaml`].map((p) => `${prefix}${p}`);
    return [...new Set([...include, ...EXCLUDED_PATHS, `!${prefix}*.md`])];
}

/** Where the kubeconfig is written for the deployment (the default path every Kubernetes client reads). */
export const KUBECONFIG_PATH = "~/.kube/config";

/** The variable a secret kubeconfig travels in (never the path variable KUBECONFIG). */
export const KUBECONFIG_ENV = "PTC_KUBECONFIG";

/**
 * Shell commands run before `pulumi up` / `preview`: the locked install of the program's
 * dependencies (`npm ci`, not the executor's own `npm install`, so the versions are the ones CI
 * tested; Pulumi Cloud installs the published pack itself), then the kubeconfig, written with a
 * private umask. Each line runs in its own shell (Deployments' rule), so each is self-contained.
 */
export function preRunCommands(cfg: Pick<DeploymentsConfig, "cluster" | "organization">): string[] {
    const cmds = ["npm ci --no-audit --no-fund"];
    const write = `umask 077 && mkdir -p ~/.kube && `;
    if (cfg.cluster?.source === "esc") {
        const env = cfg.cluster.environment.split("/").length === 3 ? cfg.cluster.environment : `${cfg.organization}/${cfg.cluster.environment}`;
        cmds.push(`${write}pulumi env open ${shellQuote(env)} ${shellQuote(cfg.cluster.property)} --format string > ${KUBECONFIG_PATH}`);
    } else if (cfg.cluster?.source === "secret") {
        cmds.push(`${write}printenv ${KUBECONFIG_ENV} > ${KUBECONFIG_PATH}`);
    }
    return cmds;
}

function shellQuote(s: string): string {
    return /^[A-Za-z0-9_./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The AWS OIDC block (role, session name, duration), or undefined without `aws`. */
export function awsOidc(cfg: Pick<DeploymentsConfig, "aws" | "target">): { roleARN: string; sessionName: string; duration: string } | undefined {
    if (cfg.aws === undefined) return undefined;
    return { roleARN: cfg.aws.roleArn, sessionName: cfg.aws.sessionName ?? `pulumi-deployments-${cfg.target.stack}`, duration: cfg.aws.duration };
}

/** The webhook's events: every deployment result, and drift results where drift is detected. */
export function webhookFilters(drift: boolean): string[] {
    const deployments = ["deployment_succeeded", "deployment_failed"];
    return drift ? [...deployments, "drift_detected", "drift_detection_failed"] : deployments;
}

/** The policy pack's name and version: policy/package.json, the one source `pulumi policy publish` reads too. */
export function policyPackVersion(root: string = REPO_ROOT): { name: string; versionTag: string } {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "policy", "package.json"), "utf8")) as { name: string; version: string };
    return { name: pkg.name, versionTag: pkg.version };
}

/**
 * The pack config of `environment` (policy/config/<environment>.json) as the group applies it:
 * the same levels and properties, each policy in the long form `{ enforcementLevel, ... }` (the
 * CLI also takes a bare level; the group's API is given the one form both accept). "all" stays a level.
 */
export function policyGroupConfig(environment: "dev" | "prod", root: string = REPO_ROOT): Record<string, unknown> {
    const raw = JSON.parse(fs.readFileSync(path.join(root, "policy", "config", `${environment}.json`), "utf8")) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, typeof v === "string" && k !== "all" ? { enforcementLevel: v } : v]));
}
