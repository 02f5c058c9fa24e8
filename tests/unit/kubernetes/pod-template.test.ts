import * as assert from "assert";
import { podTemplate, serviceManifests } from "../../../components/platform/kubernetes";
import { alloy, api, arr, container, ctx, edge, get, nodeExporter, postgres } from "./fixtures";

describe("kubernetes pod-template", () => {
    describe("security context", () => {
        it("runs as the spec's non-root user with no privileges and a read-only root where allowed", () => {
            const w = serviceManifests("api", api, ctx).workload;
            assert.deepStrictEqual(get(w, "spec.template.spec.securityContext"), {
                runAsNonRoot: true,
                runAsUser: 1000,
                runAsGroup: 1000,
                fsGroup: 1000,
                seccompProfile: { type: "RuntimeDefault" },
            });
            const c = container(w);
            assert.strictEqual(get(c, "securityContext.allowPrivilegeEscalation"), false);
            assert.deepStrictEqual(get(c, "securityContext.capabilities.drop"), ["ALL"]);
            assert.strictEqual(get(c, "securityContext.readOnlyRootFilesystem"), true);
            assert.strictEqual(get(c, "securityContext.runAsNonRoot"), true);
            assert.strictEqual(get(container(serviceManifests("postgres", postgres, ctx).workload), "securityContext.readOnlyRootFilesystem"), false);
            assert.strictEqual(get(w, "spec.template.spec.automountServiceAccountToken"), false);
        });

        it("mounts an emptyDir with the size limit for each scratch dir", () => {
            const w = serviceManifests("api", api, ctx).workload;
            const mount = arr(get(container(w), "volumeMounts")).find((m) => m.mountPath === "/tmp");
            assert.ok(mount, "no mount at /tmp");
            const vol = arr(get(w, "spec.template.spec.volumes")).find((v) => v.name === mount.name);
            assert.deepStrictEqual(get(vol, "emptyDir"), { sizeLimit: "32Mi" });
            const e = serviceManifests("edge", edge, ctx).workload;
            const defaults = arr(get(e, "spec.template.spec.volumes")).filter((v) => v.emptyDir !== undefined);
            assert.deepStrictEqual(defaults.map((v) => get(v, "emptyDir.sizeLimit")), ["64Mi", "64Mi"]);
            assert.strictEqual(new Set(defaults.map((v) => v.name)).size, 2);
        });

        it("renders host access only as the spec asks: read-only host paths and host PID", () => {
            const w = serviceManifests("node-exporter", nodeExporter, ctx).workload;
            assert.strictEqual(w.kind, "DaemonSet");
            assert.strictEqual(get(w, "spec.template.spec.hostPID"), true);
            const hostVols = arr(get(w, "spec.template.spec.volumes")).filter((v) => v.hostPath !== undefined);
            assert.deepStrictEqual(hostVols.map((v) => get(v, "hostPath.path")).sort(), ["/", "/proc"]);
            const hostMounts = arr(get(container(w), "volumeMounts")).filter((m) => hostVols.some((v) => v.name === m.name));
            assert.deepStrictEqual(hostMounts.map((m) => [m.mountPath, m.readOnly]).sort(), [["/host/proc", true], ["/host/root", true]]);
            assert.strictEqual(get(w, "spec.template.spec.securityContext.runAsNonRoot"), true);
            assert.strictEqual(get(serviceManifests("api", api, ctx).workload, "spec.template.spec.hostPID"), undefined);
        });

        it("runs a log collector as root only when the spec asks, with the log dirs read-only", () => {
            const w = serviceManifests("alloy", alloy, ctx).workload;
            assert.strictEqual(get(w, "spec.template.spec.securityContext.runAsNonRoot"), false);
            assert.strictEqual(get(w, "spec.template.spec.securityContext.runAsUser"), 0);
            assert.deepStrictEqual(get(container(w), "securityContext.capabilities.drop"), ["ALL"]);
            const mounts = arr(get(container(w), "volumeMounts"));
            assert.deepStrictEqual(mounts.map((m) => [m.mountPath, m.readOnly]).sort(), [["/var/log/containers", true], ["/var/log/pods", true]]);
        });
    });
        it("passes plain env as values and secret env only by reference to the Secret", () => {
            const m = serviceManifests("api", api, ctx);
            assert.deepStrictEqual(get(container(m.workload), "env"), [
                { name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: "api-secrets", key: "DATABASE_URL" } } },
                { name: "ENVIRONMENT", value: "production" },
                { name: "LOG_LEVEL", value: "info" },
            ]);
            assert.deepStrictEqual(Object.keys(m.secret?.stringData ?? {}), ["DATABASE_URL"]);
        });

    describe("stopping", () => {
        it("pauses with the native sleep action (no binary in the image), then gives the process its whole stop grace", () => {
            const t = podTemplate("api", { ...api, stopGracePeriodSeconds: 60 }, ctx, "service", {}, { preStopPauseSeconds: 10 });
            const c = container({ spec: { template: t } });
            assert.deepStrictEqual(get(c, "lifecycle"), { preStop: { sleep: { seconds: 10 } } });
            // The kubelet counts the hook inside the grace period: pause 10 + stop grace 60 + margin 5.
            assert.strictEqual(get(t, "spec.terminationGracePeriodSeconds"), 75);
        });

        it("adds no hook and keeps the spec's grace (default 30) without a pause", () => {
            const t = podTemplate("api", api, ctx, "service");
            assert.strictEqual(get(container({ spec: { template: t } }), "lifecycle"), undefined);
            assert.strictEqual(get(t, "spec.terminationGracePeriodSeconds"), 30);
            assert.strictEqual(get(podTemplate("api", { ...api, stopGracePeriodSeconds: 5 }, ctx, "service"), "spec.terminationGracePeriodSeconds"), 5);
        });
    });
});
