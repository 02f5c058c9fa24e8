/** Shared inputs of the monitoring renderers' unit and integration tests. */
import { PrometheusConfigInput } from "../../components/monitoring/prometheus-config";

/** Production-shaped Prometheus input (docker service names). */
export const SAMPLE_PROMETHEUS_INPUT: PrometheusConfigInput = {
    targets: {
        api: "api:8000",
        nodeExporters: ["node-exporter:9100"],
        postgresExporter: "postgres-exporter:9187",
        redisExporter: "redis-exporter:9121",
        nginxExporter: "nginx-exporter:9113",
        blackboxExporter: "blackbox-exporter:9115",
        pushgateway: "pushgateway:9091",
        alertmanager: "alertmanager:9093",
        grafana: "grafana:3000",
        loki: "loki:3100",
        prometheus: "localhost:9090",
    },
    probes: { publicUrl: "https://app.example.com/", apiHealthUrl: "http://edge:8080/api/v1/health" },
};
