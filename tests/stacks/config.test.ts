import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { ConfigError, deepMerge, loadStackConfig, parseStructuredConfig, STRUCTURED_KEYS } from "../../stacks/load";
import { SECRET_KEYS } from "../../stacks/schema";
import { isMutableImageRef, parseImageRef } from "../../stacks/images";

const ROOT = path.join(__dirname, "..", "..");

/** The stack file's `pro-team-care:` values as the loader gets them from Pulumi (key → value). */
function stackFile(stack: string): Record<string, unknown> {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
    return Object.fromEntries(
        Object.entries(doc.config)
            .filter(([k]) => k.startsWith("pro-team-care:"))
            .map(([k, v]) => [k.slice("pro-team-care:".length), v]),
    );
}

function structured(stack: string): Record<string, unknown> {
    const all = stackFile(stack);
    return Object.fromEntries(Object.entries(all).filter(([k]) => (STRUCTURED_KEYS as string[]).includes(k)));
}


/** Prod refuses the project's own images without a digest; the defaults carry tags only. */
const PROD_OWN_IMAGES = {
    backup: `ghcr.io/proteamcare/ptc-backup:1.0.0@sha256:${"d".repeat(64)}`,
    postgres: `ghcr.io/proteamcare/ptc-postgres:16.9-1@sha256:${"e".repeat(64)}`,
};

