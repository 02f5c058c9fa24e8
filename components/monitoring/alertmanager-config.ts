/**
 * Pure renderer for `alertmanager.yml`.
 *
 * - Slack: the webhook URL is read by Alertmanager from a file (`slack_configs[].api_url_file`),
 *   so the secret never appears in the rendered config; the platform mounts the secret file.
 *   Without Slack (dev) pages and tickets go to a receiver with no integrations (a blackhole).
 * - Routes by the `severity` label: `page` (group_wait 30s, repeat 1h), `ticket` (slower), `none`
 *   (dropped); anything without a known severity goes to the ticket receiver so it is never lost.
 * - The always-firing Watchdog goes only to a heartbeat URL (a dead-man's switch: the heartbeat
 *   service alerts when the pings stop), re-sent every minute.
 * - Inhibition: causes silence their symptoms (see {@link INHIBIT_RULES}).
 *
 * Checked with amtool 0.25 (Debian bookworm). Its webhook receiver has no `url_file` (added in
 * 0.26), so the heartbeat URL is rendered inline: use a ping URL that only proves liveness.
 */
import { stringify } from "yaml";
import { promDuration } from "./prometheus-config";
import { httpUrlProblem } from "../platform/schemas";

/** Timings of one route, in seconds. */
export interface RouteTimings {
    /** Wait before the first notification of a new group (lets causes and symptoms arrive together). */
    readonly groupWaitSeconds: number;
    /** Wait before notifying about alerts added to a group that was already notified. */
    readonly groupIntervalSeconds: number;
    /** Re-send interval of a still-firing group. */
    readonly repeatIntervalSeconds: number;
}

/** The routes whose timings can be set. */
export type RouteName = "page" | "ticket" | "heartbeat";

/** Production route timings; the alert-latency budget ({@link ./latency}) reads `page`. */
export const DEFAULT_ROUTE_TIMINGS: Readonly<Record<RouteName, RouteTimings>> = {
    page: { groupWaitSeconds: 30, groupIntervalSeconds: 60, repeatIntervalSeconds: 3600 },
    ticket: { groupWaitSeconds: 120, groupIntervalSeconds: 600, repeatIntervalSeconds: 12 * 3600 },
    heartbeat: { groupWaitSeconds: 0, groupIntervalSeconds: 60, repeatIntervalSeconds: 60 },
};

/** Labels alerts are grouped by: one notification per alert per instance/store. */
export const GROUP_BY: readonly string[] = ["alertname", "service", "instance", "store"];

/** Slack settings. */
export interface SlackInput {
    /** Absolute path, inside the Alertmanager container, of the file holding the Slack webhook URL. Required. */
    readonly apiUrlFile: string;
    /** Channel for pages, e.g. `"#ptc-oncall"`. Defaults to the webhook's own channel. */
    readonly pageChannel?: string;
    /** Channel for tickets. Defaults to pageChannel. */
    readonly ticketChannel?: string;
}

/** Input of {@link renderAlertmanagerConfig}. */
export interface AlertmanagerConfigInput {
    /** Slack receiver; prod requires one. Defaults to none (pages and tickets are dropped: dev). */
    readonly slack?: SlackInput;
    /** Dead-man's-switch URL the Watchdog is POSTed to every minute. Defaults to none (Watchdog dropped). */
    readonly heartbeatUrl?: string;
    /** An extra generic webhook receiving every page and ticket (an on-call bridge; the live test's stub). Defaults to none. */
    readonly webhookUrl?: string;
    /** Route timings, merged over {@link DEFAULT_ROUTE_TIMINGS}. Defaults to those. */
    readonly timings?: Partial<Record<RouteName, Partial<RouteTimings>>>;
    /** How long an alert that stops being re-sent by Prometheus stays firing, seconds. Defaults to 300. */
    readonly resolveTimeoutSeconds?: number;
}

/** An inhibition rule (Alertmanager ≥ 0.22 matcher syntax). */
export interface InhibitRule {
    /** Matchers selecting the cause. */
    readonly source_matchers: readonly string[];
    /** Matchers selecting the symptoms it silences. */
    readonly target_matchers: readonly string[];
    /** Labels whose values must be equal on cause and symptom. */
    readonly equal: readonly string[];
}

