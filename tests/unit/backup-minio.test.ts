import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { LABELS, validateSpec } from "../../components/platform/spec";
import {
    BUCKET_INIT_SCRIPT,
    bucketInitJobSpec,
    BucketInitInputs,
    DEFAULT_MC_IMAGE,
    DEFAULT_MINIO_IMAGE,
    imagePinProblem,
    mcHostUrl,
    minioBackupPolicyJson,
    minioHealthCheck,
    minioServiceSpec,
} from "../../components/backup/minio";
import { MINIO_CERTS_DIR, MINIO_TLS_FILES } from "../../components/backup/minio-tls";

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        execFile(cmd, args, { env, timeout: 20000 }, (err, stdout, stderr) => {
            const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0;
            resolve({ code, stdout, stderr });
        });
    });
}

const CA_PEM = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";

function initInputs(overrides: Partial<BucketInitInputs> = {}): BucketInitInputs {
    return {
        image: DEFAULT_MC_IMAGE,
        component: "backup-bucket",
        endpointUrl: "https://minio:9000",
        caBundle: CA_PEM,
        rootUser: "ptc-root",
        rootPassword: "root-pw",
        bucket: "ptc-backups",
        prefix: "pro-team-care",
        backupUser: "ptc-backup",
        backupSecret: "backup-pw",
        retentionDays: 30,
        noncurrentDays: 7,
        user: "1000:1000",
        ...overrides,
    };
}

function valueOf<T>(v: pulumi.Input<T>): Promise<T> {
    return new Promise((resolve) => pulumi.output(v).apply((x) => resolve(x as T)));
}

