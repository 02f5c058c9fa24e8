import * as assert from "assert";
import { ConfigError, parseStructuredConfig } from "../../stacks/load";
import { stackConfigSchema } from "../../stacks/schema";

/**
 * A typo inside any nested block is refused, naming the block's key path, the unknown key and
 * the keys that are allowed there. One case per block of the schema (and per workload of
 * `resources`, whose entries are blocks of their own).
 */
const BLOCKS: [path: string, raw: Record<string, unknown>, typo: string, allowedSample: string][] = [
    ["images", { images: { apii: "x:1" } }, "apii", "api"],
    ["replicas", { replicas: { apii: 2 } }, "apii", "api"],
    ["resources", { resources: { apii: { cpu: "1", memory: "1Gi" } } }, "apii", "api"],
    ["resources.api", { resources: { api: { cpu: "1", memory: "1Gi", memroyLimit: "2Gi" } } }, "memroyLimit", "memoryLimit"],
    ["resources.exporter", { resources: { exporter: { cpu: "1", memory: "1Gi", cpuLimt: "2" } } }, "cpuLimt", "cpuLimit"],
    ["docker", { docker: { httpPortt: 8080 } }, "httpPortt", "httpPort"],
    ["kubernetes", { kubernetes: { namespace: "ptc", storageClass: "gp3" } }, "storageClass", "storageClassName"],
    ["edge", { edge: { clientMaxBodySizeMB: 10 } }, "clientMaxBodySizeMB", "clientMaxBodySizeMb"],
    ["api", { api: { migration: true } }, "migration", "migrations"],
    ["postgres", { postgres: { databse: "x" } }, "databse", "database"],
    ["redis", { redis: { volumeSize: 1 } }, "volumeSize", "volumeSizeGi"],
    ["backup", { backup: { retentionDay: 7 } }, "retentionDay", "retentionDays"],
    ["monitoring", { monitoring: { retension: "15d" } }, "retension", "retention"],
    ["deploy", { deploy: { gates: {} } }, "gates", "gate"],
    ["deploy.gate", { deploy: { gate: { budget: 60 } } }, "budget", "budgetSeconds"],
];

function refusal(raw: Record<string, unknown>): string {
    try {
        parseStructuredConfig({ environment: "dev", ...raw });
    } catch (e) {
        assert.ok(e instanceof ConfigError, String(e));
        return e.message;
    }
    return assert.fail(`accepted ${JSON.stringify(raw)}`);
}

describe("stack config: unknown keys in nested blocks", () => {
    it("covers every nested block of the schema", () => {
        const objects = Object.entries(stackConfigSchema.shape).filter(([, s]) => "shape" in s).map(([k]) => k);
        assert.deepStrictEqual(objects.sort(), [...new Set(BLOCKS.map(([p]) => p.split(".")[0]))].sort());
    });

    for (const [path, raw, typo, allowed] of BLOCKS) {
        it(`refuses a typo inside ${path}, naming ${path} and the key`, () => {
            const message = refusal(raw);
            assert.match(message, new RegExp(`pro-team-care:${path.replace(".", "\\.")}: unknown key\\(s\\) "${typo}"`), message);
            // The allowed keys are the block's own, not its parent's.
            const allowedList = /allowed keys: (.*)$/m.exec(message)?.[1].split(", ") ?? [];
            assert.ok(allowedList.includes(allowed), `${allowed} not among the allowed keys of ${path}: ${message}`);
        });
    }
});