/**
 * Causes silence their symptoms while they fire:
 * 1. a page silences the ticket of the same alert name and instance;
 * 2. PostgresDown/RedisDown silence the API's burn-rate and uptime alerts (the API needs both stores);
 * 3. PostgresDown/RedisDown silence BackupFailed/BackupStale of the same store, and PostgresDown the
 *    physical (pgBackRest) backup alerts (a base backup needs the server);
 * 4. TargetDown of a service silences its burn-rate and uptime alerts;
 * 5. a faster burn-rate alert silences the slower ones of the same SLO.
 */
export const INHIBIT_RULES: readonly InhibitRule[] = [
    { source_matchers: ['severity="page"'], target_matchers: ['severity="ticket"'], equal: ["alertname", "instance"] },
    {
        source_matchers: ['alertname=~"PostgresDown|RedisDown"'],
        target_matchers: ['alertname=~"ApiErrorBudgetBurn.*|UptimeProbeFailing"'],
        equal: [],
    },
    {
        source_matchers: ['alertname=~"PostgresDown|RedisDown"'],
        target_matchers: ['alertname=~"BackupFailed|BackupStale|PhysicalBackupFailed|PhysicalBackupStale"'],
        equal: ["store"],
    },
    {
        source_matchers: ['alertname="TargetDown"'],
        target_matchers: ['alertname=~"ApiErrorBudgetBurn.*|UptimeProbeFailing"'],
        equal: ["service"],
    },
    {
        source_matchers: ['alertname="ApiErrorBudgetBurnFast"'],
        target_matchers: ['alertname=~"ApiErrorBudgetBurnSlow|ApiErrorBudgetBurnTicket"'],
        equal: ["slo"],
    },
    {
        source_matchers: ['alertname="ApiErrorBudgetBurnSlow"'],
        target_matchers: ['alertname="ApiErrorBudgetBurnTicket"'],
        equal: ["slo"],
    },
];

/** Receiver names used in the rendered config. */
export const RECEIVERS = { page: "page", ticket: "ticket", heartbeat: "heartbeat", blackhole: "blackhole" } as const;

/** Resolves route timings over the defaults and checks them; throws with what to change. */
export function resolveRouteTimings(t: AlertmanagerConfigInput["timings"] = {}): Record<RouteName, RouteTimings> {
    const out = {} as Record<RouteName, RouteTimings>;
    for (const name of ["page", "ticket", "heartbeat"] as const) {
        const r = { ...DEFAULT_ROUTE_TIMINGS[name], ...(t[name] ?? {}) };
        for (const [k, v] of Object.entries(r)) {
            if (!Number.isInteger(v) || v < 0) throw new Error(`Alertmanager ${name} route ${k} must be a whole, non-negative number of seconds, got ${String(v)}`);
        }
        if (r.groupIntervalSeconds === 0 || r.repeatIntervalSeconds === 0) {
            throw new Error(`Alertmanager ${name} route groupIntervalSeconds and repeatIntervalSeconds must be greater than 0`);
        }
        out[name] = r;
    }
    if (out.page.groupWaitSeconds > 30) {
        throw new Error(`Alertmanager page route groupWaitSeconds must be at most 30 (alert response < 5 minutes), got ${out.page.groupWaitSeconds}`);
    }
    return out;
}

/** Checks a receiver URL. The message never contains the value: webhook URLs are secrets. */
function checkHttpUrl(what: string, v: string): string {
    const why = httpUrlProblem(v);
    if (why !== undefined) throw new Error(`Alertmanager ${what} must be ${why}`);
    return v;
}

function timings(t: RouteTimings): Record<string, string> {
    return {
        group_wait: promDuration(t.groupWaitSeconds),
        group_interval: promDuration(t.groupIntervalSeconds),
        repeat_interval: promDuration(t.repeatIntervalSeconds),
    };
}

const SLACK_TITLE =
    '[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.alertname }} ({{ .CommonLabels.severity }})';
const SLACK_TEXT =
    "{{ range .Alerts }}*{{ .Annotations.summary }}*\n{{ .Annotations.description }}\nRunbook: {{ .Annotations.runbook_url }}\n{{ end }}";

