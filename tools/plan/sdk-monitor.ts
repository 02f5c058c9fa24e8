/**
 * The one place the offline plan touches private internals of the Node SDK (@pulumi/pulumi):
 * the mock monitor that `pulumi.runtime.setMocks` installs (its protobuf requests and responses:
 * `getType()`, `getObject()`, `setObject(Struct)`...) and `runtime.waitForRPCs`. None of them is
 * public API, so an SDK upgrade may change them: every use checks its shape first and throws a
 * {@link SdkAdapterError} naming the installed SDK version and this file, and
 * tests/plan/sdk-monitor.test.ts drives them end to end on every `npm test`.
 *
 * Public constants of the wire format (`pulumi.runtime.specialSigKey`, ...) are re-exported
 * from here so that no other file copies them by hand.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";

/** The installed @pulumi/pulumi version (from its package.json). */
export const PULUMI_SDK_VERSION: string = (
    JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve("@pulumi/pulumi")), "package.json"), "utf8")) as { version: string }
).version;

/** Key that marks a special value on the wire (`pulumi.runtime.specialSigKey`). */
export const SIG_KEY: string = pulumi.runtime.specialSigKey;
/** Signature of a secret envelope. */
export const SECRET_SIG: string = pulumi.runtime.specialSecretSig;
/** Signature of a resource reference. */
export const RESOURCE_SIG: string = pulumi.runtime.specialResourceSig;
/** Signature of an asset. */
export const ASSET_SIG: string = pulumi.runtime.specialAssetSig;
/** Signature of an archive. */
export const ARCHIVE_SIG: string = pulumi.runtime.specialArchiveSig;
/** Signature of an output value. */
export const OUTPUT_VALUE_SIG: string = pulumi.runtime.specialOutputValueSig;
/** The wire sentinel of an unknown (computed) value. */
export const UNKNOWN_VALUE: string = pulumi.runtime.unknownValue;

/** An SDK internal the plan relies on is missing or changed shape. */
export class SdkAdapterError extends Error {
    constructor(what: string) {
        super(`@pulumi/pulumi ${PULUMI_SDK_VERSION}: ${what}; the offline plan's adapter to the SDK's internals (tools/plan/sdk-monitor.ts) needs updating for this version`);
        this.name = "SdkAdapterError";
    }
}

/** A registration (or read) as the mock monitor received it, and what the mocks answered. */
export interface MonitorRegistration {
    /** URN the monitor gave it. */
    readonly urn: string;
    /** Type token. */
    readonly type: string;
    /** Logical name. */
    readonly name: string;
    /** Parent URN; null when none. */
    readonly parent: string | null;
    /** Custom resource (true) or component (false); reads are custom. */
    readonly custom: boolean;
    /** Inputs in wire form (`Struct.toJavaScript()`: secrets in envelopes, unknowns as sentinels). */
    readonly inputs: Record<string, unknown>;
    /** Output state in wire form, after {@link tapMockMonitor} marked additional secret outputs. */
    readonly state: Record<string, unknown>;
    /** The additionalSecretOutputs option, sorted (registrations only). */
    readonly additionalSecretOutputs?: readonly string[];
    /** URNs it depends on, sorted and unique (registrations only). */
    readonly dependencies?: readonly string[];
    /** Input name → URNs it depends on, keys and URNs sorted (registrations only). */
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
    /** The replacement and deletion options the request carries (registrations only). */
    readonly options?: ResourceOptionsRecord;
}

/**
 * The resource options a reviewer needs to see how a resource will be replaced or deleted, as
 * the registration request carries them. A field is present only when the program set it (lists
 * only when non-empty), so the plan's JSON stays small and stable.
 */
export interface ResourceOptionsRecord {
    /** `deleteBeforeReplace`, when the program set it (true or false). */
    readonly deleteBeforeReplace?: boolean;
    /** `protect`, when set. */
    readonly protect?: boolean;
    /** `retainOnDelete`, when set. */
    readonly retainOnDelete?: boolean;
    /**
     * Explicit dependencies: the request's dependency URNs that no input carries (the SDK sends
     * explicit `dependsOn`, expanded through components, and input dependencies as one list), sorted.
     */
    readonly dependsOn?: readonly string[];
    /** `replaceOnChanges` property paths, sorted. */
    readonly replaceOnChanges?: readonly string[];
    /** `ignoreChanges` property paths, sorted. */
    readonly ignoreChanges?: readonly string[];
    /** `customTimeouts`: only the operations given a timeout (Go duration strings such as "10m"). */
    readonly customTimeouts?: { readonly create?: string; readonly update?: string; readonly delete?: string };
}

