import * as assert from "assert";
import {
    allowedActions,
    backupIdentityPolicy,
    bucketNameProblems,
    bucketPolicy,
    lifecycleRules,
    minioLifecycle,
    PolicyStatement,
    prefixProblems,
    renderPolicy,
    retentionProblems,
    s3Uri,
    shortestCurrentExpirationDays,
} from "../../components/backup/bucket-policy";

const BUCKET_ARN = "arn:aws:s3:::ptc-backups-prod";
const KEY_ARN = "arn:aws:kms:sa-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

function statement(doc: { Statement: readonly PolicyStatement[] }, sid: string): PolicyStatement {
    const s = doc.Statement.find((x) => x.Sid === sid);
    assert.ok(s, `statement ${sid} exists`);
    return s;
}

describe("backup bucket policy builders", () => {
    describe("bucketPolicy (TLS only)", () => {
        const doc = JSON.parse(renderPolicy(bucketPolicy({ bucketArn: BUCKET_ARN, kmsKeyArn: KEY_ARN })));

        it("denies every S3 action to everyone on the bucket and its objects when aws:SecureTransport is false", () => {
            const s = statement(doc, "DenyInsecureTransport");
            assert.strictEqual(s.Effect, "Deny");
            assert.strictEqual(s.Principal, "*");
            assert.strictEqual(s.Action, "s3:*");
            assert.deepStrictEqual(s.Resource, [BUCKET_ARN, `${BUCKET_ARN}/*`]);
            assert.deepStrictEqual(s.Condition, { Bool: { "aws:SecureTransport": "false" } });
        });

        it("denies TLS older than 1.2", () => {
            const s = statement(doc, "DenyOutdatedTls");
            assert.strictEqual(s.Effect, "Deny");
            assert.deepStrictEqual(s.Condition, { NumericLessThan: { "s3:TlsVersion": "1.2" } });
        });

        it("denies puts that ask for a non-KMS encryption or another key, but not puts that ask for nothing", () => {
            const enc = statement(doc, "DenyNonKmsEncryption");
            assert.strictEqual(enc.Action, "s3:PutObject");
            // Null=false restricts the deny to requests that carry the header (default encryption applies otherwise).
            assert.deepStrictEqual(enc.Condition?.Null, { "s3:x-amz-server-side-encryption": "false" });
            assert.deepStrictEqual(enc.Condition?.StringNotEquals, { "s3:x-amz-server-side-encryption": "aws:kms" });
            const key = statement(doc, "DenyOtherKmsKeys");
            assert.deepStrictEqual(key.Condition?.StringNotEquals, { "s3:x-amz-server-side-encryption-aws-kms-key-id": KEY_ARN });
        });

        it("has only Deny statements (it grants nothing; the identity policy grants)", () => {
            assert.ok(doc.Statement.every((s: PolicyStatement) => s.Effect === "Deny"));
        });

        it("renders deterministically", () => {
            assert.strictEqual(
                renderPolicy(bucketPolicy({ bucketArn: BUCKET_ARN, kmsKeyArn: KEY_ARN })),
                renderPolicy(bucketPolicy({ bucketArn: BUCKET_ARN, kmsKeyArn: KEY_ARN })),
            );
        });
    });

    describe("lifecycleRules", () => {
        it("expires current versions after the retention, noncurrent after noncurrentDays, aborts uploads after 1 day", () => {
            const rules = lifecycleRules({ retentionDays: 30, noncurrentDays: 7 });
            const main = rules.find((r) => r.id === "expire-backups");
            assert.ok(main);
            assert.strictEqual(main.status, "Enabled");
            assert.deepStrictEqual(main.filter, {});
            assert.deepStrictEqual(main.expiration, { days: 30 });
            assert.deepStrictEqual(main.noncurrentVersionExpiration, { noncurrentDays: 7 });
            assert.deepStrictEqual(main.abortIncompleteMultipartUpload, { daysAfterInitiation: 1 });
        });

        it("keeps every backup at least the retention (shortest current expiration ≥ retention)", () => {
            for (const retentionDays of [1, 7, 30, 90, 365]) {
                const rules = lifecycleRules({ retentionDays, noncurrentDays: 3 });
                const shortest = shortestCurrentExpirationDays(rules);
                assert.ok(shortest !== undefined && shortest >= retentionDays, `retention ${retentionDays}: shortest ${shortest}`);
            }
        });

        it("removes expired delete markers in a rule of its own (AWS refuses it next to Days)", () => {
            const rules = lifecycleRules({ retentionDays: 30, noncurrentDays: 7 });
            const markers = rules.find((r) => r.id === "remove-expired-delete-markers");
            assert.ok(markers);
            assert.deepStrictEqual(markers.expiration, { expiredObjectDeleteMarker: true });
            for (const r of rules) {
                assert.ok(!(r.expiration?.days !== undefined && r.expiration?.expiredObjectDeleteMarker !== undefined), `rule ${r.id} mixes Days and ExpiredObjectDeleteMarker`);
            }
        });

        it("shortestCurrentExpirationDays sees a rule that expires too early", () => {
            const rules = [...lifecycleRules({ retentionDays: 30, noncurrentDays: 7 }), { id: "oops", status: "Enabled" as const, filter: {}, expiration: { days: 3 } }];
            assert.strictEqual(shortestCurrentExpirationDays(rules), 3);
            assert.strictEqual(shortestCurrentExpirationDays([]), undefined);
        });

        it("with the backups' prefix, expires current versions of the logical backups only, never the pgBackRest repository", () => {
            const rules = lifecycleRules({ retentionDays: 30, noncurrentDays: 7, prefix: "pro-team-care" });
            const expiring = rules.filter((r) => r.expiration?.days !== undefined);
            assert.deepStrictEqual(expiring.map((r) => [r.id, r.filter, r.expiration?.days]), [["expire-backups", { prefix: "pro-team-care/backups/" }, 30]]);
            for (const r of expiring) assert.ok(!"pro-team-care/pgbackrest/".startsWith(r.filter.prefix ?? ""), `rule ${r.id} covers the repository`);
            const whole = rules.find((r) => r.id === "expire-noncurrent-versions");
            assert.ok(whole);
            assert.deepStrictEqual(whole.filter, {});
            assert.deepStrictEqual(whole.noncurrentVersionExpiration, { noncurrentDays: 7 });
            assert.deepStrictEqual(whole.abortIncompleteMultipartUpload, { daysAfterInitiation: 1 });
            assert.ok(rules.some((r) => r.id === "remove-expired-delete-markers" && r.expiration?.expiredObjectDeleteMarker === true));
            const m = minioLifecycle({ retentionDays: 30, noncurrentDays: 7, prefix: "dev" }) as { Rules: Record<string, unknown>[] };
            assert.deepStrictEqual(
                m.Rules.map((r) => [r.ID, r.Filter, r.Expiration ?? r.NoncurrentVersionExpiration]),
                [
                    ["expire-backups", { Prefix: "dev/backups/" }, { Days: 30 }],
                    ["expire-noncurrent-versions", { Prefix: "" }, { NoncurrentDays: 7 }],
                ],
            );
        });

        it("has a MinIO form for mc ilm rule import with the same days", () => {
            const m = minioLifecycle({ retentionDays: 14, noncurrentDays: 2 }) as { Rules: Record<string, unknown>[] };
            assert.strictEqual(m.Rules.length, 1);
            assert.deepStrictEqual(m.Rules[0].Expiration, { Days: 14 });
            assert.deepStrictEqual(m.Rules[0].NoncurrentVersionExpiration, { NoncurrentDays: 2 });
            assert.strictEqual(m.Rules[0].Status, "Enabled");
        });
    });

    describe("retentionProblems (retention and Object Lock consistency)", () => {
        it("accepts the defaults and a lock equal to the retention", () => {
            assert.deepStrictEqual(retentionProblems({ retentionDays: 30, noncurrentDays: 7 }), []);
            assert.deepStrictEqual(retentionProblems({ retentionDays: 30, noncurrentDays: 7, objectLock: { mode: "COMPLIANCE", days: 30 } }), []);
            assert.deepStrictEqual(retentionProblems({ retentionDays: 30, noncurrentDays: 7, objectLock: { mode: "GOVERNANCE", days: 1 } }), []);
        });

        it("refuses an Object Lock period longer than the retention, saying what to change", () => {
            const p = retentionProblems({ retentionDays: 30, noncurrentDays: 7, objectLock: { mode: "COMPLIANCE", days: 31 } });
            assert.strictEqual(p.length, 1);
            assert.match(p[0], /objectLock\.days \(31\) exceeds retentionDays \(30\)/);
            assert.match(p[0], /lower objectLock\.days or raise retentionDays/);
        });

        it("refuses an unknown lock mode and non-integer or non-positive days", () => {
            assert.match(retentionProblems({ retentionDays: 30, noncurrentDays: 7, objectLock: { mode: "STRICT" as "GOVERNANCE", days: 5 } })[0], /objectLock\.mode must be one of GOVERNANCE, COMPLIANCE/);
            assert.match(retentionProblems({ retentionDays: 30, noncurrentDays: 7, objectLock: { mode: "GOVERNANCE", days: 0 } })[0], /objectLock\.days/);
            assert.match(retentionProblems({ retentionDays: 0, noncurrentDays: 7 })[0], /retentionDays/);
            assert.match(retentionProblems({ retentionDays: 2.5, noncurrentDays: 7 })[0], /retentionDays/);
            assert.match(retentionProblems({ retentionDays: 30, noncurrentDays: -1 })[0], /noncurrentDays/);
        });
    });

    describe("backupIdentityPolicy (least privilege)", () => {
        const doc = backupIdentityPolicy({ bucketArn: BUCKET_ARN, prefix: "pro-team-care", kmsKeyArn: KEY_ARN, region: "sa-east-1" });

        it("scopes object access to the prefix and listing to the prefix", () => {
            const rw = statement(doc, "ReadWriteOwnPrefix");
            assert.strictEqual(rw.Resource, `${BUCKET_ARN}/pro-team-care/*`);
            assert.ok((rw.Action as string[]).includes("s3:PutObject"));
            assert.ok((rw.Action as string[]).includes("s3:GetObject"));
            const list = statement(doc, "ListOwnPrefix");
            assert.strictEqual(list.Action, "s3:ListBucket");
            assert.strictEqual(list.Resource, BUCKET_ARN);
            assert.deepStrictEqual(list.Condition, { StringLike: { "s3:prefix": ["pro-team-care", "pro-team-care/*"] } });
            for (const s of doc.Statement) {
                for (const r of typeof s.Resource === "string" ? [s.Resource] : s.Resource) {
                    assert.ok(r === BUCKET_ARN || r.startsWith(`${BUCKET_ARN}/pro-team-care/`) || r === KEY_ARN, `resource ${r} is outside the prefix`);
                }
            }
        });

        it("deletes only current versions of the pgBackRest repository (its own expiry), never a version or a logical backup", () => {
            const deletes = doc.Statement.filter((s) => (typeof s.Action === "string" ? [s.Action] : s.Action).some((a) => /^s3:Delete/.test(a)));
            assert.deepStrictEqual(
                deletes.map((s) => [s.Action, s.Resource]),
                [["s3:DeleteObject", `${BUCKET_ARN}/pro-team-care/pgbackrest/*`]],
            );
        });

        it("never allows a version delete, a wildcard, or changing retention or bucket settings", () => {
            const actions = allowedActions(doc);
            assert.ok(actions.length > 0);
            for (const a of actions) {
                assert.ok(!/^s3:Delete/.test(a) || a === "s3:DeleteObject", `${a} allows deleting versions`);
                assert.ok(!a.includes("*"), `${a} is a wildcard`);
                assert.ok(!/Retention|LegalHold|Bypass|PutBucket|PutLifecycle/.test(a), `${a} changes protection`);
            }
        });

        it("allows the KMS key only through S3 in the bucket's region", () => {
            const kms = statement(doc, "UseBucketKeyThroughS3");
            assert.deepStrictEqual(kms.Action, ["kms:Decrypt", "kms:GenerateDataKey"]);
            assert.strictEqual(kms.Resource, KEY_ARN);
            assert.deepStrictEqual(kms.Condition, { StringEquals: { "kms:ViaService": "s3.sa-east-1.amazonaws.com" } });
        });

        it("has no KMS statement without a key (MinIO)", () => {
            const minio = backupIdentityPolicy({ bucketArn: "arn:aws:s3:::ptc-backups", prefix: "dev" });
            assert.ok(minio.Statement.every((s) => !String(s.Action).includes("kms:")));
            assert.ok(allowedActions(minio).every((a) => !a.startsWith("s3:Delete") || a === "s3:DeleteObject"));
        });
    });

    describe("names", () => {
        it("builds s3://bucket/prefix", () => {
            assert.strictEqual(s3Uri("ptc-backups", "pro-team-care"), "s3://ptc-backups/pro-team-care");
        });

        it("checks bucket names against the S3 rules", () => {
            assert.deepStrictEqual(bucketNameProblems("ptc-backups"), []);
            assert.deepStrictEqual(bucketNameProblems("ptc.backups.2025"), []);
            for (const bad of ["PTC", "ab", "-ptc", "ptc-", "ptc_backups", "a".repeat(64), "192.168.1.10", "ptc..b"]) {
                assert.strictEqual(bucketNameProblems(bad).length, 1, bad);
            }
        });

        it("checks prefixes", () => {
            assert.deepStrictEqual(prefixProblems("pro-team-care"), []);
            assert.deepStrictEqual(prefixProblems("env/prod"), []);
            for (const bad of ["", "/x", "x/", "a//b", "a b", "../x"]) assert.strictEqual(prefixProblems(bad).length, 1, JSON.stringify(bad));
        });
    });
});
