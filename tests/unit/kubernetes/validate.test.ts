import * as assert from "assert";
import { validateKubernetesSpec } from "../../../components/platform/kubernetes";
import { ScheduleSpec, validateSpec, WorkloadSpec } from "../../../components/platform/spec";
import { alloy, api, backup, edge, migrate, nodeExporter, postgres, web } from "./fixtures";

describe("kubernetes validate", () => {
    it("accepts every representative spec", () => {
        for (const [name, spec] of Object.entries({ api, web, postgres, edge, nodeExporter, alloy, migrate, backup })) {
            const n = name === "nodeExporter" ? "node-exporter" : name;
            assert.deepStrictEqual(validateSpec(n, spec), []);
            assert.deepStrictEqual(validateKubernetesSpec(n, spec, "app"), []);
        }
    });
    describe("validation", () => {
        const base: WorkloadSpec = { ...web };
        const cases: [string, Partial<WorkloadSpec & ScheduleSpec>, RegExp][] = [
            ["a long port name", { ports: [{ name: "a-very-long-port-name", port: 80 }] }, /port name/],
            ["root", { user: "0:0" }, /non-root/],
            ["memory in millibytes", { resources: { cpu: "100m", memory: "256m" } }, /memory quantity/],
            ["a bad cpu", { resources: { cpu: "1 core", memory: "1Gi" } }, /CPU quantity/],
            ["perNode volumes", { perNode: true, volumes: [{ name: "d", mountPath: "/d", sizeGi: 1 }] }, /perNode/],
            ["a bad label value", { labels: { "proteamcare.io/role": "not ok!" } }, /label/],
            ["a bad cron", { cron: "* * * *" } as Partial<ScheduleSpec>, /cron/],
            ["colliding file keys", { files: [{ path: "/a/b-c", content: "" }, { path: "/a-b/c", content: "" }] }, /same key/],
            ["a volume name that is no DNS label", { volumes: [{ name: "Data_1", mountPath: "/d", sizeGi: 1 }] }, /DNS label/],
        ];
        for (const [what, change, re] of cases) {
            it(`refuses ${what}`, () => {
                const problems = validateKubernetesSpec("web", { ...base, ...change } as WorkloadSpec, "app");
                assert.ok(problems.some((p) => re.test(p) && p.startsWith("web:")), problems.join("\n") || "no problem reported");
            });
        }
    });
});
