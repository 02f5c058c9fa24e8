import * as assert from "assert";
import { secretEnvelopeFindings } from "../../policy/runner";
import { assertClean, assertOnly, configFile, DOCKER_SECRET_OPTS, dockerService, k8sDeployment, mutate, PROD_CONFIG, res, run, secret, Fixture } from "./helpers";

const C = "docker:index/container:Container";
const D = "kubernetes:apps/v1:Deployment";
const first = (d: Fixture) => d.spec.template.spec.containers[0];
const deployment = (change: (d: Fixture) => void) => [res(D, "api", mutate(k8sDeployment(), change))];

describe("policy: no-plaintext-secret-env", () => {
    it("passes a secretKeyRef on Kubernetes", async () => assertClean(await run(deployment(() => undefined))));
    it("flags a literal value on Kubernetes", async () =>
        assertOnly(await run(deployment((d) => (first(d).env[1] = { name: "DATABASE_PASSWORD", value: "hunter2" }))), "no-plaintext-secret-env", /DATABASE_PASSWORD is a plaintext value/));
    it("flags a configMapKeyRef on Kubernetes", async () =>
        assertOnly(
            await run(deployment((d) => (first(d).env[1] = { name: "API_TOKEN", valueFrom: { configMapKeyRef: { name: "c", key: "k" } } }))),
            "no-plaintext-secret-env",
            /API_TOKEN comes from configMapKeyRef/,
        ));
    it("honours allowedNames", async () =>
        assertClean(
            await run(
                deployment((d) => (first(d).env[1] = { name: "PUBLIC_KEY_PATH", value: "/etc/key.pub" })),
                configFile({ "no-plaintext-secret-env": { enforcementLevel: "mandatory", allowedNames: ["PUBLIC_KEY_PATH"] } }),
            ),
        ));
    it("passes a docker container that declares additionalSecretOutputs envs", async () => assertClean(await run([res(C, "api", dockerService(), DOCKER_SECRET_OPTS)])));
    it("flags a docker container with secret-named env that does not declare it - even when the value is a secret, since the analyzer cannot see that", async () => {
        const vs = await run([res(C, "api", dockerService())]);
        assertOnly(vs, "no-plaintext-secret-env", /env DATABASE_PASSWORD looks secret, and the analyzer cannot tell/);
    });
    it("passes docker env without secret names, and NAME_FILE path references", async () =>
        assertClean(await run([res(C, "api", mutate(dockerService(), (c: Fixture) => (c.envs = ["LOG_LEVEL=info", "POSTGRES_PASSWORD_FILE=/run/secrets/pg"])))])));
    it("does not read docker env once it is declared secret (an unknown env entry is fine)", async () =>
        assertClean(await run([res(C, "api", mutate(dockerService(), (c: Fixture) => (c.envs = ["04da6b54-80e4-46f7-96ec-b56ff0331ba9"])), DOCKER_SECRET_OPTS)])));
});

describe("plan-only check: secretEnvelopeFindings", () => {
    const opts = { project: "ptc", stack: "test", configFile: PROD_CONFIG };
    it("accepts enveloped secret env and a wholly secret env list", () => {
        assert.deepStrictEqual(secretEnvelopeFindings([res(C, "api", dockerService())], opts), []);
        assert.deepStrictEqual(secretEnvelopeFindings([res(C, "api", mutate(dockerService(), (c: Fixture) => (c.envs = secret(["A_TOKEN=x"]))))], opts), []);
    });
    it("flags a plaintext secret-named docker env value", () => {
        const vs = secretEnvelopeFindings([res(C, "api", mutate(dockerService(), (c: Fixture) => (c.envs = ["DATABASE_PASSWORD=hunter2"])))], opts);
        assert.strictEqual(vs.length, 1);
        assert.match(vs[0].message, /^\[plan\] env DATABASE_PASSWORD of container "api" is not a Pulumi secret/);
        assert.strictEqual(vs[0].level, "mandatory");
        assert.ok(!vs[0].message.includes("hunter2"), "never print the secret");
    });
    it("flags a Kubernetes Secret with plaintext stringData", () => {
        const S = "kubernetes:core/v1:Secret";
        assert.deepStrictEqual(secretEnvelopeFindings([res(S, "s", { stringData: { A: secret("x") } })], opts), []);
        assert.deepStrictEqual(secretEnvelopeFindings([res(S, "s", { stringData: secret({ A: "x" }) })], opts), []);
        const vs = secretEnvelopeFindings([res(S, "s", { stringData: { A: "x", B: secret("y") } })], opts);
        assert.strictEqual(vs.length, 1);
        assert.match(vs[0].message, /key\(s\) A are not Pulumi secrets/);
    });
});
