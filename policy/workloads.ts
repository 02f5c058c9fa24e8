/**
 * Workload rules: health checks (docker healthcheck, Kubernetes readiness and liveness probes),
 * their timings, and CPU/memory requests and limits.
 */
import { LABELS } from "./labels";
import { arr, at, K8S_POD_OWNERS, K8S_SERVICE_WORKLOADS, metaOf, num, obj, Obj, podOf, Subject, TYPES } from "./resources";
import { Finding, resourceRule } from "./rule";
import { isQuantityOf } from "./values";

/** Commands that always succeed: a health check running one of them checks nothing. */
const TRIVIAL_COMMANDS = new Set(["true", "/bin/true", "/usr/bin/true", ":", "exit 0", "echo", "/bin/sh -c true", "sh -c true", "sh -c exit 0"]);

function isTrivial(command: readonly string[]): boolean {
    const joined = command.join(" ").trim().replace(/\s+/g, " ");
    return joined === "" || TRIVIAL_COMMANDS.has(joined) || /^echo(\s|$)/.test(joined);
}

/** True for docker containers the platform runs to completion (no health check expected). */
function isDockerJob(subject: Subject): boolean {
    return metaOf(subject).labels[LABELS.kind] === "job";
}

/**
 * Parses a Go duration as docker uses it ("15s", "1m30s", "500ms", "0s") into seconds.
 * Undefined when absent; throws on garbage.
 */
export function parseDurationSeconds(value: unknown): number | undefined {
    if (value === undefined || value === null || value === "") return undefined;
    if (typeof value === "number") return value;
    const text = String(value);
    const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001, us: 0.000001, "µs": 0.000001, ns: 1e-9 };
    const re = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/gy;
    let total = 0;
    let consumed = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
        total += Number(m[1]) * unit[m[2]];
        consumed = re.lastIndex;
    }
    if (consumed !== text.length || text === "") throw new Error(`"${text}" is not a duration like "15s" or "1m30s"`);
    return total;
}

/** Docker's built-in healthcheck defaults (docker run reference), used when a field is absent. */
const DOCKER_DEFAULTS = { interval: 30, timeout: 30, retries: 3, startPeriod: 0 };
/** Kubernetes probe defaults. */
const K8S_DEFAULTS = { periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3, initialDelaySeconds: 0 };

/** `docker-health-check`: every long-running docker container has a real healthcheck. */
export const dockerHealthCheck = resourceRule({
    name: "docker-health-check",
    description: "Checks that every docker container that is not a job has a healthcheck with a real test.",
    checks: {
        "missing": "the container has no healthcheck",
        "disabled": "the healthcheck test is NONE or empty",
        "trivial-test": "the test command always succeeds (true, exit 0, echo)",
    },
    config: {},
    types: [TYPES.container],
    check(subject): Finding[] {
        if (isDockerJob(subject)) return [];
        const hc = obj(subject.props.healthcheck);
        if (!hc) {
            return [{ check: "missing", message: "add a healthcheck (tests: [\"CMD\", ...] probing the service) - give the workload spec a healthCheck" }];
        }
        const tests = arr(hc.tests).map((t) => String(t));
        const [mode, ...rest] = tests;
        if (tests.length === 0 || mode === "NONE") {
            return [{ check: "disabled", message: `the healthcheck test is ${tests.length === 0 ? "empty" : "NONE"}; set tests to ["CMD", ...] or ["CMD-SHELL", "..."] that probes the service` }];
        }
        const command = mode === "CMD" || mode === "CMD-SHELL" ? rest : tests;
        if (command.every((c) => c.trim() === "")) {
            return [{ check: "disabled", message: `the healthcheck "${mode}" has no command; give it a command that probes the service` }];
        }
        if (isTrivial(command)) {
            return [{ check: "trivial-test", message: `the healthcheck runs "${command.join(" ")}", which always succeeds; probe the service itself (HTTP path, TCP port or a client command)` }];
        }
        return [];
    },
});

function probeHandler(probe: Obj): string | undefined {
    if (obj(probe.httpGet) || obj(probe.tcpSocket) || obj(probe.grpc)) return undefined;
    const command = arr(at(probe, "exec", "command")).map((c) => String(c));
    if (obj(probe.exec)) {
        if (command.length === 0) return "has an exec handler without a command";
        if (isTrivial(command)) return `runs "${command.join(" ")}", which always succeeds`;
        return undefined;
    }
    return "has no handler (httpGet, tcpSocket, grpc or exec)";
}

