import * as assert from "assert";
import { jobManifests, meta, objectAnnotations, objectLabels, scheduleManifests, selectorLabels, serviceManifests, sorted } from "../../../components/platform/kubernetes";
import { ANNOTATIONS, LABELS } from "../../../components/platform/spec";
import { api, backup, ctx, get, migrate, postgres } from "./fixtures";

describe("kubernetes metadata", () => {
    describe("labels and annotations", () => {
        it("puts LABELS and the kind on the object and its pod template; the spec cannot override tier or workload", () => {
            const w = serviceManifests("api", api, ctx).workload;
            for (const path of ["metadata.labels", "spec.template.metadata.labels"]) {
                const labels = get(w, path) as Record<string, string>;
                assert.strictEqual(labels[LABELS.component], "app", path);
                assert.strictEqual(labels[LABELS.workload], "api", path);
                assert.strictEqual(labels[LABELS.tier], "app", path);
                assert.strictEqual(labels[LABELS.kind], "service", path);
                assert.deepStrictEqual(Object.keys(labels), Object.keys(labels).sort(), "labels are sorted");
            }
            assert.strictEqual(get(w, "metadata.annotations")?.constructor, Object);
            assert.strictEqual((get(w, "metadata.annotations") as Record<string, string>)["example.com/owner"], "team-api");
            assert.strictEqual((get(w, "spec.template.metadata.annotations") as Record<string, string>)["example.com/owner"], "team-api");
            assert.strictEqual((get(serviceManifests("postgres", postgres, ctx).workload, "metadata.labels") as Record<string, string>)[LABELS.store], "postgres");
        });

        it("labels jobs and schedules with their kind and role, and schedules with their cron", () => {
            const job = jobManifests("migrate", migrate, ctx, { jobName: "migrate-x", triggerHash: "x" }).job;
            assert.strictEqual((get(job, "metadata.labels") as Record<string, string>)[LABELS.kind], "job");
            assert.strictEqual((get(job, "spec.template.metadata.labels") as Record<string, string>)[LABELS.role], "migration");
            const cron = scheduleManifests("backup", backup, ctx).cronJob;
            for (const path of ["metadata", "spec.jobTemplate.spec.template.metadata"]) {
                const labels = get(cron, `${path}.labels`) as Record<string, string>;
                const annotations = get(cron, `${path}.annotations`) as Record<string, string>;
                assert.strictEqual(labels[LABELS.kind], "schedule", path);
                assert.strictEqual(labels[LABELS.role], "backup", path);
                assert.strictEqual(annotations[ANNOTATIONS.backupOf], "postgres,redis", path);
                assert.strictEqual(annotations[ANNOTATIONS.schedule], "15 3 * * *", path);
            }
        });
    });
    describe("the helpers", () => {
        it("objectLabels sets component, workload, tier and kind last, so the spec's labels cannot change them", () => {
            const labels = objectLabels("api", api, ctx, "job");
            assert.strictEqual(labels[LABELS.workload], "api");
            assert.strictEqual(labels[LABELS.tier], "app");
            assert.strictEqual(labels[LABELS.kind], "job");
            assert.strictEqual(labels[LABELS.component], "app");
            assert.strictEqual(labels["app.kubernetes.io/part-of"], "pro-team-care");
            assert.deepStrictEqual(Object.keys(labels), Object.keys(labels).sort());
        });

        it("selectorLabels is the workload label only (selectors are immutable)", () => {
            assert.deepStrictEqual(selectorLabels("api"), { [LABELS.workload]: "api" });
        });

        it("objectAnnotations merges extras over the spec's, sorted, and is undefined when empty", () => {
            assert.strictEqual(objectAnnotations({ ...api, annotations: undefined }), undefined);
            assert.deepStrictEqual(Object.entries(objectAnnotations({ ...api, annotations: { b: "1", a: "2" } }, { b: "3" }) ?? {}), [["a", "2"], ["b", "3"]]);
        });

        it("meta names the namespace and adds annotations only when there are some", () => {
            assert.deepStrictEqual(meta("x", ctx, { l: "v" }), { name: "x", namespace: ctx.namespace, labels: { l: "v" } });
            assert.deepStrictEqual(meta("x", ctx, {}, { a: "b" }).annotations, { a: "b" });
            assert.deepStrictEqual(Object.keys(sorted({ b: 1, a: 2, c: 3 })), ["a", "b", "c"]);
        });
    });
});
