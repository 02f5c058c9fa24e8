/**
 * Grafana Alloy's configuration, built from a small typed model of its configuration language
 * (blocks, attributes, literals and expressions) and rendered deterministically. There is no
 * library for the language, so strings are escaped here and identifiers checked.
 *
 * Alloy is not installed here: the tests check the rendered components' names and arguments
 * against Alloy's component reference (local.file_match, loki.source.file, loki.process and its
 * stages, discovery.kubernetes, discovery.relabel, loki.write).
 */
import type { ContainerLogSource } from "../platform/spec";

/** A raw expression (a component export reference, a function call): rendered as written. */
export class AlloyExpr {
    /** @param text The expression, e.g. `discovery.docker.containers.targets`. */
    constructor(public readonly text: string) {}
}

/** Reference to another component's export, e.g. `ref("loki.write", "default", "receiver")`. */
export function ref(component: string, label: string, exportName: string): AlloyExpr {
    checkDotted(component);
    checkIdent(label);
    checkIdent(exportName);
    return new AlloyExpr(`${component}.${label}.${exportName}`);
}

/** A value in the configuration language. */
export type AlloyValue = string | number | boolean | AlloyExpr | readonly AlloyValue[] | AlloyObject;

/** An object literal `{ "key" = value }`. */
export interface AlloyObject {
    readonly [key: string]: AlloyValue;
}

