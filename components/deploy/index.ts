/** What runs around an update: the post-deploy gate (its component, and the pure settings, triggers and environment). */
export * from "./gate";
export * from "./gate-options";
