/**
 * Validates rendered Kubernetes objects against the Kubernetes OpenAPI schema, using the
 * kubernetes-models package (one model class per apiVersion/kind, each with a compiled schema).
 *
 * kubernetes-models is loaded lazily with a dynamic `import()` of `kubernetes-models/<apiVersion>/<Kind>`.
 * Under tsx (mocha's `--import=tsx`, the plan) that stays a real ESM import of the package's `.mjs`
 * entry; compiled by tsc to CommonJS it becomes `require()` of the `.js` entry (4.5.1 ships both).
 * Either way only the kinds actually validated are loaded, and each is cached.
 */

/** A kubernetes-models class: constructed from a plain object, `validate()` throws on a schema error. */
type ModelClass = new (data: object) => { validate(): void };

/** An ajv-style error as kubernetes-models reports it. */
interface SchemaError {
    readonly instancePath?: string;
    readonly message?: string;
    readonly params?: Record<string, unknown>;
}

const cache = new Map<string, Promise<ModelClass>>();

/** Module path of the model for an apiVersion and kind, e.g. "apps/v1" + "Deployment" → "apps/v1/Deployment". */
function modelPath(apiVersion: string, kind: string): string {
    // Only names the package could hold; anything else cannot reach a file outside it.
    if (!/^([a-z0-9.-]+\/)?v[0-9]+((alpha|beta)[0-9]+)?$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) {
        throw new Error(`"${apiVersion}" / "${kind}" is not a Kubernetes apiVersion and kind`);
    }
    return `kubernetes-models/${apiVersion}/${kind}`;
}

async function loadModel(apiVersion: string, kind: string): Promise<ModelClass> {
    const path = modelPath(apiVersion, kind);
    let p = cache.get(path);
    if (!p) {
        p = (async () => {
            let mod: Record<string, unknown>;
            try {
                mod = (await import(path)) as Record<string, unknown>;
            } catch (err) {
                throw new Error(`no Kubernetes schema for apiVersion "${apiVersion}" kind "${kind}" (${(err as Error).message.split("\n")[0]})`);
            }
            const cls = mod[kind] ?? (mod.default as Record<string, unknown> | undefined)?.[kind];
            if (typeof cls !== "function") throw new Error(`kubernetes-models has no class ${kind} for apiVersion "${apiVersion}"`);
            return cls as ModelClass;
        })();
        cache.set(path, p);
        // A failed load is not cached: the next call tries again and reports the same error.
        p.catch(() => cache.delete(path));
    }
    return p;
}

function identify(obj: Record<string, unknown>): string {
    const md = (obj.metadata ?? {}) as Record<string, unknown>;
    const name = typeof md.name === "string" ? md.name : "<no name>";
    const ns = typeof md.namespace === "string" ? `${md.namespace}/` : "";
    return `${String(obj.apiVersion)} ${String(obj.kind)} "${ns}${name}"`;
}

function formatErrors(errors: readonly SchemaError[]): string {
    return errors
        .map((e) => {
            const where = e.instancePath && e.instancePath.length > 0 ? e.instancePath : "/";
            const allowed = e.params && Array.isArray(e.params.allowedValues) ? ` (${e.params.allowedValues.join(", ")})` : "";
            return `${where} ${e.message ?? "is invalid"}${allowed}`;
        })
        .join("; ");
}

/**
 * Validates one Kubernetes object against the OpenAPI schema of its apiVersion and kind.
 * Resolves when it is valid; rejects with an Error naming the apiVersion, kind, namespace/name
 * and the schema errors (JSON pointer and message) otherwise, or when the kind is unknown.
 *
 * The schema checks types, required fields and enums; like the API server's default it does not
 * reject unknown fields.
 */
export async function validateManifest(obj: unknown): Promise<void> {
    if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
        throw new Error(`a Kubernetes manifest must be an object, got ${obj === null ? "null" : Array.isArray(obj) ? "an array" : typeof obj}`);
    }
    const o = obj as Record<string, unknown>;
    if (typeof o.apiVersion !== "string" || typeof o.kind !== "string") {
        throw new Error(`manifest ${identify(o)} needs string apiVersion and kind`);
    }
    const Model = await loadModel(o.apiVersion, o.kind);
    try {
        new Model(o).validate();
    } catch (err) {
        const errors = (err as { errors?: SchemaError[] }).errors;
        const detail = Array.isArray(errors) && errors.length > 0 ? formatErrors(errors) : (err as Error).message;
        throw new Error(`${identify(o)} does not match the Kubernetes schema: ${detail}`);
    }
}

/** Validates several objects; rejects with every invalid object's message, one per line. */
export async function validateManifests(objs: readonly unknown[]): Promise<void> {
    const results = await Promise.allSettled(objs.map((o) => validateManifest(o)));
    const failures = results.flatMap((r) => (r.status === "rejected" ? [(r.reason as Error).message] : []));
    if (failures.length > 0) throw new Error(failures.join("\n"));
}