/** A block: `name "label" { attributes and nested blocks }`. */
export interface AlloyBlock {
    /** Block name: a component name (`loki.write`) or a nested block name (`rule`). */
    readonly name: string;
    /** Label (components have one; nested blocks none). Defaults to none. */
    readonly label?: string;
    /** Attributes, in order. */
    readonly attributes?: readonly (readonly [string, AlloyValue])[];
    /** Nested blocks, after the attributes. */
    readonly blocks?: readonly AlloyBlock[];
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkIdent(s: string): void {
    if (!IDENT.test(s)) throw new Error(`"${s}" is not an Alloy identifier (letters, digits, "_", not starting with a digit)`);
}
function checkDotted(s: string): void {
    for (const part of s.split(".")) checkIdent(part);
}

/** An Alloy string literal: double-quoted with Go-style escapes (JSON's escapes are a subset). */
export function alloyString(s: string): string {
    return JSON.stringify(s);
}

function isExpr(v: AlloyValue): v is AlloyExpr {
    return v instanceof AlloyExpr;
}

function renderValue(v: AlloyValue, indent: string): string {
    if (isExpr(v)) return v.text;
    if (typeof v === "string") return alloyString(v);
    if (typeof v === "number") {
        if (!Number.isFinite(v)) throw new Error(`Alloy numbers must be finite, got ${v}`);
        return String(v);
    }
    if (typeof v === "boolean") return v ? "true" : "false";
    if (Array.isArray(v)) {
        const items = (v as readonly AlloyValue[]).map((x) => renderValue(x, indent));
        return `[${items.join(", ")}]`;
    }
    const obj = v as AlloyObject;
    const keys = Object.keys(obj).sort();
    if (keys.length === 0) return "{}";
    const inner = `${indent}\t`;
    const lines = keys.map((k) => `${inner}${IDENT.test(k) ? k : alloyString(k)} = ${renderValue(obj[k], inner)},`);
    return `{\n${lines.join("\n")}\n${indent}}`;
}

function renderBlock(b: AlloyBlock, indent: string): string {
    checkDotted(b.name);
    const head = b.label !== undefined ? `${b.name} ${alloyString(b.label)}` : b.name;
    if (b.label !== undefined && !IDENT.test(b.label)) {
        throw new Error(`component label "${b.label}" must be an Alloy identifier`);
    }
    const inner = `${indent}\t`;
    const body: string[] = [];
    const seen = new Set<string>();
    for (const [key, value] of b.attributes ?? []) {
        checkIdent(key);
        if (seen.has(key)) throw new Error(`${head}: attribute "${key}" is set twice`);
        seen.add(key);
        body.push(`${inner}${key} = ${renderValue(value, inner)}`);
    }
    for (const child of b.blocks ?? []) {
        if (body.length > 0) body.push("");
        body.push(renderBlock(child, inner));
    }
    if (body.length === 0) return `${indent}${head} { }`;
    return `${indent}${head} {\n${body.join("\n")}\n${indent}}`;
}

/** Renders top-level blocks, separated by blank lines. Component name + label pairs must be unique. */
export function renderAlloy(blocks: readonly AlloyBlock[]): string {
    const ids = new Set<string>();
    for (const b of blocks) {
        const id = `${b.name}.${b.label ?? ""}`;
        if (ids.has(id)) throw new Error(`Alloy component ${b.name} "${b.label}" is declared twice`);
        ids.add(id);
    }
    return `${blocks.map((b) => renderBlock(b, "")).join("\n\n")}\n`;
}

// ---------------------------------------------------------------------------------------------
// The log collector's pipeline

/** Container paths and ports Alloy uses. */
export const ALLOY_DEFAULTS = {
    /** The configuration file. */
    configPath: "/etc/alloy/config.alloy",
    /** HTTP server (UI, /metrics, /-/ready). */
    httpPort: 12345,
    /** Storage path (positions of tailed files). */
    storagePath: "/var/lib/alloy/data",
    /** Where Kubernetes keeps pod logs on a node. */
    podLogsDir: "/var/log/pods",
    /** Where the docker json-file driver writes container logs. */
    dockerContainersDir: "/var/lib/docker/containers",
} as const;

/** Label keys the platforms set; the collector turns them into the `service` and `tier` log labels. */
export const SOURCE_LABELS = {
    workload: "proteamcare.io/workload",
    tier: "proteamcare.io/tier",
} as const;

/** Prometheus-style meta label name of a docker container label or Kubernetes pod label. */
export function metaLabel(prefix: "__meta_docker_container_label_" | "__meta_kubernetes_pod_label_", key: string): string {
    return prefix + key.replace(/[^A-Za-z0-9_]/g, "_");
}

/** Input of {@link alloyBlocks}. */
export interface AlloyConfigInput {
    /** Where the container logs are: the platform's `containerLogSource`. */
    readonly source: ContainerLogSource;
    /** Loki push URL, e.g. "http://loki:3100/loki/api/v1/push". */
    readonly lokiPushUrl: string;
    /** Labels added to every line (e.g. `{ stack: "dev" }`). Defaults to none. */
    readonly externalLabels?: Readonly<Record<string, string>>;
    /** Only ship workloads that carry the workload label (skip unrelated containers/pods). Defaults to true. */
    readonly onlyLabelled?: boolean;
    /** Kubernetes: namespaces whose pods are discovered. Defaults to all (needs cluster-wide list/watch on pods). */
    readonly namespaces?: readonly string[];
}

const relabelRule = (attrs: (readonly [string, AlloyValue])[]): AlloyBlock => ({ name: "rule", attributes: attrs });

/** Rules shared by both platforms: keep labelled workloads, map workload→service and tier→tier. */
function serviceTierRules(prefix: "__meta_docker_container_label_" | "__meta_kubernetes_pod_label_", onlyLabelled: boolean): AlloyBlock[] {
    const workload = metaLabel(prefix, SOURCE_LABELS.workload);
    const tier = metaLabel(prefix, SOURCE_LABELS.tier);
    return [
        ...(onlyLabelled ? [relabelRule([["source_labels", [workload]], ["regex", ".+"], ["action", "keep"]])] : []),
        relabelRule([["source_labels", [workload]], ["target_label", "service"]]),
        relabelRule([["source_labels", [tier]], ["target_label", "tier"]]),
    ];
}

function lokiWrite(input: AlloyConfigInput): AlloyBlock {
    if (!/^https?:\/\/[^\s/]+\/\S*$/.test(input.lokiPushUrl)) {
        throw new Error(`lokiPushUrl "${input.lokiPushUrl}" must be an http(s) URL such as http://loki:3100/loki/api/v1/push`);
    }
    const ext = input.externalLabels ?? {};
    for (const k of Object.keys(ext)) {
        if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k)) throw new Error(`external label "${k}" is not a valid Loki label name`);
    }
    return {
        name: "loki.write",
        label: "default",
        attributes: Object.keys(ext).length > 0 ? [["external_labels", ext]] : [],
        blocks: [{ name: "endpoint", attributes: [["url", input.lokiPushUrl]] }],
    };
}

/**
 * Docker: tail the json-file logs under /var/lib/docker/containers without the engine socket
 * (the policy pack forbids mounting it: it hands over the host). The workload and tier arrive in
 * each line's `attrs`, which the json-file driver writes for the container labels named in its
 * `labels` log option (the docker platform sets `labels=proteamcare.io/workload,proteamcare.io/tier`).
 */
