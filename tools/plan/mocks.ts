/**
 * The mock provider behind the offline plan: realistic outputs for the resource types the
 * program creates, and sensible answers to the invokes it makes, with no engine, plugin or cloud.
 *
 * Random values (passwords, keys, uuids, uids, cluster IPs, PEM bodies) come from a
 * {@link PlanRandom}: fresh on every run by default (what a real deployment would generate),
 * derived from `--seed` and a label (type, name, purpose) when the plan must be reproducible.
 * Every value that stands for a secret is remembered in {@link PlanMocks.generatedSecrets} so
 * that tests can prove none of them leaks.
 *
 * To mock a new type, add a `case` to {@link PlanMocks.newResource} and draw its random parts
 * through {@link PlanMocks.randomText}, {@link PlanMocks.pemBlock} or {@link PlanMocks.random},
 * labelled with the resource's type and name.
 */
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";

import { num, str } from "../../stacks/objects";
import { DIGITS, LOWER, PlanRandom, UPPER } from "./random";
import { isPlainObject, unwrapSecrets } from "./secrets";

/** Account and region every AWS answer uses. */
export const MOCK_AWS = { accountId: "123456789012", region: "us-east-1", partition: "aws" } as const;

const DEFAULT_SPECIAL = "!@#$%&*()-_=+[]{}<>:?";

/** Kubernetes kinds that are not namespaced (the plan gives them no namespace). */
export const CLUSTER_SCOPED_KINDS = new Set([
    "Namespace",
    "Node",
    "PersistentVolume",
    "StorageClass",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PriorityClass",
    "IngressClass",
    "RuntimeClass",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "APIService",
    "CSIDriver",
    "VolumeAttachment",
]);

/** A short stable suffix derived from a name (stands in for Pulumi's random auto-name suffix). */
export function stableSuffix(name: string, length = 7): string {
    return createHash("sha256").update(name).digest("hex").slice(0, length);
}

function plain(inputs: unknown): Record<string, unknown> {
    const v = unwrapSecrets(inputs);
    return isPlainObject(v) ? v : {};
}

/** Parses a Kubernetes type token (`kubernetes:apps/v1:Deployment`) into apiVersion and kind. */
export function kubernetesTypeInfo(type: string): { apiVersion: string; kind: string } | undefined {
    const m = /^kubernetes:([\w.-]+)\/(v[\w]+):(\w+)$/.exec(type);
    if (!m) return undefined;
    const [, group, version, kind] = m;
    return { apiVersion: group === "core" ? version : `${group}/${version}`, kind };
}

/** Mocks with realistic outputs for the types the program uses; records the secrets it generates. */
export class PlanMocks implements pulumi.runtime.Mocks {
    /** Every secret-like value the mocks produced this run (passwords, keys, access-key secrets). */
    readonly generatedSecrets: string[] = [];
    /** Invoke tokens answered by the generic fallback (shown as a note in the plan). */
    readonly unmockedCalls = new Set<string>();
    /** Where every random value comes from. */
    readonly random: PlanRandom;

    /** `random` defaults to fresh randomness (an unseeded {@link PlanRandom}). */
    constructor(random: PlanRandom = new PlanRandom()) {
        this.random = random;
    }

