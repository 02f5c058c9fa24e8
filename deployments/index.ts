/**
 * The Pulumi Cloud settings of one pro-team-care stack, as code: push-to-deploy and PR previews
 * (DeploymentSettings), the policy pack and its preventative group, drift detection (prod) and
 * the Slack webhook for deployment results. This stack `dev` manages the stack `dev`, `prod`
 * manages `prod` (deployments/Pulumi.<stack>.yaml). The builders are in settings.ts.
 */
import * as pulumi from "@pulumi/pulumi";
import * as service from "@pulumi/pulumiservice";

import { loadDeploymentsConfig } from "./config";
import { awsOidc, KUBECONFIG_ENV, pathFilters, policyGroupConfig, policyPackVersion, preRunCommands, webhookFilters } from "./settings";

const cfg = loadDeploymentsConfig();
const { organization, target } = cfg;
const name = target.stack;

const oidc = awsOidc(cfg);
const settings = new service.DeploymentSettings(`${name}-deployment-settings`, {
    organization,
    project: target.project,
    stack: target.stack,
    // The GitHub app of the organization reads the repository: no repoUrl, no git credentials here.
    sourceContext: { git: { branch: `refs/heads/${cfg.source.branch}`, repoDir: cfg.source.repoDir } },
    // `vcs` replaces the deprecated `github` block in 1.x (same fields, plus the provider).
    vcs: {
        provider: "github",
        repository: `${cfg.source.owner}/${cfg.source.name}`,
        deployCommits: true,
        previewPullRequests: true,
        pullRequestTemplate: false,
        paths: pathFilters(cfg.source.repoDir, target.stack, cfg.paths),
    },
    operationContext: {
        preRunCommands: preRunCommands(cfg),
        // The pre-run `npm ci` is the install: the executor's default `npm install` could move the lockfile.
        options: { skipInstallDependencies: true, skipIntermediateDeployments: true, shell: "bash" },
        ...(oidc ? { oidc: { aws: oidc } } : {}),
        ...(cfg.clusterKubeconfig ? { environmentVariables: { [KUBECONFIG_ENV]: cfg.clusterKubeconfig } } : {}),
    },
    cacheOptions: { enable: true },
});

const pack = policyPackVersion();
// Versions are immutable in Pulumi Cloud, so one stack publishes (config policyPack.publish) and
// every group names the version; an older version stays published for the groups still on it.
const publishedPack = cfg.policyPack.publish
    ? new service.PolicyPack(
          `${name}-policy-pack`,
          { organization, name: pack.name, versionTag: pack.versionTag, sourcePath: "../policy" },
          { retainOnDelete: true },
      )
    : undefined;

const policyGroup = new service.PolicyGroup(
    `${name}-policy-group`,
    {
        organizationName: organization,
        name: `${target.project}-${target.stack}`,
        entityType: "stacks",
        // Explicit: this resource defaults to "audit" (report only) while the REST API defaults
        // to preventative; only preventative blocks a non-compliant preview.
        mode: "preventative",
        stacks: [{ name: target.stack, routingProject: target.project }],
        policyPacks: [{ name: pack.name, versionTag: pack.versionTag, config: policyGroupConfig(cfg.environment) }],
    },
    publishedPack ? { dependsOn: [publishedPack] } : undefined,
);

const drift = cfg.drift
    ? new service.DriftSchedule(`${name}-drift-schedule`, {
          organization,
          project: target.project,
          stack: target.stack,
          scheduleCron: cfg.drift.cron,
          // Detect only: a drift is a question for a person, not a reason to overwrite the cluster.
          autoRemediate: false,
      })
    : undefined;

const webhook = new service.Webhook(
    `${name}-slack`,
    {
        organizationName: organization,
        projectName: target.project,
        stackName: target.stack,
        displayName: `Slack: ${target.project}/${target.stack} deployments`,
        active: true,
        format: service.WebhookFormat.Slack,
        filters: webhookFilters(drift !== undefined) as service.WebhookFilters[],
        payloadUrl: cfg.slackWebhookUrl,
    },
    // The provider marks only `secret` secret; the URL is the credential of a Slack webhook.
    { additionalSecretOutputs: ["payloadUrl"] },
);

/** The managed stack (`<org>/<project>/<stack>`). */
export const managedStack = pulumi.interpolate`${organization}/${target.project}/${target.stack}`;
/** The deployment settings' id. */
export const deploymentSettingsId = settings.id;
/** The policy group's name and mode. */
export const policyGroupName = policyGroup.name;
/** The pack version the group applies. */
export const policyPackVersionTag = pack.versionTag;
/** The drift schedule's id; null without one. */
export const driftScheduleId = drift ? drift.scheduleId : null;
/** The webhook's name in Pulumi Cloud. */
export const webhookName = webhook.name;
