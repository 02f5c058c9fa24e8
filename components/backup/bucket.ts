/**
 * The backup bucket: a hardened S3 bucket on AWS (prod), or MinIO run on the platform (dev, no
 * cloud account), each with a least-privilege identity for the backup job.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Platform, ResourceSpec, validateSpec } from "../platform/spec";
import { sizeGiProblems, WorkloadComponent } from "../workload";
import {
    backupIdentityPolicy,
    bucketNameProblems,
    bucketPolicy,
    DEFAULT_NONCURRENT_DAYS,
    DEFAULT_PREFIX,
    DEFAULT_RETENTION_DAYS,
    lifecycleRules,
    ObjectLockSettings,
    prefixProblems,
    renderPolicy,
    retentionProblems,
    s3Uri,
} from "./bucket-policy";
import {
    bucketInitJobSpec,
    DEFAULT_MC_IMAGE,
    DEFAULT_MINIO_IMAGE,
    DEFAULT_MINIO_RESOURCES,
    DEFAULT_MINIO_USER,
    DEFAULT_MINIO_VOLUME_GI,
    imagePinProblem,
    MINIO_BACKUP_USER,
    MINIO_REGION,
    MINIO_ROOT_USER,
    minioServiceSpec,
} from "./minio";
import { MinioTls } from "./minio-tls";

/** Where the bucket lives: "aws" (S3, prod) or "platform" (MinIO on the stack's platform, dev). */
export type BackupBucketMode = "aws" | "platform";

/** Arguments of {@link BackupBucket}. */
export interface BackupBucketArgs {
    /** "aws" for an S3 bucket, "platform" for MinIO on `platform`. */
    readonly mode: BackupBucketMode;
    /** AWS region of the bucket and its key; required in aws mode. Defaults to "us-east-1", the only region MinIO answers for, in platform mode. */
    readonly region?: string;
    /** Bucket name. Defaults to an auto-generated name in aws mode and "ptc-backups" in platform mode. */
    readonly bucketName?: string;
    /** Key prefix of the backups (BACKUP_S3_URI is s3://bucket/prefix). Defaults to "pro-team-care". */
    readonly prefix?: string;
    /** Days current versions are kept (the backup retention). Defaults to 30. */
    readonly retentionDays?: number;
    /** Days noncurrent versions are kept before permanent deletion. Defaults to 7. */
    readonly noncurrentDays?: number;
    /** Object Lock default retention (aws mode only; set at bucket creation, days ≤ retentionDays). Defaults to none. */
    readonly objectLock?: ObjectLockSettings;
    /**
     * Protect the bucket and its KMS key from deletion by Pulumi and keep them in AWS if the stack is
     * destroyed (aws mode). Only throw-away test stacks should turn this off. Defaults to true.
     */
    readonly retainData?: boolean;
    /** Tags for the AWS resources. Defaults to none. */
    readonly tags?: Readonly<Record<string, string>>;
    /** The platform MinIO runs on; required in platform mode. Defaults to none. */
    readonly platform?: Platform;
    /** Pinned MinIO image. Defaults to minio/minio:RELEASE.2025-09-07T16-13-09Z. */
    readonly minioImage?: string;
    /** Pinned mc image of the bucket-init job. Defaults to minio/mc:RELEASE.2025-08-13T08-35-41Z. */
    readonly mcImage?: string;
    /** Workload name of MinIO. Defaults to "minio". */
    readonly minioWorkloadName?: string;
    /** Workload name of the bucket-init job. Defaults to "bucket-init". */
    readonly bucketInitWorkloadName?: string;
    /** Size of MinIO's data volume in GiB. Defaults to 20. */
    readonly minioVolumeGi?: number;
    /** MinIO's CPU and memory. Defaults to 100m / 256Mi (limit 512Mi). */
    readonly minioResources?: ResourceSpec;
    /**
     * Numeric uid:gid MinIO and mc run as. Defaults to "1000:1000" on Kubernetes; on docker to "1000:1000"
     * for mc and the image's user for MinIO (a new docker volume is root-owned).
     */
    readonly minioUser?: string;
}

