/** Application workloads. */
export * from "./api";
export * from "./web";
