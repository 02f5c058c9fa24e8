/**
 * Smoke test of tools/plan/sdk-monitor.ts, the offline plan's only door into the Node SDK's
 * private internals (the mock monitor's protobuf messages, runtime.waitForRPCs). When an SDK
 * upgrade changes them, this fails and says which @pulumi/pulumi version broke what.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";

import { installMocks } from "../support/pulumi";
import { type MonitorRegistration, PULUMI_SDK_VERSION, SECRET_SIG, SIG_KEY, tapMockMonitor, waitForRPCs } from "../../tools/plan/sdk-monitor";

const INSTALLED = (JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "node_modules", "@pulumi", "pulumi", "package.json"), "utf8")) as { version: string }).version;

/** Runs `check`, prefixing any failure with the installed SDK version. */
async function withVersion(check: () => Promise<void> | void): Promise<void> {
    try {
        await check();
    } catch (e) {
        throw new Error(`@pulumi/pulumi ${INSTALLED} broke the plan's SDK adapter (tools/plan/sdk-monitor.ts): ${(e as Error).message}`, { cause: e });
    }
}

class Thing extends pulumi.CustomResource {
    constructor(name: string, props: Record<string, unknown>, opts?: pulumi.CustomResourceOptions) {
        super("test:index:Thing", name, props, opts);
    }
}

class Box extends pulumi.ComponentResource {
    constructor(name: string) {
        super("test:index:Box", name, {}, {});
        this.registerOutputs({ answer: 42 });
    }
}

describe(`plan: the SDK adapter on @pulumi/pulumi ${INSTALLED}`, () => {
    const seen: MonitorRegistration[] = [];
    const outputs = new Map<string, Record<string, unknown>>();

    before(async () => {
        // A getter the adapter misses throws inside the SDK's registration promise, which only
        // surfaces as an unhandled rejection: collect them, so the failure names what is missing.
        const rejections: unknown[] = [];
        const onRejection = (e: unknown): void => void rejections.push(e);
        process.on("unhandledRejection", onRejection);
        try {
            await withVersion(async () => {
            installMocks({ stack: "smoke", outputs: () => ({ state: { token: "t0k3n" } }) });
            tapMockMonitor({ onResource: (r) => void seen.push(r), onOutputs: (urn, o) => void outputs.set(urn, o) });
            const box = new Box("box");
            const dep = new Thing("dep", { n: 1 }, { parent: box });
            const order = new Thing("order", { n: 2 }, { parent: box, protect: false });
            new Thing(
                "thing",
                { plain: "p", hidden: pulumi.secret("s3cr3t"), ref: dep.id },
                {
                    parent: box,
                    dependsOn: [dep, order],
                    additionalSecretOutputs: ["token"],
                    deleteBeforeReplace: true,
                    protect: true,
                    retainOnDelete: true,
                    replaceOnChanges: ["spec.b", "spec.a"],
                    ignoreChanges: ["z", "y"],
                    customTimeouts: { create: "5m", delete: "1m" },
                },
            );
            await waitForRPCs();
                await new Promise((resolve) => setImmediate(resolve));
                if (rejections.length > 0) throw rejections[0] instanceof Error ? rejections[0] : new Error(String(rejections[0]));
            });
        } finally {
            process.off("unhandledRejection", onRejection);
        }
    });

    it("reads the installed version from @pulumi/pulumi's package.json", () => {
        assert.equal(PULUMI_SDK_VERSION, INSTALLED);
    });

    it("uses the SDK's wire constants", () => {
        assert.equal(SIG_KEY, pulumi.runtime.specialSigKey);
        assert.equal(SECRET_SIG, pulumi.runtime.specialSecretSig);
    });

    it("reports registrations with parent, custom flag, wire inputs, dependencies and secret outputs", () =>
        withVersion(() => {
            const box = seen.find((r) => r.type === "test:index:Box");
            const dep = seen.find((r) => r.name === "dep");
            const thing = seen.find((r) => r.name === "thing");
            assert.ok(box && dep && thing, `registrations seen: ${seen.map((r) => r.name).join(", ")}`);
            assert.equal(box.custom, false);
            assert.equal(thing.custom, true);
            assert.equal(thing.parent, box.urn);
            assert.match(thing.urn, /^urn:pulumi:smoke::pro-team-care::test:index:Box\$test:index:Thing::thing$/);
            assert.equal(thing.inputs.plain, "p");
            assert.deepEqual(thing.inputs.hidden, { [SIG_KEY]: SECRET_SIG, value: "s3cr3t" }, "a secret input stays in its envelope");
            const order = seen.find((r) => r.name === "order");
            assert.ok(order);
            assert.deepEqual(thing.dependencies, [dep.urn, order.urn].sort());
            assert.deepEqual(thing.additionalSecretOutputs, ["token"]);
            assert.deepEqual(thing.state.token, { [SIG_KEY]: SECRET_SIG, value: "t0k3n" }, "an additional secret output is wrapped as the engine would");
            assert.equal(dep.state.token, "t0k3n");
        }));

    it("reports the replacement and deletion options, only those set, lists sorted", () =>
        withVersion(() => {
            const thing = seen.find((r) => r.name === "thing");
            const order = seen.find((r) => r.name === "order");
            const dep = seen.find((r) => r.name === "dep");
            assert.ok(thing && order && dep);
            assert.deepEqual(thing.options, {
                deleteBeforeReplace: true,
                protect: true,
                retainOnDelete: true,
                // dep is also an input dependency (ref), so only order is an explicit one.
                dependsOn: [order.urn],
                replaceOnChanges: ["spec.a", "spec.b"],
                ignoreChanges: ["y", "z"],
                customTimeouts: { create: "5m", delete: "1m" },
            });
            assert.deepEqual(order.options, { protect: false }, "an option set to false is reported; unset ones are not");
            assert.deepEqual(dep.options, {});
        }));

    it("reports registered outputs", () =>
        withVersion(() => {
            const box = seen.find((r) => r.type === "test:index:Box");
            assert.deepEqual(outputs.get(box?.urn ?? ""), { answer: 42 });
        }));
});
