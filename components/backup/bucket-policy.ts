/**
 * Pure builders for the backup bucket: its TLS-only bucket policy, lifecycle rules (AWS and MinIO
 * forms), the backup job's least-privilege IAM policy, and the retention / Object Lock checks.
 * No resources here: every function is deterministic and unit-tested without any runtime.
 */

/** Days a backup stays restorable (current versions expire after it). The seed asks for 30. */
export const DEFAULT_RETENTION_DAYS = 30;
/** Days an overwritten or expired version is kept before it is permanently deleted. */
export const DEFAULT_NONCURRENT_DAYS = 7;
/** Days after which an interrupted multipart upload (a killed backup) is aborted. */
export const ABORT_INCOMPLETE_MULTIPART_DAYS = 1;
/** Key prefix the backups live under when none is given. */
export const DEFAULT_PREFIX = "pro-team-care";

/** S3 Object Lock retention mode: governance (privileged users may bypass) or compliance (nobody can). */
export type ObjectLockMode = "GOVERNANCE" | "COMPLIANCE";

/** Every Object Lock mode, in a stable order. */
export const OBJECT_LOCK_MODES: readonly ObjectLockMode[] = ["GOVERNANCE", "COMPLIANCE"];

/** Default Object Lock retention applied to every new object version. */
export interface ObjectLockSettings {
    /** Retention mode. */
    readonly mode: ObjectLockMode;
    /** Days each new version is locked; never more than the lifecycle retention. */
    readonly days: number;
}

/** The retention settings of a backup bucket. */
export interface RetentionSettings {
    /** Days current versions are kept. */
    readonly retentionDays: number;
    /** Days noncurrent versions are kept. */
    readonly noncurrentDays: number;
    /** Object Lock default retention, if any. */
    readonly objectLock?: ObjectLockSettings;
}

function isPositiveInteger(n: unknown): n is number {
    return typeof n === "number" && Number.isInteger(n) && n >= 1;
}

/**
 * Checks retention and Object Lock settings; returns one message per problem (empty when fine).
 * The lock period must not exceed the lifecycle retention: a version locked longer than the
 * lifecycle keeps it would block the lifecycle and keep health data past its retention.
 */
export function retentionProblems(s: RetentionSettings): string[] {
    const problems: string[] = [];
    if (!isPositiveInteger(s.retentionDays) || s.retentionDays > 3650) {
        problems.push(`retentionDays must be a whole number of days from 1 to 3650, got ${s.retentionDays}`);
    }
    if (!isPositiveInteger(s.noncurrentDays) || s.noncurrentDays > 365) {
        problems.push(`noncurrentDays must be a whole number of days from 1 to 365, got ${s.noncurrentDays}`);
    }
    if (s.objectLock !== undefined) {
        const lock = s.objectLock;
        if (!OBJECT_LOCK_MODES.includes(lock.mode)) {
            problems.push(`objectLock.mode must be one of ${OBJECT_LOCK_MODES.join(", ")}, got "${lock.mode}"`);
        }
        if (!isPositiveInteger(lock.days)) {
            problems.push(`objectLock.days must be a whole number of days of at least 1, got ${lock.days}`);
        } else if (isPositiveInteger(s.retentionDays) && lock.days > s.retentionDays) {
            problems.push(
                `objectLock.days (${lock.days}) exceeds retentionDays (${s.retentionDays}): the lock period must never exceed ` +
                    `the lifecycle retention; lower objectLock.days or raise retentionDays`,
            );
        }
    }
    return problems;
}

/**
 * Checks an S3 bucket name against the S3 naming rules (3–63 characters, lowercase letters, digits,
 * "-" and ".", starting and ending with a letter or digit, not an IP address).
 */
export function bucketNameProblems(name: string): string[] {
    const problems: string[] = [];
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name)) {
        problems.push(
            `bucket name "${name}" must be 3-63 characters of lowercase letters, digits, "-" and ".", starting and ending with a letter or digit`,
        );
    } else if (/\.\./.test(name) || /^\d+\.\d+\.\d+\.\d+$/.test(name) || name.startsWith("xn--")) {
        problems.push(`bucket name "${name}" must not contain "..", look like an IP address or start with "xn--"`);
    }
    return problems;
}

/** Checks a key prefix: path segments of letters, digits, "-", "_" and ".", no leading or trailing "/". */
export function prefixProblems(prefix: string): string[] {
    if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(prefix) || prefix.split("/").some((s) => s === "." || s === "..")) {
        return [`prefix "${prefix}" must be "/"-separated segments of letters, digits, "-", "_" and "." with no leading or trailing "/"`];
    }
    return [];
}

/** The backup location as the backup script takes it (BACKUP_S3_URI). */
export function s3Uri(bucket: string, prefix: string): string {
    return `s3://${bucket}/${prefix}`;
}

/** An IAM / bucket policy statement. */
export interface PolicyStatement {
    readonly Sid: string;
    readonly Effect: "Allow" | "Deny";
    readonly Principal?: "*" | Readonly<Record<string, string | readonly string[]>>;
    readonly Action: string | readonly string[];
    readonly Resource: string | readonly string[];
    readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | boolean | readonly string[]>>>>;
}

