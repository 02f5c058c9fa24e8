/**
 * Loki's and Alloy's rendered configuration, checked against the fields their documentation
 * defines. Neither Loki nor Alloy is available here (no Debian package), so no binary validates
 * these files: the Loki keys follow the Loki 3 configuration reference (schema_config v13 on tsdb,
 * compactor retention with delete_request_store, limits_config.retention_period), and the Alloy
 * components' names, arguments and blocks follow Alloy's component reference. The Alloy text is
 * parsed back by a small parser of the configuration language's syntax, so a rendering slip
 * (unbalanced braces, bad quoting) fails here.
 */
import * as assert from "assert";
import * as YAML from "yaml";
import {
    alloyArgs,
    alloyBlocks,
    AlloyBlock,
    AlloyExpr,
    metaLabel,
    ref,
    renderAlloy,
    renderAlloyConfig,
    SOURCE_LABELS,
} from "../../components/monitoring/alloy-config";
import { LOKI_DEFAULTS, lokiRetentionPeriod, renderLokiConfig } from "../../components/monitoring/loki-config";
import { LABELS } from "../../components/platform/spec";

// -------------------------------------------------------------------------------------------
// Loki

/** Top-level blocks of Loki 3's configuration reference. */
const LOKI_TOP_LEVEL = new Set([
    "target", "auth_enabled", "ballast_bytes", "server", "distributor", "querier", "query_scheduler", "frontend",
    "query_range", "ruler", "ingester_client", "ingester", "pattern_ingester", "index_gateway", "bloom_build",
    "bloom_gateway", "storage_config", "chunk_store_config", "schema_config", "compactor", "limits_config",
    "frontend_worker", "table_manager", "runtime_config", "memberlist", "kafka_config", "tracing", "analytics",
    "common", "operational_config", "profiling",
]);

interface LokiDoc {
    auth_enabled: boolean;
    server: { http_listen_port: number; grpc_listen_port: number };
    common: { path_prefix: string; replication_factor: number; ring: { kvstore: { store: string } }; storage: { filesystem: Record<string, string> } };
    schema_config: { configs: { from: string; store: string; object_store: string; schema: string; index: { prefix: string; period: string } }[] };
    storage_config: { tsdb_shipper: Record<string, string>; filesystem: { directory: string } };
    compactor: { working_directory: string; retention_enabled: boolean; delete_request_store: string; compaction_interval: string };
    limits_config: { retention_period: string };
}

describe("loki config", () => {
    const doc = YAML.parse(renderLokiConfig()) as LokiDoc & Record<string, unknown>;

    it("uses only top-level keys Loki 3 defines", () => {
        for (const k of Object.keys(doc)) assert.ok(LOKI_TOP_LEVEL.has(k), `unknown Loki top-level key ${k}`);
    });

    it("runs one tenant without auth on the documented ports", () => {
        assert.strictEqual(doc.auth_enabled, false);
        assert.strictEqual(doc.server.http_listen_port, 3100);
        assert.strictEqual(doc.server.grpc_listen_port, 9095);
        assert.strictEqual(doc.common.replication_factor, 1);
        assert.strictEqual(doc.common.ring.kvstore.store, "inmemory");
    });

    it("stores the index with tsdb on schema v13 and a 24h period, chunks on the filesystem", () => {
        assert.strictEqual(doc.schema_config.configs.length, 1);
        const c = doc.schema_config.configs[0];
        assert.deepStrictEqual(
            { store: c.store, schema: c.schema, object_store: c.object_store, period: c.index.period },
            { store: "tsdb", schema: "v13", object_store: "filesystem", period: "24h" },
        );
        assert.match(c.from, /^\d{4}-\d{2}-\d{2}$/);
        assert.ok(doc.storage_config.tsdb_shipper.active_index_directory && doc.storage_config.tsdb_shipper.cache_location);
    });

    it("keeps everything it writes under the data volume", () => {
        const paths = [
            doc.common.path_prefix,
            ...Object.values(doc.common.storage.filesystem),
            ...Object.values(doc.storage_config.tsdb_shipper),
            doc.storage_config.filesystem.directory,
            doc.compactor.working_directory,
        ];
        for (const p of paths) assert.ok(p === LOKI_DEFAULTS.dataDir || p.startsWith(`${LOKI_DEFAULTS.dataDir}/`), `${p} is outside ${LOKI_DEFAULTS.dataDir}`);
        const other = YAML.parse(renderLokiConfig({ dataDir: "/data/loki/" })) as LokiDoc;
        assert.strictEqual(other.compactor.working_directory, "/data/loki/compactor");
    });

    it("deletes old logs through the compactor: retention enabled, delete requests stored, 30 days by default", () => {
        assert.strictEqual(doc.compactor.retention_enabled, true);
        // Loki 3 refuses retention_enabled without a delete_request_store.
        assert.strictEqual(doc.compactor.delete_request_store, "filesystem");
        assert.strictEqual(doc.limits_config.retention_period, "720h");
        const week = YAML.parse(renderLokiConfig({ retentionDays: 7 })) as LokiDoc;
        assert.strictEqual(week.limits_config.retention_period, "168h");
    });

    it("refuses a retention that is not whole days, and other bad input", () => {
        assert.strictEqual(lokiRetentionPeriod(1), "24h");
        assert.throws(() => lokiRetentionPeriod(0), /whole number of days/);
        assert.throws(() => renderLokiConfig({ retentionDays: 1.5 }), /whole number of days/);
        assert.throws(() => renderLokiConfig({ schemaFrom: "2024-13-45" }), /schemaFrom/);
        assert.throws(() => renderLokiConfig({ httpPort: 9095 }), /must differ/);
        assert.throws(() => renderLokiConfig({ dataDir: "loki" }), /absolute/);
    });

    it("renders deterministically", () => {
        assert.strictEqual(renderLokiConfig(), renderLokiConfig({}));
    });
});

