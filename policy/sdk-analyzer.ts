/**
 * The one place the pack's runner (./runner.ts) touches private internals of the policy SDK:
 * the Analyze and AnalyzeStack handlers that `@pulumi/policy/server` builds for its gRPC server
 * (`makeAnalyzeRpcFun`, `makeAnalyzeStackRpcFun`) and the protobuf messages they take
 * (`@pulumi/pulumi/proto/analyzer_pb`, `google.protobuf.Struct`). None of them is public API, so
 * a @pulumi/policy upgrade may change them: every use checks its shape and throws an error naming
 * the installed version and this file, and tests/policy/sdk-analyzer.test.ts drives them on
 * every `npm test`.
 *
 * The pack must install and run on its own (`pulumi preview --policy-pack policy`), so this file
 * imports nothing from outside policy/.
 */
import * as fs from "fs";
import * as path from "path";
import type { EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import * as analyzerproto from "@pulumi/pulumi/proto/analyzer_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";

/** The installed @pulumi/policy version (from its package.json). */
export const POLICY_SDK_VERSION: string = (
    JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve("@pulumi/policy")), "package.json"), "utf8")) as { version: string }
).version;

/** Key that marks a special value on the wire (`pulumi.runtime.specialSigKey`). */
export const SIG_KEY: string = pulumi.runtime.specialSigKey;
/** Signature of a secret envelope (`pulumi.runtime.specialSecretSig`). */
export const SECRET_SIG: string = pulumi.runtime.specialSecretSig;
/** The wire sentinel of an unknown (computed) value (`pulumi.runtime.unknownValue`). */
export const UNKNOWN_VALUE: string = pulumi.runtime.unknownValue;

/** An analyzer internal the runner relies on is missing or changed shape. */
export class AnalyzerAdapterError extends Error {
    constructor(what: string) {
        super(`@pulumi/policy ${POLICY_SDK_VERSION}: ${what}; the runner's adapter to the analyzer's internals (policy/sdk-analyzer.ts) needs updating for this version`);
        this.name = "AnalyzerAdapterError";
    }
}

/** A resource as the engine would send it to the analyzer. */
export interface AnalyzerInput {
    /** URN. */
    readonly urn: string;
    /** Type token. */
    readonly type: string;
    /** Logical name. */
    readonly name: string;
    /** Parent URN, when any. */
    readonly parent: string | null;
    /** Inputs in wire form: secrets in envelopes, unknowns as {@link UNKNOWN_VALUE}. */
    readonly inputs: Record<string, unknown>;
    /** The additionalSecretOutputs option. Defaults to none. */
    readonly additionalSecretOutputs?: readonly string[];
    /** URNs it depends on. Defaults to none. */
    readonly dependencies?: readonly string[];
    /** Input name → URNs it depends on. Defaults to none. */
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

/** One diagnostic the analyzer returned. */
export interface AnalyzerDiagnostic {
    /** Policy name. */
    readonly policy: string;
    /** Enforcement level it was reported at. */
    readonly level: "advisory" | "mandatory" | "remediate" | "disabled";
    /** URN it names; empty when the server leaves it out (it does for resource findings: the analyzed resource). */
    readonly urn: string;
    /** The message as the server built it (the policy's description, a newline, the rule's message). */
    readonly message: string;
    /** The policy's description. */
    readonly description: string;
}

/** The pack's Analyze and AnalyzeStack handlers, as the server would run them. */
export interface Analyzer {
    /** Runs every resource policy on one resource. */
    analyze(r: AnalyzerInput): Promise<AnalyzerDiagnostic[]>;
    /** Runs every stack policy on the whole set. */
    analyzeStack(rs: readonly AnalyzerInput[]): Promise<AnalyzerDiagnostic[]>;
}

type Handler = (call: { request: unknown }, callback: (err: unknown, resp?: analyzerproto.AnalyzeResponse) => void) => Promise<void>;
interface ServerModule {
    makeAnalyzeRpcFun?(name: string, version: string, level: EnforcementLevel, policies: unknown[]): Handler;
    makeAnalyzeStackRpcFun?(name: string, version: string, level: EnforcementLevel, policies: unknown[]): Handler;
}

/** JSON-safe copy for Struct.fromJavaScript: drops undefined fields, turns undefined items into null. */
function toStructValue(v: unknown): unknown {
    if (v === undefined) return undefined;
    if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
    if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : toStructValue(x)));
    if (typeof v === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
            const y = toStructValue(x);
            if (y !== undefined) out[k] = y;
        }
        return out;
    }
    throw new Error(`cannot pass a ${typeof v} to the analyzer`);
}