/** `kubernetes-probes`: every container of a Deployment, StatefulSet or DaemonSet has readiness and liveness probes. */
export const kubernetesProbes = resourceRule({
    name: "kubernetes-probes",
    description: "Checks that every container of a Kubernetes Deployment, StatefulSet or DaemonSet has a readiness and a liveness probe with a real handler.",
    checks: {
        "readiness-missing": "a container has no readinessProbe",
        "liveness-missing": "a container has no livenessProbe",
        "probe-invalid": "a probe has no handler or one that always succeeds",
    },
    config: {},
    types: K8S_SERVICE_WORKLOADS,
    check(subject): Finding[] {
        const findings: Finding[] = [];
        for (const c of podOf(subject)?.containers ?? []) {
            if (c.init) continue;
            for (const [field, check] of [["readinessProbe", "readiness-missing"], ["livenessProbe", "liveness-missing"]] as const) {
                const probe = obj(c.spec[field]);
                if (!probe) {
                    findings.push({ check, message: `container "${c.name}" has no ${field}; add one (the platform derives it from the spec's healthCheck)` });
                    continue;
                }
                const problem = probeHandler(probe);
                if (problem) findings.push({ check: "probe-invalid", message: `container "${c.name}" ${field} ${problem}; probe the service (httpGet, tcpSocket, grpc or a real exec command)` });
            }
        }
        return findings;
    },
});

/** Resolved config of {@link healthCheckTiming}. */
export interface TimingConfig {
    /** Shortest interval between checks, seconds. */
    readonly minIntervalSeconds: number;
    /** Longest interval between checks, seconds. */
    readonly maxIntervalSeconds: number;
    /** Longest timeout of one check, seconds (it must also be shorter than the interval). */
    readonly maxTimeoutSeconds: number;
    /** Most consecutive failures before the workload counts as unhealthy. */
    readonly maxRetries: number;
    /** Longest interval × retries, seconds: how long a dead workload can look alive. */
    readonly maxDetectionSeconds: number;
    /** Longest start-up grace (docker start_period; Kubernetes initial delay or startup probe budget), seconds. */
    readonly maxStartPeriodSeconds: number;
}

function timingFindings(where: string, t: { interval: number; timeout: number; retries: number; start: number }, cfg: TimingConfig, startLabel: string): Finding[] {
    const out: Finding[] = [];
    const push = (message: string): void => void out.push({ check: "out-of-bounds", message: `${where}: ${message}` });
    if (t.interval < cfg.minIntervalSeconds || t.interval > cfg.maxIntervalSeconds) {
        push(`interval ${t.interval}s is outside ${cfg.minIntervalSeconds}-${cfg.maxIntervalSeconds}s; set it within the bounds`);
    }
    if (t.timeout > cfg.maxTimeoutSeconds) push(`timeout ${t.timeout}s exceeds ${cfg.maxTimeoutSeconds}s; lower it`);
    if (t.timeout >= t.interval) push(`timeout ${t.timeout}s must be shorter than the interval ${t.interval}s; lower the timeout or raise the interval`);
    if (t.retries < 1 || t.retries > cfg.maxRetries) push(`retries ${t.retries} is outside 1-${cfg.maxRetries}; set it within the bounds`);
    if (t.interval * t.retries > cfg.maxDetectionSeconds) {
        push(`interval × retries = ${t.interval * t.retries}s exceeds ${cfg.maxDetectionSeconds}s before a failure is noticed; shorten the interval or lower the retries`);
    }
    if (t.start > cfg.maxStartPeriodSeconds) push(`${startLabel} ${t.start}s exceeds ${cfg.maxStartPeriodSeconds}s; shorten it`);
    return out;
}