// -------------------------------------------------------------------------------------------
// Alloy: a parser of the syntax subset the renderer emits

type Parsed =
    | { kind: "string"; value: string }
    | { kind: "number"; value: number }
    | { kind: "bool"; value: boolean }
    | { kind: "ref"; value: string }
    | { kind: "array"; value: Parsed[] }
    | { kind: "object"; value: Record<string, Parsed> };

interface ParsedBlock {
    name: string;
    label?: string;
    attrs: Record<string, Parsed>;
    blocks: ParsedBlock[];
}

/** Parses Alloy configuration text: blocks, attributes, strings, numbers, bools, lists, objects, references. */
function parseAlloy(text: string): ParsedBlock[] {
    let i = 0;
    const ws = (): void => {
        while (i < text.length) {
            if (/\s/.test(text[i])) i++;
            else if (text.startsWith("//", i)) while (i < text.length && text[i] !== "\n") i++;
            else break;
        }
    };
    const fail = (what: string): never => {
        throw new Error(`Alloy parse error at ${i}: expected ${what}, found ${JSON.stringify(text.slice(i, i + 20))}`);
    };
    const ident = (): string => {
        const m = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*/.exec(text.slice(i));
        if (!m) fail("identifier");
        i += (m as RegExpExecArray)[0].length;
        return (m as RegExpExecArray)[0];
    };
    const str = (): string => {
        if (text[i] !== '"') fail("string");
        let j = i + 1;
        while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
        const s = JSON.parse(text.slice(i, j + 1)) as string;
        i = j + 1;
        return s;
    };
    const value = (): Parsed => {
        ws();
        const c = text[i];
        if (c === '"') return { kind: "string", value: str() };
        if (c === "[") {
            i++;
            const items: Parsed[] = [];
            ws();
            while (text[i] !== "]") {
                items.push(value());
                ws();
                if (text[i] === ",") i++;
                else if (text[i] !== "]") fail("',' or ']'");
                ws();
            }
            i++;
            return { kind: "array", value: items };
        }
        if (c === "{") {
            i++;
            const obj: Record<string, Parsed> = {};
            ws();
            while (text[i] !== "}") {
                const key = text[i] === '"' ? str() : ident();
                ws();
                if (text[i] !== "=") fail("'='");
                i++;
                obj[key] = value();
                ws();
                if (text[i] === ",") i++;
                else if (text[i] !== "}") fail("',' or '}'");
                ws();
            }
            i++;
            return { kind: "object", value: obj };
        }
        const num = /^-?\d+(\.\d+)?/.exec(text.slice(i));
        if (num) {
            i += num[0].length;
            return { kind: "number", value: Number(num[0]) };
        }
        const id = ident();
        if (id === "true" || id === "false") return { kind: "bool", value: id === "true" };
        return { kind: "ref", value: id };
    };
    const body = (): { attrs: Record<string, Parsed>; blocks: ParsedBlock[] } => {
        const attrs: Record<string, Parsed> = {};
        const blocks: ParsedBlock[] = [];
        for (;;) {
            ws();
            if (i >= text.length || text[i] === "}") return { attrs, blocks };
            const name = ident();
            ws();
            if (text[i] === "=") {
                i++;
                if (name in attrs) fail(`a single assignment of ${name}`);
                attrs[name] = value();
                continue;
            }
            let label: string | undefined;
            if (text[i] === '"') {
                label = str();
                ws();
            }
            if (text[i] !== "{") fail("'{'");
            i++;
            const inner = body();
            if (text[i] !== "}") fail("'}'");
            i++;
            blocks.push({ name, ...(label !== undefined ? { label } : {}), ...inner });
        }
    };
    const top = body();
    ws();
    if (i !== text.length) fail("end of file");
    assert.deepStrictEqual(top.attrs, {}, "no top-level attributes");
    return top.blocks;
}