/**
 * A backup bucket and the backup job's identity.
 *
 * aws: S3 bucket (versioned; SSE-KMS with its own rotating key and the bucket key; all public access
 * blocked; TLS-only policy; lifecycle of retention / noncurrent / aborted uploads; optional Object
 * Lock), and an IAM user that may list, read and write only its prefix — never delete.
 *
 * platform: MinIO as an ops-tier service with a volume, and a bucket-init job that creates the bucket,
 * enables versioning, sets the expiry rules and a MinIO user limited to the prefix.
 */
export class BackupBucket extends WorkloadComponent {
    /** Which kind of bucket this is. */
    public readonly mode: BackupBucketMode;
    /** Bucket name. */
    public readonly bucketName: pulumi.Output<string>;
    /** Key prefix of the backups. */
    public readonly prefix: string;
    /** s3://bucket/prefix (the backup script's BACKUP_S3_URI). */
    public readonly s3Uri: pulumi.Output<string>;
    /** Region of the bucket. */
    public readonly region: pulumi.Output<string>;
    /** S3-compatible endpoint (platform mode, https://minio:9000 on docker); undefined for AWS. */
    public readonly endpointUrl: pulumi.Output<string> | undefined;
    /** PEM CA certificate clients trust the endpoint by (platform mode: the dev CA); undefined for AWS (system CAs). */
    public readonly caBundle: pulumi.Output<string> | undefined;
    /** Access key id of the backup identity. */
    public readonly accessKeyId: pulumi.Output<string>;
    /** Secret access key of the backup identity (secret). */
    public readonly secretAccessKey: pulumi.Output<string>;
    /** ARN of the bucket's KMS key (aws mode); undefined in platform mode. */
    public readonly kmsKeyArn: pulumi.Output<string> | undefined;
    /** Days current versions are kept. */
    public readonly retentionDays: number;
    /** Resources that must exist before a backup can run (the identity, the bucket configuration, the init job). */
    public readonly readyResources: pulumi.Resource[];

