/**
 * A workload's health check and its defaults: the one definition both platforms derive their
 * probes from (docker HEALTHCHECK, Kubernetes probes). Its own module so that spec.ts and
 * validate.ts both import it without importing each other. Import it through spec.ts.
 */

/** A health check; the one definition both platforms derive their probes from. */
export type HealthCheck = (
    | {
          /** An HTTP GET that must answer 2xx/3xx. */
          readonly kind: "http";
          readonly path: string;
          readonly port: number;
          /** Host header to send. Defaults to none. */
          readonly host?: string;
      }
    | {
          /** A command run inside the container that must exit 0. */
          readonly kind: "exec";
          readonly command: readonly string[];
      }
    | {
          /** A TCP connect. */
          readonly kind: "tcp";
          readonly port: number;
      }
) & {
    /** Seconds between checks. Defaults to 15. */
    readonly intervalSeconds?: number;
    /** Seconds before one check counts as failed. Defaults to 5. */
    readonly timeoutSeconds?: number;
    /** Consecutive failures before the workload is unhealthy. Defaults to 3. */
    readonly retries?: number;
    /** Seconds a slow starter gets before failures count (docker start_period, k8s startupProbe). Defaults to 0. */
    readonly startPeriodSeconds?: number;
};

/** A health check with every default filled in. */
export type ResolvedHealthCheck = HealthCheck & {
    readonly intervalSeconds: number;
    readonly timeoutSeconds: number;
    readonly retries: number;
    readonly startPeriodSeconds: number;
};

/** Fills in the defaults of a health check. */
export function resolveHealthCheck(hc: HealthCheck): ResolvedHealthCheck {
    return {
        ...hc,
        intervalSeconds: hc.intervalSeconds ?? 15,
        timeoutSeconds: hc.timeoutSeconds ?? 5,
        retries: hc.retries ?? 3,
        startPeriodSeconds: hc.startPeriodSeconds ?? 0,
    };
}
