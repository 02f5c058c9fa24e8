/**
 * Backup bucket hardening (AWS S3, prod): versioning, server-side encryption, public access
 * block, TLS-only policy and a lifecycle that keeps backups at least the retention. Each is a
 * stack rule because AWS provider v7 models each setting as its own resource attached to the
 * bucket; a missing resource is the commonest mistake.
 */
import { UnknownValueError } from "@pulumi/policy";
import { arr, at, num, obj, str, Subject, TYPES } from "./resources";
import { Finding, stackRule } from "./rule";

/** A display name for a bucket (its bucket name input, else its resource name). */
function bucketLabel(b: Subject): string {
    let name: string | undefined;
    try {
        name = str(b.props.bucket);
    } catch (e) {
        if (!(e instanceof UnknownValueError)) throw e;
    }
    return name ?? b.name;
}

/**
 * The buckets a bucket-settings resource applies to: through the engine's property dependencies
 * on `bucket`, else by a known `bucket` value equal to the bucket's name input or resource name,
 * else the only bucket under the same parent component.
 */
export function attachedBuckets(setting: Subject, buckets: readonly Subject[]): Subject[] {
    const deps = setting.propertyDependencies?.bucket ?? [];
    const byDeps = buckets.filter((b) => deps.includes(b.urn));
    if (byDeps.length > 0) return byDeps;
    let value: string | undefined;
    try {
        value = str(setting.props.bucket);
    } catch (e) {
        if (!(e instanceof UnknownValueError)) throw e;
    }
    if (value !== undefined) {
        const byValue = buckets.filter((b) => value === b.name || value === bucketLabel(b) || value === `arn:aws:s3:::${bucketLabel(b)}`);
        if (byValue.length > 0) return byValue;
    }
    if (setting.parent !== undefined) {
        const siblings = buckets.filter((b) => b.parent === setting.parent);
        if (siblings.length === 1) return siblings;
    }
    return [];
}

/** Runs `check` for every bucket with the settings resources of `type` attached to it. */
function perBucket(resources: readonly Subject[], type: string, check: (bucket: Subject, settings: Subject[]) => Finding[]): Finding[] {
    const buckets = resources.filter((r) => r.type === TYPES.bucket);
    const settings = resources.filter((r) => r.type === type);
    const out: Finding[] = [];
    for (const b of buckets) {
        out.push(...check(b, settings.filter((s) => attachedBuckets(s, [b]).length > 0)));
    }
    return out;
}

/** `backup-bucket-versioning`: every bucket has versioning enabled. */
export const backupBucketVersioning = stackRule({
    name: "backup-bucket-versioning",
    description: "Checks that every S3 bucket has a BucketVersioning resource with status Enabled.",
    checks: { "versioning-missing": "the bucket has no BucketVersioning", "versioning-not-enabled": "versioning status is not Enabled" },
    config: {},
    check(resources): Finding[] {
        return perBucket(resources, TYPES.bucketVersioning, (b, vs) => {
            if (vs.length === 0) return [{ check: "versioning-missing", urn: b.urn, message: `bucket "${bucketLabel(b)}" has no aws.s3.BucketVersioning; add one with status "Enabled"` }];
            return vs
                .filter((v) => str(at(v.props, "versioningConfiguration", "status")) !== "Enabled")
                .map((v) => ({ check: "versioning-not-enabled", urn: v.urn, message: `bucket "${bucketLabel(b)}" versioning status is "${str(at(v.props, "versioningConfiguration", "status")) ?? "(unset)"}"; set it to "Enabled"` }));
        });
    },
});

/** Resolved config of {@link backupBucketEncryption}. */
export interface EncryptionConfig {
    /** Require SSE-KMS (aws:kms or aws:kms:dsse) rather than SSE-S3. */
    readonly requireKms: boolean;
}