/** An IAM / bucket policy document. */
export interface PolicyDocument {
    readonly Version: "2012-10-17";
    readonly Statement: readonly PolicyStatement[];
}

/** Inputs of {@link bucketPolicy}. */
export interface BucketPolicyInputs {
    /** ARN of the bucket. */
    readonly bucketArn: string;
    /** ARN of the bucket's KMS key; puts that name another key are denied. */
    readonly kmsKeyArn: string;
}

/**
 * The bucket policy: deny every request not made over TLS (aws:SecureTransport false) or made with
 * TLS older than 1.2, and deny puts that ask for an encryption other than SSE-KMS or for another KMS
 * key. Puts that ask for nothing get the bucket's default SSE-KMS, so clients need no headers.
 */
export function bucketPolicy(i: BucketPolicyInputs): PolicyDocument {
    const everything = [i.bucketArn, `${i.bucketArn}/*`];
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: everything,
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
            {
                Sid: "DenyOutdatedTls",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: everything,
                Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } },
            },
            {
                // Null=false: only requests that carry the header; without it the default SSE-KMS applies.
                Sid: "DenyNonKmsEncryption",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:PutObject",
                Resource: `${i.bucketArn}/*`,
                Condition: {
                    Null: { "s3:x-amz-server-side-encryption": "false" },
                    StringNotEquals: { "s3:x-amz-server-side-encryption": "aws:kms" },
                },
            },
            {
                Sid: "DenyOtherKmsKeys",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:PutObject",
                Resource: `${i.bucketArn}/*`,
                Condition: {
                    Null: { "s3:x-amz-server-side-encryption-aws-kms-key-id": "false" },
                    StringNotEquals: { "s3:x-amz-server-side-encryption-aws-kms-key-id": i.kmsKeyArn },
                },
            },
        ],
    };
}

/** A lifecycle rule in the shape of `aws.s3.BucketLifecycleConfiguration`'s `rules`. */
export interface AwsLifecycleRule {
    readonly id: string;
    readonly status: "Enabled";
    readonly filter: { readonly prefix?: string };
    readonly expiration?: { readonly days?: number; readonly expiredObjectDeleteMarker?: boolean };
    readonly noncurrentVersionExpiration?: { readonly noncurrentDays: number };
    readonly abortIncompleteMultipartUpload?: { readonly daysAfterInitiation: number };
}

/** Inputs of the lifecycle builders. */
export interface LifecycleInputs {
    /** Days current versions are kept. */
    readonly retentionDays: number;
    /** Days noncurrent versions are kept. */
    readonly noncurrentDays: number;
    /**
     * The backups' key prefix: current versions then expire only under `<prefix>/backups/` (the
     * logical backups), never under `<prefix>/pgbackrest/`, which pgBackRest expires itself. Defaults
     * to none: current versions expire in the whole bucket (a bucket without a pgBackRest repository).
     */
    readonly prefix?: string;
}

/** Key prefix of the pgBackRest repository under the backups' prefix (the ptc-backup contract). */
export const PGBACKREST_PREFIX = "pgbackrest";
/** Key prefix of the logical backups (ptc-backup's `backups/<id>/`) under the backups' prefix. */
export const LOGICAL_BACKUPS_PREFIX = "backups";

/**
 * Lifecycle rules for the (dedicated) bucket: current versions of the logical backups expire after
 * the retention, noncurrent versions everywhere after `noncurrentDays`, interrupted multipart
 * uploads are aborted after a day, and the delete markers left behind are removed. So each backup
 * stays restorable for at least the retention, and nothing lingers past retention + noncurrentDays.
 *
 * With a `prefix`, the current-version expiration covers only `<prefix>/backups/`: the pgBackRest
 * repository beside it (`<prefix>/pgbackrest/`) is expired by pgBackRest's time-based retention,
 * which knows which full backup and WAL a restore still needs, while a lifecycle would delete by
 * age alone: the oldest retained full backup is up to retention + one full interval old, and the
 * stanza's archive.info is written once, at stanza creation (docs/disaster-recovery.md).
 */
export function lifecycleRules(i: LifecycleInputs): AwsLifecycleRule[] {
    if (i.prefix !== undefined) {
        return [
            { id: "expire-backups", status: "Enabled", filter: { prefix: `${i.prefix}/${LOGICAL_BACKUPS_PREFIX}/` }, expiration: { days: i.retentionDays } },
            {
                id: "expire-noncurrent-versions",
                status: "Enabled",
                filter: {},
                noncurrentVersionExpiration: { noncurrentDays: i.noncurrentDays },
                abortIncompleteMultipartUpload: { daysAfterInitiation: ABORT_INCOMPLETE_MULTIPART_DAYS },
            },
            { id: "remove-expired-delete-markers", status: "Enabled", filter: {}, expiration: { expiredObjectDeleteMarker: true } },
        ];
    }
    return [
        {
            id: "expire-backups",
            status: "Enabled",
            filter: {},
            expiration: { days: i.retentionDays },
            noncurrentVersionExpiration: { noncurrentDays: i.noncurrentDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: ABORT_INCOMPLETE_MULTIPART_DAYS },
        },
        {
            // AWS refuses Days and ExpiredObjectDeleteMarker in one Expiration: a rule of its own.
            id: "remove-expired-delete-markers",
            status: "Enabled",
            filter: {},
            expiration: { expiredObjectDeleteMarker: true },
        },
    ];
}