function dockerBlocks(input: AlloyConfigInput): AlloyBlock[] {
    const only = input.onlyLabelled ?? true;
    const attr = (key: string): string => `attrs."${key}"`;
    return [
        {
            name: "local.file_match",
            label: "containers",
            attributes: [["path_targets", [{ __path__: `${ALLOY_DEFAULTS.dockerContainersDir}/*/*-json.log`, platform: "docker" }]]],
        },
        {
            name: "loki.source.file",
            label: "containers",
            attributes: [
                ["targets", ref("local.file_match", "containers", "targets")],
                ["forward_to", [ref("loki.process", "containers", "receiver")]],
            ],
        },
        {
            name: "loki.process",
            label: "containers",
            attributes: [["forward_to", [ref("loki.write", "default", "receiver")]]],
            blocks: [
                {
                    name: "stage.json",
                    attributes: [
                        [
                            "expressions",
                            { output: "log", stream: "stream", time: "time", service: attr(SOURCE_LABELS.workload), tier: attr(SOURCE_LABELS.tier) },
                        ],
                    ],
                },
                { name: "stage.labels", attributes: [["values", { service: "", stream: "", tier: "" }]] },
                ...(only
                    ? [
                          {
                              name: "stage.match",
                              attributes: [
                                  // `platform` is the positive matcher a selector needs; a missing label matches !~".+".
                                  ["selector", '{platform="docker", service!~".+"}'],
                                  ["action", "drop"],
                                  ["drop_counter_reason", "unlabelled_container"],
                              ] as (readonly [string, AlloyValue])[],
                          },
                      ]
                    : []),
                { name: "stage.timestamp", attributes: [["source", "time"], ["format", "RFC3339Nano"]] },
                { name: "stage.output", attributes: [["source", "output"]] },
            ],
        },
        lokiWrite(input),
    ];
}

function kubernetesBlocks(input: AlloyConfigInput): AlloyBlock[] {
    const only = input.onlyLabelled ?? true;
    return [
        // Every node's collector discovers pods, but only this node's log files exist locally,
        // so each line is read once (by the collector on the pod's node).
        {
            name: "discovery.kubernetes",
            label: "pods",
            attributes: [["role", "pod"]],
            blocks: input.namespaces && input.namespaces.length > 0 ? [{ name: "namespaces", attributes: [["names", [...input.namespaces].sort()]] }] : [],
        },
        {
            name: "discovery.relabel",
            label: "pod_logs",
            attributes: [["targets", ref("discovery.kubernetes", "pods", "targets")]],
            blocks: [
                ...serviceTierRules("__meta_kubernetes_pod_label_", only),
                relabelRule([["source_labels", ["__meta_kubernetes_namespace"]], ["target_label", "namespace"]]),
                relabelRule([["source_labels", ["__meta_kubernetes_pod_name"]], ["target_label", "pod"]]),
                relabelRule([["source_labels", ["__meta_kubernetes_pod_container_name"]], ["target_label", "container"]]),
                relabelRule([
                    ["source_labels", ["__meta_kubernetes_pod_uid", "__meta_kubernetes_pod_container_name"]],
                    ["separator", "/"],
                    ["regex", "(.+)"],
                    ["replacement", `${ALLOY_DEFAULTS.podLogsDir}/*$1/*.log`],
                    ["target_label", "__path__"],
                ]),
            ],
        },
        {
            name: "local.file_match",
            label: "pod_logs",
            attributes: [["path_targets", ref("discovery.relabel", "pod_logs", "output")]],
        },
        {
            name: "loki.source.file",
            label: "pod_logs",
            attributes: [
                ["targets", ref("local.file_match", "pod_logs", "targets")],
                ["forward_to", [ref("loki.process", "pod_logs", "receiver")]],
            ],
        },
        {
            name: "loki.process",
            label: "pod_logs",
            attributes: [["forward_to", [ref("loki.write", "default", "receiver")]]],
            blocks: [
                // Kubernetes writes container logs in the CRI format: timestamp, stream, flags, line.
                { name: "stage.cri" },
                { name: "stage.static_labels", attributes: [["values", { platform: "kubernetes" }]] },
            ],
        },
        lokiWrite(input),
    ];
}

/** The collector's pipeline for a platform, as blocks (tests inspect these; {@link renderAlloyConfig} renders them). */
export function alloyBlocks(input: AlloyConfigInput): AlloyBlock[] {
    return input.source === "docker-json-files" ? dockerBlocks(input) : kubernetesBlocks(input);
}

/** Renders the collector's configuration file. Deterministic. */
export function renderAlloyConfig(input: AlloyConfigInput): string {
    return renderAlloy(alloyBlocks(input));
}

/** Command-line arguments of `alloy run`: listen on all interfaces (for the probe), storage path, no usage reporting. */
export function alloyArgs(httpPort: number = ALLOY_DEFAULTS.httpPort): string[] {
    return [
        "run",
        `--server.http.listen-addr=0.0.0.0:${httpPort}`,
        `--storage.path=${ALLOY_DEFAULTS.storagePath}`,
        "--disable-reporting",
        ALLOY_DEFAULTS.configPath,
    ];
}