    /** Answers an invoke. */
    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        const inputs = plain(args.inputs);
        switch (args.token) {
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return {
                    accountId: MOCK_AWS.accountId,
                    arn: `arn:aws:iam::${MOCK_AWS.accountId}:user/offline-plan`,
                    userId: "AIDAOFFLINEPLAN000000",
                    id: MOCK_AWS.accountId,
                };
            case "aws:index/getRegion:getRegion":
                return {
                    name: MOCK_AWS.region,
                    region: MOCK_AWS.region,
                    id: MOCK_AWS.region,
                    description: "US East (N. Virginia)",
                    endpoint: `ec2.${MOCK_AWS.region}.amazonaws.com`,
                };
            case "aws:index/getPartition:getPartition":
                return { partition: MOCK_AWS.partition, dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: MOCK_AWS.partition };
            case "aws:index/getAvailabilityZones:getAvailabilityZones":
                return { names: ["us-east-1a", "us-east-1b", "us-east-1c"], zoneIds: ["use1-az1", "use1-az2", "use1-az3"], id: MOCK_AWS.region };
            case "aws:iam/getPolicyDocument:getPolicyDocument":
                return { json: policyDocumentJson(inputs), minifiedJson: JSON.stringify(JSON.parse(policyDocumentJson(inputs))), id: "policy" };
            case "command:local:run":
                return { ...inputs, stdout: this.pemStdout(`${args.token}:${str(inputs.command) ?? ""}`, str(inputs.command)), stderr: "" };
            case "docker:index/getRegistryImage:getRegistryImage":
                return { ...inputs, sha256Digest: `sha256:${stableSuffix(str(inputs.name) ?? "image", 64)}`, id: str(inputs.name) ?? "image" };
            default:
                this.unmockedCalls.add(args.token);
                return { ...inputs };
        }
    }

    /** Creates a resource: its id and output state. */
    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
        const inputs = isPlainObject(args.inputs) ? (args.inputs as Record<string, unknown>) : {};
        const p = plain(inputs);
        const name = args.name;
        const t = args.type;
        // What every random draw of this resource is labelled with (plus its purpose).
        const label = `${t}::${name}`;
        const k8s = kubernetesTypeInfo(t);
        if (k8s) return this.kubernetes(label, name, k8s.kind, inputs, p);
        if (t.startsWith("pulumi:providers:")) return { id: `${name}-provider-id`, state: inputs };
        switch (t) {
            case "random:index/randomPassword:RandomPassword": {
                const result = this.randomText(`${label}:result`, p);
                this.generatedSecrets.push(result);
                const bcryptHash = `$2a$10$${this.random.bytes(`${label}:bcryptHash`, 33).toString("base64").slice(0, 53)}`;
                this.generatedSecrets.push(bcryptHash);
                return { id: "none", state: { ...inputs, result, bcryptHash } };
            }
            case "random:index/randomString:RandomString": {
                const result = this.randomText(`${label}:result`, p);
                this.generatedSecrets.push(result);
                return { id: result, state: { ...inputs, result } };
            }
            case "random:index/randomBytes:RandomBytes": {
                const buf = this.random.bytes(`${label}:bytes`, num(p.length) ?? 32);
                this.generatedSecrets.push(buf.toString("base64"), buf.toString("hex"));
                return { id: "none", state: { ...inputs, base64: buf.toString("base64"), hex: buf.toString("hex") } };
            }
            case "random:index/randomId:RandomId": {
                const buf = this.random.bytes(`${label}:id`, num(p.byteLength) ?? 8);
                const prefix = str(p.prefix) ?? "";
                const hex = prefix + buf.toString("hex");
                return {
                    id: buf.toString("base64url"),
                    state: { ...inputs, hex, b64Std: prefix + buf.toString("base64"), b64Url: prefix + buf.toString("base64url"), dec: prefix + BigInt(`0x${buf.toString("hex")}`).toString() },
                };
            }
            case "random:index/randomUuid:RandomUuid": {
                const result = this.random.uuid(`${label}:result`);
                return { id: result, state: { ...inputs, result } };
            }
            case "random:index/randomInteger:RandomInteger": {
                const min = num(p.min) ?? 0;
                const max = num(p.max) ?? min + 100;
                const result = min + this.random.int(`${label}:result`, Math.max(1, max - min + 1));
                return { id: String(result), state: { ...inputs, result } };
            }
            case "random:index/randomPet:RandomPet": {
                const id = [str(p.prefix), "offline", "plan"].filter(Boolean).join(str(p.separator) ?? "-");
                return { id, state: { ...inputs } };
            }
            case "command:local:Command":
            case "command:remote:Command":
                return { id: `${name}-${stableSuffix(name)}`, state: { ...inputs, stdout: this.pemStdout(label, str(p.create)), stderr: "" } };
            case "tls:index/privateKey:PrivateKey": {
                // One key in every private form (its body is recorded as a generated secret).
                const key = this.pemBlock(`${label}:privateKeyPem`, "PRIVATE KEY", true);
                return { id: `${name}-${stableSuffix(name)}`, state: { ...inputs, privateKeyPem: key, privateKeyPemPkcs8: key, privateKeyOpenssh: key } };
            }
            case "tls:index/certRequest:CertRequest":
                return { id: stableSuffix(`csr:${name}`, 32), state: { ...inputs, certRequestPem: this.pemBlock(`${label}:certRequestPem`, "CERTIFICATE REQUEST", false) } };
            case "tls:index/locallySignedCert:LocallySignedCert":
            case "tls:index/selfSignedCert:SelfSignedCert":
                return { id: stableSuffix(`cert:${name}`, 32), state: { ...inputs, certPem: this.pemBlock(`${label}:certPem`, "CERTIFICATE", false), readyForRenewal: false } };
            case "docker:index/container:Container": {
                const n = str(p.name) ?? name;
                return { id: stableSuffix(`container:${n}`, 64), state: { ...inputs, name: n, hostname: str(p.hostname) ?? n, exitCode: 0 } };
            }
            case "docker:index/network:Network":
            case "docker:index/volume:Volume": {
                const n = str(p.name) ?? `${name}-${stableSuffix(name)}`;
                return { id: stableSuffix(`${t}:${n}`, 64), state: { ...inputs, name: n } };
            }
            case "docker:index/remoteImage:RemoteImage": {
                const n = str(p.name) ?? name;
                return { id: `sha256:${stableSuffix(n, 64)}${n}`, state: { ...inputs, name: n, imageId: `sha256:${stableSuffix(n, 64)}`, repoDigest: `${n.split(":")[0]}@sha256:${stableSuffix(n, 64)}` } };
            }
            default:
                break;
        }
        if (t.startsWith("aws:")) return this.aws(label, name, t, inputs, p);
        if (t.startsWith("pulumiservice:")) return this.pulumiService(label, name, t, inputs, p);
        return { id: args.custom === false ? undefined : `${name}-id`, state: inputs };
    }

    /**
     * Random text shaped by a random resource's inputs (`length`, `lower`, `upper`, `numeric`,
     * `special`, `overrideSpecial`), for `label`. The caller records it as a secret if it is one.
     */
    randomText(label: string, p: Record<string, unknown>): string {
        const length = num(p.length) ?? 16;
        let alphabet = "";
        if (p.lower !== false) alphabet += LOWER;
        if (p.upper !== false) alphabet += UPPER;
        if (p.numeric !== false && p.number !== false) alphabet += DIGITS;
        if (p.special !== false) alphabet += str(p.overrideSpecial) ?? DEFAULT_SPECIAL;
        if (alphabet === "") alphabet = LOWER;
        return this.random.text(label, alphabet, length);
    }

    /**
     * A PEM block of `type` (`CERTIFICATE`, `PRIVATE KEY`, ...) with a random body, for `label`.
     * `secret` records the body in {@link generatedSecrets} (leak checks look for it): pass true for keys.
     */
    pemBlock(label: string, type: string, secret: boolean): string {
        const { pem, body } = this.random.pem(label, type);
        if (secret) this.generatedSecrets.push(body);
        return pem;
    }

    /**
     * PEM-looking stdout for a command: a private key when the command generates one
     * (`genpkey`, `genrsa`, `-newkey`…), a certificate when it issues one (`req -x509`, `x509`),
     * both when it does both or says neither. Key bodies are recorded as secrets.
     */
    private pemStdout(label: string, command: string | undefined): string {
        const text = command ?? "";
        const makesKey = /\b(genpkey|genrsa|ecparam\b[^\n]*-genkey)\b|-newkey\b/.test(text);
        const makesCert = /\breq\b[^\n]*-x509\b|\bx509\b/.test(text);
        const cert = this.pemBlock(`${label}:stdout`, "CERTIFICATE", false);
        if (makesCert && !makesKey) return cert;
        const key = this.pemBlock(`${label}:stdout`, "PRIVATE KEY", true);
        if (makesKey && !makesCert) return key;
        return cert + key;
    }

    private kubernetes(label: string, name: string, kind: string, inputs: Record<string, unknown>, p: Record<string, unknown>): { id: string; state: Record<string, unknown> } {
        const meta = isPlainObject(p.metadata) ? p.metadata : {};
        const rawMeta = isPlainObject(inputs.metadata) ? inputs.metadata : {};
        const objName = str(meta.name) ?? name;
        const namespace = CLUSTER_SCOPED_KINDS.has(kind) ? undefined : (str(meta.namespace) ?? "default");
        const metadata: Record<string, unknown> = { ...rawMeta, name: objName, uid: this.random.uuid(`${label}:uid`) };
        if (namespace !== undefined) metadata.namespace = namespace;
        const state: Record<string, unknown> = { ...inputs, metadata };
        if (kind === "Service") {
            const spec = isPlainObject(inputs.spec) ? inputs.spec : {};
            const headless = isPlainObject(p.spec) && p.spec.clusterIP === "None";
            state.spec = { ...spec, clusterIP: headless ? "None" : `10.96.${this.random.int(`${label}:clusterIP:3`, 256)}.${1 + this.random.int(`${label}:clusterIP:4`, 254)}` };
        }
        return { id: namespace === undefined ? objName : `${namespace}/${objName}`, state };
    }

    /** Pulumi Cloud objects (the deployments project): ids as the provider forms them, plus its outputs. */
    private pulumiService(label: string, name: string, t: string, inputs: Record<string, unknown>, p: Record<string, unknown>): { id: string; state: Record<string, unknown> } {
        const org = str(p.organization) ?? str(p.organizationName) ?? "organization";
        const stackPath = `${org}/${str(p.project) ?? str(p.projectName) ?? "project"}/${str(p.stack) ?? str(p.stackName) ?? "stack"}`;
        switch (t) {
            case "pulumiservice:index:DeploymentSettings":
                return { id: stackPath, state: { ...inputs } };
            case "pulumiservice:index:PolicyPack": {
                const versionTag = str(p.versionTag) ?? "0.0.0";
                return { id: `${org}/${str(p.name) ?? name}/${versionTag}`, state: { ...inputs, version: 1, contentHash: stableSuffix(`${label}:${versionTag}`, 64) } };
            }
            case "pulumiservice:index:PolicyGroup":
                return { id: `${org}/${str(p.name) ?? name}`, state: { ...inputs } };
            case "pulumiservice:index:DriftSchedule": {
                const scheduleId = this.random.uuid(`${label}:scheduleId`);
                return { id: `${stackPath}/${scheduleId}`, state: { ...inputs, scheduleId } };
            }
            case "pulumiservice:index:Webhook": {
                const hook = `${name}-${stableSuffix(label)}`;
                return { id: `${stackPath}/${hook}`, state: { ...inputs, name: hook } };
            }
            default:
                return { id: `${org}/${name}`, state: { ...inputs } };
        }
    }

    private aws(label: string, name: string, t: string, inputs: Record<string, unknown>, p: Record<string, unknown>): { id: string; state: Record<string, unknown> } {
        const { accountId, region } = MOCK_AWS;
        switch (t) {
            case "aws:s3/bucket:Bucket":
            case "aws:s3/bucketV2:BucketV2": {
                const bucket = str(p.bucket) ?? `${str(p.bucketPrefix) ?? `${name}-`}${stableSuffix(name)}`;
                return {
                    id: bucket,
                    state: {
                        ...inputs,
                        bucket,
                        arn: `arn:aws:s3:::${bucket}`,
                        bucketDomainName: `${bucket}.s3.amazonaws.com`,
                        bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`,
                        region,
                        hostedZoneId: "Z3AQBSTGFYJSTF",
                    },
                };
            }
            case "aws:kms/key:Key": {
                const keyId = this.random.uuid(`${label}:keyId`);
                return { id: keyId, state: { ...inputs, keyId, arn: `arn:aws:kms:${region}:${accountId}:key/${keyId}` } };
            }
            case "aws:kms/alias:Alias": {
                const n = str(p.name) ?? `alias/${name}`;
                return { id: n, state: { ...inputs, name: n, arn: `arn:aws:kms:${region}:${accountId}:${n}` } };
            }
            case "aws:iam/user:User":
            case "aws:iam/role:Role": {
                const n = str(p.name) ?? `${name}-${stableSuffix(name)}`;
                const kind = t === "aws:iam/user:User" ? "user" : "role";
                return { id: n, state: { ...inputs, name: n, arn: `arn:aws:iam::${accountId}:${kind}/${n}`, uniqueId: `AIDA${stableSuffix(n, 17).toUpperCase()}` } };
            }
            case "aws:iam/accessKey:AccessKey": {
                const id = `AKIA${this.random.bytes(`${label}:id`, 8).toString("hex").toUpperCase()}`;
                const secret = this.random.bytes(`${label}:secret`, 30).toString("base64");
                const ses = this.random.bytes(`${label}:sesSmtpPasswordV4`, 33).toString("base64");
                this.generatedSecrets.push(secret, ses);
                return { id, state: { ...inputs, id, secret, sesSmtpPasswordV4: ses, status: "Active" } };
            }
            default: {
                const base = str(p.bucket) ?? str(p.name) ?? name;
                const service = t.split(":")[1]?.split("/")[0] ?? "aws";
                return { id: base, state: { ...inputs, arn: `arn:aws:${service}:${region}:${accountId}:${base}` } };
            }
        }
    }
}

/** Renders the inputs of `aws.iam.getPolicyDocument` as the IAM JSON document AWS would return. */
export function policyDocumentJson(inputs: Record<string, unknown>): string {
    const statements = Array.isArray(inputs.statements) ? inputs.statements.filter(isPlainObject) : [];
    const principalBlock = (list: unknown): Record<string, unknown> | string | undefined => {
        if (!Array.isArray(list) || list.length === 0) return undefined;
        const out: Record<string, string | string[]> = {};
        for (const pr of list.filter(isPlainObject)) {
            const type = str(pr.type) ?? "AWS";
            const ids = Array.isArray(pr.identifiers) ? pr.identifiers.map(String) : [];
            if (type === "*" && ids.includes("*")) return "*";
            out[type] = ids.length === 1 ? ids[0] : ids;
        }
        return out;
    };
    const one = (v: unknown): unknown => (Array.isArray(v) && v.length === 1 ? v[0] : v);
    const doc = {
        Version: str(inputs.version) ?? "2012-10-17",
        ...(str(inputs.policyId) ? { Id: inputs.policyId } : {}),
        Statement: statements.map((s) => {
            const out: Record<string, unknown> = {};
            if (str(s.sid)) out.Sid = s.sid;
            out.Effect = str(s.effect) ?? "Allow";
            if (Array.isArray(s.actions)) out.Action = one(s.actions);
            if (Array.isArray(s.notActions)) out.NotAction = one(s.notActions);
            if (Array.isArray(s.resources)) out.Resource = one(s.resources);
            if (Array.isArray(s.notResources)) out.NotResource = one(s.notResources);
            const pr = principalBlock(s.principals);
            if (pr) out.Principal = pr;
            const npr = principalBlock(s.notPrincipals);
            if (npr) out.NotPrincipal = npr;
            if (Array.isArray(s.conditions) && s.conditions.length > 0) {
                const cond: Record<string, Record<string, unknown>> = {};
                for (const c of s.conditions.filter(isPlainObject)) {
                    const test = str(c.test) ?? "StringEquals";
                    const variable = str(c.variable) ?? "";
                    cond[test] = { ...(cond[test] ?? {}), [variable]: one(c.values) };
                }
                out.Condition = cond;
            }
            return out;
        }),
    };
    return JSON.stringify(doc, null, 2);
}