/** `health-check-timing`: docker healthcheck and Kubernetes probe timings are within bounds. */
export const healthCheckTiming = resourceRule<TimingConfig>({
    name: "health-check-timing",
    description: "Checks that docker healthcheck and Kubernetes probe timings (interval, timeout, retries, start period) are within the configured bounds.",
    checks: { "out-of-bounds": "a timing is outside its configured bounds", "invalid-duration": "a docker duration cannot be parsed" },
    config: {
        minIntervalSeconds: { type: "number", minimum: 1, default: 5, description: "Shortest interval between checks, seconds." },
        maxIntervalSeconds: { type: "number", minimum: 1, default: 60, description: "Longest interval between checks, seconds." },
        maxTimeoutSeconds: { type: "number", minimum: 1, default: 30, description: "Longest timeout of one check, seconds; it must also be shorter than the interval." },
        maxRetries: { type: "integer", minimum: 1, default: 10, description: "Most consecutive failures before unhealthy." },
        maxDetectionSeconds: { type: "number", minimum: 1, default: 180, description: "Longest interval × retries, seconds." },
        maxStartPeriodSeconds: { type: "number", minimum: 0, default: 600, description: "Longest start-up grace, seconds." },
    },
    types: [TYPES.container, ...K8S_SERVICE_WORKLOADS],
    check(subject, cfg): Finding[] {
        if (subject.type === TYPES.container) {
            if (isDockerJob(subject)) return [];
            const hc = obj(subject.props.healthcheck);
            if (!hc) return [];
            let t;
            try {
                t = {
                    interval: parseDurationSeconds(hc.interval) ?? DOCKER_DEFAULTS.interval,
                    timeout: parseDurationSeconds(hc.timeout) ?? DOCKER_DEFAULTS.timeout,
                    retries: num(hc.retries) ?? DOCKER_DEFAULTS.retries,
                    start: parseDurationSeconds(hc.startPeriod) ?? DOCKER_DEFAULTS.startPeriod,
                };
            } catch (e) {
                return [{ check: "invalid-duration", message: `healthcheck: ${(e as Error).message}` }];
            }
            return timingFindings("healthcheck", t, cfg, "start period");
        }
        const findings: Finding[] = [];
        for (const c of podOf(subject)?.containers ?? []) {
            if (c.init) continue;
            for (const field of ["readinessProbe", "livenessProbe", "startupProbe"] as const) {
                const p = obj(c.spec[field]);
                if (!p) continue;
                const interval = num(p.periodSeconds) ?? K8S_DEFAULTS.periodSeconds;
                const retries = num(p.failureThreshold) ?? K8S_DEFAULTS.failureThreshold;
                const delay = num(p.initialDelaySeconds) ?? K8S_DEFAULTS.initialDelaySeconds;
                const where = `container "${c.name}" ${field}`;
                if (field === "startupProbe") {
                    // A startup probe is the start-up grace itself: only its budget and timeout are bounded.
                    const budget = delay + interval * retries;
                    if (budget > cfg.maxStartPeriodSeconds) {
                        findings.push({ check: "out-of-bounds", message: `${where}: start-up budget (initialDelay + period × failureThreshold) ${budget}s exceeds ${cfg.maxStartPeriodSeconds}s; shorten it` });
                    }
                    const timeout = num(p.timeoutSeconds) ?? K8S_DEFAULTS.timeoutSeconds;
                    if (timeout > cfg.maxTimeoutSeconds) findings.push({ check: "out-of-bounds", message: `${where}: timeout ${timeout}s exceeds ${cfg.maxTimeoutSeconds}s; lower it` });
                    continue;
                }
                findings.push(
                    ...timingFindings(where, { interval, timeout: num(p.timeoutSeconds) ?? K8S_DEFAULTS.timeoutSeconds, retries, start: delay }, cfg, "initialDelaySeconds"),
                );
            }
        }
        return findings;
    },
});

/** Resolved config of {@link resourceLimits}. */
export interface LimitsConfig {
    /** Require a CPU limit too (the platform leaves CPU unlimited by design). */
    readonly requireCpuLimit: boolean;
}

/** `resource-limits`: containers declare requests and limits. */
export const resourceLimits = resourceRule<LimitsConfig>({
    name: "resource-limits",
    description: "Checks that every container sets CPU and memory requests and a memory limit (Kubernetes resources; docker memory).",
    checks: {
        "docker-memory": "a docker container has no memory limit",
        "requests": "a Kubernetes container lacks a CPU or memory request",
        "limits": "a Kubernetes container lacks a memory limit (or a CPU limit when required)",
    },
    config: {
        requireCpuLimit: { type: "boolean", default: false, description: "Also require a CPU limit (off: CPU throttling hurts latency more than it protects)." },
    },
    types: [TYPES.container, ...K8S_POD_OWNERS],
    check(subject, cfg): Finding[] {
        if (subject.type === TYPES.container) {
            const memory = num(subject.props.memory);
            return memory !== undefined && memory > 0
                ? []
                : [{ check: "docker-memory", message: "the container has no memory limit; set memory (MiB) from the spec's resources" }];
        }
        const findings: Finding[] = [];
        for (const c of podOf(subject)?.containers ?? []) {
            const requests = obj(at(c.spec, "resources", "requests")) ?? {};
            const limits = obj(at(c.spec, "resources", "limits")) ?? {};
            const missingRequests = ["cpu", "memory"].filter((k) => requests[k] === undefined || requests[k] === null || requests[k] === "");
            if (missingRequests.length > 0) {
                findings.push({ check: "requests", message: `container "${c.name}" has no ${missingRequests.join(" or ")} request; set resources.requests` });
            }
            const wantedLimits = cfg.requireCpuLimit ? ["cpu", "memory"] : ["memory"];
            const missingLimits = wantedLimits.filter((k) => limits[k] === undefined || limits[k] === null || limits[k] === "");
            if (missingLimits.length > 0) {
                findings.push({ check: "limits", message: `container "${c.name}" has no ${missingLimits.join(" or ")} limit; set resources.limits` });
            }
            for (const [what, values] of [["requests", requests], ["limits", limits]] as const) {
                for (const [k, q] of Object.entries(values)) {
                    if (typeof q === "string" && q !== "" && !isQuantityOf(k, q)) {
                        findings.push({ check: what, message: `container "${c.name}" has ${k} ${what.slice(0, -1)} "${q}", which is not a ${k} quantity (e.g. ${k === "cpu" ? "250m" : "256Mi"})` });
                    }
                }
            }
        }
        return findings;
    },
});

/** The workload rules, in report order. */
export const workloadPolicies = [dockerHealthCheck, kubernetesProbes, healthCheckTiming, resourceLimits];

