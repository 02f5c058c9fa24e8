/** Image reference checks shared by the stack loader (and mirrored by the policy pack's image rule). */

/** The parts of an image reference: repository, tag and digest. */
export interface ImageRef {
    readonly repository: string;
    readonly tag?: string;
    readonly digest?: string;
}

/** Splits "registry:5000/org/name:tag@sha256:…" into its parts; throws on an empty or malformed reference. */
export function parseImageRef(ref: string): ImageRef {
    const trimmed = ref.trim();
    if (trimmed === "" || /\s/.test(trimmed)) throw new Error(`"${ref}" is not an image reference`);
    let rest = trimmed;
    let digest: string | undefined;
    const at = rest.indexOf("@");
    if (at >= 0) {
        digest = rest.slice(at + 1);
        rest = rest.slice(0, at);
        if (!/^sha256:[a-f0-9]{64}$/.test(digest)) throw new Error(`"${ref}" has a malformed digest (want sha256:<64 hex>)`);
    }
    // A tag is after the last ":" that comes after the last "/" (a registry port is before a "/").
    const slash = rest.lastIndexOf("/");
    const colon = rest.lastIndexOf(":");
    let tag: string | undefined;
    if (colon > slash) {
        tag = rest.slice(colon + 1);
        rest = rest.slice(0, colon);
        if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) throw new Error(`"${ref}" has a malformed tag "${tag}"`);
    }
    if (!/^[a-z0-9]+([._:/-][a-z0-9]+)*$/.test(rest)) throw new Error(`"${ref}" has a malformed repository "${rest}"`);
    return { repository: rest, tag, digest };
}

/** True when the reference can point at different images over time: ":latest", or neither tag nor digest. */
export function isMutableImageRef(ref: string): boolean {
    const { tag, digest } = parseImageRef(ref);
    if (digest) return false;
    return tag === undefined || tag === "latest";
}
