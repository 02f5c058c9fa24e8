/**
 * Pure builders for the dev backup store: MinIO run as a platform service, and the one-shot
 * bucket-init job (MinIO's `mc`) that creates the bucket, turns versioning on, sets the expiry
 * rules and a least-privilege user for the backup job. No resources here.
 */
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { HealthCheck, JobSpec, LABELS, ResourceSpec, WorkloadSpec } from "../platform/spec";
import { CA_BUNDLE_PATH } from "../data/pitr";
import { backupIdentityPolicy, LifecycleInputs, minioLifecycle, renderPolicy } from "./bucket-policy";
import { MINIO_CERTS_DIR, MINIO_TLS_FILES } from "./minio-tls";

/** Pinned MinIO server image (the last upstream release published as an image). */
export const DEFAULT_MINIO_IMAGE = "minio/minio:RELEASE.2025-09-07T16-13-09Z";
/** Pinned MinIO client image used by the bucket-init job. */
export const DEFAULT_MC_IMAGE = "minio/mc:RELEASE.2025-08-13T08-35-41Z";
/** MinIO's S3 API port. */
export const MINIO_PORT = 9000;
/** Region MinIO answers for (its default); awscli needs one even against a custom endpoint. */
export const MINIO_REGION = "us-east-1";
/** Non-root uid:gid MinIO and mc run as (neither program needs root; see BackupBucket for docker volumes). */
export const DEFAULT_MINIO_USER = "1000:1000";
/** Default MinIO resources. */
export const DEFAULT_MINIO_RESOURCES: ResourceSpec = { cpu: "100m", memory: "256Mi", memoryLimit: "512Mi" };
/** Default size of MinIO's data volume in GiB. */
export const DEFAULT_MINIO_VOLUME_GI = 20;
/** Name of MinIO's root user (its password is generated). */
export const MINIO_ROOT_USER = "ptc-root";
/** Access key id of the backup job's MinIO user. */
export const MINIO_BACKUP_USER = "ptc-backup";
/** Name of the MinIO policy attached to the backup user. */
export const MINIO_BACKUP_POLICY = "ptc-backup-prefix-rw";
/** mc alias the bucket-init script uses (configured through MC_HOST_<alias>). */
const MC_ALIAS = "ptc";

/**
 * Returns a message when an image reference is not pinned (no tag, or the mutable `latest`), else
 * undefined. A digest (`@sha256:…`) or an explicit release tag is pinned.
 */
export function imagePinProblem(ref: string): string | undefined {
    if (/@sha256:[0-9a-f]{64}$/.test(ref)) return undefined;
    const lastSegment = ref.slice(ref.lastIndexOf("/") + 1);
    const colon = lastSegment.lastIndexOf(":");
    if (colon < 0) return `image "${ref}" has no tag; pin a release tag or a digest`;
    if (lastSegment.slice(colon + 1) === "latest") return `image "${ref}" uses the mutable tag "latest"; pin a release tag or a digest`;
    return undefined;
}

/**
 * MinIO's health check over https: `mc ready` (the MinIO client the server image ships; it has no
 * curl or wget since late 2023, and bash's /dev/tcp speaks no TLS) against the server's own
 * https port on localhost (a SAN of its certificate), trusting the dev CA through SSL_CERT_FILE.
 * `mc ready` waits while the server is not ready, so the check's timeout is what fails it. An
 * exec check is one definition that works on both platforms.
 */
export function minioHealthCheck(port: number = MINIO_PORT, caFile: string = MINIO_TLS_FILES.ca): HealthCheck {
    const script = `SSL_CERT_FILE=${caFile} MC_HOST_self=https://localhost:${port} exec mc --config-dir /tmp/.mc-health ready self >/dev/null`;
    return { kind: "exec", command: ["bash", "-c", script], intervalSeconds: 15, timeoutSeconds: 5, retries: 3, startPeriodSeconds: 20 };
}

/** MinIO's TLS material: its certificate and key, and the CA that signed them. */
export interface MinioTlsFiles {
    /** PEM server certificate. */
    readonly certificate: pulumi.Input<string>;
    /** PEM private key (secret). */
    readonly privateKey: pulumi.Input<string>;
    /** PEM CA certificate. */
    readonly caCertificate: pulumi.Input<string>;
}

