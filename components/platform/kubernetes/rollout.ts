/**
 * How long-running services roll and stop on Kubernetes: the platform defaults behind
 * `minReadySeconds`, `progressDeadlineSeconds`, the preStop pause and the termination grace period,
 * decided per workload kind.
 *
 * - Deployment (stateless, replicated, behind a Service): all of them. A pod being replaced first
 *   pauses in its preStop hook while kube-proxy, the endpoint controllers and the edge drop it from
 *   their endpoints, and only then gets SIGTERM; new pods count only after staying ready for
 *   {@link MIN_READY_SECONDS}; a rollout that makes no progress for its deadline is marked failed.
 * - StatefulSet (one replica on a ReadWriteOnce volume): no pause. Its replacement has the same
 *   name and volume and cannot start before the old pod is gone, so no other endpoint could take
 *   over during a pause; it would only delay the update. Stop-first, grace = the spec's.
 * - DaemonSet (node agents, scraped through a headless Service): {@link MIN_READY_SECONDS} only, so
 *   an agent that turns ready and then crashes does not move the rollout to the next node; no pause
 *   (nothing routes client traffic to an agent; a missed scrape is absorbed by the alert rules' `for`).
 * - Jobs and CronJobs: none of this (run to completion; nothing routes to them).
 */
import { HealthCheck, WorkloadSpec } from "../spec";
import { startupBudgetSeconds } from "./probes";

/** Seconds a new pod must stay ready before it counts as available (Deployments, DaemonSets). */
export const MIN_READY_SECONDS = 10;

/**
 * Lower bound of a Deployment's `progressDeadlineSeconds` (Kubernetes' own default): the longest a
 * rollout may go without a new pod becoming available before the controller marks it
 * `ProgressDeadlineExceeded`. Raised per Deployment by {@link progressDeadlineSeconds}.
 */
export const PROGRESS_DEADLINE_SECONDS = 600;

/**
 * Seconds a Deployment's terminating pod pauses in its preStop hook before SIGTERM, so that
 * endpoints (Services, the edge's upstreams, a cloud load balancer's targets) stop sending it new
 * requests first. Kubernetes' native `sleep` action (`lifecycle.preStop.sleep`, on by default since
 * Kubernetes 1.30): no `sleep` binary needed in the image (several exporters ship none).
 */
export const PRESTOP_PAUSE_SECONDS = 10;

/**
 * Seconds of the termination grace period beyond pause + the spec's stop grace: the kubelet counts
 * the preStop hook inside the grace period, so without a margin the process would get less than its
 * stop grace after SIGTERM whenever the hook starts late.
 */
export const TERMINATION_MARGIN_SECONDS = 5;

/**
 * Seconds Pulumi waits for a Deployment rollout beyond its progress deadline: the provider's await
 * does not stop at `ProgressDeadlineExceeded` (it reports it as a warning), so its timeout sits just
 * after the deadline and its error carries the controller's verdict.
 */
export const ROLLOUT_AWAIT_MARGIN_SECONDS = 60;

/**
 * A Deployment's progress deadline: {@link PROGRESS_DEADLINE_SECONDS}, or longer when one pod's
 * start-up budget (what its probes allow before the kubelet restarts it) plus
 * {@link MIN_READY_SECONDS} exceeds it, so a slow but healthy starter never trips the deadline.
 */
export function progressDeadlineSeconds(hc: HealthCheck): number {
    return Math.max(PROGRESS_DEADLINE_SECONDS, startupBudgetSeconds(hc) + MIN_READY_SECONDS);
}

/**
 * The pod's `terminationGracePeriodSeconds`: the spec's stop grace (default 30), plus, with a
 * preStop pause, the pause and {@link TERMINATION_MARGIN_SECONDS}.
 */
export function terminationGracePeriodSeconds(spec: Pick<WorkloadSpec, "stopGracePeriodSeconds">, preStopPauseSeconds: number): number {
    const stop = spec.stopGracePeriodSeconds ?? 30;
    return preStopPauseSeconds > 0 ? preStopPauseSeconds + stop + TERMINATION_MARGIN_SECONDS : stop;
}

/** How long Pulumi awaits a Deployment's rollout: its progress deadline plus {@link ROLLOUT_AWAIT_MARGIN_SECONDS}. */
export function rolloutAwaitSeconds(hc: HealthCheck): number {
    return progressDeadlineSeconds(hc) + ROLLOUT_AWAIT_MARGIN_SECONDS;
}
