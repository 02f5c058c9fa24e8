/**
 * The dev stack's MinIO over TLS in the offline plan: MinIO serves https from its certs dir (the
 * key a secret upload that never shows in the plan JSON), every client reaches
 * MinIO and trusts the dev CA through a file, and prod (AWS S3) gets none of it.
 */
import * as assert from "node:assert/strict";

import { arr, record as obj } from "../../stacks/objects";
import { type ChildPlanResult, planInChildProcess } from "../../tools/plan/child";
import type { PlanJson } from "../../tools/plan/plan";

type Resource = PlanJson["resources"][number];
const CA_FILE = "/etc/proteamcare/backup-ca.pem";

function container(json: PlanJson, name: string): Resource {
    const r = json.resources.find((x) => x.type === "docker:index/container:Container" && x.name === name);
    assert.ok(r, `container ${name} is in the plan`);
    return r;
}
function uploadsOf(c: Resource): Record<string, unknown>[] {
    return arr(c.inputs.uploads).map(obj);
}

describe("plan: dev MinIO serves TLS with a dev CA", function () {
    this.timeout(300_000);
    let dev: ChildPlanResult;
    let prod: ChildPlanResult;

    before(async () => {
        [dev, prod] = await Promise.all([planInChildProcess({ stack: "dev", seed: 5, recordMockSecrets: true }), planInChildProcess({ stack: "prod", seed: 5, recordMockSecrets: true })]);
        for (const r of [dev, prod]) assert.ok(r.json, `no plan JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    });

    it("makes a dev CA and MinIO's certificate for its host names with the tls provider", () => {
        const json = dev.json as PlanJson;
        const csr = json.resources.find((r) => r.type === "tls:index/certRequest:CertRequest");
        assert.ok(csr);
        assert.deepEqual(csr.inputs.dnsNames, ["minio", "localhost"]);
        const ca = json.resources.find((r) => r.type === "tls:index/selfSignedCert:SelfSignedCert" && r.name === "backup-bucket-minio-tls-ca");
        assert.equal(ca?.inputs.isCaCertificate, true);
        assert.equal(json.resources.filter((r) => r.type.startsWith("tls:") && r.name.startsWith("backup-bucket-minio-tls")).length, 5);
        assert.equal((prod.json as PlanJson).resources.filter((r) => r.name.startsWith("backup-bucket-minio-tls")).length, 0, "prod's AWS bucket needs no dev CA");
    });

    it("runs MinIO with --certs-dir, its key a secret upload, and an https health check", () => {
        const json = dev.json as PlanJson;
        const minio = container(json, "minio");
        assert.deepEqual(arr(minio.inputs.command).slice(-2), ["--certs-dir", "/etc/minio/certs"]);
        const uploads = uploadsOf(minio);
        assert.deepEqual(uploads.map((u) => u.file), ["/etc/minio/certs/public.crt", "/etc/minio/certs/private.key", "/etc/minio/certs/CAs/ptc-dev-ca.crt"]);
        assert.equal(uploads[1].content, "[secret]");
        assert.match(String(uploads[0].content), /^-----BEGIN CERTIFICATE-----/);
        assert.match(arr(obj(minio.inputs.healthcheck).tests).join(" "), /MC_HOST_self=https:\/\/localhost:9000 exec mc .* ready self/);
    });

    it("gives every client the CA as a file, and no plain-http endpoint is left", () => {
        const json = dev.json as PlanJson;
        const caPem = String(uploadsOf(container(json, "minio"))[2].content);
        for (const name of ["backup", "restore-drill", "postgres", "postgres-pitr"]) {
            const c = container(json, name);
            // The env lists holding credentials are [secret] in the plan JSON; tests/components/backup.test.ts
            // and postgres-pitr.test.ts check S3_ENDPOINT_URL and AWS_CA_BUNDLE inside them.
            assert.equal(uploadsOf(c).find((u) => u.file === CA_FILE)?.content, caPem, `${name} trusts the dev CA`);
        }
        const init = container(json, "bucket-init");
        assert.equal(uploadsOf(init).find((u) => u.file === CA_FILE)?.content, caPem);
        assert.ok(!(dev.jsonText ?? "").includes("http://minio:9000"), "no plain-http endpoint left");
        assert.ok(!(dev.jsonText ?? "").includes("--insecure"));
    });

    it("never shows a private key in the plan JSON", () => {
        assert.ok((dev.mockSecrets ?? []).length > 0);
        for (const s of dev.mockSecrets ?? []) assert.ok(!(dev.jsonText ?? "").includes(s), `a generated secret (${s.slice(0, 6)}…) is in the dev plan JSON`);
        assert.ok(!(dev.jsonText ?? "").includes("BEGIN PRIVATE KEY"));
        const envs = arr(container(dev.json as PlanJson, "minio").inputs.envs).map(String);
        assert.ok(envs.every((e) => !e.includes("PRIVATE KEY")));
    });
});
