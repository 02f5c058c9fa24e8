/**
 * The network tiers and which may call which: their own module so that validate.ts (which spec.ts
 * re-exports) can use them too. Import them through spec.ts.
 */

/** Network tier of a workload; drives isolation (docker networks, Kubernetes NetworkPolicies). */
export type Tier = "edge" | "app" | "data" | "ops";

/** Every tier, in a stable order. */
export const TIERS: readonly Tier[] = ["edge", "app", "data", "ops"];

/**
 * Which tiers may open connections to which. The single source of truth for both platforms:
 * edge→app, app→data, ops→everything (scraping, backups), and nothing else.
 */
export const TIER_INGRESS: Readonly<Record<Tier, readonly Tier[]>> = {
    edge: ["ops"],
    app: ["edge", "ops"],
    data: ["app", "ops"],
    ops: ["ops"],
};
