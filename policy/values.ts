/**
 * The pack's copy of the value rules it shares with the program. The pack installs and runs on
 * its own (`pulumi preview --policy-pack policy`), so it cannot import the program's vocabulary
 * (components/platform/schemas.ts); this mirrors the part the pack checks, and
 * tests/policy/values-parity.test.ts runs one table of samples through both and expects the same
 * verdicts. Cron is not mirrored here: the backup rule parses cron with croner in cron.ts.
 */

/** A decimal number as Kubernetes quantities write it ("1", "0.5", ".5"). */
const NUMBER = String.raw`(?:\d+(?:\.\d+)?|\.\d+)`;

/** CPU: cores or millicores ("250m"). */
const CPU = new RegExp(`^${NUMBER}m?$`);

/**
 * Memory: a number with a binary (Ki … Ei) or decimal (k … E) suffix, or none. No "m" (0.001
 * bytes, the classic typo for "Mi") and no "K" (Kubernetes' kilo is "k").
 */
const MEMORY = new RegExp(`^${NUMBER}(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$`);

/** Is `q` a CPU quantity the program accepts ("250m", "1", "0.5")? */
export function isCpuQuantity(q: string): boolean {
    return CPU.test(q);
}

/** Is `q` a memory quantity the program accepts ("256Mi", "1Gi", "300M")? */
export function isMemoryQuantity(q: string): boolean {
    return MEMORY.test(q);
}

/** Is `q` a quantity of `resource` ("cpu" or "memory"); other resources are not judged (true). */
export function isQuantityOf(resource: string, q: string): boolean {
    if (resource === "cpu") return isCpuQuantity(q);
    if (resource === "memory") return isMemoryQuantity(q);
    return true;
}