/**
 * Arguments and nested blocks of the components used, from Alloy's component reference. Nested
 * block names map to their own allowed arguments.
 */
const ALLOY_REFERENCE: Record<string, { args: string[]; required: string[]; blocks?: Record<string, string[]>; exports: string[] }> = {
    "discovery.docker": {
        args: ["host", "port", "refresh_interval", "match_first_network", "bearer_token_file", "bearer_token", "enable_http2", "follow_redirects", "proxy_url"],
        required: ["host"],
        blocks: { filter: ["name", "values"] },
        exports: ["targets"],
    },
    "discovery.kubernetes": {
        args: ["api_server", "role", "kubeconfig_file", "bearer_token_file", "bearer_token", "enable_http2", "follow_redirects", "proxy_url"],
        required: ["role"],
        blocks: { namespaces: ["own_namespace", "names"], selectors: ["role", "label", "field"], attach_metadata: ["node"] },
        exports: ["targets"],
    },
    "discovery.relabel": {
        args: ["targets"],
        required: ["targets"],
        blocks: { rule: ["source_labels", "separator", "regex", "modulus", "target_label", "replacement", "action"] },
        exports: ["output", "rules"],
    },
    "local.file_match": { args: ["path_targets", "sync_period", "ignore_older_than"], required: ["path_targets"], exports: ["targets"] },
    "loki.source.docker": {
        args: ["host", "targets", "forward_to", "labels", "relabel_rules", "refresh_interval"],
        required: ["host", "targets", "forward_to"],
        exports: [],
    },
    "loki.source.file": {
        args: ["targets", "forward_to", "encoding", "tail_from_end", "legacy_positions_file"],
        required: ["targets", "forward_to"],
        exports: [],
    },
    "loki.process": {
        args: ["forward_to"],
        required: ["forward_to"],
        blocks: {
            "stage.cri": ["max_partial_lines", "max_partial_line_size", "max_partial_line_size_truncate"],
            "stage.static_labels": ["values"],
            "stage.json": ["expressions", "source", "drop_malformed"],
            "stage.labels": ["values"],
            "stage.match": ["selector", "action", "drop_counter_reason", "pipeline_name"],
            "stage.timestamp": ["source", "format", "fallback_formats", "location", "action_on_failure"],
            "stage.output": ["source"],
        },
        exports: ["receiver"],
    },
    "loki.write": {
        args: ["max_streams", "external_labels"],
        required: [],
        blocks: { endpoint: ["name", "url", "batch_wait", "batch_size", "remote_timeout", "headers", "tenant_id", "retry_on_http_429"] },
        exports: ["receiver"],
    },
};

/** Relabel actions Alloy's discovery.relabel rule block accepts. */
const RELABEL_ACTIONS = ["replace", "keep", "drop", "hashmod", "labelmap", "labeldrop", "labelkeep", "lowercase", "uppercase", "keepequal", "dropequal"];

