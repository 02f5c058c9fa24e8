/**
 * Small helpers for reading untyped values (resource inputs, config JSON) in the policy pack.
 *
 * The program and the tools have the same set in stacks/objects.ts (`at` is only here: only the
 * rules use it). The pack keeps its own copy because it must install and run on its own
 * (`pulumi preview --policy-pack policy` loads only policy/), so nothing in policy/ may import
 * from outside it. tests/plan/objects.test.ts keeps the two in step.
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

/** Reads a nested field: `at(x, "spec", "template")`. */
export function at(v: unknown, ...path: string[]): unknown {
    let cur = v;
    for (const key of path) {
        const o = obj(cur);
        if (!o) return undefined;
        cur = o[key];
    }
    return cur;
}
