/**
 * Pulumi's wire format as the offline plan sees it, and the redaction of secrets.
 *
 * The plan records every resource's inputs in the engine's wire form (what a real
 * `RegisterResource` request carries): secrets stay wrapped in the secret envelope so that the
 * policy pack can see that they are secrets, resource references become their URN, assets become
 * plain objects. Everything the plan prints or writes goes through {@link redact} or
 * {@link redactLeaves} first.
 */

/** Key that marks a special value on the wire. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
/** Signature of a secret envelope. */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
/** Signature of a resource reference. */
export const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
/** Signature of an asset. */
export const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
/** Signature of an archive. */
export const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
/** Signature of an output value (not used by the mock monitor, handled for completeness). */
export const OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
/** The wire sentinel of an unknown (computed) value. */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** What every secret value is replaced with in the plan's JSON, console and artifacts. */
export const REDACTED = "[secret]";

/** A secret as the engine receives it. */
export interface SecretEnvelope {
    readonly [SIG_KEY]: typeof SECRET_SIG;
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

/** True when `v` is a plain JSON object (not an array, not null). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

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
