import * as assert from "assert";
import { validateKubernetesSpec } from "../../../components/platform/kubernetes";
import { ScheduleSpec, validateSpec, WorkloadSpec } from "../../../components/platform/spec";
import { alloy, api, backup, edge, migrate, nodeExporter, postgres, web } from "./fixtures";

describe("kubernetes validate", () => {
    it("accepts every representative spec", () => {
        for (const [name, spec] of Object.entries({ api, web, postgres, edge, nodeExporter, alloy, migrate, backup })) {
            const n = name === "nodeExporter" ? "node-exporter" : name;
            assert.deepStrictEqual(validateSpec(n, spec, "app"), []);
            assert.deepStrictEqual(validateKubernetesSpec(n, spec), []);
        }
    });
    describe("validation", () => {
        const base: WorkloadSpec = { ...web };
        // Kubernetes-only rules (validate.ts): port names, root, ConfigMap/Secret key collisions.
        const kubernetesOnly: [string, Partial<WorkloadSpec & ScheduleSpec>, RegExp][] = [
            ["a long port name", { ports: [{ name: "a-very-long-port-name", port: 80 }] }, /port name/],
            ["root", { user: "0:0" }, /non-root/],
            ["group 0", { user: "1000:0" }, /group 0/],
            ["colliding file keys", { files: [{ path: "/a/b-c", content: "" }, { path: "/a-b/c", content: "" }] }, /same key/],
        ];
        for (const [what, change, re] of kubernetesOnly) {
            it(`refuses ${what}, a Kubernetes-only rule the neutral validateSpec leaves alone`, () => {
                const spec = { ...base, ...change } as WorkloadSpec;
                const problems = validateKubernetesSpec("web", spec);
                assert.ok(problems.some((p) => re.test(p) && p.startsWith("web:")), problems.join("\n") || "no problem reported");
                assert.deepStrictEqual(validateSpec("web", spec, "app"), []);
            });
        }
        // Platform-neutral rules that used to live here: validateSpec refuses them for both platforms.
        const cases: [string, Partial<WorkloadSpec & ScheduleSpec>, RegExp][] = [
            ["memory in millibytes", { resources: { cpu: "100m", memory: "256m" } }, /memory quantity/],
            ["a bad cpu", { resources: { cpu: "1 core", memory: "1Gi" } }, /CPU quantity/],
            ["perNode volumes", { perNode: true, volumes: [{ name: "d", mountPath: "/d", sizeGi: 1 }] }, /perNode/],
            ["a bad label value", { labels: { "proteamcare.io/role": "not ok!" } }, /label/],
            ["a bad cron", { cron: "* * * *" } as Partial<ScheduleSpec>, /cron/],
            ["a volume name that is no DNS label", { volumes: [{ name: "Data_1", mountPath: "/d", sizeGi: 1 }] }, /DNS label/],
        ];
        for (const [what, change, re] of cases) {
            it(`refuses ${what} in validateSpec, not as a Kubernetes-only rule`, () => {
                const spec = { ...base, ...change } as WorkloadSpec;
                const problems = validateSpec("web", spec, "app");
                assert.deepStrictEqual(validateKubernetesSpec("web", spec), []);
                assert.ok(problems.some((p) => re.test(p) && p.startsWith("web:")), problems.join("\n") || "no problem reported");
            });
        }
    });
});
