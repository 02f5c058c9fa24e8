import * as assert from "assert";
import { parse } from "yaml";
import { DEFAULT_ROUTE_TIMINGS, INHIBIT_RULES, RECEIVERS, renderAlertmanagerConfig } from "../../components/monitoring/alertmanager-config";
import { ALERT_NAMES } from "../../components/monitoring/rules";

interface Route {
    receiver: string;
    matchers?: string[];
    group_by?: string[];
    group_wait?: string;
    group_interval?: string;
    repeat_interval?: string;
    continue?: boolean;
    routes?: Route[];
}
interface Receiver {
    name: string;
    slack_configs?: Record<string, unknown>[];
    webhook_configs?: { url: string; send_resolved: boolean }[];
}
interface AmConfig {
    route: Route;
    receivers: Receiver[];
    inhibit_rules: { source_matchers: string[]; target_matchers: string[]; equal: string[] }[];
}

const PROD = { slack: { apiUrlFile: "/etc/alertmanager/secrets/slack-webhook-url", pageChannel: "#ptc-oncall" }, heartbeatUrl: "https://hc-ping.com/uuid" };

function render(input = {}): AmConfig {
    return parse(renderAlertmanagerConfig(input)) as AmConfig;
}

/** The receiver Alertmanager picks for these labels: first matching child route (no `continue`). */
function routeOf(cfg: AmConfig, labels: Record<string, string>): Route {
    const matches = (m: string): boolean => {
        const [, k, op, v] = /^(\w+)(=~|=)"(.*)"$/.exec(m) ?? [];
        return op === "=" ? labels[k] === v : new RegExp(`^(?:${v})$`).test(labels[k] ?? "");
    };
    return cfg.route.routes?.find((r) => (r.matchers ?? []).every(matches)) ?? cfg.route;
}

