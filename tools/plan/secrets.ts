/**
 * Pulumi's wire format as the offline plan sees it, and the redaction of secrets.
 *
 * The plan records every resource's inputs in the engine's wire form (what a real
 * `RegisterResource` request carries): secrets stay wrapped in the secret envelope so that the
 * policy pack can see that they are secrets, resource references become their URN, assets become
 * plain objects. Everything the plan prints or writes goes through {@link redact} or
 * {@link redactLeaves} first.
 */

import { isPlainObject } from "../../stacks/objects";
import { ARCHIVE_SIG, ASSET_SIG, OUTPUT_VALUE_SIG, RESOURCE_SIG, SECRET_SIG, SIG_KEY, UNKNOWN_VALUE } from "./sdk-monitor";

// The SDK's own constants (pulumi.runtime.specialSigKey, ...), through the adapter.
export { ARCHIVE_SIG, ASSET_SIG, OUTPUT_VALUE_SIG, RESOURCE_SIG, SECRET_SIG, SIG_KEY, UNKNOWN_VALUE };

/** What every secret value is replaced with in the plan's JSON, console and artifacts. */
export const REDACTED = "[secret]";

/** A secret as the engine receives it. */
export interface SecretEnvelope {
    readonly [key: string]: unknown;
    readonly value: unknown;
}

/** True when `v` is a secret envelope. */
export function isSecretEnvelope(v: unknown): v is SecretEnvelope {
    return typeof v === "object" && v !== null && !Array.isArray(v) && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** Wraps a value in a secret envelope (tests and mocks). */
export function secretEnvelope(value: unknown): SecretEnvelope {
    return { [SIG_KEY]: SECRET_SIG, value } as SecretEnvelope;
}

// The object helpers of the program and the tools; re-exported for the plan's modules.
export { isPlainObject };

/**
 * Turns a wire value (a `google.protobuf.Struct` converted with `toJavaScript()`) into plain JSON:
 * secrets stay envelopes (with a normalised value), resource references become their URN,
 * assets and archives become `{ asset: {...} }` / `{ archive: {...} }` objects, output values
 * become their value (wrapped when secret), unknowns are dropped.
 */
export function normalizeWire(v: unknown): unknown {
    if (v === UNKNOWN_VALUE) return undefined;
    if (Array.isArray(v)) return v.map((e) => normalizeWire(e) ?? null);
    if (!isPlainObject(v)) return v;
    const sig = v[SIG_KEY];
    if (sig === SECRET_SIG) return secretEnvelope(normalizeWire(v.value) ?? null);
    if (sig === RESOURCE_SIG) return v.urn;
    if (sig === ASSET_SIG || sig === ARCHIVE_SIG) {
        const rest = Object.fromEntries(Object.entries(v).filter(([k]) => k !== SIG_KEY).map(([k, x]) => [k, normalizeWire(x)]));
        return { [sig === ASSET_SIG ? "asset" : "archive"]: rest };
    }
    if (sig === OUTPUT_VALUE_SIG) {
        const inner = normalizeWire(v.value);
        return v.secret === true ? secretEnvelope(inner ?? null) : inner;
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
        const n = normalizeWire(x);
        if (n !== undefined) out[k] = n;
    }
    return out;
}

/**
 * Replaces every secret envelope, wherever it sits, by the string {@link REDACTED}: the form
 * of the plan's JSON contract and console output.
 */
export function redact(v: unknown): unknown {
    if (isSecretEnvelope(v)) return REDACTED;
    if (Array.isArray(v)) return v.map(redact);
    if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redact(x)]));
    return v;
}

/**
 * Replaces every scalar inside a secret envelope by `leaf` (default {@link REDACTED}) but keeps
 * the envelope's structure (object keys, array lengths): the form of rendered artifacts, so that
 * a Kubernetes Secret's `stringData` stays a map of keys and its manifest stays schema-valid.
 */
export function redactLeaves(v: unknown, leaf: (path: readonly string[]) => string = () => REDACTED, path: readonly string[] = []): unknown {
    if (isSecretEnvelope(v)) return blank(v.value, leaf, path);
    if (Array.isArray(v)) return v.map((x, i) => redactLeaves(x, leaf, [...path, String(i)]));
    if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactLeaves(x, leaf, [...path, k])]));
    return v;
}

function blank(v: unknown, leaf: (path: readonly string[]) => string, path: readonly string[]): unknown {
    if (isSecretEnvelope(v)) return blank(v.value, leaf, path);
    if (Array.isArray(v)) return v.map((x, i) => blank(x, leaf, [...path, String(i)]));
    if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, blank(x, leaf, [...path, k])]));
    if (v === null || v === undefined) return v;
    return leaf(path);
}

/** True when `v` holds a secret envelope anywhere. */
export function containsSecret(v: unknown): boolean {
    if (isSecretEnvelope(v)) return true;
    if (Array.isArray(v)) return v.some(containsSecret);
    if (isPlainObject(v)) return Object.values(v).some(containsSecret);
    return false;
}

/** Removes every secret envelope, returning the raw values (for reading names and paths, never for output). */
export function unwrapSecrets(v: unknown): unknown {
    if (isSecretEnvelope(v)) return unwrapSecrets(v.value);
    if (Array.isArray(v)) return v.map(unwrapSecrets);
    if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrapSecrets(x)]));
    return v;
}