/** `backup-bucket-encryption`: every bucket has default server-side encryption (KMS when configured). */
export const backupBucketEncryption = stackRule<EncryptionConfig>({
    name: "backup-bucket-encryption",
    description: "Checks that every S3 bucket has default server-side encryption, with a KMS key when requireKms is set.",
    checks: { "encryption-missing": "the bucket has no server-side encryption configuration", "encryption-not-kms": "the algorithm is not KMS although KMS is required" },
    config: { requireKms: { type: "boolean", default: false, description: "Require aws:kms (or aws:kms:dsse) instead of AES256." } },
    check(resources, cfg): Finding[] {
        return perBucket(resources, TYPES.bucketEncryption, (b, es) => {
            const algorithms = es.flatMap((e) => arr(e.props.rules).map((r) => str(at(r, "applyServerSideEncryptionByDefault", "sseAlgorithm"))));
            if (algorithms.length === 0 || algorithms.every((a) => a === undefined)) {
                return [{ check: "encryption-missing", urn: b.urn, message: `bucket "${bucketLabel(b)}" has no default encryption; add aws.s3.BucketServerSideEncryptionConfiguration with sseAlgorithm "${cfg.requireKms ? "aws:kms" : "AES256"}"` }];
            }
            const weak = algorithms.filter((a) => a !== undefined && cfg.requireKms && a !== "aws:kms" && a !== "aws:kms:dsse");
            return weak.length > 0
                ? [{ check: "encryption-not-kms", urn: b.urn, message: `bucket "${bucketLabel(b)}" uses sseAlgorithm "${weak[0]}"; this stack requires "aws:kms" with a KMS key` }]
                : [];
        });
    },
});

const PAB_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

/** `backup-bucket-public-access-block`: every bucket blocks public access with all four flags. */
export const backupBucketPublicAccessBlock = stackRule({
    name: "backup-bucket-public-access-block",
    description: "Checks that every S3 bucket has a BucketPublicAccessBlock with all four flags true.",
    checks: { "public-access-block-missing": "the bucket has no public access block", "public-access-flag-off": "a public access block flag is not true" },
    config: {},
    check(resources): Finding[] {
        return perBucket(resources, TYPES.bucketPublicAccessBlock, (b, ps) => {
            if (ps.length === 0) {
                return [{ check: "public-access-block-missing", urn: b.urn, message: `bucket "${bucketLabel(b)}" has no aws.s3.BucketPublicAccessBlock; add one with ${PAB_FLAGS.join(", ")} all true` }];
            }
            return ps.flatMap((p) => {
                const off = PAB_FLAGS.filter((f) => p.props[f] !== true);
                return off.length > 0 ? [{ check: "public-access-flag-off", urn: p.urn, message: `bucket "${bucketLabel(b)}" public access block has ${off.join(", ")} not true; set all four to true` }] : [];
            });
        });
    },
});

function asList(v: unknown): unknown[] {
    return Array.isArray(v) ? [...v] : v === undefined ? [] : [v];
}

/** True when a policy statement denies every S3 action over plain HTTP to everyone, on the bucket and its objects. */
export function isTlsOnlyStatement(statement: unknown): boolean {
    const s = obj(statement);
    if (!s || s.Effect !== "Deny") return false;
    const principal = s.Principal;
    const everyone = principal === "*" || asList(at(principal, "AWS")).includes("*");
    const actions = asList(s.Action).map(String);
    const allActions = actions.includes("s3:*") || actions.includes("*");
    const conditionValue = (op: string): unknown => at(s.Condition, op, "aws:SecureTransport");
    const insecure = [conditionValue("Bool"), conditionValue("BoolIfExists")].some((v) => asList(v).some((x) => String(x) === "false"));
    const resources = asList(s.Resource).map(String);
    const coversObjects = resources.some((r) => r === "*" || r.endsWith("/*"));
    const coversBucket = resources.some((r) => r === "*" || (r.startsWith("arn:") && !r.includes("/")));
    return everyone && allActions && insecure && coversObjects && coversBucket;
}