/** What {@link tapMockMonitor} reports. */
export interface MonitorTap {
    /** A resource was registered or read and the mocks answered. */
    onResource(r: MonitorRegistration): void;
    /** A resource (the stack, a component) registered its outputs (wire form). */
    onOutputs(urn: string, outputs: Record<string, unknown>): void;
}

interface WireStruct {
    toJavaScript(): Record<string, unknown>;
}
type Callback<T> = (err: unknown, resp: T | undefined) => void;
type Request = Record<string, unknown>;
interface MonitorLike {
    registerResource(req: Request, cb: Callback<Request>): unknown;
    readResource(req: Request, cb: Callback<Request>): unknown;
    registerResourceOutputs(req: Request, cb: Callback<unknown>): unknown;
}

/** Calls getter `name` of a protobuf message, refusing loudly when it is not there. */
function get<T>(msg: Request, name: string, what: string): T {
    const f = msg[name];
    if (typeof f !== "function") throw new SdkAdapterError(`${what} has no ${name}()`);
    return (f as () => T).call(msg);
}

function structJs(s: unknown, what: string): Record<string, unknown> {
    if (s === undefined || s === null) return {};
    if (typeof (s as WireStruct).toJavaScript !== "function") throw new SdkAdapterError(`${what} is not a google.protobuf.Struct`);
    return (s as WireStruct).toJavaScript();
}

/**
 * Does what the engine does for `additionalSecretOutputs` (and what the mock monitor does not):
 * wraps those output properties in secret envelopes, so that e.g. a RandomPassword's `result`
 * is a secret Output in the program, as in a real deployment.
 */
function markSecretOutputs(resp: Request, names: readonly string[]): void {
    if (names.length === 0) return;
    const struct = get<WireStruct | undefined>(resp, "getObject", "RegisterResourceResponse");
    if (!struct) return;
    const state = structJs(struct, "RegisterResourceResponse.object");
    let changed = false;
    for (const n of names) {
        const v = state[n];
        const isEnvelope = typeof v === "object" && v !== null && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
        if (n in state && !isEnvelope) {
            state[n] = { [SIG_KEY]: SECRET_SIG, value: v };
            changed = true;
        }
    }
    if (!changed) return;
    const Struct = struct.constructor as unknown as { fromJavaScript?(v: Record<string, unknown>): WireStruct };
    if (typeof Struct.fromJavaScript !== "function" || typeof resp.setObject !== "function") {
        throw new SdkAdapterError("RegisterResourceResponse.object cannot be rebuilt (no Struct.fromJavaScript or setObject)");
    }
    (resp.setObject as (s: WireStruct) => void).call(resp, Struct.fromJavaScript(state));
}

/**
 * Reads the replacement and deletion options of a RegisterResourceRequest (see
 * {@link ResourceOptionsRecord}). `dependencies` and `propertyDependencies` are the request's
 * own lists, already read.
 */
function readOptions(req: Request, dependencies: readonly string[], propertyDependencies: Readonly<Record<string, readonly string[]>>): ResourceOptionsRecord {
    const W = "RegisterResourceRequest";
    const implicit = new Set(Object.values(propertyDependencies).flat());
    const dependsOn = dependencies.filter((u) => !implicit.has(u));
    const replaceOnChanges = [...get<string[]>(req, "getReplaceonchangesList", W)].sort();
    const ignoreChanges = [...get<string[]>(req, "getIgnorechangesList", W)].sort();
    // protect and retainOnDelete are proto3 optionals: has*() tells "false" from "not set".
    const protect = get<boolean>(req, "hasProtect", W) ? get<boolean | undefined>(req, "getProtect", W) : undefined;
    const retainOnDelete = get<boolean>(req, "hasRetainondelete", W) ? get<boolean | undefined>(req, "getRetainondelete", W) : undefined;
    const timeouts = get<Request | undefined>(req, "getCustomtimeouts", W);
    const customTimeouts: Record<string, string> = {};
    if (timeouts) {
        for (const [op, getter] of [["create", "getCreate"], ["update", "getUpdate"], ["delete", "getDelete"]] as const) {
            const v = get<string>(timeouts, getter, `${W}.CustomTimeouts`);
            if (v) customTimeouts[op] = v;
        }
    }
    return {
        ...(get<boolean>(req, "getDeletebeforereplacedefined", W) ? { deleteBeforeReplace: get<boolean>(req, "getDeletebeforereplace", W) } : {}),
        ...(protect !== undefined ? { protect } : {}),
        ...(retainOnDelete !== undefined ? { retainOnDelete } : {}),
        ...(dependsOn.length > 0 ? { dependsOn } : {}),
        ...(replaceOnChanges.length > 0 ? { replaceOnChanges } : {}),
        ...(ignoreChanges.length > 0 ? { ignoreChanges } : {}),
        ...(Object.keys(customTimeouts).length > 0 ? { customTimeouts } : {}),
    };
}

