/**
 * The one short hash of the platforms. Rendered names and labels embed it (docker job triggers,
 * Kubernetes Job names, volume names), so the length is explicit at every call: changing it
 * would rename objects, and two lengths in one place would hide that.
 */
import * as crypto from "crypto";

/** The first `length` hex characters of the SHA-256 of `value`: short, stable, not secret-safe. */
export function shortHash(value: string, length: number): string {
    return crypto.createHash("sha256").update(value).digest("hex").slice(0, length);
}
