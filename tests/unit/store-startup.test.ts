/**
 * The data stores' start-up grace, as each platform renders it. Redis replays its append-only file
 * before it answers PONG (it answers LOADING meanwhile); with a 10 s grace and a 10 s interval the
 * Kubernetes startup probe had a budget of one probe, so a Redis with a real dataset was killed
 * while loading, restarted, and killed again.
 */
import * as assert from "assert";
import { redisSpec } from "../../components/data/redis";
import { dockerHealthcheck } from "../../components/platform/docker-builders";
import { probes } from "../../components/platform/kubernetes";

const spec = redisSpec({ image: "redis:7.4.1-bookworm", password: "x", volumeSizeGi: 10, resources: { cpu: "250m", memory: "512Mi" }, component: "redis" });

describe("redis start-up grace", () => {
    it("gives the Kubernetes startup probe at least 60 s (several probes) before liveness takes over", () => {
        const p = probes(spec.healthCheck).startupProbe;
        assert.ok(p, "redis has a startup probe");
        const period = Number(p.periodSeconds);
        const threshold = Number(p.failureThreshold);
        assert.ok(threshold >= 3, `a startup probe of ${threshold} failure(s) kills a Redis that is still loading`);
        assert.ok(period * threshold >= 60, `startup budget ${period * threshold}s is shorter than 60s`);
    });

    it("gives docker the same grace (start_period)", () => {
        assert.strictEqual(dockerHealthcheck(spec.healthCheck).startPeriod, "60s");
    });
});