/** `backup-bucket-tls-only`: every bucket's policy denies requests without TLS. */
export const backupBucketTlsOnly = stackRule({
    name: "backup-bucket-tls-only",
    description: "Checks that every S3 bucket has a bucket policy denying all S3 actions when aws:SecureTransport is false, on the bucket and its objects.",
    checks: { "policy-missing": "the bucket has no bucket policy", "tls-not-enforced": "no statement denies requests without TLS", "policy-invalid": "the policy is not valid JSON" },
    config: {},
    check(resources): Finding[] {
        return perBucket(resources, TYPES.bucketPolicy, (b, ps) => {
            const fix = 'add a statement { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucket ARN, bucket ARN + "/*"], Condition: { Bool: { "aws:SecureTransport": "false" } } }';
            if (ps.length === 0) return [{ check: "policy-missing", urn: b.urn, message: `bucket "${bucketLabel(b)}" has no aws.s3.BucketPolicy; ${fix}` }];
            const out: Finding[] = [];
            let enforced = false;
            for (const p of ps) {
                let doc: unknown = p.props.policy;
                if (typeof doc === "string") {
                    try {
                        doc = JSON.parse(doc);
                    } catch {
                        out.push({ check: "policy-invalid", urn: p.urn, message: `bucket "${bucketLabel(b)}" policy is not valid JSON; render it with JSON.stringify` });
                        continue;
                    }
                }
                if (asList(at(doc, "Statement")).some(isTlsOnlyStatement)) enforced = true;
            }
            if (!enforced && out.length === 0) out.push({ check: "tls-not-enforced", urn: b.urn, message: `bucket "${bucketLabel(b)}" policy does not deny plain-HTTP requests; ${fix}` });
            return out;
        });
    },
});

/** Resolved config of {@link backupBucketLifecycle}. */
export interface LifecycleConfig {
    /** Days every backup (its current version) must be kept at least. */
    readonly retentionDays: number;
    /** Days a noncurrent version (an overwritten pointer, an expired backup) must be kept at least. */
    readonly minNoncurrentDays: number;
}

/** `backup-bucket-lifecycle`: every bucket has a lifecycle that keeps backups at least the retention. */
export const backupBucketLifecycle = stackRule<LifecycleConfig>({
    name: "backup-bucket-lifecycle",
    // A backup object is written once and becomes noncurrent only when its current version expires
    // at the retention, so noncurrent versions need only a short grace (issue: "a configurable few days").
    description: "Checks that every S3 bucket has a lifecycle configuration, that no enabled rule expires current versions before the retention, and that noncurrent versions get at least a short grace.",
    checks: { "lifecycle-missing": "the bucket has no lifecycle configuration", "retention-too-short": "an enabled rule deletes objects before the retention" },
    config: {
        retentionDays: { type: "integer", minimum: 1, default: 30, description: "Days backups are kept at least." },
        minNoncurrentDays: { type: "integer", minimum: 1, default: 1, description: "Days noncurrent versions are kept at least." },
    },
    check(resources, cfg): Finding[] {
        return perBucket(resources, TYPES.bucketLifecycle, (b, ls) => {
            if (ls.length === 0) {
                return [{ check: "lifecycle-missing", urn: b.urn, message: `bucket "${bucketLabel(b)}" has no aws.s3.BucketLifecycleConfiguration; add one that expires backups after at least ${cfg.retentionDays} days` }];
            }
            const out: Finding[] = [];
            for (const l of ls) {
                for (const rule of arr(l.props.rules)) {
                    if (str(at(rule, "status")) !== "Enabled") continue;
                    const id = str(at(rule, "id")) ?? "(no id)";
                    const days = num(at(rule, "expiration", "days"));
                    const date = str(at(rule, "expiration", "date"));
                    const noncurrent = num(at(rule, "noncurrentVersionExpiration", "noncurrentDays"));
                    const problems: string[] = [];
                    if (days !== undefined && days < cfg.retentionDays) problems.push(`expiration.days ${days}`);
                    if (date !== undefined) problems.push(`expiration.date ${date} (a fixed date deletes everything on that day)`);
                    if (noncurrent !== undefined && noncurrent < cfg.minNoncurrentDays) problems.push(`noncurrentVersionExpiration.noncurrentDays ${noncurrent} (at least ${cfg.minNoncurrentDays})`);
                    if (problems.length > 0) {
                        out.push({ check: "retention-too-short", urn: l.urn, message: `bucket "${bucketLabel(b)}" lifecycle rule "${id}" has ${problems.join(" and ")}; keep backups at least ${cfg.retentionDays} days and noncurrent versions at least ${cfg.minNoncurrentDays}` });
                    }
                }
            }
            return out;
        });
    },
});

/** The bucket rules. */
export const storagePolicies = [backupBucketVersioning, backupBucketEncryption, backupBucketPublicAccessBlock, backupBucketTlsOnly, backupBucketLifecycle];