/** Inputs of {@link minioServiceSpec}. */
export interface MinioServiceInputs {
    /** Pinned MinIO image. */
    readonly image: string;
    /** Component name (label). */
    readonly component: string;
    /** Root user. */
    readonly rootUser: pulumi.Input<string>;
    /** Root password (secret). */
    readonly rootPassword: pulumi.Input<string>;
    /** Size of the data volume in GiB. */
    readonly volumeGi: number;
    /** CPU and memory. */
    readonly resources: ResourceSpec;
    /** Numeric uid:gid. Defaults to the image's user. */
    readonly user?: string;
    /** Certificate, key and CA: MinIO serves https only. */
    readonly tls: MinioTlsFiles;
}

/**
 * MinIO as a service of the ops tier: only ops workloads (the backup jobs, monitoring) reach it, never
 * the app tier, so a compromised API cannot touch the backups. No console (MINIO_BROWSER off).
 * It serves https only (pgBackRest speaks S3 over TLS only), from files in its `--certs-dir`; the
 * key is a secret file.
 */
export function minioServiceSpec(i: MinioServiceInputs): WorkloadSpec {
    return {
        image: i.image,
        entrypoint: ["minio"],
        command: ["server", "/data", "--address", `:${MINIO_PORT}`, "--certs-dir", MINIO_CERTS_DIR],
        env: { HOME: "/tmp", MINIO_BROWSER: "off" },
        secretEnv: { MINIO_ROOT_PASSWORD: pulumi.secret(i.rootPassword), MINIO_ROOT_USER: pulumi.secret(i.rootUser) },
        files: [
            { path: MINIO_TLS_FILES.certificate, content: i.tls.certificate },
            { path: MINIO_TLS_FILES.privateKey, content: pulumi.secret(i.tls.privateKey), secret: true },
            { path: MINIO_TLS_FILES.ca, content: i.tls.caCertificate },
        ],
        ports: [{ name: "s3", port: MINIO_PORT }],
        volumes: [{ name: "data", mountPath: "/data", sizeGi: i.volumeGi }],
        healthCheck: minioHealthCheck(),
        resources: i.resources,
        ...(i.user !== undefined ? { user: i.user } : {}),
        readOnlyRootFilesystem: true,
        scratch: [{ mountPath: "/tmp", sizeMi: 64 }],
        tier: "ops",
        labels: { [LABELS.component]: i.component, [LABELS.store]: "object-store" },
    };
}

/**
 * The bucket-init script (POSIX sh; the mc image has no bash). It reads everything from the
 * environment, so it is a constant; every step is idempotent, so re-runs are safe.
 */
export const BUCKET_INIT_SCRIPT = `set -eu
tmp="\${TMPDIR:-/tmp}"
mc() { command mc --config-dir "$tmp/.mc" "$@"; }
fail() { echo "bucket-init: $*" >&2; exit 1; }
# MinIO serves https with a dev CA: mc trusts the CAs in <config-dir>/certs/CAs (verification stays on).
if [ -n "\${MINIO_CA_FILE:-}" ]; then
    [ -r "$MINIO_CA_FILE" ] || fail "CA file $MINIO_CA_FILE is not readable; check the job's files"
    mkdir -p "$tmp/.mc/certs/CAs" && cp "$MINIO_CA_FILE" "$tmp/.mc/certs/CAs/ptc-dev-ca.crt" || fail "could not install the CA in $tmp/.mc/certs/CAs"
fi
tries=0
until mc ls ${MC_ALIAS} >/dev/null 2>&1; do
    tries=$((tries + 1))
    [ "$tries" -lt 60 ] || fail "MinIO at $MINIO_ENDPOINT did not answer within 120 s; check the minio workload"
    sleep 2
done
mc mb --ignore-existing "${MC_ALIAS}/$BUCKET" >/dev/null || fail "could not create bucket $BUCKET"
mc version enable "${MC_ALIAS}/$BUCKET" >/dev/null || fail "could not enable versioning on bucket $BUCKET"
printf '%s' "$BUCKET_LIFECYCLE_JSON" | mc ilm rule import "${MC_ALIAS}/$BUCKET" >/dev/null ||
    fail "could not set the expiry rules of bucket $BUCKET"
printf '%s' "$BACKUP_POLICY_JSON" >"$tmp/backup-policy.json"
mc admin policy create ${MC_ALIAS} "$BACKUP_POLICY_NAME" "$tmp/backup-policy.json" >/dev/null ||
    fail "could not create policy $BACKUP_POLICY_NAME"
mc admin user add ${MC_ALIAS} "$BACKUP_USER" "$BACKUP_SECRET" >/dev/null || fail "could not create user $BACKUP_USER"
if ! out=$(mc admin policy attach ${MC_ALIAS} "$BACKUP_POLICY_NAME" --user "$BACKUP_USER" 2>&1); then
    case $out in
        *"already in effect"*) ;;
        *) fail "could not attach policy $BACKUP_POLICY_NAME to user $BACKUP_USER: $out" ;;
    esac
fi
echo "bucket-init: bucket $BUCKET ready: versioning on, current versions expire after $RETENTION_DAYS days, noncurrent after $NONCURRENT_DAYS days; user $BACKUP_USER limited to $BACKUP_PREFIX/"
`;

