/**
 * The one definition of "under CI" for tests and tools, and the rule that goes with it: under CI a
 * suite that cannot run (a missing tool, a service that does not start) fails; elsewhere it is
 * skipped with the reason printed. .ci/run applies the same definition to its own summary.
 */

/**
 * Whether `CI` says we run under CI: set to anything but "", "0" or "false" (any case, spaces
 * ignored). CI systems set "true", some "1"; both count.
 *
 * @param env Environment to read. Defaults to process.env.
 */
export function underCi(env: NodeJS.ProcessEnv = process.env): boolean {
    const value = (env.CI ?? "").trim().toLowerCase();
    return value !== "" && value !== "0" && value !== "false";
}

/** {@link underCi} for this process, read once at load. */
export const UNDER_CI = underCi();

/** The part of a mocha context that {@link skipOrFail} uses. */
export interface Skippable {
    skip(): never;
}

/**
 * Gives up on the current suite or test because `reason` (what is missing): under CI by throwing,
 * so the hook or test fails and names the reason; elsewhere by printing it and skipping.
 *
 * @param ctx The mocha context (`this` inside a `function` hook or test).
 * @param reason What is missing, and how to get it.
 * @param ci Whether to act as under CI. Defaults to {@link UNDER_CI}.
 */
export function skipOrFail(ctx: Skippable, reason: string, ci: boolean = UNDER_CI): never {
    if (ci) throw new Error(`under CI a suite may not skip: ${reason}`);
    console.warn(`skipping: ${reason}`);
    return ctx.skip();
}
