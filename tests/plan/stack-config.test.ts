import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

import { loadStackConfig, PlanConfigError, securePlaceholder } from "../../tools/plan/stack-config";

const PROJECT = `name: demo
runtime: nodejs
config:
  replicas:
    type: integer
    description: n
    default: 1
  debug:
    type: boolean
    description: b
    default: false
  domain:
    type: string
    description: d
  images:
    description: structured, no type
  aws:region: us-east-1
`;

describe("plan: stack config (Pulumi.yaml + Pulumi.<stack>.yaml → CLI config)", () => {
    let dir: string;
    const write = (name: string, text: string): void => fs.writeFileSync(path.join(dir, name), text);

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-config-"));
        write("Pulumi.yaml", PROJECT);
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("passes scalars as the CLI does: strings, numbers and booleans as strings; objects and arrays as JSON", () => {
        write(
            "Pulumi.dev.yaml",
            `config:
  demo:replicas: 3
  demo:debug: true
  demo:domain: example.test
  demo:images:
    api: ghcr.io/x/api:1.0.0
  demo:list: [1, "two"]
  docker:host: unix:///var/run/docker.sock
`,
        );
        const c = loadStackConfig({ projectDir: dir, stack: "dev" });
        assert.equal(c.project, "demo");
        assert.equal(c.config["demo:replicas"], "3");
        assert.equal(c.config["demo:debug"], "true");
        assert.equal(c.config["demo:domain"], "example.test");
        assert.deepEqual(JSON.parse(c.config["demo:images"]), { api: "ghcr.io/x/api:1.0.0" });
        assert.deepEqual(JSON.parse(c.config["demo:list"]), [1, "two"]);
        assert.equal(c.config["docker:host"], "unix:///var/run/docker.sock");
        assert.deepEqual(c.secretKeys, []);
    });

    it("applies Pulumi.yaml defaults and project-level values of other namespaces; stack values win", () => {
        write("Pulumi.dev.yaml", "config:\n  demo:domain: a.test\n  demo:debug: true\n");
        const c = loadStackConfig({ projectDir: dir, stack: "dev" });
        assert.equal(c.config["demo:replicas"], "1");
        assert.equal(c.config["demo:debug"], "true");
        assert.equal(c.config["aws:region"], "us-east-1");
    });

    it("prefixes keys without a namespace with the project name", () => {
        write("Pulumi.dev.yaml", "config:\n  domain: b.test\n");
        assert.equal(loadStackConfig({ projectDir: dir, stack: "dev" }).config["demo:domain"], "b.test");
    });

    it("turns secure values into fresh opaque placeholders and marks their keys secret", () => {
        write("Pulumi.dev.yaml", "config:\n  demo:domain: c.test\n  demo:apiToken:\n    secure: v1:AAAA\n");
        const a = loadStackConfig({ projectDir: dir, stack: "dev" });
        const b = loadStackConfig({ projectDir: dir, stack: "dev" });
        assert.deepEqual(a.secretKeys, ["demo:apiToken"]);
        assert.match(a.config["demo:apiToken"], /^offline-plan-placeholder-[0-9a-f]{24}$/);
        assert.notEqual(a.config["demo:apiToken"], b.config["demo:apiToken"], "a placeholder is random per run");
        assert.ok(!a.config["demo:apiToken"].includes("v1:AAAA"), "the ciphertext is not passed on");
        assert.ok(a.placeholders.includes(a.config["demo:apiToken"]));
    });

    it("marks a structured key with a nested secure value secret and keeps its shape", () => {
        write("Pulumi.dev.yaml", "config:\n  demo:domain: d.test\n  demo:tls:\n    certificate: CERT\n    key:\n      secure: v1:BBBB\n");
        const c = loadStackConfig({ projectDir: dir, stack: "dev" });
        assert.deepEqual(c.secretKeys, ["demo:tls"]);
        const tls = JSON.parse(c.config["demo:tls"]) as { certificate: string; key: string };
        assert.equal(tls.certificate, "CERT");
        assert.match(tls.key, /^-----BEGIN PRIVATE KEY-----\n/, "a key placeholder is PEM-shaped");
        assert.ok(c.placeholders.includes(tls.key));
    });

    it("shapes placeholders of certificates and keys as PEM, URLs as https on .invalid, others as a plain marker", () => {
        assert.match(securePlaceholder("demo:tlsCertificate"), /^-----BEGIN CERTIFICATE-----/);
        assert.match(securePlaceholder("demo:tlsPrivateKey"), /^-----BEGIN PRIVATE KEY-----/);
        assert.match(securePlaceholder("demo:alertSlackWebhookUrl"), /^https:\/\/offline-plan-placeholder-[0-9a-f]+\.invalid\/$/);
        assert.match(securePlaceholder("demo:apiKey"), /^offline-plan-placeholder-/);
    });

    it("records the PEM body of a placeholder (and its decoded marker) for leak checks", () => {
        write("Pulumi.dev.yaml", "config:\n  demo:domain: e.test\n  demo:tlsPrivateKey:\n    secure: v1:CCCC\n");
        const c = loadStackConfig({ projectDir: dir, stack: "dev" });
        const pem = c.config["demo:tlsPrivateKey"];
        const body = pem.split("\n")[1];
        assert.ok(c.placeholders.includes(body));
        assert.ok(c.placeholders.some((p) => /^offline-plan-placeholder-[0-9a-f]+$/.test(p)));
    });

    it("uses another stack config file with configFile", () => {
        write("other.yaml", "config:\n  demo:domain: other.test\n");
        const c = loadStackConfig({ projectDir: dir, stack: "dev", configFile: path.join(dir, "other.yaml") });
        assert.equal(c.config["demo:domain"], "other.test");
        assert.equal(c.stackFile, path.join(dir, "other.yaml"));
    });

    it("refuses a value of the wrong declared type, naming the key and the value", () => {
        write("Pulumi.dev.yaml", "config:\n  demo:domain: f.test\n  demo:replicas: many\n");
        assert.throws(
            () => loadStackConfig({ projectDir: dir, stack: "dev" }),
            (e: Error) => e instanceof PlanConfigError && e.name === "ConfigError" && /demo:replicas must be of type integer/.test(e.message) && e.message.includes('"many"'),
        );
    });

    it("names the missing stack file and says what to do", () => {
        assert.throws(
            () => loadStackConfig({ projectDir: dir, stack: "nope" }),
            (e: Error) => e instanceof PlanConfigError && e.message.includes("Pulumi.nope.yaml") && /--config FILE/.test(e.message),
        );
    });

    it("reports bad YAML with the file name", () => {
        write("Pulumi.dev.yaml", "config: [unclosed\n");
        assert.throws(() => loadStackConfig({ projectDir: dir, stack: "dev" }), (e: Error) => e instanceof PlanConfigError && e.message.includes("is not valid YAML"));
    });

    it("refuses a project without a name", () => {
        write("Pulumi.yaml", "runtime: nodejs\n");
        write("Pulumi.dev.yaml", "config: {}\n");
        assert.throws(() => loadStackConfig({ projectDir: dir, stack: "dev" }), /needs a "name"/);
    });

    it("warns (without failing) about declared keys that have neither a default nor a value", () => {
        write("Pulumi.dev.yaml", "config: {}\n");
        const c = loadStackConfig({ projectDir: dir, stack: "dev" });
        assert.equal(c.warnings.length, 1);
        assert.match(c.warnings[0], /demo:domain, demo:images/);
        write("Pulumi.dev.yaml", "config:\n  demo:domain: g.test\n  demo:images: {}\n");
        assert.deepEqual(loadStackConfig({ projectDir: dir, stack: "dev" }).warnings, []);
    });

    it("warns about a key declared secret but set in plaintext, and passes it as a secret anyway", () => {
        write("Pulumi.yaml", `${PROJECT}  token:\n    type: string\n    secret: true\n    description: t\n`);
        write("Pulumi.dev.yaml", "config:\n  demo:domain: h.test\n  demo:images: {}\n  demo:token: plain\n");
        const c = loadStackConfig({ projectDir: dir, stack: "dev" });
        assert.deepEqual(c.secretKeys, ["demo:token"]);
        assert.equal(c.warnings.length, 1);
        assert.match(c.warnings[0], /demo:token is declared secret .* in plaintext/);
    });
});
