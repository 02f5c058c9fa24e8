/**
 * The dev MinIO's TLS profile with real tools: openssl issues the CA and the server certificate
 * from the same profile functions the stack hands the tls provider (devCaProfile,
 * minioCertProfile, DEV_CERT_KEY), then `openssl verify -CAfile` and the SANs are checked, and
 * pgBackRest 2.45 (which matches certificates by host name) talks S3 over TLS to s3rver serving
 * the certificate made for "localhost", trusting the CA through repo1-storage-ca-file.
 */
import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEV_CERT_KEY } from "../../components/edge/self-signed";
import { devCaProfile, minioCertProfile } from "../../components/backup/minio-tls";
import { freePort, makeTempDir, missingTools, removeTempDir, requireTool, waitFor } from "./support/services";

/** openssl names of the tls provider's uses. */
const KEY_USAGE: Readonly<Record<string, string>> = { digital_signature: "digitalSignature", key_encipherment: "keyEncipherment", cert_signing: "keyCertSign", crl_signing: "cRLSign" };
const EXT_KEY_USAGE: Readonly<Record<string, string>> = { server_auth: "serverAuth", client_auth: "clientAuth" };

function usageExts(uses: readonly string[]): string[] {
    const unknown = uses.filter((u) => !(u in KEY_USAGE) && !(u in EXT_KEY_USAGE));
    if (unknown.length > 0) throw new Error(`minio-tls test: no openssl mapping for ${unknown.join(", ")}; add one`);
    const ku = uses.filter((u) => u in KEY_USAGE).map((u) => KEY_USAGE[u]);
    const eku = uses.filter((u) => u in EXT_KEY_USAGE).map((u) => EXT_KEY_USAGE[u]);
    return [...(ku.length > 0 ? [`keyUsage=critical,${ku.join(",")}`] : []), ...(eku.length > 0 ? [`extendedKeyUsage=${eku.join(",")}`] : [])];
}

