/**
 * The Kubernetes platform and its pure renderers, one file per concern (in the manner of
 * cdk8s-plus `src/`): names, metadata, probes, the pod template, config, workloads, services, jobs
 * and schedules, network policies, RBAC, namespaces, Kubernetes-only validation, and validation of
 * rendered objects against the Kubernetes schema. Import from here, not from the files.
 */
export * from "./config";
export * from "./jobs";
export * from "./metadata";
export * from "./names";
export * from "./namespace";
export * from "./network-policies";
export * from "./platform";
export * from "./pod-template";
export * from "./probes";
export * from "./rbac";
export * from "./rollout";
export * from "./schema-validate";
export * from "./services";
export * from "./traits";
export * from "./types";
export * from "./validate";
export * from "./workloads";
export { shortHash } from "../hash";