describe("MinIO builders", () => {
    describe("imagePinProblem", () => {
        it("accepts release tags and digests, refuses latest and untagged images", () => {
            assert.strictEqual(imagePinProblem(DEFAULT_MINIO_IMAGE), undefined);
            assert.strictEqual(imagePinProblem(DEFAULT_MC_IMAGE), undefined);
            assert.strictEqual(imagePinProblem(`minio/minio@sha256:${"a".repeat(64)}`), undefined);
            assert.strictEqual(imagePinProblem("registry.local:5000/minio/minio:RELEASE.2025-09-07T16-13-09Z"), undefined);
            assert.match(imagePinProblem("minio/minio:latest") ?? "", /mutable tag "latest"/);
            assert.match(imagePinProblem("minio/minio") ?? "", /has no tag/);
            assert.match(imagePinProblem("registry.local:5000/minio/minio") ?? "", /has no tag/);
        });
    });

    describe("minioServiceSpec", () => {
        const spec = minioServiceSpec({
            image: DEFAULT_MINIO_IMAGE,
            component: "backup-bucket",
            rootUser: "ptc-root",
            rootPassword: "root-pw",
            volumeGi: 20,
            resources: { cpu: "100m", memory: "256Mi" },
            user: "1000:1000",
            tls: { certificate: "CERT", privateKey: "KEY", caCertificate: CA_PEM },
        });

        it("is an object store of the ops tier with a data volume, running non-root", () => {
            assert.strictEqual(spec.labels?.[LABELS.store], "object-store");
            assert.strictEqual(spec.tier, "ops");
            assert.deepStrictEqual(spec.volumes, [{ name: "data", mountPath: "/data", sizeGi: 20 }]);
            assert.deepStrictEqual(spec.ports, [{ name: "s3", port: 9000 }]);
            assert.strictEqual(spec.user, "1000:1000");
            assert.deepStrictEqual([...(spec.entrypoint ?? []), ...(spec.command ?? [])], ["minio", "server", "/data", "--address", ":9000", "--certs-dir", "/etc/minio/certs"]);
            assert.strictEqual(spec.env?.MINIO_BROWSER, "off");
            assert.deepStrictEqual(validateSpec("minio", spec), []);
        });

        it("passes the root credentials only as secrets", async () => {
            assert.deepStrictEqual(Object.keys(spec.secretEnv ?? {}).sort(), ["MINIO_ROOT_PASSWORD", "MINIO_ROOT_USER"]);
            for (const v of Object.values(spec.secretEnv ?? {})) assert.strictEqual(await pulumi.isSecret(v as pulumi.Output<string>), true);
            assert.ok(!Object.keys(spec.env ?? {}).some((k) => k.startsWith("MINIO_ROOT")));
        });
    });

    describe("minioServiceSpec TLS files", () => {
        const spec = minioServiceSpec({
            image: DEFAULT_MINIO_IMAGE,
            component: "backup-bucket",
            rootUser: "ptc-root",
            rootPassword: "root-pw",
            volumeGi: 20,
            resources: { cpu: "100m", memory: "256Mi" },
            tls: { certificate: "CERT", privateKey: "KEY", caCertificate: CA_PEM },
        });

        it("puts the certificate, the key (a secret file) and the CA into --certs-dir, keeping a read-only root", async () => {
            const files = spec.files ?? [];
            assert.deepStrictEqual(files.map((f) => [f.path, f.secret ?? false]), [
                [MINIO_TLS_FILES.certificate, false],
                [MINIO_TLS_FILES.privateKey, true],
                [MINIO_TLS_FILES.ca, false],
            ]);
            assert.ok(MINIO_TLS_FILES.certificate.startsWith(`${MINIO_CERTS_DIR}/`) && MINIO_TLS_FILES.privateKey === `${MINIO_CERTS_DIR}/private.key`);
            assert.strictEqual(await pulumi.isSecret(files[1].content as pulumi.Output<string>), true);
            assert.strictEqual(spec.readOnlyRootFilesystem, true);
            assert.ok(!JSON.stringify(spec.env).includes("KEY"));
        });
    });

    describe("minioHealthCheck (mc ready over https, a recording stub mc)", () => {
        let dir: string;
        let log: string;

        beforeEach(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "ptc-minio-hc-"));
            log = path.join(dir, "calls.log");
        });
        afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

        function check(exitCode: number, port = 9000): Promise<{ code: number }> {
            fs.writeFileSync(
                path.join(dir, "mc"),
                `#!/bin/sh\nprintf 'args=%s\\nhost=%s\\nca=%s\\n' "$*" "$MC_HOST_self" "$SSL_CERT_FILE" >>"${log}"\nexit ${exitCode}\n`,
                { mode: 0o755 },
            );
            const hc = minioHealthCheck(port);
            assert.strictEqual(hc.kind, "exec");
            if (hc.kind !== "exec") throw new Error("unreachable");
            return run(hc.command[0], hc.command.slice(1), { PATH: `${dir}:/usr/bin:/bin` });
        }

        it("asks mc ready about https://localhost:<port>, trusting the dev CA file, and passes when it does", async () => {
            assert.strictEqual((await check(0, 9100)).code, 0);
            const calls = fs.readFileSync(log, "utf8");
            assert.match(calls, /^args=--config-dir \/tmp\/\.mc-health ready self$/m);
            assert.match(calls, /^host=https:\/\/localhost:9100$/m);
            assert.ok(calls.includes(`ca=${MINIO_TLS_FILES.ca}\n`), calls);
            assert.ok(!JSON.stringify(minioHealthCheck()).includes("http://"), "never plain http");
        });

        it("fails when mc ready fails", async () => {
            assert.notStrictEqual((await check(1)).code, 0);
        });

        it("uses the default port 9000, localhost (a SAN of the certificate) and a timeout shorter than its interval", () => {
            const hc = minioHealthCheck();
            assert.ok(hc.kind === "exec" && hc.command.join(" ").includes("https://localhost:9000"));
            assert.ok((hc.timeoutSeconds ?? 5) < (hc.intervalSeconds ?? 15));
        });
    });

    describe("the former plain-http health check is gone", () => {
        let server: http.Server;
        let port = 0;

        before(async () => {
            server = http.createServer((_req, res) => res.end());
            await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
            port = (server.address() as AddressInfo).port;
        });
        after(async () => {
            await new Promise<void>((r) => server.close(() => r()));
        });

        it("does not pass against a plain-http server answering 200 (without mc on PATH)", async () => {
            const hc = minioHealthCheck(port);
            if (hc.kind !== "exec") throw new Error("unreachable");
            assert.notStrictEqual((await run(hc.command[0], hc.command.slice(1), { PATH: "/usr/bin:/bin" })).code, 0);
        });
    });

    describe("bucketInitJobSpec", () => {
        const spec = bucketInitJobSpec(initInputs());

        it("is a bucket-init job with the pinned mc image running the init script", () => {
            assert.strictEqual(spec.labels?.[LABELS.role], "bucket-init");
            assert.strictEqual(spec.image, DEFAULT_MC_IMAGE);
            assert.deepStrictEqual(spec.entrypoint, ["/bin/sh", "-c"]);
            assert.deepStrictEqual(spec.command, [BUCKET_INIT_SCRIPT]);
            assert.strictEqual(spec.user, "1000:1000");
            assert.strictEqual(spec.tier, "ops");
            assert.deepStrictEqual(validateSpec("bucket-init", spec), []);
        });

        it("hands the bucket, the expiry rule and the prefix-only policy in env", () => {
            assert.strictEqual(spec.env?.BUCKET, "ptc-backups");
            const lifecycle = JSON.parse(spec.env?.BUCKET_LIFECYCLE_JSON as string);
            assert.deepStrictEqual(lifecycle.Rules[0].Expiration, { Days: 30 });
            const policy = JSON.parse(spec.env?.BACKUP_POLICY_JSON as string);
            assert.strictEqual(policy.Statement.find((s: { Sid: string }) => s.Sid === "ReadWriteOwnPrefix").Resource, "arn:aws:s3:::ptc-backups/pro-team-care/*");
            // Deletes only where pgBackRest expires its own repository (never a version, never a logical backup).
            const deletes = policy.Statement.filter((st: { Action: string | string[] }) => JSON.stringify(st.Action).includes("Delete"));
            assert.deepStrictEqual(deletes.map((st: { Action: string; Resource: string }) => [st.Action, st.Resource]), [["s3:DeleteObject", "arn:aws:s3:::ptc-backups/pro-team-care/pgbackrest/*"]]);
        });

        it("trusts MinIO's CA through a file mc reads (never --insecure)", async () => {
            assert.deepStrictEqual(spec.files, [{ path: "/etc/proteamcare/backup-ca.pem", content: CA_PEM }]);
            assert.strictEqual(spec.env?.MINIO_CA_FILE, "/etc/proteamcare/backup-ca.pem");
            assert.ok(!BUCKET_INIT_SCRIPT.includes("--insecure"));
            const noCa = bucketInitJobSpec(initInputs({ caBundle: undefined }));
            assert.strictEqual(noCa.files, undefined);
            assert.strictEqual(noCa.env?.MINIO_CA_FILE, undefined);
        });

        it("keeps the root credentials and the backup secret in secretEnv", async () => {
            assert.deepStrictEqual(Object.keys(spec.secretEnv ?? {}).sort(), ["BACKUP_SECRET", "MC_HOST_ptc"]);
            for (const v of Object.values(spec.secretEnv ?? {})) assert.strictEqual(await pulumi.isSecret(v as pulumi.Output<string>), true);
            assert.strictEqual(await valueOf(spec.secretEnv?.MC_HOST_ptc as pulumi.Input<string>), "https://ptc-root:root-pw@minio:9000");
            const plain = JSON.stringify(spec.env);
            assert.ok(!plain.includes("root-pw") && !plain.includes("backup-pw"));
        });

        it("re-runs (new trigger) when the retention changes, not otherwise", () => {
            assert.strictEqual(bucketInitJobSpec(initInputs()).trigger, spec.trigger);
            assert.notStrictEqual(bucketInitJobSpec(initInputs({ retentionDays: 31 })).trigger, spec.trigger);
            assert.notStrictEqual(bucketInitJobSpec(initInputs({ image: "minio/mc:RELEASE.2025-09-01T00-00-00Z" })).trigger, spec.trigger);
        });

        it("escapes credentials in the mc host URL", () => {
            assert.strictEqual(mcHostUrl("http://minio.ns.svc.cluster.local:9000", "u@x", "p:w/d"), "http://u%40x:p%3Aw%2Fd@minio.ns.svc.cluster.local:9000");
        });

        it("builds the MinIO policy from the same least-privilege builder", () => {
            const p = JSON.parse(minioBackupPolicyJson("b", "p"));
            assert.deepStrictEqual(p.Statement.map((s: { Sid: string }) => s.Sid), ["ListOwnPrefix", "ReadWriteOwnPrefix", "ExpirePgBackRestRepository"]);
        });
    });

    describe("the bucket-init script (POSIX sh with a recording stub mc)", () => {
        let dir: string;
        let log: string;

        beforeEach(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "ptc-bucket-init-"));
            log = path.join(dir, "calls.log");
        });

        afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

        /** Writes a stub `mc` that logs its arguments and stdin, and fails as the scenario says. */
        function stub(scenario: string): void {
            fs.writeFileSync(
                path.join(dir, "mc"),
                `#!/bin/sh
printf '%s\\n' "$*" >>"${log}"
case "$*" in
*"ilm rule import"*) printf 'stdin=%s\\n' "$(cat)" >>"${log}" ;;
esac
case "${scenario}:$*" in
down:*" ls "*) exit 1 ;;
attached:*"policy attach"*) echo "mc: <ERROR> Unable to attach policy. The specified policy change is already in effect." >&2; exit 1 ;;
denied:*"policy attach"*) echo "mc: <ERROR> Access Denied." >&2; exit 1 ;;
mbfail:*" mb "*) exit 1 ;;
esac
exit 0
`,
                { mode: 0o755 },
            );
        }

        async function runInit(scenario: string): Promise<{ code: number; stdout: string; stderr: string }> {
            stub(scenario);
            const spec = bucketInitJobSpec(initInputs({ retentionDays: 14, noncurrentDays: 3 }));
            const env: NodeJS.ProcessEnv = { PATH: `${dir}:/usr/bin:/bin`, TMPDIR: dir };
            for (const [k, v] of Object.entries({ ...spec.env, ...spec.secretEnv })) env[k] = String(await valueOf(v as pulumi.Input<string>));
            // The job's CA file, at a path of this test.
            const caFile = path.join(dir, "ca.pem");
            fs.writeFileSync(caFile, String(await valueOf((spec.files ?? [])[0].content)));
            env.MINIO_CA_FILE = caFile;
            // The retry loop sleeps 2 s per try; a stub `sleep` keeps the "down" case fast.
            fs.writeFileSync(path.join(dir, "sleep"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
            return run("/bin/sh", ["-c", BUCKET_INIT_SCRIPT], env);
        }

        it("creates the bucket, enables versioning, imports the expiry rule and sets up the prefix-only user", async () => {
            const r = await runInit("ok");
            assert.strictEqual(r.code, 0, r.stderr);
            const calls = fs.readFileSync(log, "utf8");
            assert.ok(calls.includes(`--config-dir ${dir}/.mc mb --ignore-existing ptc/ptc-backups`), calls);
            assert.match(calls, /version enable ptc\/ptc-backups/);
            assert.match(calls, /ilm rule import ptc\/ptc-backups/);
            assert.match(calls, /stdin=\{"Rules":\[\{"ID":"expire-backups".*"Days":14.*"NoncurrentDays":3/);
            assert.ok(calls.includes(`admin policy create ptc ptc-backup-prefix-rw ${dir}/backup-policy.json`), calls);
            assert.strictEqual(JSON.parse(fs.readFileSync(path.join(dir, "backup-policy.json"), "utf8")).Version, "2012-10-17");
            assert.match(calls, /admin user add ptc ptc-backup backup-pw/);
            assert.match(calls, /admin policy attach ptc ptc-backup-prefix-rw --user ptc-backup/);
            assert.match(r.stdout, /bucket ptc-backups ready/);
            // mc trusts the CA from its config dir's certs/CAs before the first call.
            assert.strictEqual(fs.readFileSync(path.join(dir, ".mc", "certs", "CAs", "ptc-dev-ca.crt"), "utf8"), CA_PEM);
        });

        it("fails with one clear line when the CA file is missing", async () => {
            stub("ok");
            const env: NodeJS.ProcessEnv = { PATH: `${dir}:/usr/bin:/bin`, TMPDIR: dir, MINIO_ENDPOINT: "https://minio:9000", MINIO_CA_FILE: path.join(dir, "absent.pem") };
            const r = await run("/bin/sh", ["-c", BUCKET_INIT_SCRIPT], env);
            assert.notStrictEqual(r.code, 0);
            assert.match(r.stderr, /^bucket-init: CA file .*absent\.pem is not readable; check the job's files$/m);
            assert.ok(!fs.existsSync(log), "mc is never called without the CA");
        });

        it("is idempotent: an already attached policy is success", async () => {
            const r = await runInit("attached");
            assert.strictEqual(r.code, 0, r.stderr);
        });

        it("fails with one clear line when attaching is denied", async () => {
            const r = await runInit("denied");
            assert.notStrictEqual(r.code, 0);
            assert.match(r.stderr, /^bucket-init: could not attach policy ptc-backup-prefix-rw to user ptc-backup: .*Access Denied/m);
        });

        it("fails clearly when MinIO never answers, and when the bucket cannot be created", async () => {
            const down = await runInit("down");
            assert.notStrictEqual(down.code, 0);
            assert.match(down.stderr, /bucket-init: MinIO at https:\/\/minio:9000 did not answer within 120 s/);
            const mb = await runInit("mbfail");
            assert.notStrictEqual(mb.code, 0);
            assert.match(mb.stderr, /bucket-init: could not create bucket ptc-backups/);
            assert.ok(!fs.readFileSync(log, "utf8").includes("version enable"), "stops at the first failure");
        });
    });
});