/** Inputs of {@link bucketInitJobSpec}. */
export interface BucketInitInputs extends LifecycleInputs {
    /** Pinned mc image. */
    readonly image: string;
    /** Component name (label). */
    readonly component: string;
    /** MinIO's URL, e.g. https://minio:9000. */
    readonly endpointUrl: pulumi.Input<string>;
    /** PEM CA certificate that signs MinIO's; put into the job as a file mc trusts. Defaults to the system CAs. */
    readonly caBundle?: pulumi.Input<string>;
    /** Root user. */
    readonly rootUser: pulumi.Input<string>;
    /** Root password (secret). */
    readonly rootPassword: pulumi.Input<string>;
    /** Bucket to create. */
    readonly bucket: string;
    /** Key prefix of the backups. */
    readonly prefix: string;
    /** Access key id of the backup user. */
    readonly backupUser: string;
    /** Secret key of the backup user (secret). */
    readonly backupSecret: pulumi.Input<string>;
    /** Numeric uid:gid. */
    readonly user: string;
}

/** mc's MC_HOST_<alias> value: the endpoint URL with the credentials in it (a secret). */
export function mcHostUrl(endpointUrl: string, user: string, password: string): string {
    const url = new URL(endpointUrl);
    url.username = encodeURIComponent(user);
    url.password = encodeURIComponent(password);
    return url.toString().replace(/\/$/, "");
}

/** The least-privilege MinIO policy of the backup user (same builder as the AWS identity). */
export function minioBackupPolicyJson(bucket: string, prefix: string): string {
    return renderPolicy(backupIdentityPolicy({ bucketArn: `arn:aws:s3:::${bucket}`, prefix }));
}

/**
 * The bucket-init job. Its trigger is a hash of everything it applies, so changing the retention,
 * the policy, the script or the image re-runs it.
 */
export function bucketInitJobSpec(i: BucketInitInputs): JobSpec {
    const lifecycleJson = JSON.stringify(minioLifecycle(i));
    const policyJson = minioBackupPolicyJson(i.bucket, i.prefix);
    const trigger = crypto
        .createHash("sha256")
        .update(JSON.stringify([i.image, BUCKET_INIT_SCRIPT, i.bucket, i.prefix, lifecycleJson, policyJson, i.backupUser]))
        .digest("hex")
        .slice(0, 16);
    return {
        image: i.image,
        entrypoint: ["/bin/sh", "-c"],
        command: [BUCKET_INIT_SCRIPT],
        env: {
            BACKUP_POLICY_JSON: policyJson,
            BACKUP_POLICY_NAME: MINIO_BACKUP_POLICY,
            BACKUP_PREFIX: i.prefix,
            BACKUP_USER: i.backupUser,
            BUCKET: i.bucket,
            BUCKET_LIFECYCLE_JSON: lifecycleJson,
            HOME: "/tmp",
            MINIO_ENDPOINT: i.endpointUrl,
            ...(i.caBundle !== undefined ? { MINIO_CA_FILE: CA_BUNDLE_PATH } : {}),
            NONCURRENT_DAYS: String(i.noncurrentDays),
            RETENTION_DAYS: String(i.retentionDays),
        },
        secretEnv: {
            BACKUP_SECRET: pulumi.secret(i.backupSecret),
            [`MC_HOST_${MC_ALIAS}`]: pulumi.secret(
                pulumi.all([i.endpointUrl, i.rootUser, i.rootPassword]).apply(([url, u, p]) => mcHostUrl(url, u, p)),
            ),
        },
        ...(i.caBundle !== undefined ? { files: [{ path: CA_BUNDLE_PATH, content: i.caBundle }] } : {}),
        resources: { cpu: "50m", memory: "64Mi", memoryLimit: "128Mi" },
        user: i.user,
        readOnlyRootFilesystem: true,
        scratch: [{ mountPath: "/tmp", sizeMi: 16 }],
        tier: "ops",
        labels: { [LABELS.component]: i.component, [LABELS.role]: "bucket-init" },
        backoffLimit: 3,
        deadlineSeconds: 300,
        trigger,
    };
}