function refs(p: Parsed): string[] {
    if (p.kind === "ref") return [p.value];
    if (p.kind === "array") return p.value.flatMap(refs);
    if (p.kind === "object") return Object.values(p.value).flatMap(refs);
    return [];
}

/** Checks parsed components against the reference table and that every reference resolves to a declared component's export. */
function checkAgainstReference(blocks: ParsedBlock[]): void {
    const declared = new Map(blocks.map((b) => [`${b.name}.${b.label}`, b.name]));
    for (const b of blocks) {
        const refDoc = ALLOY_REFERENCE[b.name];
        assert.ok(refDoc, `component ${b.name} is not in the reference table`);
        assert.ok(b.label && /^[A-Za-z_][A-Za-z0-9_]*$/.test(b.label), `${b.name} needs an identifier label`);
        for (const a of Object.keys(b.attrs)) assert.ok(refDoc.args.includes(a), `${b.name}: unknown argument ${a}`);
        for (const r of refDoc.required) assert.ok(r in b.attrs, `${b.name}: required argument ${r} missing`);
        for (const nested of b.blocks) {
            const allowed = refDoc.blocks?.[nested.name];
            assert.ok(allowed, `${b.name}: unknown block ${nested.name}`);
            for (const a of Object.keys(nested.attrs)) assert.ok(allowed.includes(a), `${b.name} > ${nested.name}: unknown argument ${a}`);
            if (nested.name === "rule" && nested.attrs.action) {
                const action = nested.attrs.action;
                assert.ok(action.kind === "string" && RELABEL_ACTIONS.includes(action.value), `bad relabel action ${JSON.stringify(action)}`);
            }
        }
        for (const r of Object.values(b.attrs).flatMap(refs)) {
            const parts = r.split(".");
            const exp = parts.pop() as string;
            const target = parts.join(".");
            const comp = declared.get(target);
            assert.ok(comp, `${b.name}.${b.label} references ${r}, but ${target} is not declared`);
            assert.ok(ALLOY_REFERENCE[comp].exports.includes(exp), `${target} has no export ${exp}`);
        }
    }
}

function rulesOf(block: ParsedBlock): Record<string, Parsed>[] {
    return block.blocks.filter((b) => b.name === "rule").map((b) => b.attrs);
}

const PUSH = "http://loki:3100/loki/api/v1/push";

describe("alloy config language renderer", () => {
    it("renders blocks, labels, attributes, lists, objects and references that parse back", () => {
        const text = renderAlloy([
            {
                name: "loki.write",
                label: "default",
                attributes: [["external_labels", { stack: "dev", "with-dash": "x\"y\\z\n" }]],
                blocks: [{ name: "endpoint", attributes: [["url", PUSH], ["batch_size", 1024], ["retry_on_http_429", true]] }],
            },
            { name: "loki.process", label: "p", attributes: [["forward_to", [ref("loki.write", "default", "receiver")]]], blocks: [{ name: "stage.cri" }] },
        ]);
        const parsed = parseAlloy(text);
        assert.strictEqual(parsed.length, 2);
        const ext = parsed[0].attrs.external_labels;
        assert.ok(ext.kind === "object");
        assert.deepStrictEqual(ext.value["with-dash"], { kind: "string", value: "x\"y\\z\n" });
        assert.deepStrictEqual(parsed[0].blocks[0].attrs.batch_size, { kind: "number", value: 1024 });
        assert.deepStrictEqual(parsed[1].attrs.forward_to, { kind: "array", value: [{ kind: "ref", value: "loki.write.default.receiver" }] });
        assert.deepStrictEqual(parsed[1].blocks[0], { name: "stage.cri", attrs: {}, blocks: [] });
    });

    it("refuses invalid identifiers, duplicate components and duplicate attributes", () => {
        assert.throws(() => renderAlloy([{ name: "loki.write", label: "bad-label" }]), /must be an Alloy identifier/);
        assert.throws(() => renderAlloy([{ name: "loki..write", label: "x" }]), /not an Alloy identifier/);
        assert.throws(() => renderAlloy([{ name: "loki.write", label: "a" }, { name: "loki.write", label: "a" }]), /declared twice/);
        assert.throws(() => renderAlloy([{ name: "loki.write", label: "a", attributes: [["x", 1], ["x", 2]] }]), /set twice/);
        assert.throws(() => ref("loki.write", "default", "re-ceiver"), /not an Alloy identifier/);
        assert.throws(() => renderAlloy([{ name: "x.y", label: "a", attributes: [["n", Number.NaN]] }]), /finite/);
    });

    it("the test parser rejects malformed text (it can fail)", () => {
        assert.throws(() => parseAlloy('loki.write "a" {\n\tendpoint {\n'), /parse error/);
        assert.throws(() => parseAlloy('loki.write "a" { x = "unterminated }'), /./);
        assert.ok(new AlloyExpr("a.b.c").text === "a.b.c");
    });
});

