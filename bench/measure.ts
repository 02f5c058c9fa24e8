/**
 * Measures a command run in its own process group: wall time, peak memory (the sum of the resident
 * sets of every process in the group, sampled from /proc) and peak extra disk (bytes under a
 * directory the command writes its temporary files to, sampled the same way).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const PAGE_SIZE = 4096;
const SAMPLE_MS = 100;

/** What one measured run used. */
export interface Measurement {
    /** Wall-clock seconds. */
    seconds: number;
    /** Peak of the summed RSS of the command's process group, in bytes. */
    peakMemoryBytes: number;
    /** Peak bytes found under the watched directory. */
    peakDiskBytes: number;
    /** Captured stdout. */
    stdout: string;
    /** Captured stderr. */
    stderr: string;
}

/** Summed RSS (bytes) of the processes whose process group is `pgid`. */
function groupRss(pgid: number): number {
    let total = 0;
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
            // fields[2] is the process group; fields[21] is the RSS in pages.
            if (Number(fields[2]) === pgid) total += Number(fields[21]) * PAGE_SIZE;
        } catch {
            // the process ended while we looked
        }
    }
    return total;
}

/** Bytes of the regular files under `dir` (0 when it does not exist). */
export function dirBytes(dir: string): number {
    let total = 0;
    let entries: fs.Dirent[];
    try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
        return 0;
    }
    for (const e of entries) {
        const p = path.join(dir, e.name);
        try {
            if (e.isDirectory()) total += dirBytes(p);
            else if (e.isFile()) total += fs.statSync(p).size;
        } catch {
            // removed while we looked
        }
    }
    return total;
}

/**
 * Runs `bash -c script` in a new process group with `env` (as `user` when given), sampling memory
 * and the size of `diskDir`. Rejects with the command's stderr when it exits non-zero.
 */
export function measure(script: string, env: Record<string, string>, diskDir: string, user: { uid?: number; gid?: number } = {}): Promise<Measurement> {
    return new Promise((resolve, reject) => {
        const started = process.hrtime.bigint();
        const child = spawn("/bin/bash", ["-c", `set -euo pipefail; ${script}`], { ...user, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        let peakMemoryBytes = 0;
        let peakDiskBytes = 0;
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        const sample = (): void => {
            if (child.pid === undefined) return;
            peakMemoryBytes = Math.max(peakMemoryBytes, groupRss(child.pid));
            peakDiskBytes = Math.max(peakDiskBytes, dirBytes(diskDir));
        };
        const timer = setInterval(sample, SAMPLE_MS);
        child.on("error", (err) => {
            clearInterval(timer);
            reject(err);
        });
        child.on("close", (code) => {
            clearInterval(timer);
            const seconds = Number(process.hrtime.bigint() - started) / 1e9;
            if (code !== 0) {
                reject(new Error(`command failed (exit ${code}): ${script}\n${stderr.trim().split("\n").slice(-5).join("\n")}`));
                return;
            }
            resolve({ seconds, peakMemoryBytes, peakDiskBytes, stdout, stderr });
        });
    });
}
