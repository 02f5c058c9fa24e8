/**
 * Smoke test of policy/sdk-analyzer.ts, the runner's only door into @pulumi/policy's private
 * analyzer handlers. When an upgrade changes them, this fails and says which @pulumi/policy
 * version broke what.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";

import { makeAnalyzer, POLICY_SDK_VERSION, SECRET_SIG, SIG_KEY, UNKNOWN_VALUE } from "../../policy/sdk-analyzer";

const INSTALLED = (JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "node_modules", "@pulumi", "policy", "package.json"), "utf8")) as { version: string }).version;

async function withVersion(check: () => Promise<void> | void): Promise<void> {
    try {
        await check();
    } catch (e) {
        throw new Error(`@pulumi/policy ${INSTALLED} broke the runner's analyzer adapter (policy/sdk-analyzer.ts): ${(e as Error).message}`, { cause: e });
    }
}

const seenProps: unknown[] = [];
const resourcePolicy: ResourceValidationPolicy = {
    name: "smoke-resource",
    description: "Checks that things have a size.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        seenProps.push(args.props);
        if (args.type === "test:index:Thing" && args.props.size === undefined) report("set a size");
    },
};
const stackPolicy: StackValidationPolicy = {
    name: "smoke-stack",
    description: "Checks that the stack has two things.",
    enforcementLevel: "advisory",
    validateStack: (args, report) => {
        if (args.resources.length !== 2) report(`found ${args.resources.length} things`);
    },
};

const thing = (name: string, inputs: Record<string, unknown>) => ({ urn: `urn:pulumi:s::p::test:index:Thing::${name}`, type: "test:index:Thing", name, parent: null, inputs });

describe(`policy: the analyzer adapter on @pulumi/policy ${INSTALLED}`, () => {
    it("reads the installed version and uses the SDK's wire constants", () => {
        assert.equal(POLICY_SDK_VERSION, INSTALLED);
        assert.equal(SIG_KEY, pulumi.runtime.specialSigKey);
        assert.equal(SECRET_SIG, pulumi.runtime.specialSecretSig);
        assert.equal(UNKNOWN_VALUE, pulumi.runtime.unknownValue);
    });

    it("runs a resource policy through the Analyze handler: secrets unwrapped, the level and message reported", () =>
        withVersion(async () => {
            const analyzer = makeAnalyzer("smoke", "0.0.1", "advisory", [resourcePolicy, stackPolicy]);
            seenProps.length = 0;
            const d = await analyzer.analyze(thing("a", { label: { [SIG_KEY]: SECRET_SIG, value: "hidden" } }));
            // The SDK hands policies its secret-preserving proxy; compare what a policy reads from it
            // (Node 24's deepStrictEqual also compares the proxy's symbol-keyed traps).
            assert.deepEqual(
                seenProps.map((p) => ({ ...(p as Record<string, unknown>) })),
                [{ label: "hidden" }],
                "the policy sees the secret's value",
            );
            assert.equal(d.length, 1);
            assert.equal(d[0].policy, "smoke-resource");
            assert.equal(d[0].level, "mandatory");
            assert.equal(d[0].description, "Checks that things have a size.");
            assert.match(d[0].message, /set a size/);
            assert.deepEqual(await analyzer.analyze(thing("b", { size: 1 })), []);
        }));

    it("runs a stack policy through the AnalyzeStack handler", () =>
        withVersion(async () => {
            const analyzer = makeAnalyzer("smoke", "0.0.1", "advisory", [resourcePolicy, stackPolicy]);
            const d = await analyzer.analyzeStack([thing("a", { size: 1 })]);
            assert.deepEqual(d.map((x) => [x.policy, x.level]), [["smoke-stack", "advisory"]]);
            assert.match(d[0].message, /found 1 things/);
            assert.deepEqual(await analyzer.analyzeStack([thing("a", { size: 1 }), thing("b", { size: 2 })]), []);
        }));
});