/**
 * Wraps the mock monitor that `pulumi.runtime.setMocks` installed (call it right after) so that
 * every registration, read and output registration is reported to `tap`, with the parent,
 * custom flag, options and wire inputs a real engine would receive.
 */
export function tapMockMonitor(tap: MonitorTap): void {
    const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike | undefined;
    if (!monitor) throw new SdkAdapterError("pulumi.runtime.getMonitor() returned no monitor after setMocks");
    for (const m of ["registerResource", "readResource", "registerResourceOutputs"] as const) {
        if (typeof monitor[m] !== "function") throw new SdkAdapterError(`the mock monitor has no ${m}()`);
    }
    const registerResource = monitor.registerResource.bind(monitor);
    const readResource = monitor.readResource.bind(monitor);
    const registerResourceOutputs = monitor.registerResourceOutputs.bind(monitor);
    const W = "RegisterResourceRequest";
    monitor.registerResource = (req, cb) => {
        const propertyDependencies: Record<string, string[]> = {};
        get<{ forEach(f: (v: Request, k: string) => void): void }>(req, "getPropertydependenciesMap", W).forEach((v, k) => {
            propertyDependencies[k] = [...get<string[]>(v, "getUrnsList", "PropertyDependencies")].sort();
        });
        const secretOutputs = [...get<string[]>(req, "getAdditionalsecretoutputsList", W)];
        const dependencies = [...new Set(get<string[]>(req, "getDependenciesList", W))].sort();
        const sortedPropertyDependencies = Object.fromEntries(Object.keys(propertyDependencies).sort().map((k) => [k, propertyDependencies[k]]));
        const base = {
            type: get<string>(req, "getType", W),
            name: get<string>(req, "getName", W),
            parent: get<string>(req, "getParent", W) || null,
            custom: get<boolean>(req, "getCustom", W),
            inputs: structJs(get(req, "getObject", W), `${W}.object`),
            additionalSecretOutputs: [...secretOutputs].sort(),
            dependencies,
            propertyDependencies: sortedPropertyDependencies,
            options: readOptions(req, dependencies, sortedPropertyDependencies),
        };
        return registerResource(req, (err, resp) => {
            if (!err && resp) {
                markSecretOutputs(resp, secretOutputs);
                const urn = get<string>(resp, "getUrn", "RegisterResourceResponse");
                tap.onResource({ ...base, urn, state: structJs(get(resp, "getObject", "RegisterResourceResponse"), "RegisterResourceResponse.object") });
            }
            cb(err, resp);
        });
    };
    monitor.readResource = (req, cb) => {
        const R = "ReadResourceRequest";
        const base = {
            type: get<string>(req, "getType", R),
            name: get<string>(req, "getName", R),
            parent: get<string>(req, "getParent", R) || null,
            custom: true,
            inputs: structJs(get(req, "getProperties", R), `${R}.properties`),
        };
        return readResource(req, (err, resp) => {
            if (!err && resp) {
                const urn = get<string>(resp, "getUrn", "ReadResourceResponse");
                tap.onResource({ ...base, urn, state: structJs(get(resp, "getProperties", "ReadResourceResponse"), "ReadResourceResponse.properties") });
            }
            cb(err, resp);
        });
    };
    monitor.registerResourceOutputs = (req, cb) => {
        const O = "RegisterResourceOutputsRequest";
        tap.onOutputs(get<string>(req, "getUrn", O), structJs(get(req, "getOutputs", O), `${O}.outputs`));
        return registerResourceOutputs(req, cb);
    };
}

/** Waits until every resource registration the program started has completed (`runtime.waitForRPCs`). */
export async function waitForRPCs(): Promise<void> {
    const f = (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> }).waitForRPCs;
    if (typeof f !== "function") throw new SdkAdapterError("pulumi.runtime.waitForRPCs is not a function");
    await f();
}
