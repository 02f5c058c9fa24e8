/**
 * The post-deploy gate's pure half (components/deploy/gate-options.ts): what re-runs it, the
 * environment its script reads, and the rules of its settings.
 */
import * as assert from "node:assert/strict";

import { connectTarget, gateBaseUrlProblem, gateEnvironment, gateSettingsProblems, gateTriggers } from "../../components/deploy/gate-options";

const IMAGES = { api: "ghcr.io/proteamcare/backend:1.0.0", web: "ghcr.io/proteamcare/frontend:1.0.0", edge: "nginx:1.28" };
const CONF = "events {}\nhttp { server { listen 8443 ssl; } }\n";

describe("post-deploy gate: triggers", () => {
    it("lists each image by workload, sorted, then a hash of the edge config (not its text)", () => {
        const t = gateTriggers(IMAGES, CONF);
        assert.deepEqual(t.slice(0, 3), ["image:api=ghcr.io/proteamcare/backend:1.0.0", "image:edge=nginx:1.28", "image:web=ghcr.io/proteamcare/frontend:1.0.0"]);
        assert.match(t[3], /^edge-config:sha256:[0-9a-f]{16}$/);
        assert.deepEqual(gateTriggers({ web: IMAGES.web, edge: IMAGES.edge, api: IMAGES.api }, CONF), t, "key order does not matter");
    });

    it("changes the one image entry when an image reference changes, and nothing else", () => {
        const before = gateTriggers(IMAGES, CONF);
        const after = gateTriggers({ ...IMAGES, api: "ghcr.io/proteamcare/backend:1.0.1" }, CONF);
        assert.deepEqual(
            before.map((x, i) => x === after[i]),
            [false, true, true, true],
        );
    });

    it("changes the config entry when the edge config changes, even by one character", () => {
        const before = gateTriggers(IMAGES, CONF);
        const after = gateTriggers(IMAGES, CONF.replace("8443", "8444"));
        assert.deepEqual(before.slice(0, 3), after.slice(0, 3));
        assert.notEqual(before[3], after[3]);
    });
});

describe("post-deploy gate: the script's environment", () => {
    const settings = { urls: ["https://app.example.com/api/v1/health", "https://app.example.com/"], budgetSeconds: 120, intervalSeconds: 5, requestTimeoutSeconds: 10 };

    it("carries every setting, and connects nowhere else and trusts nothing extra by default", () => {
        assert.deepEqual(gateEnvironment(settings), {
            GATE_URLS: "https://app.example.com/api/v1/health https://app.example.com/",
            GATE_BUDGET_SECONDS: "120",
            GATE_INTERVAL_SECONDS: "5",
            GATE_REQUEST_TIMEOUT_SECONDS: "10",
        });
    });

    it("connects to the base URL's host and port (443 when it names none) and trusts the given PEM or file", () => {
        assert.equal(gateEnvironment({ ...settings, baseUrl: "https://localhost:8443/" }).GATE_CONNECT_TO, "localhost:8443");
        assert.equal(connectTarget("https://edge.internal/"), "edge.internal:443");
        assert.equal(gateEnvironment({ ...settings, caCertificate: "-----BEGIN CERTIFICATE-----\n" }).GATE_CA_PEM, "-----BEGIN CERTIFICATE-----\n");
        assert.equal(gateEnvironment({ ...settings, caFile: "/etc/ssl/ca.pem" }).GATE_CA_FILE, "/etc/ssl/ca.pem");
    });

    it("never lets one attempt run past the budget", () => {
        assert.equal(gateEnvironment({ ...settings, budgetSeconds: 4 }).GATE_REQUEST_TIMEOUT_SECONDS, "4");
    });
});

describe("post-deploy gate: settings", () => {
    it("accepts an https origin as base URL and refuses anything else, saying why", () => {
        assert.equal(gateBaseUrlProblem("https://localhost:8443/"), undefined);
        assert.equal(gateBaseUrlProblem("https://127.0.0.1:8443"), undefined);
        assert.match(gateBaseUrlProblem("http://localhost:8080/") ?? "", /uses http:/);
        assert.match(gateBaseUrlProblem("https://localhost:8443/api/") ?? "", /scheme, host and port only/);
        assert.match(gateBaseUrlProblem("https://u:p@localhost/") ?? "", /without a user or password/);
        assert.match(gateBaseUrlProblem("localhost:8443") ?? "", /https origin/);
    });

    it("names the field of each bad value, and an interval longer than the budget", () => {
        const ok = { budgetSeconds: 120, intervalSeconds: 5, requestTimeoutSeconds: 10 };
        assert.deepEqual(gateSettingsProblems(ok), []);
        assert.match(gateSettingsProblems({ ...ok, budgetSeconds: 0 }).join(), /^budgetSeconds must be a whole number of seconds from 1 to 3600, got 0$/);
        assert.match(gateSettingsProblems({ ...ok, intervalSeconds: 1.5 }).join(), /^intervalSeconds must be a whole number/);
        assert.match(gateSettingsProblems({ ...ok, caFile: "ca.pem" }).join(), /^caFile must be an absolute path/);
        assert.match(gateSettingsProblems({ ...ok, budgetSeconds: 3, intervalSeconds: 5 }).join(), /intervalSeconds \(5\) must not exceed budgetSeconds \(3\)/);
    });
});
