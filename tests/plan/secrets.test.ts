import * as assert from "node:assert/strict";

import {
    ASSET_SIG,
    containsSecret,
    isSecretEnvelope,
    normalizeWire,
    REDACTED,
    redact,
    redactLeaves,
    RESOURCE_SIG,
    SECRET_SIG,
    secretEnvelope,
    SIG_KEY,
    UNKNOWN_VALUE,
} from "../../tools/plan/secrets";

describe("plan: wire values and redaction", () => {
    it("keeps secrets as envelopes, turns resource references into URNs and drops unknowns", () => {
        const wire = {
            a: { [SIG_KEY]: SECRET_SIG, value: "pw" },
            b: { [SIG_KEY]: RESOURCE_SIG, urn: "urn:pulumi:s::p::t::n", id: "x" },
            c: UNKNOWN_VALUE,
            d: [1, { [SIG_KEY]: SECRET_SIG, value: { k: "v" } }],
            e: { [SIG_KEY]: ASSET_SIG, text: "hello" },
        };
        const n = normalizeWire(wire) as Record<string, unknown>;
        assert.ok(isSecretEnvelope(n.a));
        assert.equal(n.b, "urn:pulumi:s::p::t::n");
        assert.ok(!("c" in n));
        assert.ok(isSecretEnvelope((n.d as unknown[])[1]));
        assert.deepEqual(n.e, { asset: { text: "hello" } });
    });

    it("redact replaces every envelope, at any depth, by the string [secret]", () => {
        const v = { env: ["A=1", secretEnvelope("B=2")], data: secretEnvelope({ k: "v" }), deep: { x: [{ y: secretEnvelope(3) }] } };
        assert.deepEqual(redact(v), { env: ["A=1", REDACTED], data: REDACTED, deep: { x: [{ y: REDACTED }] } });
        assert.ok(!containsSecret(redact(v)));
        assert.ok(containsSecret(v));
    });

    it("redactLeaves keeps a secret's keys and replaces only its values", () => {
        const v = { stringData: secretEnvelope({ PASSWORD: "pw", TOKEN: "t" }), data: secretEnvelope({ k: "cHc=" }), plain: "p" };
        const out = redactLeaves(v, (p) => (p[0] === "data" ? "base64" : REDACTED));
        assert.deepEqual(out, { stringData: { PASSWORD: REDACTED, TOKEN: REDACTED }, data: { k: "base64" }, plain: "p" });
    });
});
