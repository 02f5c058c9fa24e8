/**
 * Probes from the one platform-neutral health check: readiness, liveness and (for slow starters)
 * startup, with the same handler and docker's timing semantics.
 */
import type * as k8s from "@pulumi/kubernetes";
import { HealthCheck, ResolvedHealthCheck, resolveHealthCheck } from "../spec";

/** Probe handler for the one health check. */
export function probeHandler(hc: HealthCheck): k8s.types.input.core.v1.Probe {
    switch (hc.kind) {
        case "http":
            return {
                httpGet: {
                    path: hc.path,
                    port: hc.port,
                    scheme: "HTTP",
                    ...(hc.host ? { httpHeaders: [{ name: "Host", value: hc.host }] } : {}),
                },
            };
        case "exec":
            return { exec: { command: [...hc.command] } };
        case "tcp":
            return { tcpSocket: { port: hc.port } };
    }
}

/**
 * Readiness, liveness and (for slow starters) startup probes, all from the one health check:
 * same handler, period = interval, failureThreshold = retries. With a start period the startup
 * probe holds the other two back for ceil(start / interval) + retries periods: docker ignores
 * failures during start_period and then still allows `retries` failures, and so does this.
 */
export function probes(hc: HealthCheck): {
    readinessProbe: k8s.types.input.core.v1.Probe;
    livenessProbe: k8s.types.input.core.v1.Probe;
    startupProbe?: k8s.types.input.core.v1.Probe;
} {
    const r = resolveHealthCheck(hc);
    const timing = { periodSeconds: r.intervalSeconds, timeoutSeconds: r.timeoutSeconds, failureThreshold: r.retries };
    const out: ReturnType<typeof probes> = {
        readinessProbe: { ...probeHandler(r), ...timing, successThreshold: 1 },
        livenessProbe: { ...probeHandler(r), ...timing, successThreshold: 1 },
    };
    if (r.startPeriodSeconds > 0) {
        out.startupProbe = {
            ...probeHandler(r),
            periodSeconds: r.intervalSeconds,
            timeoutSeconds: r.timeoutSeconds,
            failureThreshold: startupFailureThreshold(r),
            successThreshold: 1,
        };
    }
    return out;
}

function startupFailureThreshold(r: ResolvedHealthCheck): number {
    return Math.ceil(r.startPeriodSeconds / r.intervalSeconds) + r.retries;
}

/**
 * Seconds a starting pod may stay unhealthy before the kubelet restarts it: the startup probe's
 * window with a start period, otherwise the liveness probe's (`retries` failed checks), plus one
 * timeout for the last check.
 */
export function startupBudgetSeconds(hc: HealthCheck): number {
    const r = resolveHealthCheck(hc);
    const checks = r.startPeriodSeconds > 0 ? startupFailureThreshold(r) : r.retries;
    return checks * r.intervalSeconds + r.timeoutSeconds;
}
