/**
 * The `ptc-availability` group: is the alerting pipeline alive (Watchdog), are the targets
 * scraped (TargetDown), do users reach the site (UptimeProbeFailing), are the data stores up
 * (PostgresDown, RedisDown).
 */
import { JOBS } from "../prometheus-config";
import { RuleDomain } from "./rule";

/** Availability alerts, in rule file order. */
export const AVAILABILITY_RULES: RuleDomain = {
    group: "availability",
    alerts: () => [
        {
            name: "Watchdog",
            severity: "none",
            forSeconds: 0,
            detection: { kind: "clock" },
            meaning: "Always firing. Alertmanager sends it to the heartbeat URL; when the heartbeat stops, the alerting pipeline itself is broken.",
            firstResponse: "Nothing while it fires. If the heartbeat service reports it missing: check Prometheus, Alertmanager and their link.",
            expr: "vector(1)",
            summary: "Alerting pipeline heartbeat (always firing)",
            description: "This alert always fires so that a dead-man's switch notices when Prometheus or Alertmanager stops working.",
        },
        {
            name: "TargetDown",
            severity: "page",
            forSeconds: 120,
            detection: { kind: "failed-scrape" },
            meaning: "Prometheus cannot scrape an app, edge or data tier target (the service or its exporter is down or unreachable).",
            firstResponse: "Check the workload named by `service`/`instance`: is it running, healthy, reachable on its port; read its logs in Grafana (Loki).",
            expr: `up{job!="${JOBS.probeHttp}",tier!="ops"} == 0`,
            summary: "Scrape target {{ $labels.instance }} ({{ $labels.service }}) is down",
            description: "Prometheus has failed to scrape {{ $labels.instance }} of job {{ $labels.job }} (tier {{ $labels.tier }}) for 2 minutes.",
        },
        {
            name: "TargetDown",
            severity: "ticket",
            forSeconds: 600,
            detection: { kind: "failed-scrape" },
            meaning: "Prometheus cannot scrape a monitoring (ops tier) target; monitoring coverage is reduced, users are not affected.",
            firstResponse: "Restart or fix the monitoring workload named by `service` during working hours.",
            expr: `up{job!="${JOBS.probeHttp}",tier="ops"} == 0`,
            summary: "Monitoring target {{ $labels.instance }} ({{ $labels.service }}) is down",
            description: "Prometheus has failed to scrape {{ $labels.instance }} of job {{ $labels.job }} (tier ops) for 10 minutes.",
        },
        {
            name: "UptimeProbeFailing",
            severity: "page",
            forSeconds: 60,
            detection: { kind: "failed-scrape" },
            meaning: "The blackbox probe of the public URL or the API health URL fails: users see the outage (the uptime SLI).",
            firstResponse: "Open the URL yourself; then check the edge (nginx), the API health and the certificate; PostgresDown/RedisDown point at the cause.",
            expr: `probe_success{job="${JOBS.probeHttp}"} == 0`,
            summary: "Uptime probe {{ $labels.probe }} failing for {{ $labels.instance }}",
            description: "The blackbox exporter has failed to get a 2xx from {{ $labels.instance }} for 1 minute.",
        },
        {
            name: "PostgresDown",
            severity: "page",
            forSeconds: 60,
            detection: { kind: "failed-scrape" },
            meaning: "postgres-exporter cannot connect to PostgreSQL: the API cannot read or write data.",
            firstResponse: "Check the postgres workload (running, health, disk, logs); if its data is lost follow the DR runbook (restore from the latest backup).",
            expr: `pg_up{job="${JOBS.postgres}"} == 0`,
            labels: { store: "postgres" },
            summary: "PostgreSQL is down ({{ $labels.instance }})",
            description: "postgres-exporter {{ $labels.instance }} has not been able to connect to PostgreSQL for 1 minute.",
        },
        {
            name: "RedisDown",
            severity: "page",
            forSeconds: 60,
            detection: { kind: "failed-scrape" },
            meaning: "redis-exporter cannot connect to Redis: sessions, caches and queues are unavailable.",
            firstResponse: "Check the redis workload (running, health, memory, logs); restore the RDB from the latest backup if its data is lost.",
            expr: `redis_up{job="${JOBS.redis}"} == 0`,
            labels: { store: "redis" },
            summary: "Redis is down ({{ $labels.instance }})",
            description: "redis-exporter {{ $labels.instance }} has not been able to connect to Redis for 1 minute.",
        },
    ],
};