describe("stack config", () => {
    describe("the shipped stack files", () => {
        it("dev validates: docker, one replica each, a local bucket, no cloud account", () => {
            const cfg = parseStructuredConfig(structured("dev"));
            assert.strictEqual(cfg.platform, "docker");
            assert.deepStrictEqual(cfg.replicas, { api: 1, web: 1, edge: 1 });
            assert.strictEqual(cfg.backup.bucket, "platform");
            assert.ok(!Object.keys(stackFile("dev")).some((k) => k.startsWith("aws")));
        });

        it("prod validates: kubernetes, at least 2 replicas, resources set, an AWS bucket, the public domain", () => {
            const cfg = parseStructuredConfig(structured("prod"));
            assert.strictEqual(cfg.platform, "kubernetes");
            for (const k of ["api", "web", "edge"] as const) assert.ok(cfg.replicas[k] >= 2, k);
            assert.strictEqual(cfg.backup.bucket, "aws");
            assert.strictEqual(cfg.domain, "app.proteamcare.com.br");
            for (const [k, r] of Object.entries(cfg.resources)) assert.ok(r.cpu && r.memory && r.memoryLimit, k);
            for (const [k, ref] of Object.entries(cfg.images)) assert.ok(!isMutableImageRef(ref), `${k}: ${ref}`);
        });

        it("Pulumi.yaml declares every key with a description, and a type for every scalar", () => {
            const project = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as {
                name: string;
                config: Record<string, { type?: string; description?: string }>;
            };
            assert.strictEqual(project.name, "pro-team-care");
            const declared = Object.keys(project.config).sort();
            assert.deepStrictEqual(declared, [...STRUCTURED_KEYS, ...SECRET_KEYS].sort());
            for (const [k, v] of Object.entries(project.config)) {
                assert.ok(v.description && v.description.length > 10, `${k} has a description`);
            }
            for (const k of ["platform", "environment", "domain", ...SECRET_KEYS]) assert.strictEqual(project.config[k].type, "string", k);
        });

        it("every key the stack files set is declared", () => {
            const project = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { config: Record<string, unknown> };
            for (const stack of ["dev", "prod"]) {
                for (const k of Object.keys(stackFile(stack))) assert.ok(k in project.config, `${stack}: ${k}`);
            }
        });
    });

    describe("bad values are refused with the key, the value and what is allowed", () => {
        const cases: { name: string; raw: Record<string, unknown>; want: RegExp[] }[] = [
            { name: "unknown platform", raw: { platform: "nomad" }, want: [/pro-team-care:platform/, /"nomad"/, /"docker", "kubernetes"/] },
            { name: "unknown environment", raw: { environment: "staging" }, want: [/pro-team-care:environment/, /"staging"/, /"dev", "prod"/] },
            { name: "domain with uppercase and spaces", raw: { domain: "My App.com" }, want: [/pro-team-care:domain/, /"My App.com"/, /DNS name/] },
            { name: "zero replicas", raw: { replicas: { api: 0 } }, want: [/pro-team-care:replicas.api/, /got 0/, /at least 1/] },
            { name: "replicas as a string", raw: { replicas: { web: "two" } }, want: [/pro-team-care:replicas.web/, /"two"/, /number/] },
            { name: "a typo in a nested key", raw: { postgres: { volumeSize: 5 } }, want: [/pro-team-care:postgres/, /"volumeSize"/, /volumeSizeGi/] },
            { name: "a bad memory quantity", raw: { resources: { api: { cpu: "250m", memory: "lots" } } }, want: [/pro-team-care:resources.api.memory/, /"lots"/, /256Mi/] },
            { name: "a cron with 4 fields", raw: { backup: { cron: "0 * * *" } }, want: [/pro-team-care:backup.cron/, /"0 \* \* \*"/, /5-field cron/] },
            { name: "a cron with words", raw: { backup: { drillCron: "@daily" } }, want: [/pro-team-care:backup.drillCron/, /"@daily"/, /cron/] },
            { name: "negative retention", raw: { backup: { retentionDays: -1 } }, want: [/pro-team-care:backup.retentionDays/, /got -1/, /at least 1/] },
            { name: "an unknown bucket kind", raw: { backup: { bucket: "gcs" } }, want: [/pro-team-care:backup.bucket/, /"gcs"/, /"aws", "platform"/] },
            { name: "a Prometheus retention without a unit", raw: { monitoring: { retention: "200" } }, want: [/pro-team-care:monitoring.retention/, /"200"/, /200h/] },
            { name: "an out-of-range host port", raw: { docker: { httpPort: 70000 } }, want: [/pro-team-care:docker.httpPort/, /70000/, /at most 65535/] },
            { name: "the same port twice", raw: { docker: { httpPort: 8443, httpsPort: 8443 } }, want: [/pro-team-care:docker.httpsPort/, /8443/, /different/] },
            { name: "a malformed image", raw: { images: { api: "Not An Image" } }, want: [/pro-team-care:images.api/, /Not An Image/, /image reference/] },
            {
                name: ":latest in prod",
                raw: { environment: "prod", images: { api: "ghcr.io/proteamcare/backend:latest" } },
                want: [/pro-team-care:images.api/, /:latest/, /pin a version tag or a digest/],
            },
            {
                name: "one of the project's own images by tag in prod",
                raw: { environment: "prod", images: { backup: "ghcr.io/proteamcare/ptc-backup:1.0.0" } },
                want: [/pro-team-care:images.backup/, /"ghcr.io\/proteamcare\/ptc-backup:1.0.0"/, /project's own images by digest/, /images workflow prints/],
            },
            { name: "no tag in prod", raw: { environment: "prod", images: { web: "ghcr.io/proteamcare/frontend" } }, want: [/pro-team-care:images.web/, /mutable/] },
            { name: "one replica in prod", raw: { environment: "prod", replicas: { edge: 1 } }, want: [/pro-team-care:replicas.edge/, /got 1/, /at least 2/] },
            {
                name: "object lock longer than retention",
                raw: { environment: "prod", backup: { objectLock: "COMPLIANCE", objectLockDays: 60, retentionDays: 30 } },
                want: [/pro-team-care:backup.objectLockDays/, /got 60/, /at most backup.retentionDays \(30\)/],
            },
            { name: "object lock on MinIO", raw: { backup: { objectLock: "GOVERNANCE", objectLockDays: 7 } }, want: [/pro-team-care:backup.objectLock/, /needs backup.bucket "aws"/] },
            { name: "prod backups on the cluster", raw: { environment: "prod", backup: { bucket: "platform" } }, want: [/pro-team-care:backup.bucket/, /"platform"/, /expected "aws"/] },
            { name: "an unknown top-level key", raw: { replica: { api: 2 } }, want: [/unknown key/, /"replica"/, /replicas/] },
            { name: "a gate budget of zero", raw: { deploy: { gate: { budgetSeconds: 0 } } }, want: [/pro-team-care:deploy.gate.budgetSeconds/, /got 0/, /at least 1/] },
            { name: "a gate budget as a string", raw: { deploy: { gate: { budgetSeconds: "2m" } } }, want: [/pro-team-care:deploy.gate.budgetSeconds/, /"2m"/, /number/] },
            { name: "a fractional gate interval", raw: { deploy: { gate: { intervalSeconds: 2.5 } } }, want: [/pro-team-care:deploy.gate.intervalSeconds/, /got 2.5/, /int/] },
            {
                name: "a gate interval longer than its budget",
                raw: { deploy: { gate: { budgetSeconds: 10, intervalSeconds: 30 } } },
                want: [/pro-team-care:deploy.gate.intervalSeconds/, /got 30/, /at most deploy.gate.budgetSeconds \(10\)/],
            },
            { name: "the gate switch as a string", raw: { deploy: { gate: { enabled: "no" } } }, want: [/pro-team-care:deploy.gate.enabled/, /"no"/, /boolean/] },
            { name: "a plain-http gate base URL", raw: { deploy: { gate: { baseUrl: "http://localhost:8080/" } } }, want: [/pro-team-care:deploy.gate.baseUrl/, /"http:\/\/localhost:8080\/"/, /https origin/] },
            { name: "a gate base URL with a path", raw: { deploy: { gate: { baseUrl: "https://localhost:8443/api/" } } }, want: [/pro-team-care:deploy.gate.baseUrl/, /scheme, host and port only/] },
            { name: "a relative gate CA file", raw: { deploy: { gate: { caFile: "certs/ca.pem" } } }, want: [/pro-team-care:deploy.gate.caFile/, /"certs\/ca.pem"/, /absolute path/] },
            { name: "an API server address that is not a CIDR", raw: { kubernetes: { apiServerCidrs: ["10.0.0.1"] } }, want: [/pro-team-care:kubernetes.apiServerCidrs.0/, /"10.0.0.1"/, /CIDR/] },
        ];
        for (const c of cases) {
            it(`refuses ${c.name}`, () => {
                assert.throws(
                    () => parseStructuredConfig(c.raw),
                    (e: unknown) => {
                        assert.ok(e instanceof ConfigError, `a ConfigError, got ${String(e)}`);
                        for (const w of c.want) assert.match(e.message, w);
                        return true;
                    },
                );
            });
        }

        it("reports every problem at once", () => {
            assert.throws(
                () => parseStructuredConfig({ platform: "x", replicas: { api: 0 }, domain: "A B" }),
                (e: Error) => e.message.split("\n").filter((l) => l.startsWith("  - ")).length === 3,
            );
        });
    });

    describe("defaults and merging", () => {
        it("merges objects key by key", () => {
            assert.deepStrictEqual(deepMerge({ a: { b: 1, c: 2 }, d: 3 }, { a: { c: 9 } }), { a: { b: 1, c: 9 }, d: 3 });
        });
        it("applies the environment's defaults", () => {
            const dev = parseStructuredConfig({ environment: "dev" });
            const prod = parseStructuredConfig({ environment: "prod", images: PROD_OWN_IMAGES });
            assert.strictEqual(dev.platform, "docker");
            assert.strictEqual(prod.platform, "kubernetes");
            assert.strictEqual(dev.monitoring.retention, "200h");
            assert.strictEqual(prod.backup.retentionDays, 30);
            assert.strictEqual(prod.backup.cron, "0 * * * *");
        });
    });

    describe("loadStackConfig (pulumi.Config)", () => {
        function load(config: Record<string, string>, secretKeys: string[] = []): ReturnType<typeof loadStackConfig> {
            pulumi.runtime.setAllConfig(
                Object.fromEntries(Object.entries(config).map(([k, v]) => [`pro-team-care:${k}`, v])),
                secretKeys.map((k) => `pro-team-care:${k}`),
            );
            return loadStackConfig();
        }
        afterEach(() => pulumi.runtime.setAllConfig({}, []));

        it("reads structured values as JSON and scalars as strings", () => {
            const cfg = load({ platform: "docker", environment: "dev", replicas: JSON.stringify({ api: 1 }) });
            assert.strictEqual(cfg.platform, "docker");
            assert.strictEqual(cfg.replicas.api, 1);
        });
        it("refuses an unknown top-level key, naming it", () => {
            assert.throws(() => load({ environment: "dev", postgresPasword: "x" }), /pro-team-care:postgresPasword: unknown key/);
        });
        it("refuses a key in a misspelt project namespace instead of ignoring it, and leaves providers' namespaces alone", () => {
            pulumi.runtime.setAllConfig({ "pro-team-care:environment": "dev", "proteamcare:backup": JSON.stringify({ retentionDays: 3 }) }, []);
            assert.throws(() => loadStackConfig(), /proteamcare:backup: the namespace "proteamcare" is not this project's; rename the key to pro-team-care:backup/);
            pulumi.runtime.setAllConfig({ "pro-team-care:environment": "dev", "Pro_Team_Care:domain": "x" }, []);
            assert.throws(() => loadStackConfig(), /Pro_Team_Care:domain: the namespace/);
            pulumi.runtime.setAllConfig({ "pro-team-care:environment": "dev", "aws:region": "us-east-1", "kubernetes:context": "prod" }, []);
            assert.doesNotThrow(() => loadStackConfig());
        });
        it("keeps secret values secret", async () => {
            const cfg = load({ environment: "dev", postgresPassword: "hunter2-very-secret" }, ["postgresPassword"]);
            assert.ok(cfg.secrets.postgresPassword);
            assert.strictEqual(await pulumi.isSecret(cfg.secrets.postgresPassword), true);
        });
        it("requires the Slack webhook when the stack pages people", () => {
            assert.throws(() => load({ environment: "dev", monitoring: JSON.stringify({ requireSlack: true }) }), /alertSlackWebhookUrl: got nothing/);
        });
        it("requires a certificate and its key together", () => {
            assert.throws(() => load({ environment: "dev", edge: JSON.stringify({ tlsCertificate: "-----BEGIN CERTIFICATE-----" }) }), /tlsPrivateKey: got nothing/);
        });
        it("refuses prod without a real certificate", () => {
            assert.throws(
                () => load({ environment: "prod", images: JSON.stringify(PROD_OWN_IMAGES), alertSlackWebhookUrl: "https://hooks.slack.com/x" }, ["alertSlackWebhookUrl"]),
                /edge.tlsCertificate: got nothing; prod serves a real certificate/,
            );
        });
    });

    describe("image references", () => {
        it("parses registries with ports, tags and digests", () => {
            assert.deepStrictEqual(parseImageRef("registry:5000/org/app:1.2"), { repository: "registry:5000/org/app", tag: "1.2", digest: undefined });
            const d = `sha256:${"a".repeat(64)}`;
            assert.deepStrictEqual(parseImageRef(`app@${d}`), { repository: "app", tag: undefined, digest: d });
        });
        it("calls :latest and untagged references mutable, pinned ones not", () => {
            assert.strictEqual(isMutableImageRef("nginx"), true);
            assert.strictEqual(isMutableImageRef("nginx:latest"), true);
            assert.strictEqual(isMutableImageRef("registry:5000/nginx"), true);
            assert.strictEqual(isMutableImageRef("nginx:1.27.3"), false);
            assert.strictEqual(isMutableImageRef(`nginx:latest@sha256:${"b".repeat(64)}`), false);
        });
    });
});