describe("monitoring: alertmanager.yml renderer", () => {
    it("reads the Slack webhook from a file: the URL never appears in the config", () => {
        const text = renderAlertmanagerConfig(PROD);
        const cfg = parse(text) as AmConfig;
        const page = cfg.receivers.find((r) => r.name === RECEIVERS.page);
        assert.ok(page?.slack_configs);
        assert.strictEqual(page.slack_configs[0].api_url_file, PROD.slack.apiUrlFile);
        assert.strictEqual(page.slack_configs[0].api_url, undefined);
        assert.strictEqual(page.slack_configs[0].channel, "#ptc-oncall");
        assert.ok(!/hooks\.slack\.com/.test(text));
    });

    it("routes pages fast, tickets slower, and drops severity none", () => {
        const cfg = render(PROD);
        const page = routeOf(cfg, { alertname: "PostgresDown", severity: "page" });
        assert.strictEqual(page.receiver, RECEIVERS.page);
        assert.strictEqual(page.group_wait, "30s");
        assert.strictEqual(page.repeat_interval, "1h");
        const ticket = routeOf(cfg, { alertname: "BackupFailed", severity: "ticket" });
        assert.strictEqual(ticket.receiver, RECEIVERS.ticket);
        assert.ok(DEFAULT_ROUTE_TIMINGS.ticket.groupWaitSeconds > DEFAULT_ROUTE_TIMINGS.page.groupWaitSeconds);
        assert.strictEqual(routeOf(cfg, { alertname: "Other", severity: "none" }).receiver, RECEIVERS.blackhole);
        // No severity at all: falls to the root route, which notifies (never silently lost).
        assert.strictEqual(routeOf(cfg, { alertname: "Unlabelled" }).receiver, RECEIVERS.ticket);
    });

    it("sends only the Watchdog to the heartbeat, often, and stops there", () => {
        const cfg = render(PROD);
        const wd = routeOf(cfg, { alertname: "Watchdog", severity: "none" });
        assert.strictEqual(wd.receiver, RECEIVERS.heartbeat);
        assert.strictEqual(wd.continue, false);
        assert.ok(["1m", "2m", "3m", "4m", "5m"].includes(wd.repeat_interval ?? ""), wd.repeat_interval);
        assert.strictEqual(cfg.route.routes?.[0], wd, "the Watchdog route comes first so severity routes never see it");
        const hb = cfg.receivers.find((r) => r.name === RECEIVERS.heartbeat);
        assert.deepStrictEqual(hb?.webhook_configs, [{ url: PROD.heartbeatUrl, send_resolved: false }]);
        for (const r of cfg.receivers.filter((x) => x.name !== RECEIVERS.heartbeat)) {
            assert.ok(!JSON.stringify(r).includes(PROD.heartbeatUrl), `${r.name} must not ping the heartbeat`);
        }
    });

    it("without Slack or heartbeat (dev) everything goes to a receiver with no integrations", () => {
        const cfg = render();
        assert.deepStrictEqual(cfg.receivers, [{ name: RECEIVERS.blackhole }]);
        for (const sev of ["page", "ticket", "none"]) {
            assert.strictEqual(routeOf(cfg, { alertname: "X", severity: sev }).receiver, RECEIVERS.blackhole);
        }
        assert.strictEqual(routeOf(cfg, { alertname: "Watchdog", severity: "none" }).receiver, RECEIVERS.blackhole);
    });

    it("an extra webhook receives pages and tickets beside Slack", () => {
        const cfg = render({ ...PROD, webhookUrl: "http://127.0.0.1:9/hook" });
        for (const name of [RECEIVERS.page, RECEIVERS.ticket]) {
            const r = cfg.receivers.find((x) => x.name === name);
            assert.deepStrictEqual(r?.webhook_configs, [{ url: "http://127.0.0.1:9/hook", send_resolved: true }]);
            assert.ok(r?.slack_configs);
        }
    });

    it("inhibits symptoms by causes, and a page its own ticket", () => {
        const cfg = render(PROD);
        assert.deepStrictEqual(cfg.inhibit_rules, INHIBIT_RULES.map((r) => ({ ...r })));
        const has = (src: RegExp, tgt: string, equal: string[]): boolean =>
            cfg.inhibit_rules.some(
                (r) =>
                    r.source_matchers.some((m) => src.test(m)) &&
                    r.target_matchers.some((m) => new RegExp(`^(?:${/"(.*)"/.exec(m)?.[1]})$`).test(tgt)) &&
                    JSON.stringify(r.equal) === JSON.stringify(equal),
            );
        assert.ok(has(/PostgresDown/, "ApiErrorBudgetBurnFast", []));
        assert.ok(has(/RedisDown/, "ApiErrorBudgetBurnSlow", []));
        assert.ok(has(/PostgresDown/, "BackupFailed", ["store"]));
        assert.ok(has(/PostgresDown/, "PhysicalBackupFailed", ["store"]));
        assert.ok(has(/PostgresDown/, "PhysicalBackupStale", ["store"]));
        assert.ok(has(/TargetDown/, "ApiErrorBudgetBurnFast", ["service"]));
        assert.ok(cfg.inhibit_rules.some((r) => r.source_matchers[0] === 'severity="page"' && r.target_matchers[0] === 'severity="ticket"' && r.equal.includes("alertname")));
        // Every alert name an inhibition refers to exists in the contract.
        for (const m of cfg.inhibit_rules.flatMap((r) => [...r.source_matchers, ...r.target_matchers]).filter((x) => x.startsWith("alertname"))) {
            const re = new RegExp(`^(?:${/"(.*)"/.exec(m)?.[1]})$`);
            assert.ok(ALERT_NAMES.some((n) => re.test(n)), `${m} matches no alert`);
        }
    });

    it("rejects a plain Slack URL path, a bad heartbeat URL and a slow page route", () => {
        assert.throws(() => renderAlertmanagerConfig({ slack: { apiUrlFile: "slack.url" } }), /absolute path/);
        assert.throws(() => renderAlertmanagerConfig({ heartbeatUrl: "not a url" }), /heartbeatUrl/);
        assert.throws(() => renderAlertmanagerConfig({ timings: { page: { groupWaitSeconds: 60 } } }), /at most 30/);
        assert.throws(() => renderAlertmanagerConfig({ timings: { ticket: { groupIntervalSeconds: 0 } } }), /greater than 0/);
    });
});
