import * as assert from "node:assert/strict";

import { PlanMocks } from "../../tools/plan/mocks";

describe("plan mocks: the tls provider (the dev self-signed pair)", () => {
    it("gives a tls.PrivateKey a PEM key in every private form and records it as a generated secret", () => {
        const m = new PlanMocks();
        const { state } = m.newResource({ type: "tls:index/privateKey:PrivateKey", name: "k", inputs: { algorithm: "ECDSA", ecdsaCurve: "P256" }, custom: true });
        const key = String(state.privateKeyPemPkcs8);
        assert.match(key, /^-----BEGIN PRIVATE KEY-----\n[^-]+\n-----END PRIVATE KEY-----\n$/);
        assert.equal(state.privateKeyPem, key);
        assert.equal(state.algorithm, "ECDSA");
        assert.equal(m.generatedSecrets.length, 1);
        assert.ok(key.includes(m.generatedSecrets[0]), "the key body is what the leak checks look for");
    });

    it("gives a tls.SelfSignedCert a PEM certificate, which is not a secret", () => {
        const m = new PlanMocks();
        const { state } = m.newResource({ type: "tls:index/selfSignedCert:SelfSignedCert", name: "c", inputs: { dnsNames: ["localhost"] }, custom: true });
        assert.match(String(state.certPem), /^-----BEGIN CERTIFICATE-----\n[^-]+\n-----END CERTIFICATE-----\n$/);
        assert.deepEqual(state.dnsNames, ["localhost"]);
        assert.equal(m.generatedSecrets.length, 0);
    });
});
