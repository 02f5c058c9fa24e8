import * as assert from "assert";
import { isTlsOnlyStatement } from "../../policy/storage";
import { assertClean, assertOnly, awsBucketSet, configFile, res, run, UNKNOWN, withInputs, Fixture } from "./helpers";

const drop = (name: string) => awsBucketSet().filter((r) => r.name !== name);

describe("policy: backup bucket hardening", () => {
    it("passes the hardened bucket", async () => assertClean(await run(awsBucketSet())));

    it("flags missing versioning", async () => assertOnly(await run(drop("backups-versioning")), "backup-bucket-versioning", /has no aws.s3.BucketVersioning/));
    it("flags suspended versioning", async () =>
        assertOnly(await run(withInputs(awsBucketSet(), "backups-versioning", (i: Fixture) => (i.versioningConfiguration.status = "Suspended"))), "backup-bucket-versioning", /"Suspended"; set it to "Enabled"/));

    it("flags missing encryption", async () => assertOnly(await run(drop("backups-sse")), "backup-bucket-encryption", /no default encryption/));
    it("flags AES256 when KMS is required (prod)", async () =>
        assertOnly(await run(withInputs(awsBucketSet(), "backups-sse", (i: Fixture) => (i.rules[0].applyServerSideEncryptionByDefault = { sseAlgorithm: "AES256" }))), "backup-bucket-encryption", /uses sseAlgorithm "AES256"/));
    it("accepts AES256 when KMS is not required", async () =>
        assertClean(await run(withInputs(awsBucketSet(), "backups-sse", (i: Fixture) => (i.rules[0].applyServerSideEncryptionByDefault = { sseAlgorithm: "AES256" })), configFile({ "backup-bucket-encryption": { enforcementLevel: "mandatory", requireKms: false } }))));

    it("flags a missing public access block", async () => assertOnly(await run(drop("backups-pab")), "backup-bucket-public-access-block", /no aws.s3.BucketPublicAccessBlock/));
    for (const flag of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) {
        it(`flags ${flag} false`, async () =>
            assertOnly(await run(withInputs(awsBucketSet(), "backups-pab", (i: Fixture) => (i[flag] = false))), "backup-bucket-public-access-block", new RegExp(`has ${flag} not true`)));
    }

    const policyWith = (change: (stmt: Fixture) => void) =>
        withInputs(awsBucketSet(), "backups-policy", (i: Fixture) => {
            const doc = JSON.parse(i.policy);
            change(doc.Statement[0]);
            i.policy = JSON.stringify(doc);
        });
    it("flags a missing bucket policy", async () => assertOnly(await run(drop("backups-policy")), "backup-bucket-tls-only", /no aws.s3.BucketPolicy/));
    it("flags Allow instead of Deny", async () => assertOnly(await run(policyWith((s) => (s.Effect = "Allow"))), "backup-bucket-tls-only", /does not deny plain-HTTP/));
    it("flags SecureTransport true", async () => assertOnly(await run(policyWith((s) => (s.Condition.Bool["aws:SecureTransport"] = "true"))), "backup-bucket-tls-only", /does not deny plain-HTTP/));
    it("flags a statement that misses the objects", async () => assertOnly(await run(policyWith((s) => (s.Resource = ["arn:aws:s3:::ptc-backups"]))), "backup-bucket-tls-only", /does not deny plain-HTTP/));
    it("flags a statement limited to one principal", async () => assertOnly(await run(policyWith((s) => (s.Principal = { AWS: "arn:aws:iam::1:root" }))), "backup-bucket-tls-only", /does not deny/));
    it("flags invalid JSON", async () => assertOnly(await run(withInputs(awsBucketSet(), "backups-policy", (i: Fixture) => (i.policy = "{nope"))), "backup-bucket-tls-only", /not valid JSON/));
    it("recognises the statement forms", () => {
        const base = { Effect: "Deny", Principal: { AWS: ["*"] }, Action: ["s3:*"], Resource: "*", Condition: { BoolIfExists: { "aws:SecureTransport": false } } };
        assert.ok(isTlsOnlyStatement(base));
        assert.ok(!isTlsOnlyStatement({ ...base, Action: ["s3:GetObject"] }));
    });

    it("flags a missing lifecycle", async () => assertOnly(await run(drop("backups-lifecycle")), "backup-bucket-lifecycle", /no aws.s3.BucketLifecycleConfiguration/));
    it("flags expiration before the retention", async () =>
        assertOnly(await run(withInputs(awsBucketSet(), "backups-lifecycle", (i: Fixture) => (i.rules[0].expiration.days = 7))), "backup-bucket-lifecycle", /expiration.days 7; keep backups at least 30 days/));
    it("accepts noncurrent versions kept a few days, shorter than the retention (the issue's design)", async () =>
        assert.deepStrictEqual(
            (await run(withInputs(awsBucketSet(), "backups-lifecycle", (i: Fixture) => (i.rules[0].noncurrentVersionExpiration.noncurrentDays = 7)))).filter((v) => v.policy === "backup-bucket-lifecycle"),
            [],
        ));

    it("flags noncurrent expiration below minNoncurrentDays", async () =>
        assertOnly(
            await run(withInputs(awsBucketSet(), "backups-lifecycle", (i: Fixture) => (i.rules[0].noncurrentVersionExpiration.noncurrentDays = 2)), configFile({ all: "mandatory", "backup-bucket-lifecycle": { minNoncurrentDays: 3 } })),
            "backup-bucket-lifecycle",
            /noncurrentDays 2 \(at least 3\)/,
        ));
    it("flags a fixed expiration date", async () =>
        assertOnly(await run(withInputs(awsBucketSet(), "backups-lifecycle", (i: Fixture) => (i.rules[0].expiration = { date: "2030-01-01T00:00:00Z" }))), "backup-bucket-lifecycle", /fixed date/));
    it("ignores disabled rules", async () =>
        assertClean(await run(withInputs(awsBucketSet(), "backups-lifecycle", (i: Fixture) => i.rules.push({ id: "old", status: "Disabled", expiration: { days: 1 } })))));
    it("uses the configured retention", async () =>
        assertOnly(await run(awsBucketSet(), configFile({ "backup-bucket-lifecycle": { enforcementLevel: "mandatory", retentionDays: 90 } })), "backup-bucket-lifecycle", /keep backups at least 90 days/));

    it("attaches settings by property dependency when the bucket name is unknown (preview)", async () => {
        const bucketUrn = awsBucketSet()[0].urn;
        const list = awsBucketSet().map((r, i) =>
            i === 0 ? r : { ...r, parent: null, inputs: { ...r.inputs, bucket: UNKNOWN }, propertyDependencies: { bucket: [bucketUrn] } },
        );
        assertClean(await run(list));
    });
    it("attaches settings by parent when the bucket name is unknown and no dependencies are recorded", async () =>
        assertClean(await run(awsBucketSet().map((r, i) => (i === 0 ? r : { ...r, inputs: { ...r.inputs, bucket: UNKNOWN } })))));
    it("does not attach a setting of another bucket", async () => {
        const other = res("aws:s3/bucket:Bucket", "other", { bucket: "ptc-other" }, { parent: "urn:pulumi:test::ptc::x:y:Z::other" });
        const vs = await run([...awsBucketSet(), other]);
        for (const policy of ["backup-bucket-versioning", "backup-bucket-encryption", "backup-bucket-public-access-block", "backup-bucket-tls-only", "backup-bucket-lifecycle"]) {
            assert.ok(vs.some((v) => v.policy === policy && v.urn === other.urn), `${policy} should flag the other bucket`);
            assert.ok(!vs.some((v) => v.policy === policy && v.urn !== other.urn), `${policy} should not flag the hardened bucket`);
        }
    });
});
