/**
 * Monitoring, logging and alerting: Prometheus, Alertmanager, Grafana, Loki, the Alloy log
 * collector, the exporters and the Pushgateway as components, and the pure renderers of every
 * configuration file they run with.
 */
export * from "./alertmanager";
export * from "./alertmanager-config";
export * from "./alloy-config";
export * from "./blackbox-config";
export * from "./exporters";
export * from "./grafana";
export * from "./grafana-config";
export * from "./images";
export * from "./latency";
export * from "./log-collector";
export * from "./loki";
export * from "./loki-config";
export * from "./monitoring";
export * from "./prometheus";
export * from "./prometheus-config";
export * from "./rules";
export * from "./specs";
export * from "./workload";
