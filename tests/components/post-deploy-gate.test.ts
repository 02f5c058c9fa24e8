/**
 * PostDeployGate under the mock runtime: one local command that runs the gate script from stdin
 * with every setting in its environment (nothing in the command line), re-run by image and edge
 * config changes only, and refusing bad args before it creates anything.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";

import { installMocks, MockRecorder, settle } from "../support/pulumi";

type DeployModule = typeof import("../../components/deploy/index");

const COMMAND = "command:local:Command";
const IMAGES = { api: "ghcr.io/proteamcare/backend:1.0.0", web: "ghcr.io/proteamcare/frontend:1.0.0", edge: "nginx:1.28" };
const URLS = ["https://localhost:8443/api/v1/health", "https://localhost:8443/"];

describe("PostDeployGate (mocks)", () => {
    let mocks: MockRecorder;
    let deploy: DeployModule;
    /** Something for the gate to run after. */
    let edge: pulumi.ComponentResource;

    before(async () => {
        mocks = installMocks("gate-test");
        deploy = await import("../../components/deploy/index");
        edge = new pulumi.ComponentResource("test:index:Edge", "edge");
    });

    /** Creates a gate named `name` and returns its command's recorded inputs. */
    async function gate(name: string, args: Partial<import("../../components/deploy/index").PostDeployGateArgs> = {}): Promise<Record<string, unknown>> {
        new deploy.PostDeployGate(name, { urls: URLS, images: IMAGES, edgeConfig: "events {}\n", after: [edge], ...args });
        await settle();
        return mocks.get(COMMAND, `${name}-check`).inputs;
    }

    it("runs the script on stdin of bash on create and update, with every setting in the environment, and nothing on delete", async () => {
        const inputs = await gate("g1", { baseUrl: "https://localhost:8443/", caCertificate: "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n" });
        assert.equal(inputs.create, "bash -s");
        assert.equal(inputs.update, "bash -s");
        assert.equal(inputs.delete, undefined);
        assert.equal(inputs.stdin, fs.readFileSync(deploy.GATE_SCRIPT_PATH, "utf8"));
        assert.deepEqual(inputs.environment, {
            GATE_URLS: URLS.join(" "),
            GATE_BUDGET_SECONDS: "120",
            GATE_INTERVAL_SECONDS: "5",
            GATE_REQUEST_TIMEOUT_SECONDS: "10",
            GATE_CONNECT_TO: "localhost:8443",
            GATE_CA_PEM: "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n",
        });
    });

    it("is re-run by an image reference or the edge config, and not by its other settings", async () => {
        const base = (await gate("t-base")).triggers;
        assert.deepEqual(base, deploy.gateTriggers(IMAGES, "events {}\n"));
        assert.notDeepEqual((await gate("t-image", { images: { ...IMAGES, web: "ghcr.io/proteamcare/frontend:1.0.1" } })).triggers, base);
        assert.notDeepEqual((await gate("t-conf", { edgeConfig: "events { worker_connections 512; }\n" })).triggers, base);
        // Its own settings change its environment (an update, which runs it again) but not what replaces it.
        assert.deepEqual((await gate("t-budget", { budgetSeconds: 60, intervalSeconds: 2, baseUrl: "https://127.0.0.1:9443/" })).triggers, base);
    });

    it("refuses bad args as a ResourceError naming the gate and the field, before its command exists", () => {
        const cases: [Partial<import("../../components/deploy/index").PostDeployGateArgs>, RegExp][] = [
            [{ budgetSeconds: 0 }, /post-deploy gate "bad-0": budgetSeconds must be a whole number of seconds from 1 to 3600, got 0/],
            [{ budgetSeconds: 10, intervalSeconds: 30 }, /intervalSeconds \(30\) must not exceed budgetSeconds \(10\)/],
            [{ baseUrl: "http://localhost:8080/" }, /baseUrl must be an https origin/],
            [{ caFile: "ca.pem" }, /caFile must be an absolute path/],
            [{ caFile: "/etc/ca.pem", caCertificate: "PEM" }, /caCertificate and caFile are exclusive/],
            [{ urls: [] }, /urls must list at least one URL/],
        ];
        cases.forEach(([args, pattern], i) => {
            const name = `bad-${i}`;
            assert.throws(
                () => new deploy.PostDeployGate(name, { urls: URLS, images: IMAGES, edgeConfig: "", after: [edge], ...args }),
                (e: unknown) => e instanceof pulumi.ResourceError && pattern.test(e.message),
                name,
            );
            assert.equal(mocks.resources.filter((r) => r.name === `${name}-check`).length, 0, `${name}: no command`);
        });
    });
});
