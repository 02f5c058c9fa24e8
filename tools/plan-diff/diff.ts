/**
 * The differences between two offline plans: a readable per-resource diff of their `--json`
 * documents (added and removed URNs, changed inputs per URN, outputs, policy findings) and a
 * unified diff per changed artifact file (added and removed files listed).
 *
 * The JSON diff is pure; the artifact diff reads two `--out` directories and asks
 * `git diff --no-index` for the unified diff of each changed file.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

import type { PlanJson } from "../plan/plan";
import { isPlainObject } from "../plan/secrets";

/** Longest rendering of a value in the JSON diff before it is cut (the artifact diff has the detail). */
const MAX_VALUE = 160;

/** A value as shown in the JSON diff: JSON, cut at {@link MAX_VALUE} characters. */
export function showValue(v: unknown): string {
    const s = v === undefined ? "(absent)" : JSON.stringify(v);
    return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE)}… (${s.length} chars)` : s;
}

/** Every leaf of a JSON value by path (`spec.ports[0].port`); empty objects and arrays are leaves. */
export function leaves(v: unknown, at = "", out = new Map<string, unknown>()): Map<string, unknown> {
    if (Array.isArray(v) && v.length > 0) v.forEach((x, i) => leaves(x, `${at}[${i}]`, out));
    else if (isPlainObject(v) && Object.keys(v).length > 0) {
        for (const [k, x] of Object.entries(v)) leaves(x, at === "" ? k : `${at}.${k}`, out);
    } else out.set(at, v);
    return out;
}

function isEmptyContainer(v: unknown): boolean {
    return (Array.isArray(v) && v.length === 0) || (isPlainObject(v) && Object.keys(v).length === 0);
}

/** Lines `  <path>: <old> → <new>` for each leaf that differs between `a` and `b`, sorted by path. */
export function changedLeaves(a: unknown, b: unknown, indent = "    "): string[] {
    const la = leaves(a);
    const lb = leaves(b);
    const paths = [...new Set([...la.keys(), ...lb.keys()])].sort();
    const lines: string[] = [];
    // An empty object or array is a leaf of its own; when the other side filled it, its new
    // leaves say all there is to say.
    const filled = (p: string, other: Map<string, unknown>): boolean => [...other.keys()].some((k) => p === "" ? k !== "" : k.startsWith(`${p}.`) || k.startsWith(`${p}[`));
    for (const p of paths) {
        const x = la.get(p);
        const y = lb.get(p);
        if (JSON.stringify(x) === JSON.stringify(y) && la.has(p) === lb.has(p)) continue;
        if ((la.has(p) && !lb.has(p) && isEmptyContainer(x) && filled(p, lb)) || (lb.has(p) && !la.has(p) && isEmptyContainer(y) && filled(p, la))) continue;
        lines.push(`${indent}${p || "(whole value)"}: ${la.has(p) ? showValue(x) : "(absent)"} → ${lb.has(p) ? showValue(y) : "(absent)"}`);
    }
    return lines;
}

type Resource = PlanJson["resources"][number];
type Violation = PlanJson["policy"]["violations"][number];

/** The per-resource diff of two plan documents. */
export interface JsonDiff {
    /** Resources only the head has. */
    readonly added: readonly Resource[];
    /** Resources only the base has. */
    readonly removed: readonly Resource[];
    /** Resources in both whose type, parent, custom flag, inputs or options differ, with the changed leaves. */
    readonly changed: readonly { readonly urn: string; readonly type: string; readonly name: string; readonly lines: readonly string[] }[];
    /** Changed stack outputs (one line per changed leaf). */
    readonly outputs: readonly string[];
    /** Policy findings only the head has. */
    readonly violationsAdded: readonly Violation[];
    /** Policy findings only the base has. */
    readonly violationsRemoved: readonly Violation[];
    /** Other top-level differences (project, stack, exemptions). */
    readonly other: readonly string[];
}

/** True when a {@link JsonDiff} holds no difference. */
export function jsonDiffIsEmpty(d: JsonDiff): boolean {
    return [d.added, d.removed, d.changed, d.outputs, d.violationsAdded, d.violationsRemoved, d.other].every((x) => x.length === 0);
}

/** Compares two `--json` documents resource by resource (by URN). */
export function diffPlanJson(base: PlanJson, head: PlanJson): JsonDiff {
    const b = new Map(base.resources.map((r) => [r.urn, r]));
    const h = new Map(head.resources.map((r) => [r.urn, r]));
    const changed: { urn: string; type: string; name: string; lines: string[] }[] = [];
    for (const r of head.resources) {
        const old = b.get(r.urn);
        if (!old) continue;
        const lines: string[] = [];
        for (const k of ["type", "parent", "custom"] as const) {
            if (old[k] !== r[k]) lines.push(`    (${k}): ${showValue(old[k])} → ${showValue(r[k])}`);
        }
        lines.push(...changedLeaves(old.inputs, r.inputs));
        // How the engine would replace it (deleteBeforeReplace, protect, retainOnDelete, ...) is part of the change.
        lines.push(...changedLeaves({ options: old.options ?? {} }, { options: r.options ?? {} }));
        if (lines.length > 0) changed.push({ urn: r.urn, type: r.type, name: r.name, lines });
    }
    const key = (v: Violation): string => JSON.stringify([v.level, v.policy, v.urn ?? null, v.message]);
    const bv = new Set(base.policy.violations.map(key));
    const hv = new Set(head.policy.violations.map(key));
    const other: string[] = [];
    if (base.project !== head.project) other.push(`  project: ${showValue(base.project)} → ${showValue(head.project)}`);
    if (base.stack !== head.stack) other.push(`  stack: ${showValue(base.stack)} → ${showValue(head.stack)}`);
    other.push(...changedLeaves(base.policy.exemptions ?? [], head.policy.exemptions ?? [], "  exemptions "));
    return {
        added: head.resources.filter((r) => !b.has(r.urn)),
        removed: base.resources.filter((r) => !h.has(r.urn)),
        changed,
        outputs: changedLeaves(base.outputs, head.outputs, "  "),
        violationsAdded: head.policy.violations.filter((v) => !bv.has(key(v))),
        violationsRemoved: base.policy.violations.filter((v) => !hv.has(key(v))),
        other,
    };
}

/** Renders a {@link JsonDiff} as text: `+` added, `-` removed, `~` changed (with each changed input). */
export function renderJsonDiff(d: JsonDiff): string[] {
    const out: string[] = [];
    const violation = (v: Violation): string => `[${v.level}] ${v.policy} ${v.urn ?? "(stack)"}: ${v.message.split("\n")[0]}`;
    if (d.added.length + d.removed.length + d.changed.length > 0) {
        out.push("Resources:");
        for (const r of d.added) out.push(`+ ${r.type}  ${r.name}  (${r.urn})`);
        for (const r of d.removed) out.push(`- ${r.type}  ${r.name}  (${r.urn})`);
        for (const c of d.changed) out.push(`~ ${c.type}  ${c.name}  (${c.urn})`, ...c.lines);
    }
    if (d.outputs.length > 0) out.push("Outputs:", ...d.outputs);
    if (d.violationsAdded.length + d.violationsRemoved.length > 0) {
        out.push("Policy:");
        for (const v of d.violationsAdded) out.push(`+ ${violation(v)}`);
        for (const v of d.violationsRemoved) out.push(`- ${violation(v)}`);
    }
    if (d.other.length > 0) out.push("Plan:", ...d.other);
    return out;
}

/** Every file under `dir`, relative, sorted ('/' separated). */
export function listTree(dir: string): string[] {
    const out: string[] = [];
    const walk = (d: string): void => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) walk(p);
            else out.push(path.relative(dir, p).split(path.sep).join("/"));
        }
    };
    if (fs.existsSync(dir)) walk(dir);
    return out.sort();
}

/** The differences of two artifact directories. */
export interface ArtifactDiff {
    /** Files only the head has. */
    readonly added: readonly string[];
    /** Files only the base has. */
    readonly removed: readonly string[];
    /** Files in both whose bytes differ. */
    readonly changed: readonly string[];
}

/** Compares two `--out` directories file by file. */
export function diffArtifactDirs(baseDir: string, headDir: string): ArtifactDiff {
    const a = listTree(baseDir);
    const b = listTree(headDir);
    const inA = new Set(a);
    const inB = new Set(b);
    return {
        added: b.filter((f) => !inA.has(f)),
        removed: a.filter((f) => !inB.has(f)),
        changed: a.filter((f) => inB.has(f) && !fs.readFileSync(path.join(baseDir, f)).equals(fs.readFileSync(path.join(headDir, f)))),
    };
}

/**
 * The unified diff of one file in two directories, with `a/<file>` and `b/<file>` headers (by
 * `git diff --no-index`: no colour, no external diff driver, whatever the user's git config).
 */
export function unifiedDiff(baseDir: string, headDir: string, file: string): string {
    const r = spawnSync("git", ["diff", "--no-index", "--no-color", "--no-ext-diff", "--", path.join(baseDir, file), path.join(headDir, file)], {
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
    });
    // git diff --no-index exits 1 when the files differ, 0 when they do not, above 1 on errors.
    if (r.error || (r.status ?? 2) > 1) throw new Error(`git diff --no-index failed on ${file}: ${r.error?.message ?? r.stderr}`);
    const lines = r.stdout.split("\n");
    const hunk = lines.findIndex((l) => l.startsWith("@@"));
    if (hunk < 0) return `diff a/${file} b/${file}\n${lines.find((l) => l.startsWith("Binary files")) ? "Binary files differ" : r.stdout.trim()}\n`;
    return [`diff a/${file} b/${file}`, `--- a/${file}`, `+++ b/${file}`, ...lines.slice(hunk)].join("\n").replace(/\n*$/, "\n");
}

/** Renders an {@link ArtifactDiff}: added and removed files, then a unified diff per changed file. */
export function renderArtifactDiff(d: ArtifactDiff, baseDir: string, headDir: string): string[] {
    const out: string[] = [];
    if (d.added.length + d.removed.length + d.changed.length === 0) return out;
    out.push("Artifacts:");
    for (const f of d.added) out.push(`+ ${f}`);
    for (const f of d.removed) out.push(`- ${f}`);
    for (const f of d.changed) out.push(`~ ${f}`);
    for (const f of d.changed) out.push("", unifiedDiff(baseDir, headDir, f).replace(/\n$/, ""));
    return out;
}
