import * as assert from "assert";
import { jobManifests, jobName, networkPolicyManifests, PROGRESS_DEADLINE_SECONDS, scheduleManifests, serviceManifests, shortHash } from "../../../components/platform/kubernetes";
import type { WorkloadSpec } from "../../../components/platform/spec";
import { alloy, api, arr, backup, checksums, container, ctx, edge, get, migrate, netOpts, nodeExporter, Obj, postgres, web } from "./fixtures";

/** A slow starter whose start-up budget alone exceeds the default progress deadline. */
const slow: WorkloadSpec = { ...web, healthCheck: { kind: "http", path: "/", port: 8080, startPeriodSeconds: 900 }, stopGracePeriodSeconds: 45 };

/**
 * What the rendered probes allow a starting pod before the kubelet restarts it, read off the
 * manifest (not from the renderer's helper): the startup probe's window, else the liveness probe's.
 */
function renderedStartupBudget(c: Obj): number {
    const probe = (c.startupProbe ?? c.livenessProbe) as Obj;
    return Number(probe.failureThreshold) * Number(probe.periodSeconds) + Number(probe.timeoutSeconds);
}

describe("kubernetes workloads", () => {
    describe("workload kinds", () => {
        it("makes a Deployment that never drops below its replicas, spread across nodes", () => {
            const w = serviceManifests("api", api, ctx).workload;
            assert.strictEqual(w.kind, "Deployment");
            assert.strictEqual(get(w, "spec.replicas"), 2);
            assert.deepStrictEqual(get(w, "spec.strategy.rollingUpdate"), { maxUnavailable: 0, maxSurge: 1 });
            const spread = arr(get(w, "spec.template.spec.topologySpreadConstraints"));
            assert.deepStrictEqual(spread.map((s) => s.topologyKey), ["kubernetes.io/hostname", "topology.kubernetes.io/zone"]);
            assert.deepStrictEqual(get(spread[0], "labelSelector.matchLabels"), get(w, "spec.selector.matchLabels"));
            assert.strictEqual(get(serviceManifests("web", web, ctx).workload, "spec.template.spec.topologySpreadConstraints"), undefined);
        });

        it("makes a StatefulSet with a claim template per volume for a store", () => {
            const w = serviceManifests("postgres", postgres, { ...ctx, storageClassName: "gp3" }).workload;
            assert.strictEqual(w.kind, "StatefulSet");
            assert.strictEqual(get(w, "spec.serviceName"), "postgres");
            const claims = arr(get(w, "spec.volumeClaimTemplates"));
            assert.strictEqual(claims.length, 1);
            assert.strictEqual(get(claims[0], "metadata.name"), "data");
            assert.deepStrictEqual(get(claims[0], "spec.accessModes"), ["ReadWriteOnce"]);
            assert.strictEqual(get(claims[0], "spec.resources.requests.storage"), "20Gi");
            assert.strictEqual(get(claims[0], "spec.storageClassName"), "gp3");
            assert.deepStrictEqual(get(w, "spec.persistentVolumeClaimRetentionPolicy"), { whenDeleted: "Retain", whenScaled: "Retain" });
            const mount = arr(get(container(w), "volumeMounts")).find((m) => m.name === "data");
            assert.strictEqual(mount?.mountPath, "/var/lib/postgresql/data");
            // Without a class the cluster default applies.
            assert.strictEqual(get(arr(get(serviceManifests("postgres", postgres, ctx).workload, "spec.volumeClaimTemplates"))[0], "spec.storageClassName"), undefined);
        });

        it("sets requests and limits; the memory limit defaults to the request", () => {
            assert.deepStrictEqual(get(container(serviceManifests("api", api, ctx).workload), "resources"), {
                requests: { cpu: "250m", memory: "256Mi" },
                limits: { memory: "512Mi", cpu: "1" },
            });
            assert.deepStrictEqual(get(container(serviceManifests("web", web, ctx).workload), "resources.limits"), { memory: "64Mi" });
        });

    });

    describe("rollouts", () => {
        const deployments = { api, web, edge, slow };

        it("every Deployment surges without dropping a pod, counts a pod once ready for a while and has a progress deadline above its start-up budget", () => {
            for (const [name, spec] of Object.entries(deployments)) {
                const w = serviceManifests(name, spec, ctx).workload;
                assert.strictEqual(w.kind, "Deployment", name);
                assert.deepStrictEqual(get(w, "spec.strategy"), { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } }, name);
                const minReady = Number(get(w, "spec.minReadySeconds"));
                assert.ok(minReady > 0, `${name}: minReadySeconds ${minReady}`);
                const deadline = Number(get(w, "spec.progressDeadlineSeconds"));
                const budget = renderedStartupBudget(container(w));
                assert.ok(deadline >= PROGRESS_DEADLINE_SECONDS, `${name}: progressDeadlineSeconds ${deadline}`);
                assert.ok(deadline >= budget + minReady, `${name}: progressDeadlineSeconds ${deadline} < start-up budget ${budget} + minReadySeconds ${minReady}`);
            }
            // The slow starter's budget (ceil(900/15)+3 checks of 15 s, + 5 s) raises its deadline.
            assert.strictEqual(get(serviceManifests("slow", slow, ctx).workload, "spec.progressDeadlineSeconds"), 63 * 15 + 5 + 10);
        });

        it("every Deployment pauses in preStop before SIGTERM and has a grace period above pause + stop grace", () => {
            for (const [name, spec] of Object.entries(deployments)) {
                const w = serviceManifests(name, spec, ctx).workload;
                const pause = Number(get(container(w), "lifecycle.preStop.sleep.seconds"));
                assert.ok(pause > 0, `${name}: preStop pause ${pause}`);
                const grace = Number(get(w, "spec.template.spec.terminationGracePeriodSeconds"));
                const stop = spec.stopGracePeriodSeconds ?? 30;
                assert.ok(grace > pause + stop, `${name}: terminationGracePeriodSeconds ${grace} <= pause ${pause} + stop grace ${stop}`);
            }
        });

        it("a StatefulSet stops first with the spec's grace and no pause; a DaemonSet counts a pod once ready for a while, no pause", () => {
            const sts = serviceManifests("postgres", postgres, ctx).workload;
            assert.strictEqual(get(container(sts), "lifecycle"), undefined);
            assert.strictEqual(get(sts, "spec.template.spec.terminationGracePeriodSeconds"), postgres.stopGracePeriodSeconds ?? 30);
            for (const [name, spec] of Object.entries({ "node-exporter": nodeExporter, alloy })) {
                const ds = serviceManifests(name, spec, ctx).workload;
                assert.strictEqual(ds.kind, "DaemonSet", name);
                assert.ok(Number(get(ds, "spec.minReadySeconds")) > 0, name);
                assert.strictEqual(get(container(ds), "lifecycle"), undefined, name);
                assert.strictEqual(get(ds, "spec.template.spec.terminationGracePeriodSeconds"), spec.stopGracePeriodSeconds ?? 30, name);
            }
        });

        it("jobs and schedules carry no preStop hook", () => {
            const job = jobManifests("migrate", migrate, ctx, { jobName: jobName("migrate", "t"), triggerHash: shortHash("t", 10) }).job;
            const cron = scheduleManifests("backup", backup, ctx).cronJob;
            for (const w of [job, cron]) {
                assert.strictEqual(get(container(w), "lifecycle"), undefined, w.kind);
                assert.strictEqual(get(w, w.kind === "CronJob" ? "spec.jobTemplate.spec.template.spec.terminationGracePeriodSeconds" : "spec.template.spec.terminationGracePeriodSeconds"), 30, w.kind);
            }
        });
    });

    it("is deterministic", () => {
        const a = JSON.stringify([serviceManifests("edge", edge, checksums), scheduleManifests("backup", backup, checksums), networkPolicyManifests(netOpts)]);
        const b = JSON.stringify([serviceManifests("edge", edge, checksums), scheduleManifests("backup", backup, checksums), networkPolicyManifests(netOpts)]);
        assert.strictEqual(a, b);
    });
});
