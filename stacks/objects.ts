/**
 * Small helpers for reading untyped values (parsed config, resource inputs, wire JSON), shared by
 * the program (stacks/) and the tools (tools/plan, tools/plan-diff) and their tests.
 *
 * The policy pack has the same set in policy/objects.ts: it must install and run on its own
 * (`pulumi preview --policy-pack policy` loads only policy/), so it cannot import this file.
 * tests/plan/objects.test.ts keeps the two in step.
 */

/** A plain object, read-only. */
export type Obj = Readonly<Record<string, unknown>>;

/** True when `v` is a non-null, non-array object. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Returns `v` when it is a non-array object. */
export function obj(v: unknown): Obj | undefined {
    return isPlainObject(v) ? v : undefined;
}

/** Returns `v` when it is a non-array object, else an empty object (for chained reads). */
export function record(v: unknown): Record<string, unknown> {
    return isPlainObject(v) ? v : {};
}

/** Returns `v` when it is an array, else an empty array. */
export function arr(v: unknown): readonly unknown[] {
    return Array.isArray(v) ? v : [];
}

/** Returns `v` when it is a string. */
export function str(v: unknown): string | undefined {
    return typeof v === "string" ? v : undefined;
}

/** Returns `v` when it is a finite number. */
export function num(v: unknown): number | undefined {
    return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}
