/** Data stores. */
export * from "./postgres";
export * from "./redis";
