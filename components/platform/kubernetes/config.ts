/**
 * A workload's ConfigMap (plain files) and Secret (secret env and secret files), and the checksum
 * that rolls its pods when either changes.
 */
import * as crypto from "crypto";
import type * as pulumi from "@pulumi/pulumi";
import { ContainerSpec, FileSpec, resolveSidecar, WorkloadSpec } from "../spec";
import { meta, objectLabels } from "./metadata";
import { configMapName, fileKey, secretFileKey, secretName } from "./names";
import type { ConfigMapManifest, Kind, ManifestContext, SecretManifest } from "./types";

/**
 * Checksum (HMAC-SHA256 under `key`) of a set of named contents, independent of key order. Used on
 * pod templates so that a changed file or secret rolls the pods (Kubernetes does not restart pods
 * when a ConfigMap or Secret changes). Key it with a secret when the contents are secret.
 */
export function contentChecksum(entries: Readonly<Record<string, string>>, key = ""): string {
    const h = crypto.createHmac("sha256", key);
    for (const k of Object.keys(entries).sort()) {
        h.update(k).update("\0").update(entries[k]).update("\0");
    }
    return h.digest("hex");
}

/** Files split into the ConfigMap's and the Secret's, each with its key, sorted by path. */
export function splitFiles(spec: ContainerSpec): { plain: { key: string; file: FileSpec }[]; secret: { key: string; file: FileSpec }[] } {
    const files = [...(spec.files ?? [])].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return {
        plain: files.filter((f) => !f.secret).map((file) => ({ key: fileKey(file.path), file })),
        secret: files.filter((f) => f.secret).map((file) => ({ key: secretFileKey(file.path), file })),
    };
}

/**
 * Every file of the pod: the workload's and its sidecars' (the cron loop), once per path (sidecars
 * of one workload upload the same script). One ConfigMap and one Secret hold them all.
 */
export function podFiles(name: string, spec: ContainerSpec & Partial<WorkloadSpec>): FileSpec[] {
    const out = [...(spec.files ?? [])];
    for (const sc of spec.sidecars ?? []) {
        for (const f of resolveSidecar(name, spec as WorkloadSpec, sc).container.files ?? []) {
            if (!out.some((o) => o.path === f.path)) out.push(f);
        }
    }
    return out;
}

/**
 * The Secret key of a sidecar's secret env var: `<sidecar container>.<NAME>`, apart from the
 * workload's own keys (env names hold no ".", and sidecar containers are named `<workload>-<name>`,
 * never "file").
 */
export function sidecarSecretKey(container: string, env: string): string {
    return `${container}.${env}`;
}

/** Every secret env value of the pod keyed as in its Secret: the workload's, then its sidecars'. */
export function podSecretEnv(name: string, spec: ContainerSpec & Partial<WorkloadSpec>): Record<string, pulumi.Input<string>> {
    const out: Record<string, pulumi.Input<string>> = { ...(spec.secretEnv ?? {}) };
    for (const sc of spec.sidecars ?? []) {
        const r = resolveSidecar(name, spec as WorkloadSpec, sc);
        for (const [k, v] of Object.entries(r.container.secretEnv ?? {})) out[sidecarSecretKey(r.name, k)] = v;
    }
    return out;
}

/** The workload's ConfigMap (plain files), or undefined when it has none. */
export function configMapManifest(name: string, spec: ContainerSpec, ctx: ManifestContext, kind: Kind): ConfigMapManifest | undefined {
    const { plain } = splitFiles({ ...spec, files: podFiles(name, spec) });
    if (plain.length === 0) return undefined;
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: meta(configMapName(name), ctx, objectLabels(name, spec, ctx, kind)),
        data: Object.fromEntries(plain.map(({ key, file }) => [key, file.content])),
    };
}

/** The workload's Secret (secret env and secret files), or undefined when it has none. */
export function secretManifest(name: string, spec: ContainerSpec, ctx: ManifestContext, kind: Kind): SecretManifest | undefined {
    const { secret } = splitFiles({ ...spec, files: podFiles(name, spec) });
    const env = podSecretEnv(name, spec);
    if (secret.length === 0 && Object.keys(env).length === 0) return undefined;
    const stringData: Record<string, pulumi.Input<string>> = {};
    for (const k of Object.keys(env).sort()) stringData[k] = env[k];
    for (const { key, file } of secret) stringData[key] = file.content;
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: meta(secretName(name), ctx, objectLabels(name, spec, ctx, kind)),
        type: "Opaque",
        stringData,
    };
}