function toStruct(inputs: Record<string, unknown>): Struct {
    return Struct.fromJavaScript(toStructValue(inputs) as Parameters<typeof Struct.fromJavaScript>[0]);
}

function resourceOptions(r: AnalyzerInput): analyzerproto.AnalyzerResourceOptions {
    const o = new analyzerproto.AnalyzerResourceOptions();
    o.setProtect(false);
    o.setIgnorechangesList([]);
    o.setAliasesList([]);
    o.setAdditionalsecretoutputsList([...(r.additionalSecretOutputs ?? [])]);
    if (r.parent) o.setParent(r.parent);
    return o;
}

function levelName(l: analyzerproto.EnforcementLevel): AnalyzerDiagnostic["level"] {
    switch (l) {
        case analyzerproto.EnforcementLevel.MANDATORY:
            return "mandatory";
        case analyzerproto.EnforcementLevel.REMEDIATE:
            return "remediate";
        case analyzerproto.EnforcementLevel.DISABLED:
            return "disabled";
        default:
            return "advisory";
    }
}

function invoke(handler: Handler, request: unknown): Promise<AnalyzerDiagnostic[]> {
    return new Promise<analyzerproto.AnalyzeResponse>((resolve, reject) => {
        handler({ request }, (err, resp) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resp ? resolve(resp) : reject(new AnalyzerAdapterError("a handler answered with no response")))).catch(reject);
    }).then((resp) =>
        resp.getDiagnosticsList().map((d) => ({
            policy: d.getPolicyname(),
            level: levelName(d.getEnforcementlevel()),
            urn: d.getUrn(),
            message: d.getMessage(),
            description: d.getDescription(),
        })),
    );
}

/**
 * Builds the pack's analyzer handlers for `policies` (levels and `getConfig` already set), as
 * `@pulumi/policy`'s `serve()` does for its gRPC server.
 */
export function makeAnalyzer(packName: string, packVersion: string, packLevel: EnforcementLevel, policies: readonly (ResourceValidationPolicy | StackValidationPolicy)[]): Analyzer {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const server = require("@pulumi/policy/server") as ServerModule;
    if (typeof server.makeAnalyzeRpcFun !== "function" || typeof server.makeAnalyzeStackRpcFun !== "function") {
        throw new AnalyzerAdapterError("@pulumi/policy/server no longer exports makeAnalyzeRpcFun and makeAnalyzeStackRpcFun");
    }
    const analyze = server.makeAnalyzeRpcFun(packName, packVersion, packLevel, [...policies]);
    const analyzeStack = server.makeAnalyzeStackRpcFun(packName, packVersion, packLevel, [...policies]);
    return {
        analyze(r) {
            const req = new analyzerproto.AnalyzeRequest();
            req.setType(r.type);
            req.setUrn(r.urn);
            req.setName(r.name);
            req.setProperties(toStruct(r.inputs));
            req.setOptions(resourceOptions(r));
            return invoke(analyze, req);
        },
        analyzeStack(rs) {
            const req = new analyzerproto.AnalyzeStackRequest();
            req.setResourcesList(
                rs.map((r) => {
                    const a = new analyzerproto.AnalyzerResource();
                    a.setType(r.type);
                    a.setUrn(r.urn);
                    a.setName(r.name);
                    a.setProperties(toStruct(r.inputs));
                    a.setOptions(resourceOptions(r));
                    if (r.parent) a.setParent(r.parent);
                    a.setDependenciesList([...(r.dependencies ?? [])]);
                    const deps = a.getPropertydependenciesMap();
                    for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
                        const d = new analyzerproto.AnalyzerPropertyDependencies();
                        d.setUrnsList([...urns]);
                        deps.set(k, d);
                    }
                    return a;
                }),
            );
            return invoke(analyzeStack, req);
        },
    };
}
