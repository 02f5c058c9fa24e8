/**
 * Workload specs of the monitoring system as pure functions: what each image needs (command,
 * files, volumes, user, health check) in the platform-neutral form of `components/platform/spec`.
 * The components hand these to the stack's platform; tests call them without any runtime. One
 * file per component (the exporters and the Pushgateway together, the log pipeline together).
 */
export type { BaseSpecInput } from "./base";
export * from "./alertmanager";
export * from "./exporters";
export * from "./grafana";
export * from "./logs";
export * from "./prometheus";