/** Issues the dev CA and MinIO's certificate for `hosts` with openssl, from the stack's profiles. */
function issue(dir: string, hosts: readonly string[]): { ca: string; cert: string; key: string } {
    const openssl = requireTool("openssl");
    assert.deepEqual({ ...DEV_CERT_KEY }, { algorithm: "ECDSA", ecdsaCurve: "P256" }, "the openssl mapping below is for EC P-256");
    const q = { stdio: ["ignore", "ignore", "pipe"] as ("ignore" | "pipe")[] };
    const caKey = path.join(dir, "ca.key");
    const ca = path.join(dir, "ca.crt");
    const key = path.join(dir, "private.key");
    const csr = path.join(dir, "server.csr");
    const cert = path.join(dir, "public.crt");
    const extFile = path.join(dir, "server.ext");
    for (const k of [caKey, key]) execFileSync(openssl, ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", k], q);

    const caP = devCaProfile();
    const caCn = (caP.subject as { commonName: string }).commonName;
    execFileSync(
        openssl,
        ["req", "-new", "-x509", "-key", caKey, "-out", ca, "-days", String(Math.ceil((caP.validityPeriodHours as number) / 24)), "-subj", `/CN=${caCn}`,
            "-addext", `basicConstraints=critical,CA:${caP.isCaCertificate ? "TRUE" : "FALSE"}`, ...usageExts(caP.allowedUses as string[]).flatMap((e) => ["-addext", e])],
        q,
    );

    const p = minioCertProfile(hosts);
    execFileSync(openssl, ["req", "-new", "-key", key, "-out", csr, "-subj", `/CN=${p.request.subject.commonName}`], q);
    fs.writeFileSync(
        extFile,
        [`subjectAltName=${p.request.dnsNames.map((d) => `DNS:${d}`).join(",")}`, `basicConstraints=critical,CA:${p.cert.isCaCertificate ? "TRUE" : "FALSE"}`, ...usageExts(p.cert.allowedUses), "subjectKeyIdentifier=hash", ""].join("\n"),
    );
    execFileSync(openssl, ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", caKey, "-CAcreateserial", "-out", cert, "-days", String(Math.ceil(p.cert.validityPeriodHours / 24)), "-extfile", extFile], q);
    return { ca, cert, key };
}

const missing = missingTools(["openssl", "pgbackrest"]);

describe("dev MinIO TLS (openssl and pgBackRest, real tools)", function () {
    let dir: string;

    before(function () {
        if (missing) this.skip();
        dir = makeTempDir("minio-tls");
    });
    after(() => {
        if (dir) removeTempDir(dir);
    });

    it("issues a server certificate the CA verifies, for exactly the SANs clients use, not itself a CA", () => {
        const { ca, cert } = issue(dir, ["minio", "minio.ptc.svc.cluster.local", "localhost"]);
        const openssl = requireTool("openssl");
        const verify = spawnSync(openssl, ["verify", "-CAfile", ca, "-purpose", "sslserver", cert], { encoding: "utf8" });
        assert.equal(verify.status, 0, verify.stderr + verify.stdout);
        assert.match(verify.stdout, /: OK$/m);
        const text = execFileSync(openssl, ["x509", "-in", cert, "-noout", "-ext", "subjectAltName,basicConstraints"], { encoding: "utf8" });
        assert.match(text, /DNS:minio, DNS:minio\.ptc\.svc\.cluster\.local, DNS:localhost/);
        assert.match(text, /CA:FALSE/);
        for (const h of ["minio", "localhost"]) assert.equal(spawnSync(openssl, ["x509", "-in", cert, "-noout", "-checkhost", h], { encoding: "utf8" }).stdout.includes("does match"), true, h);
        assert.equal(spawnSync(openssl, ["x509", "-in", cert, "-noout", "-checkhost", "evil.example"], { encoding: "utf8" }).stdout.includes("does NOT match"), true);
    });

    it("refuses a bad host name with one clear line", () => {
        assert.throws(() => minioCertProfile(["Minio_1"]), /^Error: MinIO's certificate host names must be lowercase DNS names of at most 64 characters, got "Minio_1"$/);
    });

    it("pgBackRest talks S3 over TLS to a server with the certificate made for localhost, trusting the CA file", async function () {
        this.timeout(120000);
        const tlsDir = path.join(dir, "localhost");
        fs.mkdirSync(tlsDir);
        const { ca, cert, key } = issue(tlsDir, ["localhost"]);
        const port = await freePort();
        const data = path.join(dir, "s3data");
        const program = `
            const fs = require("fs");
            const S3rver = require(${JSON.stringify(require.resolve("s3rver"))});
            const server = new S3rver({ address: "127.0.0.1", port: ${port}, silent: true, directory: ${JSON.stringify(data)},
                key: fs.readFileSync(${JSON.stringify(key)}), cert: fs.readFileSync(${JSON.stringify(cert)}),
                configureBuckets: [{ name: "ptc-backups", configs: [] }] });
            server.run().then(() => process.stdout.write("ready\\n"), (e) => { console.error(e); process.exit(1); });
            process.on("SIGTERM", () => server.close().then(() => process.exit(0)));
        `;
        const { spawn } = await import("node:child_process");
        const child = spawn(process.execPath, ["-e", program], { stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        child.stdout.on("data", (b: Buffer) => (out += b.toString()));
        child.stderr.on("data", (b: Buffer) => (out += b.toString()));
        try {
            await waitFor("s3rver with TLS", async () => {
                if (child.exitCode !== null) throw new Error(`s3rver exited: ${out}`);
                return out.includes("ready");
            });
            const pgbr = requireTool("pgbackrest");
            const base = [
                "--no-config",
                "--stanza=ptc",
                "--log-level-console=error",
                "--log-level-file=off",
                "--repo1-type=s3",
                "--repo1-path=/pro-team-care/pgbackrest",
                "--repo1-s3-bucket=ptc-backups",
                "--repo1-s3-region=us-east-1",
                `--repo1-s3-endpoint=localhost:${port}`,
                "--repo1-s3-uri-style=path",
            ];
            // Credentials only through the environment (pgBackRest refuses them on the command line).
            const env = { ...process.env, PGBACKREST_REPO1_S3_KEY: "S3RVER", PGBACKREST_REPO1_S3_KEY_SECRET: "S3RVER" };
            // Fail fast: pgBackRest retries a failed TLS handshake until io-timeout.
            const lock = ["--io-timeout=5", "--db-timeout=6", "--protocol-timeout=7"];
            const ok = spawnSync(pgbr, [...base, ...lock, `--repo1-storage-ca-file=${ca}`, "repo-ls"], { encoding: "utf8", env });
            assert.equal(ok.status, 0, `repo-ls with the CA failed: ${ok.stderr}${ok.stdout}`);
            // Without the CA the same call fails verification: the CA file is what makes it pass.
            const bad = spawnSync(pgbr, [...base, ...lock, "repo-ls"], { encoding: "utf8", env });
            assert.notEqual(bad.status, 0, "pgBackRest must not accept the dev certificate without the CA");
            assert.match(bad.stderr + bad.stdout, /certificate verify failed|unable to get local issuer/i);
        } finally {
            child.kill("SIGTERM");
        }
    });
});