describe("alloy log collector config", () => {
    it("maps the platforms' workload and tier labels to the service and tier log labels", () => {
        assert.strictEqual(SOURCE_LABELS.workload, LABELS.workload);
        assert.strictEqual(SOURCE_LABELS.tier, LABELS.tier);
        assert.strictEqual(metaLabel("__meta_kubernetes_pod_label_", LABELS.workload), "__meta_kubernetes_pod_label_proteamcare_io_workload");
        assert.strictEqual(metaLabel("__meta_kubernetes_pod_label_", LABELS.tier), "__meta_kubernetes_pod_label_proteamcare_io_tier");
    });

    describe("docker", () => {
        const parsed = parseAlloy(renderAlloyConfig({ source: "docker-json-files", lokiPushUrl: PUSH, externalLabels: { stack: "dev" } }));
        const stage = (name: string): ParsedBlock | undefined => parsed[2].blocks.find((b) => b.name === name);

        it("uses documented components and arguments, and every reference resolves", () => {
            assert.deepStrictEqual(
                parsed.map((b) => b.name),
                ["local.file_match", "loki.source.file", "loki.process", "loki.write"],
            );
            checkAgainstReference(parsed);
        });

        it("tails the json-file logs without the engine socket", () => {
            const text = renderAlloyConfig({ source: "docker-json-files", lokiPushUrl: PUSH });
            assert.ok(!text.includes("docker.sock"), "the engine socket is never used");
            assert.deepStrictEqual(parsed[0].attrs.path_targets, {
                kind: "array",
                value: [{ kind: "object", value: { __path__: { kind: "string", value: "/var/lib/docker/containers/*/*-json.log" }, platform: { kind: "string", value: "docker" } } }],
            });
            assert.deepStrictEqual(parsed[1].attrs.targets, { kind: "ref", value: "local.file_match.containers.targets" });
            assert.deepStrictEqual(parsed[1].attrs.forward_to, { kind: "array", value: [{ kind: "ref", value: "loki.process.containers.receiver" }] });
        });

        it("takes service and tier from the json-file attrs of the proteamcare.io labels and keeps the line and its time", () => {
            const json = stage("stage.json");
            assert.ok(json && json.attrs.expressions.kind === "object");
            const ex = json.attrs.expressions.value;
            assert.deepStrictEqual(ex.service, { kind: "string", value: `attrs."${LABELS.workload}"` });
            assert.deepStrictEqual(ex.tier, { kind: "string", value: `attrs."${LABELS.tier}"` });
            assert.deepStrictEqual(ex.output, { kind: "string", value: "log" });
            const labels = stage("stage.labels")?.attrs.values;
            assert.ok(labels?.kind === "object");
            assert.deepStrictEqual(Object.keys(labels.value).sort(), ["service", "stream", "tier"]);
            assert.deepStrictEqual(stage("stage.output")?.attrs.source, { kind: "string", value: "output" });
            assert.deepStrictEqual(stage("stage.timestamp")?.attrs.format, { kind: "string", value: "RFC3339Nano" });
        });

        it("drops lines of containers without the workload label (unless told not to)", () => {
            const match = stage("stage.match");
            assert.deepStrictEqual(match?.attrs.action, { kind: "string", value: "drop" });
            assert.deepStrictEqual(match?.attrs.selector, { kind: "string", value: '{platform="docker", service!~".+"}' });
            const all = parseAlloy(renderAlloyConfig({ source: "docker-json-files", lokiPushUrl: PUSH, onlyLabelled: false }));
            assert.ok(!all[2].blocks.some((b) => b.name === "stage.match"));
        });

        it("pushes to Loki with the external labels", () => {
            const write = parsed[3];
            assert.deepStrictEqual(write.blocks[0].attrs.url, { kind: "string", value: PUSH });
            assert.deepStrictEqual(write.attrs.external_labels, { kind: "object", value: { stack: { kind: "string", value: "dev" } } });
        });
    });

    describe("kubernetes", () => {
        const parsed = parseAlloy(renderAlloyConfig({ source: "kubernetes-pods", lokiPushUrl: PUSH, namespaces: ["ptc", "ptc-host"] }));

        it("uses documented components and arguments, and every reference resolves", () => {
            assert.deepStrictEqual(
                parsed.map((b) => b.name),
                ["discovery.kubernetes", "discovery.relabel", "local.file_match", "loki.source.file", "loki.process", "loki.write"],
            );
            checkAgainstReference(parsed);
        });

        it("discovers pods (in the given namespaces) and tails their files under /var/log/pods", () => {
            assert.deepStrictEqual(parsed[0].attrs.role, { kind: "string", value: "pod" });
            assert.deepStrictEqual(parsed[0].blocks[0].attrs.names, {
                kind: "array",
                value: [
                    { kind: "string", value: "ptc" },
                    { kind: "string", value: "ptc-host" },
                ],
            });
            const rules = rulesOf(parsed[1]);
            const path = rules.find((r) => r.target_label?.kind === "string" && r.target_label.value === "__path__");
            assert.ok(path);
            assert.deepStrictEqual(path.replacement, { kind: "string", value: "/var/log/pods/*$1/*.log" });
            assert.deepStrictEqual(path.source_labels, {
                kind: "array",
                value: [
                    { kind: "string", value: "__meta_kubernetes_pod_uid" },
                    { kind: "string", value: "__meta_kubernetes_pod_container_name" },
                ],
            });
            assert.deepStrictEqual(parsed[2].attrs.path_targets, { kind: "ref", value: "discovery.relabel.pod_logs.output" });
            assert.deepStrictEqual(parsed[3].attrs.targets, { kind: "ref", value: "local.file_match.pod_logs.targets" });
        });

        it("relabels pod labels to service and tier and parses the CRI log format", () => {
            const rules = rulesOf(parsed[1]);
            const src = (target: string): Parsed | undefined => rules.find((r) => r.target_label?.kind === "string" && r.target_label.value === target)?.source_labels;
            assert.deepStrictEqual(src("service"), { kind: "array", value: [{ kind: "string", value: "__meta_kubernetes_pod_label_proteamcare_io_workload" }] });
            assert.deepStrictEqual(src("tier"), { kind: "array", value: [{ kind: "string", value: "__meta_kubernetes_pod_label_proteamcare_io_tier" }] });
            assert.ok(parsed[4].blocks.some((b) => b.name === "stage.cri"));
        });

        it("without namespaces, discovers cluster-wide (no namespaces block)", () => {
            const blocks = alloyBlocks({ source: "kubernetes-pods", lokiPushUrl: PUSH });
            assert.deepStrictEqual((blocks[0] as AlloyBlock).blocks, []);
        });
    });

    it("refuses a bad Loki URL or label name", () => {
        assert.throws(() => renderAlloyConfig({ source: "docker-json-files", lokiPushUrl: "loki:3100" }), /lokiPushUrl/);
        assert.throws(() => renderAlloyConfig({ source: "docker-json-files", lokiPushUrl: PUSH, externalLabels: { "bad-name": "x" } }), /not a valid Loki label name/);
    });

    it("runs alloy on all interfaces on 12345 with the storage path and the config file", () => {
        assert.deepStrictEqual(alloyArgs(), [
            "run",
            "--server.http.listen-addr=0.0.0.0:12345",
            "--storage.path=/var/lib/alloy/data",
            "--disable-reporting",
            "/etc/alloy/config.alloy",
        ]);
    });
});