/** Renders `alertmanager.yml`. Deterministic; throws on malformed URLs, paths or timings. */
export function renderAlertmanagerConfig(input: AlertmanagerConfigInput = {}): string {
    const t = resolveRouteTimings(input.timings);
    const resolveTimeout = input.resolveTimeoutSeconds ?? 300;
    if (!Number.isInteger(resolveTimeout) || resolveTimeout <= 0) {
        throw new Error(`Alertmanager resolveTimeoutSeconds must be a positive whole number, got ${resolveTimeout}`);
    }
    const slack = input.slack;
    if (slack && !slack.apiUrlFile.startsWith("/")) {
        throw new Error(`Alertmanager slack.apiUrlFile must be an absolute path to the mounted secret file, got ${JSON.stringify(slack.apiUrlFile)}`);
    }
    for (const [k, ch] of [["pageChannel", slack?.pageChannel], ["ticketChannel", slack?.ticketChannel]] as const) {
        if (ch !== undefined && !/^[#@]?[a-z0-9._-]+$/i.test(ch)) throw new Error(`Alertmanager slack.${k} must be a Slack channel like "#ptc-oncall", got ${JSON.stringify(ch)}`);
    }
    const heartbeatUrl = input.heartbeatUrl === undefined ? undefined : checkHttpUrl("heartbeatUrl", input.heartbeatUrl);
    const webhookUrl = input.webhookUrl === undefined ? undefined : checkHttpUrl("webhookUrl", input.webhookUrl);

    const notifying = (channel: string | undefined): Record<string, unknown> => ({
        ...(slack
            ? {
                  slack_configs: [
                      {
                          api_url_file: slack.apiUrlFile,
                          ...(channel ? { channel } : {}),
                          send_resolved: true,
                          title: SLACK_TITLE,
                          text: SLACK_TEXT,
                      },
                  ],
              }
            : {}),
        ...(webhookUrl ? { webhook_configs: [{ url: webhookUrl, send_resolved: true }] } : {}),
    });
    const notifies = slack !== undefined || webhookUrl !== undefined;
    const pageReceiver = notifies ? RECEIVERS.page : RECEIVERS.blackhole;
    const ticketReceiver = notifies ? RECEIVERS.ticket : RECEIVERS.blackhole;
    const heartbeatReceiver = heartbeatUrl ? RECEIVERS.heartbeat : RECEIVERS.blackhole;

    const receivers: Record<string, unknown>[] = [{ name: RECEIVERS.blackhole }];
    if (notifies) {
        receivers.push({ name: RECEIVERS.page, ...notifying(slack?.pageChannel) });
        receivers.push({ name: RECEIVERS.ticket, ...notifying(slack?.ticketChannel ?? slack?.pageChannel) });
    }
    if (heartbeatUrl) {
        // send_resolved false: the Watchdog never resolves while the pipeline works.
        receivers.push({ name: RECEIVERS.heartbeat, webhook_configs: [{ url: heartbeatUrl, send_resolved: false }] });
    }

    const config = {
        global: { resolve_timeout: promDuration(resolveTimeout) },
        route: {
            receiver: ticketReceiver,
            group_by: [...GROUP_BY],
            ...timings(t.ticket),
            routes: [
                {
                    receiver: heartbeatReceiver,
                    matchers: ['alertname="Watchdog"'],
                    group_by: ["alertname"],
                    ...timings(t.heartbeat),
                    continue: false,
                },
                { receiver: pageReceiver, matchers: ['severity="page"'], ...timings(t.page), continue: false },
                { receiver: ticketReceiver, matchers: ['severity="ticket"'], ...timings(t.ticket), continue: false },
                { receiver: RECEIVERS.blackhole, matchers: ['severity="none"'], continue: false },
            ],
        },
        inhibit_rules: INHIBIT_RULES.map((r) => ({
            source_matchers: [...r.source_matchers],
            target_matchers: [...r.target_matchers],
            equal: [...r.equal],
        })),
        receivers,
    };
    return stringify(config, { lineWidth: 0 });
}
