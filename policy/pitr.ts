/**
 * Point-in-time recovery rules (stack level): every PostgreSQL store archives its WAL through
 * pgBackRest to a backup bucket of the stack that is hardened as the backup bucket rules
 * (storage.ts) define it, and whose lifecycle never expires the pgBackRest repository.
 */
import { UnknownValueError } from "@pulumi/policy";
import { LABELS } from "./labels";
import { arr, at, isWorkload, metaOf, num, obj, podOf, str, Subject, TYPES, workloadName } from "./resources";
import { Finding, stackRule, StackRule } from "./rule";
import { backupBucketEncryption, backupBucketLifecycle, backupBucketPublicAccessBlock, backupBucketTlsOnly, backupBucketVersioning, attachedBuckets } from "./storage";

/** Resolved config of {@link walArchiving}. */
export interface WalArchivingConfig {
    /** Values of the proteamcare.io/store label that mark a PostgreSQL store. */
    readonly storeKinds: readonly string[];
    /** The bucket's encryption must be SSE-KMS (as backup-bucket-encryption's requireKms). */
    readonly requireKms: boolean;
    /** Days the bucket keeps backups at least (as backup-bucket-lifecycle's retentionDays). */
    readonly retentionDays: number;
    /** Days noncurrent versions are kept at least (as backup-bucket-lifecycle's minNoncurrentDays). */
    readonly minNoncurrentDays: number;
    /**
     * Accept the bucket of a dev object store (MinIO) with its bucket-init job, whose hardening the
     * pack cannot see (object-store-bucket-init says why), instead of an S3 bucket of the stack.
     */
    readonly allowObjectStore: boolean;
}

/** Key prefix of the pgBackRest repository under BACKUP_S3_URI's prefix (the ptc-backup contract). */
export const PGBACKREST_PREFIX = "pgbackrest";

/** What a PostgreSQL workload says about its archiving. */
interface Archiving {
    /** archive_mode=on and an archive_command through `pgbackrest archive-push`. */
    readonly archives: boolean;
    /** BACKUP_S3_URI of the archiving container, when set. */
    readonly s3Uri?: string;
}

/** The arguments (entrypoint and command) and environment of each container of a workload. */
function containersOf(r: Subject): { args: string[]; env: Record<string, string> }[] {
    if (r.type === TYPES.container) {
        const env: Record<string, string> = {};
        for (const e of arr(r.props.envs)) {
            const text = String(e);
            const eq = text.indexOf("=");
            if (eq > 0) env[text.slice(0, eq)] = text.slice(eq + 1);
        }
        return [{ args: [...arr(r.props.entrypoints), ...arr(r.props.command)].map(String), env }];
    }
    return (podOf(r)?.containers ?? [])
        .filter((c) => !c.init)
        .map((c) => {
            const env: Record<string, string> = {};
            for (const e of arr(c.spec.env)) {
                const name = str(at(e, "name"));
                const value = str(at(e, "value"));
                if (name !== undefined && value !== undefined) env[name] = value;
            }
            return { args: [...arr(c.spec.command), ...arr(c.spec.args)].map(String), env };
        });
}

/** A server setting passed as `-c name=value` (or `-cname=value`), else undefined. */
function setting(args: readonly string[], name: string): string | undefined {
    for (const a of args) {
        const m = new RegExp(`^(?:-c)?\\s*${name}\\s*=\\s*(.*)$`).exec(a.trim());
        if (m) return m[1].replace(/^'(.*)'$/, "$1");
    }
    return undefined;
}

function archivingOf(r: Subject): Archiving {
    for (const c of containersOf(r)) {
        const mode = setting(c.args, "archive_mode");
        const command = setting(c.args, "archive_command") ?? "";
        if ((mode === "on" || mode === "always") && /\bpgbackrest\b.*\barchive-push\b/.test(command)) {
            return { archives: true, s3Uri: c.env.BACKUP_S3_URI };
        }
    }
    return { archives: false };
}

function safeStr(read: () => unknown): string | undefined {
    try {
        return str(read());
    } catch (e) {
        if (e instanceof UnknownValueError) return undefined;
        throw e;
    }
}

/** The bucket rules whose standard the archive's bucket must meet. */
const HARDENING: readonly StackRule[] = [backupBucketVersioning, backupBucketEncryption, backupBucketPublicAccessBlock, backupBucketTlsOnly, backupBucketLifecycle];

/** The prefix a lifecycle rule's filter limits it to ("" for the whole bucket), or undefined when tags narrow it. */
function rulePrefix(rule: unknown): string | undefined {
    const filter = obj(at(rule, "filter")) ?? {};
    if (filter.tag !== undefined || at(filter, "and", "tags") !== undefined) return undefined;
    return str(filter.prefix) ?? str(at(filter, "and", "prefix")) ?? str(at(rule, "prefix")) ?? "";
}

