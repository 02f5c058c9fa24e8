import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, isSecretInput, plaintextStrings, settle, unwrapSecret, valueOf } from "../support/pulumi";
import type {
    JobHandle,
    JobSpec,
    Platform,
    PlatformCapabilities,
    ScheduleSpec,
    ServiceHandle,
    WorkloadOptions,
    WorkloadSpec,
} from "../../components/platform/spec";

type BackupMod = typeof import("../../components/backup");
type DockerMod = typeof import("../../components/platform/docker");
type K8sMod = typeof import("../../components/platform/kubernetes");

/** A resource the mocks saw registered. */
interface Recorded {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
}

let recorded: readonly Recorded[] = [];
let generatedSecrets: readonly string[] = [];
const ACCESS_KEY_SECRET = "mock-aws-secret-access-key-VALUE";

/** Mocks that give AWS resources the computed outputs the component reads (ARNs, names, the key secret). */
function installBackupMocks(): void {
    const mocks = installMocks({
        stack: "backup-test",
        outputs(args) {
            switch (args.type) {
                case "aws:s3/bucket:Bucket": {
                    const bucket = (args.inputs.bucket as string | undefined) ?? `${args.name}-a1b2c3d`;
                    return { id: bucket, state: { bucket, arn: `arn:aws:s3:::${bucket}`, region: args.inputs.region } };
                }
                case "aws:kms/key:Key":
                    return { state: { arn: `arn:aws:kms:${String(args.inputs.region)}:123456789012:key/${args.name}` } };
                case "aws:iam/user:User":
                    return { state: { name: `${args.name}-u1` } };
                case "aws:iam/accessKey:AccessKey":
                    return { id: "AKIAMOCKACCESSKEY", state: { secret: ACCESS_KEY_SECRET } };
                default:
                    return undefined;
            }
        },
        call: (args) => args.inputs,
    });
    recorded = mocks.resources;
    generatedSecrets = mocks.generatedSecrets;
}

/** Every custom resource registered since `from`. */
function since(from: number): Recorded[] {
    return recorded.slice(from).filter((r) => !r.type.startsWith("proteamcare:") && !r.type.startsWith("test:"));
}

function one(list: Recorded[], type: string, name?: string): Recorded {
    const found = list.filter((r) => r.type === type && (name === undefined || r.name === name));
    assert.strictEqual(found.length, 1, `one ${type} ${name ?? ""}; have: ${list.map((r) => `${r.type} ${r.name}`).join(", ")}`);
    return found[0];
}

/** A stand-in resource a fake platform hands back (so dependsOn has something real to point at). */
class Marker extends pulumi.CustomResource {
    constructor(name: string, opts: pulumi.CustomResourceOptions) {
        super("test:index:Marker", name, {}, opts);
    }
}

/** The real platforms' capabilities, loaded in `before` (after the mocks). */
const CAPABILITIES = {} as Record<"docker" | "kubernetes", PlatformCapabilities>;

/** A platform that records what components ask of it (for assertions on the specs themselves), with either platform's capabilities. */
class RecordingPlatform implements Platform {
    constructor(public readonly kind: "docker" | "kubernetes" = "docker") {}
    get capabilities(): PlatformCapabilities {
        return CAPABILITIES[this.kind];
    }

    public readonly calls: { kind: "service" | "job" | "schedule"; name: string; spec: WorkloadSpec | JobSpec | ScheduleSpec; opts: WorkloadOptions }[] = [];

    service(name: string, spec: WorkloadSpec, opts: WorkloadOptions): ServiceHandle {
        this.calls.push({ kind: "service", name, spec, opts });
        const marker = new Marker(`${name}-marker-${this.calls.length}`, { parent: opts.parent });
        const host = pulumi.output(name);
        const port = spec.ports[0].port;
        return { endpoint: { host, port, address: pulumi.interpolate`${host}:${port}` }, resources: [marker] };
    }

    job(name: string, spec: JobSpec, opts: WorkloadOptions): JobHandle {
        this.calls.push({ kind: "job", name, spec, opts });
        return { resources: [new Marker(`${name}-marker-${this.calls.length}`, { parent: opts.parent })] };
    }

    schedule(name: string, spec: ScheduleSpec, opts: WorkloadOptions): JobHandle {
        this.calls.push({ kind: "schedule", name, spec, opts });
        return { resources: [] };
    }

    call(kind: string, name: string): (typeof this.calls)[number] {
        const c = this.calls.filter((x) => x.kind === kind && x.name === name);
        assert.strictEqual(c.length, 1, `one ${kind} ${name}; have ${this.calls.map((x) => `${x.kind} ${x.name}`).join(", ")}`);
        return c[0];
    }
}

