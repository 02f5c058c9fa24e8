import * as assert from "assert";
import { parseDurationSeconds } from "../../policy/workloads";
import {
    assertClean, assertOnly, assertViolation, configFile, DOCKER_SECRET_OPTS, dockerJob, dockerService, k8sContainer, k8sDeployment, mutate, res, run, Fixture } from "./helpers";

const C = "docker:index/container:Container";
const D = "kubernetes:apps/v1:Deployment";

function container(change: (c: Fixture) => void = () => undefined) {
    return [res(C, "api", mutate(dockerService(), change), DOCKER_SECRET_OPTS)];
}
function deployment(change: (d: Fixture) => void = () => undefined, type = D) {
    return [res(type, "api", mutate(k8sDeployment(), change))];
}
const first = (d: Fixture) => d.spec.template.spec.containers[0];

describe("policy: docker-health-check", () => {
    it("passes a service with a real healthcheck", async () => assertClean(await run(container())));
    it("passes a job without one (jobs are exempt)", async () => assertClean(await run([res(C, "api-migrate", dockerJob(), DOCKER_SECRET_OPTS)])));
    it("flags a missing healthcheck", async () => assertOnly(await run(container((c) => delete c.healthcheck)), "docker-health-check", /add a healthcheck/));
    it("flags NONE", async () => assertOnly(await run(container((c) => (c.healthcheck.tests = ["NONE"]))), "docker-health-check", /is NONE/));
    it("flags an empty test", async () => assertOnly(await run(container((c) => (c.healthcheck.tests = []))), "docker-health-check", /is empty/));
    it("flags CMD without a command", async () => assertOnly(await run(container((c) => (c.healthcheck.tests = ["CMD-SHELL", " "]))), "docker-health-check", /has no command/));
    it("flags a test that always succeeds", async () => assertOnly(await run(container((c) => (c.healthcheck.tests = ["CMD-SHELL", "exit 0"]))), "docker-health-check", /always succeeds/));
    it("checks a schedule (kind=schedule is long-running)", async () =>
        assertOnly(
            await run(container((c) => {
                delete c.healthcheck;
                c.labels = c.labels.map((l: Fixture) => (l.label === "proteamcare.io/kind" ? { ...l, value: "schedule" } : l));
            })),
            "docker-health-check",
            /add a healthcheck/,
        ));
});

describe("policy: kubernetes-probes", () => {
    it("passes a Deployment with readiness and liveness probes", async () => assertClean(await run(deployment())));
    for (const type of ["kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:DaemonSet"]) {
        it(`applies to ${type}`, async () => assertOnly(await run(deployment((d) => delete first(d).livenessProbe, type)), "kubernetes-probes", /no livenessProbe/));
    }
    it("flags a missing readinessProbe", async () => assertOnly(await run(deployment((d) => delete first(d).readinessProbe)), "kubernetes-probes", /no readinessProbe/));
    it("flags a missing livenessProbe", async () => assertOnly(await run(deployment((d) => delete first(d).livenessProbe)), "kubernetes-probes", /no livenessProbe/));
    it("flags a probe without a handler", async () => assertOnly(await run(deployment((d) => delete first(d).readinessProbe.httpGet)), "kubernetes-probes", /no handler/));
    it("flags an exec probe that always succeeds", async () =>
        assertOnly(await run(deployment((d) => (first(d).livenessProbe = { exec: { command: ["true"] }, periodSeconds: 15, timeoutSeconds: 5 }))), "kubernetes-probes", /always succeeds/));
    it("leaves Jobs and CronJobs alone", async () => {
        const job = { metadata: { name: "m" }, spec: { template: mutate(k8sDeployment(), () => undefined).spec } };
        const pod = mutate(k8sDeployment(), (d: Fixture) => {
            delete first(d).readinessProbe;
            delete first(d).livenessProbe;
            delete first(d).startupProbe;
        }) as Fixture;
        assertClean(await run([res("kubernetes:batch/v1:Job", "m", { metadata: { name: "m" }, spec: { template: pod.spec.template } })]));
        assertClean(await run([res("kubernetes:batch/v1:CronJob", "c", { metadata: { name: "c" }, spec: { schedule: "0 * * * *", jobTemplate: { spec: { template: pod.spec.template } } } })]));
        assert.ok(job);
    });
});