/** `wal-archiving`: every PostgreSQL store archives its WAL with pgBackRest into a hardened bucket of the stack. */
export const walArchiving = stackRule<WalArchivingConfig>({
    name: "wal-archiving",
    description:
        "Checks that every PostgreSQL store archives its WAL (archive_mode on, archive_command through pgbackrest archive-push) to BACKUP_S3_URI " +
        "in an S3 bucket of the stack that passes the backup bucket rules (versioning, encryption, public access block, TLS only, lifecycle), " +
        "and that no lifecycle rule expires current versions under the pgBackRest repository prefix.",
    checks: {
        "archiving-off": "a PostgreSQL store does not archive its WAL through pgBackRest",
        "archive-target-missing": "the archiving container has no BACKUP_S3_URI, or not an s3:// one",
        "bucket-unknown": "the archive's bucket is not a bucket of this stack (nor, where allowed, the dev object store's)",
        "bucket-not-hardened": "the archive's bucket fails a backup bucket rule",
        "repository-expired-by-lifecycle": "a lifecycle rule expires current versions under the pgBackRest repository",
    },
    config: {
        storeKinds: { type: "array", items: { type: "string" }, default: ["postgres"], description: "proteamcare.io/store values of PostgreSQL stores." },
        requireKms: { type: "boolean", default: true, description: "The bucket's default encryption must be SSE-KMS." },
        retentionDays: { type: "integer", minimum: 1, default: 30, description: "Days the bucket keeps backups at least." },
        minNoncurrentDays: { type: "integer", minimum: 1, default: 1, description: "Days noncurrent versions are kept at least." },
        allowObjectStore: { type: "boolean", default: false, description: "Accept the dev object store's bucket (MinIO with its bucket-init job)." },
    },
    check(resources, cfg): Finding[] {
        const out: Finding[] = [];
        const buckets = resources.filter((r) => r.type === TYPES.bucket);
        for (const r of resources) {
            if (!isWorkload(r.type)) continue;
            const meta = metaOf(r);
            const kind = meta.labels[LABELS.kind];
            if (kind === "job" || kind === "schedule" || r.type === TYPES.job || r.type === TYPES.cronJob) continue;
            const store = meta.labels[LABELS.store];
            if (store === undefined || !cfg.storeKinds.includes(store)) continue;
            const workload = workloadName(r);
            const a = archivingOf(r);
            if (!a.archives) {
                out.push({
                    check: "archiving-off",
                    urn: r.urn,
                    message: `PostgreSQL store "${workload}" does not archive its WAL: run it with -c archive_mode=on -c "archive_command=pgbackrest archive-push %p" (the Postgres component's pitr)`,
                });
                continue;
            }
            const m = /^s3:\/\/([^/]+)(?:\/(.*?))?\/?$/.exec(a.s3Uri ?? "");
            if (!m) {
                out.push({ check: "archive-target-missing", urn: r.urn, message: `PostgreSQL store "${workload}" archives, but its BACKUP_S3_URI is ${a.s3Uri === undefined ? "not set" : `"${a.s3Uri}"`}; set it to s3://<backup bucket>/<prefix>` });
                continue;
            }
            const [, bucketName, prefix = ""] = m;
            const bucket = buckets.find((b) => (safeStr(() => b.props.bucket) ?? b.name) === bucketName);
            if (bucket === undefined) {
                const initFor = resources.some(
                    (j) => isWorkload(j.type) && metaOf(j).labels[LABELS.role] === "bucket-init" && containersOf(j).some((c) => c.env.BUCKET === bucketName),
                );
                if (cfg.allowObjectStore && initFor) continue;
                out.push({
                    check: "bucket-unknown",
                    urn: r.urn,
                    message: `PostgreSQL store "${workload}" archives to bucket "${bucketName}", which is not a bucket of this stack${cfg.allowObjectStore ? " nor the object store's" : ""}; archive to the stack's hardened backup bucket`,
                });
                continue;
            }
            // The bucket alone with every settings resource: the bucket rules then speak of it only.
            const scope = [bucket, ...resources.filter((s) => s.type !== TYPES.bucket)];
            for (const rule of HARDENING) {
                for (const f of rule.findings(scope, cfg)) {
                    out.push({ check: "bucket-not-hardened", urn: r.urn, message: `PostgreSQL store "${workload}" archives to bucket "${bucketName}", which fails ${rule.name}: ${f.message}` });
                }
            }
            const repo = `${prefix === "" ? "" : `${prefix.replace(/\/+$/, "")}/`}${PGBACKREST_PREFIX}/`;
            for (const l of resources.filter((s) => s.type === TYPES.bucketLifecycle && attachedBuckets(s, [bucket]).length > 0)) {
                for (const rule of arr(l.props.rules)) {
                    if (str(at(rule, "status")) !== "Enabled") continue;
                    const days = num(at(rule, "expiration", "days"));
                    const date = str(at(rule, "expiration", "date"));
                    const p = rulePrefix(rule);
                    if ((days === undefined && date === undefined) || p === undefined || !repo.startsWith(p)) continue;
                    out.push({
                        check: "repository-expired-by-lifecycle",
                        urn: l.urn,
                        message:
                            `bucket "${bucketName}" lifecycle rule "${str(at(rule, "id")) ?? "(no id)"}" expires current versions under ${repo} ` +
                            `(${days !== undefined ? `after ${days} days` : `on ${date}`}); pgBackRest expires its own repository, and its archive.info is written once: ` +
                            `limit the rule to the logical backups' prefix`,
                    });
                }
            }
        }
        return out;
    },
});

/** The point-in-time recovery rules. */
export const pitrPolicies = [walArchiving];