const PG = { host: "postgres", port: 5432, database: "pro_team_care", user: "ptc", password: pulumi.secret("pg-password-VALUE"), workloadName: "postgres" };
const REDIS = { host: "redis", port: 6379, password: pulumi.secret("redis-password-VALUE"), workloadName: "redis" };
const IMAGE = "ghcr.io/proteamcare/ptc-backup:1.0.0";

/** A recorded input with every secret envelope opened (for reading nested values). */
function opened(v: unknown): unknown {
    const u = unwrapSecret(v);
    if (Array.isArray(u)) return u.map(opened);
    if (typeof u === "object" && u !== null) return Object.fromEntries(Object.entries(u).map(([k, x]) => [k, opened(x)]));
    return u;
}

function parse(v: unknown): Record<string, unknown> {
    const raw = unwrapSecret(v);
    return typeof raw === "string" ? JSON.parse(raw) : (raw as Record<string, unknown>);
}

describe("backup components (mocks)", function () {
    let mod: BackupMod;
    let dockerMod: DockerMod;
    let k8sMod: K8sMod;

    before(async () => {
        installBackupMocks();
        mod = await import("../../components/backup");
        dockerMod = await import("../../components/platform/docker");
        k8sMod = await import("../../components/platform/kubernetes");
        CAPABILITIES.docker = dockerMod.DOCKER_CAPABILITIES;
        CAPABILITIES.kubernetes = k8sMod.KUBERNETES_CAPABILITIES;
    });

    describe("BackupBucket, aws mode", () => {
        let res: Recorded[];
        let bucket: InstanceType<BackupMod["BackupBucket"]>;

        before(async () => {
            const from = recorded.length;
            bucket = new mod.BackupBucket("prod-backups", { mode: "aws", region: "sa-east-1", objectLock: { mode: "COMPLIANCE", days: 30 } });
            await valueOf(bucket.s3Uri);
            await settle();
            res = since(from);
        });

        it("creates exactly the hardened bucket, its key and the backup identity", () => {
            assert.deepStrictEqual(res.map((r) => r.type).sort(), [
                "aws:iam/accessKey:AccessKey",
                "aws:iam/user:User",
                "aws:iam/userPolicy:UserPolicy",
                "aws:kms/key:Key",
                "aws:s3/bucket:Bucket",
                "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
                "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
                "aws:s3/bucketPolicy:BucketPolicy",
                "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
                "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                "aws:s3/bucketVersioning:BucketVersioning",
            ]);
        });

        it("never force-destroys the bucket and enables Object Lock at creation", () => {
            const b = one(res, "aws:s3/bucket:Bucket", "prod-backups-bucket").inputs;
            assert.strictEqual(b.forceDestroy, false);
            assert.strictEqual(b.objectLockEnabled, true);
            assert.strictEqual(b.region, "sa-east-1");
        });

        it("turns on versioning", () => {
            assert.deepStrictEqual(one(res, "aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration, { status: "Enabled" });
        });

        it("encrypts with SSE-KMS under its own rotating key, with the bucket key", () => {
            const key = one(res, "aws:kms/key:Key", "prod-backups-key").inputs;
            assert.strictEqual(key.enableKeyRotation, true);
            assert.strictEqual(key.deletionWindowInDays, 30);
            const rules = one(res, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules as Record<string, unknown>[];
            assert.strictEqual(rules.length, 1);
            assert.deepStrictEqual(rules[0].applyServerSideEncryptionByDefault, {
                sseAlgorithm: "aws:kms",
                kmsMasterKeyId: "arn:aws:kms:sa-east-1:123456789012:key/prod-backups-key",
            });
            assert.strictEqual(rules[0].bucketKeyEnabled, true);
        });

        it("blocks public access with all four flags", () => {
            const pab = one(res, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs;
            for (const f of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) assert.strictEqual(pab[f], true, f);
        });

        it("has a bucket policy that denies non-TLS requests on the bucket and its objects", () => {
            const doc = parse(one(res, "aws:s3/bucketPolicy:BucketPolicy").inputs.policy) as { Statement: Record<string, unknown>[] };
            const tls = doc.Statement.find((s) => s.Sid === "DenyInsecureTransport");
            assert.ok(tls);
            assert.strictEqual(tls.Effect, "Deny");
            assert.strictEqual(tls.Principal, "*");
            assert.deepStrictEqual(tls.Condition, { Bool: { "aws:SecureTransport": "false" } });
            assert.deepStrictEqual(tls.Resource, ["arn:aws:s3:::prod-backups-bucket-a1b2c3d", "arn:aws:s3:::prod-backups-bucket-a1b2c3d/*"]);
        });

        it("expires the logical backups after 30 days (never the pgBackRest repository), noncurrent versions after 7, aborts uploads after 1", () => {
            const rules = one(res, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules as Record<string, unknown>[];
            const main = rules.find((r) => r.id === "expire-backups");
            assert.ok(main);
            assert.deepStrictEqual(main.filter, { prefix: "pro-team-care/backups/" });
            assert.deepStrictEqual(main.expiration, { days: 30 });
            const whole = rules.find((r) => r.id === "expire-noncurrent-versions");
            assert.ok(whole);
            assert.deepStrictEqual(whole.noncurrentVersionExpiration, { noncurrentDays: 7 });
            assert.deepStrictEqual(whole.abortIncompleteMultipartUpload, { daysAfterInitiation: 1 });
            for (const r of rules) {
                const prefix = (r.filter as { prefix?: string }).prefix ?? "";
                if ((r.expiration as { days?: number } | undefined)?.days !== undefined) assert.ok(!"pro-team-care/pgbackrest/".startsWith(prefix), `rule ${String(r.id)} expires the repository`);
            }
        });

        it("locks every new version in the requested mode for at most the retention", () => {
            const lock = one(res, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").inputs;
            assert.deepStrictEqual(lock.rule, { defaultRetention: { mode: "COMPLIANCE", days: 30 } });
        });

        it("gives the backup identity its prefix and key only, and no delete but pgBackRest's expiry of its repository", () => {
            const doc = parse(one(res, "aws:iam/userPolicy:UserPolicy").inputs.policy) as { Statement: { Action: string | string[]; Resource: string | string[] }[] };
            const actions = doc.Statement.flatMap((s) => (typeof s.Action === "string" ? [s.Action] : s.Action));
            assert.ok(actions.includes("s3:PutObject") && actions.includes("s3:GetObject"));
            assert.ok(actions.every((a) => (!a.startsWith("s3:Delete") || a === "s3:DeleteObject") && !a.includes("*")), actions.join(","));
            const deletes = doc.Statement.filter((s) => JSON.stringify(s.Action).includes("s3:Delete"));
            assert.deepStrictEqual(deletes.map((s) => s.Resource), ["arn:aws:s3:::prod-backups-bucket-a1b2c3d/pro-team-care/pgbackrest/*"]);
            const resources = doc.Statement.flatMap((s) => (typeof s.Resource === "string" ? [s.Resource] : s.Resource));
            assert.ok(resources.includes("arn:aws:s3:::prod-backups-bucket-a1b2c3d/pro-team-care/*"));
            assert.strictEqual(one(res, "aws:iam/accessKey:AccessKey").inputs.user, "prod-backups-writer-u1");
        });

        it("exposes the outputs the backup job needs, the secret key as a secret", async () => {
            assert.strictEqual(await valueOf(bucket.bucketName), "prod-backups-bucket-a1b2c3d");
            assert.strictEqual(await valueOf(bucket.s3Uri), "s3://prod-backups-bucket-a1b2c3d/pro-team-care");
            assert.strictEqual(await valueOf(bucket.region), "sa-east-1");
            assert.strictEqual(bucket.endpointUrl, undefined);
            assert.strictEqual(await valueOf(bucket.accessKeyId), "AKIAMOCKACCESSKEY");
            assert.strictEqual(await valueOf(bucket.secretAccessKey), ACCESS_KEY_SECRET);
            assert.strictEqual(await pulumi.isSecret(bucket.secretAccessKey), true);
            assert.strictEqual(await valueOf(bucket.kmsKeyArn as pulumi.Output<string>), "arn:aws:kms:sa-east-1:123456789012:key/prod-backups-key");
        });

        it("has no Object Lock resource when none is asked for", async () => {
            const from = recorded.length;
            const plain = new mod.BackupBucket("prod-nolock", { mode: "aws", region: "us-east-2", bucketName: "ptc-prod-backups", retentionDays: 45, noncurrentDays: 3 });
            await valueOf(plain.s3Uri);
            await settle();
            const r = since(from);
            assert.strictEqual(r.filter((x) => x.type === "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").length, 0);
            assert.strictEqual(one(r, "aws:s3/bucket:Bucket").inputs.objectLockEnabled, undefined);
            assert.strictEqual(one(r, "aws:s3/bucket:Bucket").inputs.bucket, "ptc-prod-backups");
            const rules = one(r, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules as Record<string, unknown>[];
            assert.deepStrictEqual(rules[0].expiration, { days: 45 });
            assert.deepStrictEqual(rules[1].noncurrentVersionExpiration, { noncurrentDays: 3 });
            const doc = parse(one(r, "aws:iam/userPolicy:UserPolicy").inputs.policy) as { Statement: { Action: string | string[] }[] };
            assert.ok(!/s3:DeleteObjectVersion|s3:Delete[^O]/.test(JSON.stringify(doc)), "no version delete without Object Lock either");
            assert.strictEqual(await valueOf(plain.s3Uri), "s3://ptc-prod-backups/pro-team-care");
        });
    });

    describe("BackupBucket refusals (before any child)", () => {
        const cases: [string, Record<string, unknown>, RegExp][] = [
            ["lock longer than retention", { mode: "aws", region: "sa-east-1", retentionDays: 30, objectLock: { mode: "GOVERNANCE", days: 31 } }, /objectLock\.days \(31\) exceeds retentionDays \(30\)/],
            ["unknown lock mode", { mode: "aws", region: "sa-east-1", objectLock: { mode: "LEGAL", days: 5 } }, /objectLock\.mode must be one of/],
            ["aws without region", { mode: "aws" }, /aws mode needs region/],
            ["platform without platform", { mode: "platform" }, /platform mode needs the platform/],
            ["object lock on MinIO", { mode: "platform", platform: new RecordingPlatform(), objectLock: { mode: "GOVERNANCE", days: 1 } }, /objectLock is an aws-mode option/],
            ["mutable MinIO image", { mode: "platform", platform: new RecordingPlatform(), minioImage: "minio/minio:latest" }, /mutable tag "latest"/],
            ["bad bucket name", { mode: "aws", region: "sa-east-1", bucketName: "Backups_Prod" }, /bucket name "Backups_Prod"/],
            ["bad prefix", { mode: "aws", region: "sa-east-1", prefix: "/abs/" }, /prefix "\/abs\/"/],
            ["unknown mode", { mode: "gcs" }, /mode must be "aws" or "platform"/],
        ];
        for (const [what, args, message] of cases) {
            it(`refuses ${what}`, async () => {
                const from = recorded.length;
                const name = `refused-${what.replace(/[^a-z]+/g, "-")}`;
                assert.throws(() => new mod.BackupBucket(name, args as never), (e: Error) => e instanceof pulumi.ResourceError && message.test(e.message));
                await settle();
                assert.deepStrictEqual(since(from).map((r) => `${r.type} ${r.name}`), [], "no child was created");
            });
        }
    });

    describe("BackupBucket, platform mode (recording platform)", () => {
        let platform: RecordingPlatform;
        let bucket: InstanceType<BackupMod["BackupBucket"]>;

        before(async () => {
            platform = new RecordingPlatform("kubernetes");
            bucket = new mod.BackupBucket("dev-bucket", { mode: "platform", platform, retentionDays: 14 });
            await valueOf(bucket.s3Uri);
            await settle();
        });

        it("runs MinIO as an ops-tier object store with a volume, an https health check on 9000, non-root", async () => {
            const { spec } = platform.call("service", "minio");
            const s = spec as WorkloadSpec;
            assert.strictEqual(s.labels?.["proteamcare.io/store"], "object-store");
            assert.strictEqual(s.tier, "ops");
            assert.strictEqual(s.volumes?.[0].mountPath, "/data");
            assert.ok(s.healthCheck.kind === "exec" && s.healthCheck.command.join(" ").includes("https://localhost:9000"));
            assert.deepStrictEqual((s.files ?? []).map((f) => [f.path, f.secret ?? false]), [
                ["/etc/minio/certs/public.crt", false],
                ["/etc/minio/certs/private.key", true],
                ["/etc/minio/certs/CAs/ptc-dev-ca.crt", false],
            ]);
            assert.strictEqual(await pulumi.isSecret(s.files?.[1].content as pulumi.Output<string>), true);
            assert.strictEqual(s.user, "1000:1000");
            assert.match(String(s.image), /^minio\/minio:RELEASE\./);
            const pw = s.secretEnv?.MINIO_ROOT_PASSWORD as pulumi.Output<string>;
            assert.strictEqual(await pulumi.isSecret(pw), true);
            assert.ok(generatedSecrets.includes(await valueOf(pw)), "the root password is generated");
        });

        it("creates the bucket with a bucket-init job after MinIO, with the retention", () => {
            const { spec, opts } = platform.call("job", "bucket-init");
            const j = spec as JobSpec;
            assert.strictEqual(j.labels?.["proteamcare.io/role"], "bucket-init");
            assert.match(String(j.image), /^minio\/mc:RELEASE\./);
            assert.strictEqual(j.env?.BUCKET, "ptc-backups");
            assert.deepStrictEqual(JSON.parse(j.env?.BUCKET_LIFECYCLE_JSON as string).Rules[0].Expiration, { Days: 14 });
            assert.ok((j.command?.[0] as string).includes("mc mb --ignore-existing"));
            assert.ok((j.command?.[0] as string).includes("version enable"));
            assert.strictEqual((opts.dependsOn ?? []).length, 1, "waits for the MinIO service");
        });

        it("exposes the MinIO endpoint and a generated secret for the backup user", async () => {
            assert.strictEqual(await valueOf(bucket.endpointUrl as pulumi.Output<string>), "https://minio:9000");
            assert.match(await valueOf(bucket.caBundle as pulumi.Output<string>), /^-----BEGIN CERTIFICATE-----\nMOCK dev-bucket-minio-tls-ca\n/);
            assert.strictEqual(await valueOf(bucket.s3Uri), "s3://ptc-backups/pro-team-care");
            assert.strictEqual(await valueOf(bucket.region), "us-east-1");
            assert.strictEqual(await valueOf(bucket.accessKeyId), "ptc-backup");
            assert.strictEqual(await pulumi.isSecret(bucket.secretAccessKey), true);
            assert.ok(generatedSecrets.includes(await valueOf(bucket.secretAccessKey)));
            assert.strictEqual(bucket.kmsKeyArn, undefined);
            assert.strictEqual(bucket.readyResources.length, 2);
        });
    });

    describe("Backups (recording platform)", () => {
        let platform: RecordingPlatform;

        before(async () => {
            platform = new RecordingPlatform();
            const bucket = new mod.BackupBucket("rec-bucket", { mode: "platform", platform });
            new mod.Backups("rec-backups", {
                platform,
                image: IMAGE,
                bucket,
                postgres: PG,
                redis: REDIS,
                pushgatewayUrl: "http://pushgateway:9091",
                healthcheckUrl: pulumi.secret("https://hc-ping.com/secret-uuid"),
            });
            await settle();
        });

        it("schedules the hourly backup of both stores", () => {
            const { spec, opts } = platform.call("schedule", "backup");
            const s = spec as ScheduleSpec;
            assert.strictEqual(s.cron, "0 * * * *");
            assert.deepStrictEqual([...(s.entrypoint ?? []), ...(s.command ?? [])], ["ptc-backup", "backup"]);
            assert.strictEqual(s.labels?.["proteamcare.io/role"], "backup");
            assert.strictEqual(s.annotations?.["proteamcare.io/backup-of"], "postgres,redis");
            assert.strictEqual(s.tier, "ops");
            assert.strictEqual(s.user, "10001:10001");
            assert.strictEqual(s.image, IMAGE);
            assert.strictEqual((opts.dependsOn ?? []).length, 2, "waits for MinIO and bucket-init");
        });

        it("schedules the daily restore drill", () => {
            const s = platform.call("schedule", "restore-drill").spec as ScheduleSpec;
            assert.strictEqual(s.cron, "30 3 * * *");
            assert.deepStrictEqual([...(s.entrypoint ?? []), ...(s.command ?? [])], ["ptc-backup", "drill"]);
            assert.strictEqual(s.labels?.["proteamcare.io/role"], "restore-drill");
        });

        it("passes the script contract's env, every credential as a secret Output", async () => {
            for (const name of ["backup", "restore-drill"]) {
                const s = platform.call("schedule", name).spec as ScheduleSpec;
                const env = s.env ?? {};
                assert.strictEqual(await valueOf(env.PGHOST), "postgres");
                assert.strictEqual(await valueOf(env.PGPORT), "5432");
                assert.strictEqual(await valueOf(env.PGUSER), "ptc");
                assert.strictEqual(await valueOf(env.PGDATABASE), "pro_team_care");
                assert.strictEqual(await valueOf(env.REDIS_HOST), "redis");
                assert.strictEqual(await valueOf(env.REDIS_PORT), "6379");
                assert.strictEqual(await valueOf(env.BACKUP_S3_URI), "s3://ptc-backups/pro-team-care");
                assert.strictEqual(await valueOf(env.S3_ENDPOINT_URL), "https://minio:9000");
                // The dev CA as a file awscli and curl read (AWS_CA_BUNDLE), in every run.
                assert.strictEqual(await valueOf(env.AWS_CA_BUNDLE), "/etc/proteamcare/backup-ca.pem");
                assert.deepStrictEqual((s.files ?? []).map((f) => f.path), ["/etc/proteamcare/backup-ca.pem"]);
                assert.match(await valueOf((s.files ?? [])[0].content), /^-----BEGIN CERTIFICATE-----\n/);
                assert.strictEqual(await valueOf(env.AWS_DEFAULT_REGION), "us-east-1");
                assert.strictEqual(await valueOf(env.PUSHGATEWAY_URL), "http://pushgateway:9091");
                const secretEnv = s.secretEnv ?? {};
                assert.deepStrictEqual(Object.keys(secretEnv).sort(), ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "BACKUP_HEALTHCHECK_URL", "PGPASSWORD", "REDIS_PASSWORD"]);
                for (const [k, v] of Object.entries(secretEnv)) {
                    assert.ok(pulumi.Output.isInstance(v), `${name} ${k} is an Output`);
                    assert.strictEqual(await pulumi.isSecret(v as pulumi.Output<string>), true, `${name} ${k} is secret`);
                }
                assert.strictEqual(await valueOf(secretEnv.PGPASSWORD), "pg-password-VALUE");
                assert.strictEqual(await valueOf(secretEnv.BACKUP_HEALTHCHECK_URL), "https://hc-ping.com/secret-uuid");
            }
        });
    });

    describe("Backups refusals (before any child)", () => {
        const base = (): Record<string, unknown> => ({ platform: new RecordingPlatform(), image: IMAGE, bucket: { s3Uri: "s3://b/p", region: "us-east-1", accessKeyId: "a", secretAccessKey: "s" }, postgres: PG, redis: REDIS });
        const cases: [string, Record<string, unknown>, RegExp][] = [
            ["a 4-field backup cron", { backupCron: "0 * * *" }, /backupCron: cron expression "0 \* \* \*" has 4 fields/],
            ["a macro drill cron", { drillCron: "@daily" }, /drillCron: cron expression "@daily"/],
            ["an out-of-range minute", { backupCron: "75 * * * *" }, /minute field "75" is out of range 0-59/],
            ["a root user", { user: "0:0" }, /numeric non-root "uid:gid"/],
            ["a named user", { user: "postgres" }, /numeric non-root/],
            ["a zero deadline", { backupDeadlineSeconds: 0 }, /backupDeadlineSeconds must be a positive whole number/],
            ["a store without a workload name", { redis: { ...REDIS, workloadName: "" } }, /redis\.workloadName must name the store's workload/],
            ["the same workload name twice", { backupWorkloadName: "x", drillWorkloadName: "x" }, /must differ/],
        ];
        for (const [what, override, message] of cases) {
            it(`refuses ${what}`, async () => {
                const args = { ...base(), ...override };
                const from = recorded.length;
                assert.throws(() => new mod.Backups(`refused-${what.replace(/[^a-z0-9]+/g, "-")}`, args as never), (e: Error) => e instanceof pulumi.ResourceError && message.test(e.message));
                await settle();
                assert.deepStrictEqual(since(from), []);
                assert.strictEqual((args.platform as RecordingPlatform).calls.length, 0, "no workload was asked for");
            });
        }
    });

    describe("on the docker platform (dev)", () => {
        let res: Recorded[];

        before(async () => {
            const from = recorded.length;
            const platform = new dockerMod.DockerPlatform("dev", { prefix: "ptc-dev" });
            const bucket = new mod.BackupBucket("backup-bucket", { mode: "platform", platform });
            new mod.Backups("backups", { platform, image: IMAGE, bucket, postgres: PG, redis: REDIS, pushgatewayUrl: "http://pushgateway:9091" });
            await valueOf(bucket.s3Uri);
            await settle();
            res = since(from);
        });

        function container(name: string): Record<string, unknown> {
            return one(res, "docker:index/container:Container", name).inputs;
        }
        function labels(c: Record<string, unknown>): Record<string, string> {
            return Object.fromEntries((c.labels as { label: string; value: string }[]).map((l) => [l.label, l.value]));
        }
        function envs(c: Record<string, unknown>): Record<string, string> {
            const list = unwrapSecret(c.envs) as string[];
            return Object.fromEntries(list.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
        }

        it("runs MinIO as a healthy-waiting service labelled object-store, with a volume, capabilities dropped", () => {
            const c = container("minio");
            const l = labels(c);
            assert.strictEqual(l["proteamcare.io/store"], "object-store");
            assert.strictEqual(l["proteamcare.io/kind"], "service");
            assert.strictEqual(l["proteamcare.io/tier"], "ops");
            // A new docker volume is root-owned, so MinIO keeps the image's user there (all capabilities dropped).
            assert.strictEqual(c.user, undefined);
            assert.deepStrictEqual(c.capabilities, { drops: ["ALL"] });
            assert.strictEqual(c.restart, "unless-stopped");
            assert.ok((c.healthcheck as { tests: string[] }).tests.join(" ").includes("mc --config-dir /tmp/.mc-health ready self"));
            assert.ok((c.command as string[]).join(" ").endsWith("--certs-dir /etc/minio/certs"));
            // Docker stores the uploads as secret when one is (the key); the key never shows in plaintext (last test).
            assert.ok(isSecretInput(c.uploads), "the uploads holding the private key are secret");
            const uploads = unwrapSecret(c.uploads) as { file: string; content: unknown }[];
            assert.deepStrictEqual(uploads.map((u) => u.file), ["/etc/minio/certs/public.crt", "/etc/minio/certs/private.key", "/etc/minio/certs/CAs/ptc-dev-ca.crt"]);
            assert.strictEqual((c.volumes as { containerPath: string }[])[0].containerPath, "/data");
            assert.ok(isSecretInput(c.envs), "env with the root password is secret");
            assert.strictEqual(envs(c).MINIO_ROOT_USER, "ptc-root");
            assert.strictEqual(one(res, "docker:index/volume:Volume").inputs.name, "ptc-dev-minio-data");
        });

        it("runs the bucket-init job once, with restart no", () => {
            const c = container("bucket-init");
            assert.strictEqual(labels(c)["proteamcare.io/role"], "bucket-init");
            assert.strictEqual(labels(c)["proteamcare.io/kind"], "job");
            assert.strictEqual(c.restart, "no");
            assert.deepStrictEqual(c.entrypoints, ["/bin/sh", "-c"]);
            assert.strictEqual(c.user, "1000:1000", "mc needs no volume, so it runs non-root everywhere");
            assert.match(envs(c).MC_HOST_ptc, /^https:\/\/ptc-root:mockpw[a-z0-9]+@minio:9000$/);
            assert.strictEqual(envs(c).MINIO_CA_FILE, "/etc/proteamcare/backup-ca.pem");
            assert.deepStrictEqual((c.uploads as { file: string }[]).map((u) => u.file), ["/etc/proteamcare/backup-ca.pem"]);
        });

        it("runs the backup schedule with its cron, the stores it covers and the contract env", () => {
            const c = container("backup");
            const l = labels(c);
            assert.strictEqual(l["proteamcare.io/kind"], "schedule");
            assert.strictEqual(l["proteamcare.io/role"], "backup");
            assert.strictEqual(l["proteamcare.io/backup-of"], "postgres,redis");
            assert.strictEqual(l["proteamcare.io/schedule"], "0 * * * *");
            const cmd = c.command as string[];
            assert.deepStrictEqual(cmd.slice(cmd.indexOf("--") - 1), ["0 * * * *", "--", "ptc-backup", "backup"]);
            assert.strictEqual(c.user, "10001:10001");
            const e = envs(c);
            assert.strictEqual(e.PGHOST, "postgres");
            assert.strictEqual(e.BACKUP_S3_URI, "s3://ptc-backups/pro-team-care");
            assert.strictEqual(e.S3_ENDPOINT_URL, "https://minio:9000");
            assert.strictEqual(e.AWS_CA_BUNDLE, "/etc/proteamcare/backup-ca.pem");
            assert.strictEqual(e.PUSHGATEWAY_URL, "http://pushgateway:9091");
            assert.strictEqual(e.PGPASSWORD, "pg-password-VALUE");
            assert.strictEqual(e.AWS_ACCESS_KEY_ID, "ptc-backup");
            assert.ok(generatedSecrets.includes(e.AWS_SECRET_ACCESS_KEY));
            assert.ok(isSecretInput(c.envs), "the env list holding credentials is secret");
        });

        it("runs the restore drill daily", () => {
            const c = container("restore-drill");
            const l = labels(c);
            assert.strictEqual(l["proteamcare.io/role"], "restore-drill");
            assert.strictEqual(l["proteamcare.io/schedule"], "30 3 * * *");
            assert.deepStrictEqual((c.command as string[]).slice(-2), ["ptc-backup", "drill"]);
        });

        it("shows no password in plaintext in any input", () => {
            const plain = res.flatMap((r) => plaintextStrings(r.inputs)).join("\n");
            for (const s of [...generatedSecrets, "pg-password-VALUE", "redis-password-VALUE"]) assert.ok(!plain.includes(s), `plaintext ${s}`);
        });
    });

    describe("on the kubernetes platform (prod, AWS bucket)", () => {
        let res: Recorded[];

        before(async () => {
            const from = recorded.length;
            const platform = new k8sMod.KubernetesPlatform("prod", { namespace: "ptc-prod" });
            const bucket = new mod.BackupBucket("backup-bucket", { mode: "aws", region: "sa-east-1" });
            new mod.Backups("backups", { platform, image: IMAGE, bucket, postgres: PG, redis: REDIS, backupCron: "*/30 * * * *" });
            await valueOf(bucket.s3Uri);
            await settle();
            res = since(from);
        });

        function cronJob(name: string): Record<string, unknown> {
            return opened(one(res, "kubernetes:batch/v1:CronJob", `${name}-cron`).inputs) as Record<string, unknown>;
        }
        function podSpec(cj: Record<string, unknown>): Record<string, unknown> {
            return ((((cj.spec as Record<string, unknown>).jobTemplate as Record<string, unknown>).spec as Record<string, unknown>).template as Record<string, unknown>).spec as Record<string, unknown>;
        }

        it("creates a CronJob per schedule with the cron, role and backup-of annotation", () => {
            const backup = cronJob("backup");
            assert.strictEqual((backup.spec as Record<string, unknown>).schedule, "*/30 * * * *");
            const md = backup.metadata as { labels: Record<string, string>; annotations: Record<string, string> };
            assert.strictEqual(md.labels["proteamcare.io/role"], "backup");
            assert.strictEqual(md.annotations["proteamcare.io/backup-of"], "postgres,redis");
            const drill = cronJob("restore-drill");
            assert.strictEqual((drill.spec as Record<string, unknown>).schedule, "30 3 * * *");
            assert.strictEqual((drill.metadata as { labels: Record<string, string> }).labels["proteamcare.io/role"], "restore-drill");
        });

        it("runs ptc-backup as uid 10001 (the image's ptcbackup user) with credentials from a Secret and no S3_ENDPOINT_URL", () => {
            const pod = podSpec(cronJob("backup"));
            const c = (pod.containers as Record<string, unknown>[])[0];
            assert.deepStrictEqual(c.command, ["ptc-backup"]);
            assert.deepStrictEqual(c.args, ["backup"]);
            assert.strictEqual((pod.securityContext as Record<string, unknown>).runAsUser, 10001);
            const env = c.env as { name: string; value?: unknown; valueFrom?: { secretKeyRef: { key: string } } }[];
            const byName = Object.fromEntries(env.map((e) => [e.name, e]));
            for (const k of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "PGPASSWORD", "REDIS_PASSWORD"]) {
                assert.strictEqual(byName[k]?.valueFrom?.secretKeyRef.key, k, `${k} from the Secret`);
            }
            assert.strictEqual(byName.BACKUP_S3_URI.value, "s3://backup-bucket-bucket-a1b2c3d/pro-team-care");
            assert.strictEqual(byName.AWS_DEFAULT_REGION.value, "sa-east-1");
            assert.strictEqual(byName.S3_ENDPOINT_URL, undefined);
        });

        it("keeps the secret env in a Kubernetes Secret whose data is secret", () => {
            const secret = one(res, "kubernetes:core/v1:Secret", "backup-secret").inputs;
            assert.ok(isSecretInput(secret.stringData));
            const data = unwrapSecret(secret.stringData) as Record<string, string>;
            assert.ok(JSON.stringify(data).includes(ACCESS_KEY_SECRET), "the AWS secret key is in the Secret");
        });

        it("creates the hardened bucket alongside", () => {
            one(res, "aws:s3/bucketPolicy:BucketPolicy", "backup-bucket-policy");
            one(res, "aws:iam/userPolicy:UserPolicy", "backup-bucket-writer-policy");
        });
    });

    describe("on the kubernetes platform (MinIO bucket)", () => {
        let res: Recorded[];

        before(async () => {
            const from = recorded.length;
            const platform = new k8sMod.KubernetesPlatform("stage", { namespace: "ptc-stage" });
            const bucket = new mod.BackupBucket("backup-bucket", { mode: "platform", platform });
            new mod.Backups("backups", { platform, image: IMAGE, bucket, postgres: PG, redis: REDIS });
            await valueOf(bucket.s3Uri);
            await settle();
            res = since(from);
        });

        it("runs MinIO as a StatefulSet labelled object-store with an https exec probe and fsGroup 1000", () => {
            const sts = opened(one(res, "kubernetes:apps/v1:StatefulSet", "minio-sts").inputs) as Record<string, Record<string, unknown>>;
            assert.strictEqual((sts.metadata.labels as Record<string, string>)["proteamcare.io/store"], "object-store");
            const pod = (sts.spec.template as Record<string, Record<string, unknown>>).spec;
            const c = (pod.containers as Record<string, unknown>[])[0];
            assert.ok(JSON.stringify(c.readinessProbe).includes("MC_HOST_self=https://localhost:9000"));
            assert.ok(JSON.stringify(c.livenessProbe).includes("MC_HOST_self=https://localhost:9000"));
            assert.strictEqual((pod.securityContext as Record<string, unknown>).fsGroup, 1000);
        });

        it("runs the bucket-init Job and points the backups at the in-cluster MinIO", () => {
            const job = opened(one(res, "kubernetes:batch/v1:Job", "bucket-init-job").inputs) as Record<string, Record<string, unknown>>;
            assert.strictEqual((job.metadata.labels as Record<string, string>)["proteamcare.io/role"], "bucket-init");
            const cj = opened(one(res, "kubernetes:batch/v1:CronJob", "backup-cron").inputs) as Record<string, Record<string, unknown>>;
            const env = JSON.stringify(cj.spec);
            assert.ok(env.includes("https://minio.ptc-stage.svc.cluster.local:9000"), "S3_ENDPOINT_URL is the service's cluster address, over https");
            // MinIO's certificate names the in-cluster host clients use (and the workload name, and localhost for its probe).
            assert.deepStrictEqual(one(res, "tls:index/certRequest:CertRequest", "backup-bucket-minio-tls-csr").inputs.dnsNames, ["minio", "minio.ptc-stage.svc.cluster.local", "localhost"]);
        });
    });
});
