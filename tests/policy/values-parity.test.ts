import * as assert from "assert";
import { cpuQuantity, memoryQuantity, problemOf } from "../../components/platform/schemas";
import { isCpuQuantity, isMemoryQuantity } from "../../policy/values";

/** One table of samples; the program's vocabulary and the pack's mirror must agree on each. */
const CPU_SAMPLES = ["250m", "1", "0.5", ".5", "1500m", "1 core", "250M", "-1", "1.", "", "m", "1e3", "0.25m", "2Gi"];
const MEMORY_SAMPLES = ["256Mi", "1Gi", "1G", "300M", "64Ki", "1Ti", "2Pi", "1Ei", "500k", "1048576", ".5Gi", "256m", "1K", "1 Gi", "Gi", "1GB", "-1Mi", "", "1mi", "1P", "1E"];

describe("policy values mirror the program's vocabulary", () => {
    it("judges every CPU sample as components/platform/schemas.ts does", () => {
        for (const q of CPU_SAMPLES) assert.strictEqual(isCpuQuantity(q), problemOf(cpuQuantity, q) === undefined, JSON.stringify(q));
    });
    it("judges every memory sample as components/platform/schemas.ts does", () => {
        for (const q of MEMORY_SAMPLES) assert.strictEqual(isMemoryQuantity(q), problemOf(memoryQuantity, q) === undefined, JSON.stringify(q));
    });
    it("has samples on both sides of each rule", () => {
        for (const [samples, judge] of [[CPU_SAMPLES, isCpuQuantity], [MEMORY_SAMPLES, isMemoryQuantity]] as const) {
            assert.ok(samples.some((q) => judge(q)) && samples.some((q) => !judge(q)));
        }
    });
});
