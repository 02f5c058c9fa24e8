/**
 * Test helper: finds stand-in secrets (mock passwords, secure-config placeholders) in text and
 * files, in every form they could take there (raw, base64, JSON-escaped).
 */
import * as fs from "node:fs";
import * as path from "node:path";

import { SIG_KEY } from "../../tools/plan/sdk-monitor";

/** The forms in which `secret` could appear in a file. */
export function secretForms(secret: string): string[] {
    return [...new Set([secret, Buffer.from(secret).toString("base64"), JSON.stringify(secret).slice(1, -1)])].filter((s) => s.length >= 8);
}

/** Every file under `dir` (relative paths, sorted). */
export function listFiles(dir: string): string[] {
    const out: string[] = [];
    const walk = (d: string): void => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) walk(p);
            else out.push(path.relative(dir, p));
        }
    };
    walk(dir);
    return out.sort();
}

/** The key of Pulumi's secret envelope: it must never reach output either (the envelope holds the value). */
const ENVELOPE_KEY = SIG_KEY;

/**
 * Descriptions of every place one of `secrets` appears (`<where>: <secret prefix>…`), and of
 * every place an unredacted secret envelope appears (`<where>: secret envelope`).
 */
export function findLeaks(secrets: readonly string[], texts: Readonly<Record<string, string>>): string[] {
    const leaks: string[] = [];
    for (const [where, text] of Object.entries(texts)) {
        if (text.includes(ENVELOPE_KEY)) leaks.push(`${where}: secret envelope`);
        for (const s of secrets) {
            if (secretForms(s).some((f) => text.includes(f))) leaks.push(`${where}: ${s.slice(0, 12)}…`);
        }
    }
    return leaks;
}

/** Reads every file under `dir` as text, keyed by `<label>/<relative path>`. */
export function readTree(dir: string, label: string): Record<string, string> {
    return Object.fromEntries(listFiles(dir).map((f) => [`${label}/${f}`, fs.readFileSync(path.join(dir, f), "utf8")]));
}
