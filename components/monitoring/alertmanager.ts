/**
 * Alertmanager on the ops tier: routes by severity, inhibitions, the Watchdog to a heartbeat URL,
 * and Slack with its webhook URL in a secret file the config points at (`api_url_file`).
 */
import * as pulumi from "@pulumi/pulumi";
import { AlertmanagerConfigInput, renderAlertmanagerConfig } from "./alertmanager-config";
import { DEFAULT_IMAGES, DEFAULT_NAMES } from "./images";
import { ALERTMANAGER_PATHS, alertmanagerSpec } from "./specs";
import { MonitoringWorkloadArgs } from "./workload";
import { sizeGiProblems, WorkloadComponent } from "../workload";

/** Where the Slack webhook URL secret file is mounted; the rendered config's `api_url_file`. */
export const SLACK_WEBHOOK_FILE = `${ALERTMANAGER_PATHS.secretsDir}/slack-webhook-url`;

/** Arguments of {@link Alertmanager}. */
export interface AlertmanagerArgs extends MonitoringWorkloadArgs {
    /** Slack incoming-webhook URL (a secret). Defaults to none: pages and tickets are dropped (dev only). */
    readonly slackWebhookUrl?: pulumi.Input<string>;
    /** Refuse to run without a Slack webhook (prod). Defaults to false. */
    readonly requireSlack?: boolean;
    /** Slack channel for pages. Defaults to the webhook's own channel. */
    readonly slackPageChannel?: string;
    /** Slack channel for tickets. Defaults to the page channel. */
    readonly slackTicketChannel?: string;
    /** Dead-man's-switch URL the Watchdog is sent to every minute (treated as a secret). Defaults to none. */
    readonly heartbeatUrl?: pulumi.Input<string>;
    /** Extra webhook receiving every page and ticket (an on-call bridge). Defaults to none. */
    readonly webhookUrl?: pulumi.Input<string>;
    /** Route timings. Defaults to the production ones (page group_wait 30s). */
    readonly timings?: AlertmanagerConfigInput["timings"];
    /** URL people reach Alertmanager at (links in notifications). Defaults to none. */
    readonly externalUrl?: string;
    /** Data volume size in GiB. Defaults to 1. */
    readonly storageGi?: number;
}

/** Alertmanager, single instance. */
export class Alertmanager extends WorkloadComponent {
    /** Host name inside the platform. */
    public readonly host: pulumi.Output<string>;
    /** Port (9093). */
    public readonly port: pulumi.Output<number>;
    /** "host:port" (Prometheus's alerting target). */
    public readonly address: pulumi.Output<string>;
    /** "http://host:port". */
    public readonly url: pulumi.Output<string>;
    /** The rendered alertmanager.yml (secret: it holds the heartbeat URL). */
    public readonly config: pulumi.Output<string>;
    /** Whether pages and tickets reach anyone (Slack or a webhook is set). */
    public readonly notifies: pulumi.Output<boolean>;

    /**
     * @param name Unique name of the component.
     * @param args Platform, Slack, heartbeat, image and resources.
     * @param opts Resource options.
     */
    constructor(name: string, args: AlertmanagerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("proteamcare:monitoring:Alertmanager", name, opts);
        const workloadName = args.workloadName ?? DEFAULT_NAMES.alertmanager;
        if (args.requireSlack && args.slackWebhookUrl === undefined) {
            throw new pulumi.ResourceError(`${name}: this stack requires a Slack webhook for alerts; set slackWebhookUrl (a secret)`, this);
        }
        this.refuse(sizeGiProblems("storageGi", args.storageGi));
        const slack =
            args.slackWebhookUrl !== undefined
                ? { apiUrlFile: SLACK_WEBHOOK_FILE, pageChannel: args.slackPageChannel, ticketChannel: args.slackTicketChannel }
                : undefined;
        const render = (heartbeatUrl?: string, webhookUrl?: string): string =>
            renderAlertmanagerConfig({ slack, heartbeatUrl, webhookUrl, timings: args.timings });
        // Channels and timings are plain: check them now with placeholder URLs.
        this.build(name, () =>
            render(args.heartbeatUrl !== undefined ? "http://heartbeat.invalid/" : undefined, args.webhookUrl !== undefined ? "http://webhook.invalid/" : undefined),
        );
        // Alertmanager reads Slack's URL from a file, but a webhook URL (the heartbeat) only inline:
        // the rendered file is a secret exactly when it embeds one.
        const embedsUrl = args.heartbeatUrl !== undefined || args.webhookUrl !== undefined;
        const rendered = pulumi.all([args.heartbeatUrl, args.webhookUrl]).apply(([heartbeatUrl, webhookUrl]) => render(heartbeatUrl, webhookUrl));
        const config = embedsUrl ? pulumi.secret(rendered) : rendered;
        const spec = alertmanagerSpec({
            image: args.image ?? DEFAULT_IMAGES.alertmanager,
            resources: args.resources,
            config,
            configSecret: embedsUrl,
            secretFiles: args.slackWebhookUrl !== undefined ? { [SLACK_WEBHOOK_FILE]: pulumi.secret(args.slackWebhookUrl) } : {},
            externalUrl: args.externalUrl,
            storageGi: args.storageGi,
        });
        const ep = this.runService(args.platform, workloadName, spec, args.dependsOn);
        this.host = ep.host;
        this.port = ep.port;
        this.address = ep.address;
        this.url = ep.url;
        this.config = config;
        this.notifies = pulumi.output(args.slackWebhookUrl !== undefined || args.webhookUrl !== undefined);
        this.publish(["host", "port", "address", "url", "config", "notifies"]);
    }
}
