import * as assert from "assert";
import type { z } from "zod";
import * as v from "../../components/platform/schemas";

/** Accepted and refused samples of each schema of the vocabulary. */
const SAMPLES: [string, z.ZodType, unknown[], unknown[]][] = [
    ["cpuQuantity", v.cpuQuantity, ["250m", "1", "0.5", ".5", "1500m", "2"], ["1 core", "250M", "-1", "1.", "", "m", "1e3"]],
    [
        "memoryQuantity",
        v.memoryQuantity,
        ["256Mi", "1Gi", "1G", "300M", "64Ki", "1Ti", "2Pi", "1Ei", "500k", "1048576", "1.5Gi", ".5Gi"],
        ["256m", "1K", "1 Gi", "Gi", "1GB", "-1Mi", "", "1mi"],
    ],
    [
        "cronExpression",
        v.cronExpression,
        ["0 * * * *", "30 3 * * *", "*/15 * * * *", "0 0 1 1 *", "5-10/2 1,2 * * 1-5", "0 0 * * 7", "5/10 * * * *"],
        ["* * * *", "0 * * * * *", "@daily", "61 * * * *", "0 24 * * *", "0 0 * * mon", "0 0 ? * *", "0 0 L * *", "*/0 * * * *", "5-1 * * * *", "", "daily"],
    ],
    ["dnsLabel", v.dnsLabel, ["a", "api", "node-exporter", "0abc", "a".repeat(63)], ["", "-a", "a-", "A", "a_b", "a.b", "a".repeat(64)]],
    ["dnsLabelStartingWithLetter", v.dnsLabelStartingWithLetter, ["ptc", "ptc-dev", "a1"], ["1ptc", "-ptc", "Ptc", ""]],
    ["dnsSubdomain", v.dnsSubdomain, ["example.com", "app.proteamcare.com.br", "localhost", "proteamcare.io"], ["", "Example.com", "a..b", "-a.com", "a_b.com", `${"a".repeat(64)}.com`]],
    ["labelKey", v.labelKey, ["app", "proteamcare.io/role", "app.kubernetes.io/name", "k8s-app", "a_b.c"], ["", "/x", "Bad_Prefix/x", "proteamcare.io/", "proteamcare.io/-x", "x".repeat(64)]],
    ["labelValue", v.labelValue, ["", "api", "pro-team-care", "a_b.c", "A1", "x".repeat(63)], ["not ok!", "-a", "a-", "x".repeat(64), "a/b"]],
    ["sqlIdentifier", v.sqlIdentifier, ["pro_team_care", "_x", "db1"], ["1db", "Db", "pro-team", "", "a".repeat(64)]],
    ["port", v.port, [1, 80, 65535], [0, -1, 65536, 70000, 1.5, "80", NaN]],
    ["nonNegativeInt", v.nonNegativeInt, [0, 1, 600], [-1, 1.5, "1"]],
    ["positiveInt", v.positiveInt, [1, 3600], [0, -1, 0.5]],
    ["absolutePath", v.absolutePath, ["/", "/var/lib/data"], ["", "data", "./data", "~/x"]],
    ["duration", v.duration, ["15d", "200h", "30s", "100ms", "1y"], ["15", "15 d", "1.5h", "d", "15D"]],
    [
        "imageReference",
        v.imageReference,
        ["postgres:16.4", "ghcr.io/ptc/api:1.2.3", "registry:5000/org/app:1.2", `app@sha256:${"a".repeat(64)}`, "busybox"],
        ["", "Api:1", "app:bad tag", "app@sha256:short", "app:", "a b"],
    ],
    ["cidr", v.cidr, ["10.0.0.0/8", "0.0.0.0/0", "10.0.0.1/32", "::/0", "fd00::1/128", "fe80::/10"], ["10.0.0.1", "10.0.0.0/33", "1.2.3/8", "fd00::/129", "10.0.0.0/", "x/8", "256.0.0.0/8"]],
    ["ipOrCidr", v.ipOrCidr, ["127.0.0.1", "172.16.0.0/12", "::1", "fd00::/8"], ["all", "all; allow everyone", "1.2.3", "localhost", ""]],
    ["httpUrl", v.httpUrl, ["https://hooks.slack.com/services/x", "http://alertmanager:9093/", "https://hc-ping.com/abc"], ["hooks.slack.com/x", "ftp://x/", "", "not a url"]],
];

describe("validation vocabulary (components/platform/schemas.ts)", () => {
    for (const [name, schema, good, bad] of SAMPLES) {
        it(`${name} accepts ${good.map((g) => JSON.stringify(g)).join(", ")}`, () => {
            for (const g of good) assert.strictEqual(v.problemOf(schema, g), undefined, `${name} refused ${JSON.stringify(g)}`);
        });
        it(`${name} refuses ${bad.map((b) => JSON.stringify(b)).join(", ")}, saying what is allowed`, () => {
            for (const b of bad) {
                const why = v.problemOf(schema, b);
                assert.ok(why !== undefined, `${name} accepted ${JSON.stringify(b)}`);
                assert.match(why, /^(a|an) /, `${name}'s message is a noun phrase: ${why}`);
            }
        });
    }

    it("parses every quantity it accepts: docker and Kubernetes read the same values", () => {
        assert.strictEqual(v.memoryMiB("256Mi"), 256);
        assert.strictEqual(v.memoryMiB("1Gi"), 1024);
        assert.strictEqual(v.memoryMiB("1G"), 954);
        assert.strictEqual(v.memoryMiB("500k"), 1);
        assert.strictEqual(v.memoryMiB("1Ti"), 1024 * 1024);
        assert.strictEqual(v.memoryMiB(".5Gi"), 512);
        assert.strictEqual(v.memoryMiB("1048576"), 1);
        assert.strictEqual(v.cpuCores("250m"), 0.25);
        assert.strictEqual(v.cpuCores(".5"), 0.5);
        assert.strictEqual(v.cpuCores("2"), 2);
        for (const [, schema, good] of SAMPLES.filter(([n]) => n === "memoryQuantity" || n === "cpuQuantity")) {
            for (const g of good) {
                const parse = schema === v.memoryQuantity ? v.memoryMiB : v.cpuCores;
                assert.ok(Number.isFinite(parse(g as string)), `${String(g)} parses`);
            }
        }
        assert.throws(() => v.memoryMiB("256m"), /memory "256m" is not a Kubernetes quantity: expected a memory quantity/);
        assert.throws(() => v.cpuCores("1 core"), /cpu "1 core" is not a Kubernetes quantity: expected a CPU quantity/);
    });

    it("never repeats a URL in its message (webhook URLs are secrets)", () => {
        for (const secret of ["hooks.slack.com/services/T000/B000/SECRET", "ftp://user:SECRET@host/"]) {
            const why = v.problemOf(v.httpUrl, secret);
            assert.ok(why !== undefined);
            assert.ok(!why.includes("SECRET"), why);
        }
    });

    it("names the cron field croner refuses", () => {
        assert.match(v.problemOf(v.cronExpression, "0 24 * * *") ?? "", /hour/);
    });
});