/**
 * The shortest current-version expiration among rules (undefined when no rule expires current
 * versions). Retention holds when it is at least the retention days.
 */
export function shortestCurrentExpirationDays(rules: readonly AwsLifecycleRule[]): number | undefined {
    const days = rules.map((r) => r.expiration?.days).filter((d): d is number => typeof d === "number");
    return days.length === 0 ? undefined : Math.min(...days);
}

/**
 * The same lifecycle for MinIO, in the JSON `mc ilm rule import` reads. MinIO has no
 * AbortIncompleteMultipartUpload rule; it removes stale multipart uploads itself (24 h by default).
 */
export function minioLifecycle(i: LifecycleInputs): Record<string, unknown> {
    if (i.prefix !== undefined) {
        return {
            Rules: [
                { ID: "expire-backups", Status: "Enabled", Filter: { Prefix: `${i.prefix}/${LOGICAL_BACKUPS_PREFIX}/` }, Expiration: { Days: i.retentionDays } },
                { ID: "expire-noncurrent-versions", Status: "Enabled", Filter: { Prefix: "" }, NoncurrentVersionExpiration: { NoncurrentDays: i.noncurrentDays } },
            ],
        };
    }
    return {
        Rules: [
            {
                ID: "expire-backups",
                Status: "Enabled",
                Filter: { Prefix: "" },
                Expiration: { Days: i.retentionDays },
                NoncurrentVersionExpiration: { NoncurrentDays: i.noncurrentDays },
            },
        ],
    };
}

/** Object actions the backup identity is allowed on its prefix: write, read, and multipart housekeeping. */
export const BACKUP_OBJECT_ACTIONS: readonly string[] = [
    "s3:AbortMultipartUpload",
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:ListMultipartUploadParts",
    "s3:PutObject",
];

/** Inputs of {@link backupIdentityPolicy}. */
export interface IdentityPolicyInputs {
    /** ARN of the bucket ("arn:aws:s3:::name" on MinIO). */
    readonly bucketArn: string;
    /** Key prefix of the backups. */
    readonly prefix: string;
    /** ARN of the bucket's KMS key. Defaults to none (MinIO). */
    readonly kmsKeyArn?: string;
    /** Region of the bucket: the key may only be used through S3 there. Defaults to no such condition. */
    readonly region?: string;
}

/**
 * The backup job's identity policy: list, read and write its own prefix, use the bucket's KMS key
 * only through S3, and nothing else. The logical backups never get a delete: the lifecycle expires
 * them. pgBackRest expires its own repository, so the identity may delete current versions under
 * `<prefix>/pgbackrest/` only (s3:DeleteObject, never s3:DeleteObjectVersion): on the versioned
 * bucket each such delete is a delete marker, the data stays a noncurrent version for the
 * bucket's noncurrentDays (longer while Object Lock holds it), so a stolen key can hide the
 * repository for a while but not destroy it.
 */
export function backupIdentityPolicy(i: IdentityPolicyInputs): PolicyDocument {
    const statements: PolicyStatement[] = [
        {
            Sid: "ListOwnPrefix",
            Effect: "Allow",
            Action: "s3:ListBucket",
            Resource: i.bucketArn,
            Condition: { StringLike: { "s3:prefix": [i.prefix, `${i.prefix}/*`] } },
        },
        {
            Sid: "ReadWriteOwnPrefix",
            Effect: "Allow",
            Action: [...BACKUP_OBJECT_ACTIONS],
            Resource: `${i.bucketArn}/${i.prefix}/*`,
        },
        {
            Sid: "ExpirePgBackRestRepository",
            Effect: "Allow",
            Action: "s3:DeleteObject",
            Resource: `${i.bucketArn}/${i.prefix}/${PGBACKREST_PREFIX}/*`,
        },
    ];
    if (i.kmsKeyArn !== undefined) {
        statements.push({
            // Decrypt is needed for multipart uploads as well as reads.
            Sid: "UseBucketKeyThroughS3",
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:GenerateDataKey"],
            Resource: i.kmsKeyArn,
            ...(i.region !== undefined ? { Condition: { StringEquals: { "kms:ViaService": `s3.${i.region}.amazonaws.com` } } } : {}),
        });
    }
    return { Version: "2012-10-17", Statement: statements };
}

/** Every action a policy allows (flattened, sorted). */
export function allowedActions(doc: PolicyDocument): string[] {
    const out = new Set<string>();
    for (const s of doc.Statement) {
        if (s.Effect !== "Allow") continue;
        for (const a of typeof s.Action === "string" ? [s.Action] : s.Action) out.add(a);
    }
    return [...out].sort();
}

/** Renders a policy document as JSON (the order of the builders is already stable). */
export function renderPolicy(doc: PolicyDocument): string {
    return JSON.stringify(doc);
}