    constructor(name: string, args: BackupBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("proteamcare:backup:BackupBucket", name, opts);

        const mode = args.mode;
        const prefix = args.prefix ?? DEFAULT_PREFIX;
        const retentionDays = args.retentionDays ?? DEFAULT_RETENTION_DAYS;
        const noncurrentDays = args.noncurrentDays ?? DEFAULT_NONCURRENT_DAYS;
        const retainData = args.retainData ?? true;
        const tags = { "app.kubernetes.io/part-of": "pro-team-care", "proteamcare.io/purpose": "backups", ...(args.tags ?? {}) };
        const minioImage = args.minioImage ?? DEFAULT_MINIO_IMAGE;
        const mcImage = args.mcImage ?? DEFAULT_MC_IMAGE;
        const minioName = args.minioWorkloadName ?? "minio";
        const initName = args.bucketInitWorkloadName ?? "bucket-init";
        // Where a fresh volume is not writable by a non-root user (a docker named volume is
        // root-owned: the MinIO image has no /data owned by a user to copy up, unlike postgres or
        // redis), MinIO keeps the image's user, with every capability dropped, until the platform
        // can hand a volume to spec.user; Kubernetes makes the claim group-writable through fsGroup.
        const minioUser = args.minioUser ?? (args.platform?.capabilities.volumesWritableByUser ? DEFAULT_MINIO_USER : undefined);
        const bucketName = args.bucketName ?? (mode === "platform" ? "ptc-backups" : undefined);

        // Every impossible combination is refused before any child exists.
        const problems: string[] = [];
        if (mode !== "aws" && mode !== "platform") problems.push(`mode must be "aws" or "platform", got "${mode}"`);
        problems.push(...prefixProblems(prefix));
        problems.push(...retentionProblems({ retentionDays, noncurrentDays, objectLock: args.objectLock }));
        if (bucketName !== undefined) problems.push(...bucketNameProblems(bucketName));
        if (mode === "aws") {
            if (!args.region) problems.push(`aws mode needs region (the AWS region of the bucket and its KMS key)`);
            if (args.platform !== undefined) problems.push(`aws mode takes no platform: remove platform or use mode "platform"`);
        }
        if (mode === "platform") {
            if (args.platform === undefined) problems.push(`platform mode needs the platform MinIO runs on`);
            if (args.region !== undefined && args.region !== MINIO_REGION) {
                problems.push(`platform mode answers for region "${MINIO_REGION}" (MinIO's); remove region "${args.region}"`);
            }
            // Workload names are checked here, before any child, rather than by the platform later.
            for (const w of [minioName, initName]) {
                problems.push(...validateSpec(w, { image: "", resources: { cpu: "1", memory: "1Mi" }, tier: "ops" }));
            }
            if (minioName === initName) problems.push(`minioWorkloadName and bucketInitWorkloadName must differ (both "${minioName}")`);
            if (args.objectLock !== undefined) {
                problems.push(`objectLock is an aws-mode option (set at bucket creation); remove it for the platform (MinIO) bucket`);
            }
            for (const ref of [minioImage, mcImage]) {
                const p = imagePinProblem(ref);
                if (p) problems.push(p);
            }
            problems.push(...sizeGiProblems("minioVolumeGi", args.minioVolumeGi ?? DEFAULT_MINIO_VOLUME_GI, { whole: true }));
        }
        this.refuse(problems, `BackupBucket ${name}`);

        this.mode = mode;
        this.prefix = prefix;
        this.retentionDays = retentionDays;

        if (mode === "aws") {
            const region = args.region as string;
            // A deleted backup bucket (or its key: the data becomes unreadable) is lost patient history
            // and a compliance breach. protect makes `pulumi destroy` and any replacement fail until
            // someone deliberately unprotects; retainOnDelete keeps them in AWS even then.
            const keep: pulumi.CustomResourceOptions = retainData ? { parent: this, protect: true, retainOnDelete: true } : { parent: this };

            const key = new aws.kms.Key(
                `${name}-key`,
                {
                    description: `Pro Team Care backups (${name})`,
                    enableKeyRotation: true,
                    deletionWindowInDays: 30,
                    region,
                    tags,
                },
                keep,
            );
            const bucket = new aws.s3.Bucket(
                `${name}-bucket`,
                {
                    bucket: bucketName,
                    forceDestroy: false,
                    // Object Lock can only be enabled when the bucket is created.
                    objectLockEnabled: args.objectLock !== undefined ? true : undefined,
                    region,
                    tags,
                },
                keep,
            );
            const pab = new aws.s3.BucketPublicAccessBlock(
                `${name}-public-access`,
                {
                    bucket: bucket.id,
                    blockPublicAcls: true,
                    blockPublicPolicy: true,
                    ignorePublicAcls: true,
                    restrictPublicBuckets: true,
                    region,
                },
                { parent: this },
            );
            const versioning = new aws.s3.BucketVersioning(
                `${name}-versioning`,
                { bucket: bucket.id, versioningConfiguration: { status: "Enabled" }, region },
                { parent: this },
            );
            const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
                `${name}-encryption`,
                {
                    bucket: bucket.id,
                    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }],
                    region,
                },
                { parent: this },
            );
            // S3 refuses concurrent configuration changes of one bucket: the policy waits for the block.
            const policy = new aws.s3.BucketPolicy(
                `${name}-policy`,
                {
                    bucket: bucket.id,
                    policy: pulumi.all([bucket.arn, key.arn]).apply(([bucketArn, kmsKeyArn]) => renderPolicy(bucketPolicy({ bucketArn, kmsKeyArn }))),
                    region,
                },
                { parent: this, dependsOn: [pab] },
            );
            const lifecycle = new aws.s3.BucketLifecycleConfiguration(
                `${name}-lifecycle`,
                { bucket: bucket.id, rules: lifecycleRules({ retentionDays, noncurrentDays, prefix }), region },
                { parent: this, dependsOn: [versioning] },
            );
            const configured: pulumi.Resource[] = [pab, versioning, encryption, policy, lifecycle];
            if (args.objectLock !== undefined) {
                configured.push(
                    new aws.s3.BucketObjectLockConfiguration(
                        `${name}-object-lock`,
                        {
                            bucket: bucket.id,
                            rule: { defaultRetention: { mode: args.objectLock.mode, days: args.objectLock.days } },
                            region,
                        },
                        { parent: this, dependsOn: [versioning] },
                    ),
                );
            }

            const user = new aws.iam.User(`${name}-writer`, { path: "/proteamcare/", tags }, { parent: this });
            const userPolicy = new aws.iam.UserPolicy(
                `${name}-writer-policy`,
                {
                    user: user.name,
                    policy: pulumi
                        .all([bucket.arn, key.arn])
                        .apply(([bucketArn, kmsKeyArn]) => renderPolicy(backupIdentityPolicy({ bucketArn, prefix, kmsKeyArn, region }))),
                },
                { parent: this },
            );
            const accessKey = new aws.iam.AccessKey(`${name}-writer-key`, { user: user.name }, { parent: this });

            this.bucketName = bucket.bucket;
            this.s3Uri = bucket.bucket.apply((b) => s3Uri(b, prefix));
            this.region = pulumi.output(region);
            this.endpointUrl = undefined;
            this.caBundle = undefined;
            this.accessKeyId = accessKey.id;
            this.secretAccessKey = pulumi.secret(accessKey.secret);
            this.kmsKeyArn = key.arn;
            this.readyResources = [...configured, userPolicy, accessKey];
        } else {
            const platform = args.platform as Platform;
            const resolvedBucket = bucketName as string;
            const rootPassword = new random.RandomPassword(`${name}-root-password`, { length: 32, special: false }, { parent: this });
            const backupSecret = new random.RandomPassword(`${name}-backup-secret`, { length: 40, special: false }, { parent: this });

            // MinIO serves https (pgBackRest speaks S3 over TLS only) with a certificate for the
            // names clients use: the platform's service host is known only once the service
            // exists, while the service's files need the certificate, so the files take deferred
            // values the certificate resolves. The host is a plain name on both platforms, not a
            // value of the service's resources, so this is no cycle.
            const [tlsCertificate, resolveCertificate] = pulumi.deferredOutput<string>();
            const [tlsPrivateKey, resolvePrivateKey] = pulumi.deferredOutput<string>();
            const [tlsCa, resolveCa] = pulumi.deferredOutput<string>();
            const serviceSpec = minioServiceSpec({
                image: minioImage,
                component: name,
                rootUser: MINIO_ROOT_USER,
                rootPassword: rootPassword.result,
                volumeGi: args.minioVolumeGi ?? DEFAULT_MINIO_VOLUME_GI,
                resources: args.minioResources ?? DEFAULT_MINIO_RESOURCES,
                user: minioUser,
                tls: { certificate: tlsCertificate, privateKey: pulumi.secret(tlsPrivateKey), caCertificate: tlsCa },
            });
            const service = this.runService(platform, minioName, serviceSpec);
            // SANs: the workload name (docker's network alias), the platform's host (the
            // Kubernetes Service's in-cluster name) and localhost (MinIO's own health check).
            const minioTls = new MinioTls(`${name}-minio-tls`, { dnsNames: [minioName, service.host, "localhost"] }, { parent: this });
            resolveCertificate(minioTls.certificate);
            resolvePrivateKey(minioTls.privateKey);
            resolveCa(minioTls.caCertificate);
            const endpointUrl = pulumi.interpolate`https://${service.address}`;

            const initSpec = bucketInitJobSpec({
                image: mcImage,
                component: name,
                endpointUrl,
                caBundle: minioTls.caCertificate,
                rootUser: MINIO_ROOT_USER,
                rootPassword: rootPassword.result,
                bucket: resolvedBucket,
                prefix,
                backupUser: MINIO_BACKUP_USER,
                backupSecret: backupSecret.result,
                retentionDays,
                noncurrentDays,
                user: minioUser ?? DEFAULT_MINIO_USER,
            });
            const init = platform.job(initName, initSpec, { parent: this, dependsOn: service.resources });

            this.bucketName = pulumi.output(resolvedBucket);
            this.s3Uri = pulumi.output(s3Uri(resolvedBucket, prefix));
            this.region = pulumi.output(MINIO_REGION);
            this.endpointUrl = endpointUrl;
            this.caBundle = minioTls.caCertificate;
            this.accessKeyId = pulumi.output(MINIO_BACKUP_USER);
            this.secretAccessKey = pulumi.secret(backupSecret.result);
            this.kmsKeyArn = undefined;
            this.readyResources = [...service.resources, ...init.resources];
        }

        this.publish(["bucketName", "s3Uri", "region", "endpointUrl", "caBundle", "accessKeyId", "secretAccessKey", "kmsKeyArn"]);
    }
}
