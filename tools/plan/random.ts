/**
 * Every random value of an offline plan comes from here: mock passwords and keys, uuids,
 * Kubernetes uids, cluster IPs, PEM bodies, secure-config placeholders.
 *
 * Unseeded, each value is fresh randomness (what a real deployment would generate). Seeded
 * (`--seed N`), each value is derived from the seed and a stable label naming what it is for
 * (resource type, name and purpose), never from call order: the SDK registers resources
 * asynchronously, so the order of calls may differ between runs while the labels do not.
 */
import { createHash, randomBytes, randomInt } from "node:crypto";

/** Lower-case letters. */
export const LOWER = "abcdefghijklmnopqrstuvwxyz";
/** Upper-case letters. */
export const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/** Decimal digits. */
export const DIGITS = "0123456789";

/** Parses a `--seed` value: a non-negative integer. Throws naming the bad value. */
export function parseSeed(v: string): string {
    if (!/^\d{1,30}$/.test(v)) throw new Error(`--seed must be a non-negative integer, got "${v}"`);
    // "007" and "7" are the same seed.
    return BigInt(v).toString();
}

/** The plan's source of random values: seeded (deterministic per label) or fresh. */
export class PlanRandom {
    /** The seed, when the plan is deterministic. */
    readonly seed?: string;

    /** `seed` as returned by {@link parseSeed}; undefined for fresh randomness. */
    constructor(seed?: string) {
        this.seed = seed;
    }

    /** `n` bytes for `label`: SHAKE256 of seed and label when seeded, else fresh. */
    bytes(label: string, n: number): Buffer {
        if (this.seed === undefined) return randomBytes(n);
        // An extendable-output hash: any length, and a prefix of a longer draw never repeats a shorter one's label.
        return createHash("shake256", { outputLength: n }).update(`ptc-offline-plan\0${this.seed}\0${label}\0${n}`).digest();
    }

    /** An integer in `[0, max)` for `label`. */
    int(label: string, max: number): number {
        if (!Number.isSafeInteger(max) || max < 1) throw new Error(`PlanRandom.int: max must be a positive integer, got ${max}`);
        if (this.seed === undefined) return randomInt(max);
        // 64 bits reduced modulo max: the bias (< 2^-40 for the small ranges used here) does not matter for mocks.
        return Number(this.bytes(`int:${label}`, 8).readBigUInt64BE() % BigInt(max));
    }

    /** A version-4-shaped UUID for `label`. */
    uuid(label: string): string {
        const b = this.bytes(`uuid:${label}`, 16);
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        const h = b.toString("hex");
        return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }

    /** `length` characters drawn from `alphabet` for `label`. */
    text(label: string, alphabet: string, length: number): string {
        if (alphabet.length === 0) throw new Error("PlanRandom.text: empty alphabet");
        const b = this.bytes(`text:${label}`, length * 4);
        let out = "";
        for (let i = 0; i < length; i++) out += alphabet[this.seed === undefined ? randomInt(alphabet.length) : b.readUInt32BE(i * 4) % alphabet.length];
        return out;
    }

    /**
     * A PEM block (`-----BEGIN <type>-----`) with `bodyBytes` random bytes as its base64 body, for
     * `label`; returns the block and its body (record the body as a secret when the block is a key).
     */
    pem(label: string, type: string, bodyBytes = 96): { pem: string; body: string } {
        const body = this.bytes(`pem:${type}:${label}`, bodyBytes).toString("base64");
        return { pem: `-----BEGIN ${type}-----\n${body}\n-----END ${type}-----\n`, body };
    }
}