describe("policy: health-check-timing", () => {
    it("passes timings within bounds (docker and k8s)", async () => {
        assertClean(await run(container()));
        assertClean(await run(deployment()));
    });
    it("flags a docker interval above the maximum", async () => assertViolation(await run(container((c) => (c.healthcheck.interval = "61s"))), "health-check-timing", /interval 61s is outside 5-60s/));
    it("flags a docker interval below the minimum", async () =>
        assertOnly(await run(container(), configFile({ "health-check-timing": { enforcementLevel: "mandatory", minIntervalSeconds: 20 } })), "health-check-timing", /interval 15s is outside 20-60s/));
    it("flags a timeout not shorter than the interval (docker defaults: 30s/30s)", async () =>
        assertOnly(await run(container((c) => { delete c.healthcheck.interval; delete c.healthcheck.timeout; })), "health-check-timing", /must be shorter than the interval/));
    it("flags too many retries", async () => assertOnly(await run(container((c) => (c.healthcheck.retries = 11))), "health-check-timing", /retries 11 is outside 1-10/, "mandatory"));
    it("flags a long detection time", async () => assertOnly(await run(container((c) => { c.healthcheck.interval = "60s"; c.healthcheck.retries = 5; })), "health-check-timing", /interval × retries = 300s/));
    it("flags a long start period", async () => assertOnly(await run(container((c) => (c.healthcheck.startPeriod = "15m"))), "health-check-timing", /start period 900s exceeds 600s/));
    it("flags an unparseable duration", async () => assertOnly(await run(container((c) => (c.healthcheck.interval = "fifteen"))), "health-check-timing", /not a duration/));
    it("flags a k8s probe timeout above the maximum", async () =>
        assertOnly(await run(deployment(), configFile({ "health-check-timing": { enforcementLevel: "mandatory", maxTimeoutSeconds: 4 } })), "health-check-timing", /Probe: timeout 5s exceeds 4s/));
    it("flags a k8s probe timeout not shorter than its period", async () =>
        assertOnly(await run(deployment((d) => (first(d).livenessProbe.timeoutSeconds = 15))), "health-check-timing", /livenessProbe: timeout 15s must be shorter than the interval 15s/));
    it("flags a k8s startup budget above the maximum", async () => assertOnly(await run(deployment((d) => (first(d).startupProbe.failureThreshold = 200))), "health-check-timing", /start-up budget/));
    it("applies k8s defaults (period 10s, timeout 1s, threshold 3) when fields are absent", async () =>
        assertClean(await run(deployment((d) => { const p = first(d).readinessProbe; delete p.periodSeconds; delete p.timeoutSeconds; delete p.failureThreshold; }))));
    it("honours configured bounds", async () => {
        const cfg = configFile({ "health-check-timing": { enforcementLevel: "mandatory", maxIntervalSeconds: 10 } });
        assertOnly(await run(container(), cfg), "health-check-timing", /interval 15s is outside 5-10s/);
    });
    it("parses Go durations", () => {
        assert.strictEqual(parseDurationSeconds("1m30s"), 90);
        assert.strictEqual(parseDurationSeconds("500ms"), 0.5);
        assert.strictEqual(parseDurationSeconds("0s"), 0);
        assert.strictEqual(parseDurationSeconds(undefined), undefined);
        assert.throws(() => parseDurationSeconds("15"), /not a duration/);
    });
});

describe("policy: resource-limits", () => {
    it("passes declared requests and limits", async () => {
        assertClean(await run(container()));
        assertClean(await run(deployment()));
    });
    it("flags a docker container without memory", async () => assertOnly(await run(container((c) => delete c.memory)), "resource-limits", /no memory limit/));
    it("flags a missing cpu request", async () => assertOnly(await run(deployment((d) => delete first(d).resources.requests.cpu)), "resource-limits", /no cpu request/));
    it("flags a missing memory request", async () => assertOnly(await run(deployment((d) => delete first(d).resources.requests.memory)), "resource-limits", /no memory request/));
    it("flags a missing memory limit", async () => assertOnly(await run(deployment((d) => delete first(d).resources.limits)), "resource-limits", /no memory limit/));
    it("requires a cpu limit only when configured", async () => {
        assertOnly(await run(deployment(), configFile({ "resource-limits": { enforcementLevel: "mandatory", requireCpuLimit: true } })), "resource-limits", /no cpu limit/);
    });
    it("flags a quantity the program would refuse (memory in millibytes)", async () =>
        assertOnly(await run(deployment((d) => (first(d).resources.requests.memory = "256m"))), "resource-limits", /memory request "256m", which is not a memory quantity/));
    it("checks init containers too", async () =>
        assertOnly(await run(deployment((d) => (d.spec.template.spec.initContainers = [mutate(k8sContainer("init"), (c: Fixture) => delete c.resources)]))), "resource-limits", /"init" has no (cpu or memory request|memory limit)/));
});
