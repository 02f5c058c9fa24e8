import * as assert from "assert";
import { jobManifests, probes, scheduleManifests, serviceManifests } from "../../../components/platform/kubernetes";
import { api, backup, container, ctx, get, migrate, nodeExporter, postgres, web } from "./fixtures";

describe("kubernetes probes", () => {
    describe("probes", () => {
        it("derive readiness, liveness and startup from an http check on the health path", () => {
            const c = container(serviceManifests("api", api, ctx).workload);
            for (const p of ["readinessProbe", "livenessProbe", "startupProbe"]) {
                assert.strictEqual(get(c, `${p}.httpGet.path`), "/api/v1/health", p);
                assert.strictEqual(get(c, `${p}.httpGet.port`), 8000, p);
            }
            assert.strictEqual(get(c, "readinessProbe.periodSeconds"), 15);
            assert.strictEqual(get(c, "readinessProbe.timeoutSeconds"), 5);
            assert.strictEqual(get(c, "livenessProbe.failureThreshold"), 3);
            // 30s start period / 15s interval, then the 3 retries docker also allows after start_period.
            assert.strictEqual(get(c, "startupProbe.failureThreshold"), 5);
            assert.strictEqual(get(c, "startupProbe.periodSeconds"), 15);
        });

        it("round the start period up and skip the startup probe without one", () => {
            assert.strictEqual(get(probes({ kind: "tcp", port: 1, startPeriodSeconds: 31, intervalSeconds: 10 }), "startupProbe.failureThreshold"), 4 + 3);
            assert.strictEqual(get(probes({ kind: "tcp", port: 1, startPeriodSeconds: 5, intervalSeconds: 10, retries: 2 }), "startupProbe.failureThreshold"), 1 + 2);
            assert.strictEqual(probes({ kind: "tcp", port: 1 }).startupProbe, undefined);
            assert.strictEqual(get(container(serviceManifests("web", web, ctx).workload), "startupProbe"), undefined);
        });

        it("send the Host header of an http check", () => {
            assert.deepStrictEqual(get(container(serviceManifests("web", web, ctx).workload), "readinessProbe.httpGet.httpHeaders"), [
                { name: "Host", value: "web.local" },
            ]);
        });

        it("use exec and tcpSocket for exec and tcp checks", () => {
            const pg = container(serviceManifests("postgres", postgres, ctx).workload);
            assert.deepStrictEqual(get(pg, "livenessProbe.exec.command"), ["pg_isready", "-U", "ptc"]);
            assert.strictEqual(get(pg, "readinessProbe.periodSeconds"), 10);
            assert.strictEqual(get(pg, "readinessProbe.failureThreshold"), 5);
            const ne = container(serviceManifests("node-exporter", nodeExporter, ctx).workload);
            assert.deepStrictEqual(get(ne, "readinessProbe.tcpSocket"), { port: 9100 });
            assert.strictEqual(get(ne, "readinessProbe.httpGet"), undefined);
        });

        it("are absent on jobs and schedules", () => {
            const j = container(jobManifests("migrate", migrate, ctx, { jobName: "migrate-x", triggerHash: "x" }).job);
            const s = container(scheduleManifests("backup", backup, ctx).cronJob);
            for (const c of [j, s]) {
                assert.strictEqual(c.readinessProbe, undefined);
                assert.strictEqual(c.livenessProbe, undefined);
            }
        });
    });
});
