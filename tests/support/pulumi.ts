/**
 * Test support for the SDK's mock runtime, the one module every test installs mocks through:
 * recording mocks with sensible default outputs (a test adds or overrides outputs per type),
 * and Outputs read as promises. Install the mocks before importing code that creates resources
 * (`await import(...)` inside `before`).
 */
import * as pulumi from "@pulumi/pulumi";

import { SECRET_SIG, SIG_KEY } from "../../tools/plan/sdk-monitor";

/** A resource the mocks saw registered. */
export interface RecordedResource {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
    readonly custom: boolean;
    /** The provider reference (`urn::id`) it was given, if any. */
    readonly provider?: string;
}

/** What {@link installMocks} returns: every resource registered since. */
export interface MockRecorder {
    readonly resources: RecordedResource[];
    /** Resources of one type token. */
    ofType(type: string): RecordedResource[];
    /** The one resource of a type and name; throws naming what exists when absent. */
    get(type: string, name: string): RecordedResource;
    /** Every generated secret value (random passwords) handed out by the mocks. */
    readonly generatedSecrets: string[];
}

/** Options of {@link installMocks}. */
export interface MockOptions {
    /** Stack name. Defaults to "test". */
    readonly stack?: string;
    /**
     * A test's own outputs for a registration: `state` is merged over the inputs and the
     * defaults, `id` replaces `<name>-id`; undefined keeps the defaults. Defaults to none.
     */
    readonly outputs?: (args: pulumi.runtime.MockResourceArgs) => { readonly id?: string; readonly state?: Record<string, unknown> } | undefined;
    /** A test's own answer to an invoke; undefined falls back to the default answers. Defaults to none. */
    readonly call?: (args: pulumi.runtime.MockCallArgs) => Record<string, unknown> | undefined;
}

/** The default answers to the invokes the program makes (AWS identity, region, partition); else the inputs. */
function defaultCall(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    if (args.token === "aws:index/getCallerIdentity:getCallerIdentity") {
        return { accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/test", userId: "test" };
    }
    if (args.token === "aws:index/getRegion:getRegion") return { name: "sa-east-1", region: "sa-east-1" };
    if (args.token === "aws:index/getPartition:getPartition") return { partition: "aws", dnsSuffix: "amazonaws.com" };
    return args.inputs as Record<string, unknown>;
}

/**
 * Installs recording mocks (project "pro-team-care"). Outputs are the inputs, plus a fresh
 * password for each RandomPassword (recorded in `generatedSecrets`) and a PEM-looking stdout
 * for local commands, plus whatever `opts.outputs` adds. A string argument is the stack name.
 */
export function installMocks(opts: string | MockOptions = {}): MockRecorder {
    const o: MockOptions = typeof opts === "string" ? { stack: opts } : opts;
    const resources: RecordedResource[] = [];
    const generatedSecrets: string[] = [];
    pulumi.runtime.setMocks(
        {
            newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
                resources.push({ type: args.type, name: args.name, inputs: args.inputs, custom: args.custom ?? true, ...(args.provider !== undefined ? { provider: args.provider } : {}) });
                const state: Record<string, unknown> = { ...args.inputs };
                if (args.type === "random:index/randomPassword:RandomPassword") {
                    const value = `mockpw${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
                    generatedSecrets.push(value);
                    state.result = value;
                }
                if (args.type === "command:local:Command") {
                    state.stdout = "-----BEGIN CERTIFICATE-----\nMOCK\n-----END CERTIFICATE-----\n";
                }
                // The tls provider's computed PEMs (the dev certificates), the key recorded as a generated secret.
                if (args.type === "tls:index/privateKey:PrivateKey") {
                    const body = `MOCKKEY${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
                    generatedSecrets.push(body);
                    state.privateKeyPem = state.privateKeyPemPkcs8 = `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n`;
                }
                if (args.type === "tls:index/certRequest:CertRequest") state.certRequestPem = `-----BEGIN CERTIFICATE REQUEST-----\nMOCK ${args.name}\n-----END CERTIFICATE REQUEST-----\n`;
                if (args.type === "tls:index/selfSignedCert:SelfSignedCert" || args.type === "tls:index/locallySignedCert:LocallySignedCert") {
                    state.certPem = `-----BEGIN CERTIFICATE-----\nMOCK ${args.name}\n-----END CERTIFICATE-----\n`;
                }
                const own = o.outputs?.(args);
                return { id: own?.id ?? `${args.name}-id`, state: { ...state, ...own?.state } };
            },
            call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
                return o.call?.(args) ?? defaultCall(args);
            },
        },
        "pro-team-care",
        o.stack ?? "test",
        false,
    );
    return {
        resources,
        generatedSecrets,
        ofType: (type) => resources.filter((r) => r.type === type),
        get(type, name) {
            const r = resources.find((x) => x.type === type && x.name === name);
            if (!r) {
                const have = resources.map((x) => `${x.type} ${x.name}`).join("\n  ");
                throw new Error(`no ${type} named ${name}; registered:\n  ${have}`);
            }
            return r;
        },
    };
}

/** Resolves an Output (or plain value) to its value. */
export function valueOf<T>(o: pulumi.Input<T>): Promise<T> {
    return new Promise((resolve) => pulumi.output(o).apply((v) => resolve(v as T)));
}

/**
 * The error an Output failed with (an apply that threw), or undefined when it resolves. apply()
 * never calls back on a failed Output, so this reads the SDK's own promise behind it.
 */
export function failureOf(o: pulumi.Output<unknown>): Promise<Error | undefined> {
    // OutputImpl keeps its value as a promise; it rejects when an apply upstream threw.
    const p = (o as unknown as { promise(): Promise<unknown> }).promise();
    return p.then(
        () => undefined,
        (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
    );
}

/** Whether an Output is secret. */
export function isSecret(o: pulumi.Output<unknown>): Promise<boolean> {
    return pulumi.isSecret(o);
}

/** Waits until every registration the program started has reached the mocks. */
export async function settle(): Promise<void> {
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 50));
}

/** True when a recorded input value is wrapped as a secret. */
export function isSecretInput(v: unknown): boolean {
    return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** The value inside a secret envelope (or the value itself). */
export function unwrapSecret(v: unknown): unknown {
    return isSecretInput(v) ? (v as { value: unknown }).value : v;
}

/** Every string that appears in plaintext (outside secret envelopes) anywhere in a value. */
export function plaintextStrings(v: unknown, out: string[] = []): string[] {
    if (isSecretInput(v)) return out;
    if (typeof v === "string") out.push(v);
    else if (Array.isArray(v)) v.forEach((x) => plaintextStrings(x, out));
    else if (typeof v === "object" && v !== null) Object.values(v).forEach((x) => plaintextStrings(x, out));
    return out;
}
