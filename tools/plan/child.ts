/**
 * Runs the offline plan in a fresh process. The Pulumi runtime is process-global, so every plan
 * after the first in a process (tests, tools that compare stacks) must run this way.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";

import type { PlanJson } from "./plan";

/** Where the CLI lives. */
export const CLI_PATH = path.join(__dirname, "cli.ts");

/** tsx's loader (TypeScript for both CommonJS and ESM), by absolute URL so any cwd works. */
export const TSX_LOADER = pathToFileURL(path.join(path.dirname(require.resolve("tsx/package.json")), "dist", "loader.mjs")).href;

/** Options of {@link planInChildProcess}; paths are relative to `cwd`. */
export interface ChildPlanOptions {
    /** Stack name. */
    readonly stack: string;
    /** `--project DIR`. Defaults to the repository root's project. */
    readonly project?: string;
    /** `--program PATH`. Defaults to the project's program. */
    readonly program?: string;
    /** `--config FILE`. Defaults to Pulumi.<stack>.yaml. */
    readonly config?: string;
    /** `--policy-config FILE`. Defaults to policy/config/<stack>.json when present. */
    readonly policyConfig?: string;
    /** `--out DIR`: where artifacts go. Defaults to none. */
    readonly out?: string;
    /** `--seed N`: a deterministic plan. Defaults to fresh randomness. */
    readonly seed?: number | string;
    /** Also collect the run's stand-in secrets (`--record-mock-secrets`). Defaults to false. */
    readonly recordMockSecrets?: boolean;
    /** Working directory. Defaults to the repository root. */
    readonly cwd?: string;
    /** Milliseconds before the child is killed. Defaults to 300000. */
    readonly timeoutMs?: number;
}

/** What a child plan produced. */
export interface ChildPlanResult {
    /** Exit status (0 clean, 1 mandatory violation, 2 error). */
    readonly code: number;
    /** Everything the plan printed on stdout. */
    readonly stdout: string;
    /** Everything it printed on stderr. */
    readonly stderr: string;
    /** The `--json` document, when the plan got that far. */
    readonly json?: PlanJson;
    /** The `--json` file exactly as written (for byte comparisons). */
    readonly jsonText?: string;
    /** The run's stand-in secrets, when asked for and the plan got that far. */
    readonly mockSecrets?: readonly string[];
}

/** Runs `tsx tools/plan/cli.ts` in a child process and collects its results. */
export async function planInChildProcess(opts: ChildPlanOptions): Promise<ChildPlanResult> {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ptc-plan-"));
    try {
        const jsonFile = path.join(tmp, "plan.json");
        const secretsFile = path.join(tmp, "mock-secrets.json");
        const args = [opts.stack, "--json", jsonFile];
        if (opts.project !== undefined) args.push("--project", opts.project);
        if (opts.program !== undefined) args.push("--program", opts.program);
        if (opts.config !== undefined) args.push("--config", opts.config);
        if (opts.policyConfig !== undefined) args.push("--policy-config", opts.policyConfig);
        if (opts.out !== undefined) args.push("--out", opts.out);
        if (opts.seed !== undefined) args.push("--seed", String(opts.seed));
        if (opts.recordMockSecrets) args.push("--record-mock-secrets", secretsFile);
        const cwd = opts.cwd ?? path.resolve(__dirname, "..", "..");
        const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
            const child = spawn(process.execPath, ["--import", TSX_LOADER, CLI_PATH, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
            let out = "";
            let err = "";
            child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
            child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
            const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 300_000);
            child.on("error", (e) => {
                clearTimeout(timer);
                reject(e);
            });
            child.on("close", (c, signal) => {
                clearTimeout(timer);
                resolve({ code: c ?? (signal ? 128 : 1), stdout: out, stderr: err });
            });
        });
        const jsonText = fs.existsSync(jsonFile) ? fs.readFileSync(jsonFile, "utf8") : undefined;
        const json = jsonText !== undefined ? (JSON.parse(jsonText) as PlanJson) : undefined;
        const mockSecrets = fs.existsSync(secretsFile) ? (JSON.parse(fs.readFileSync(secretsFile, "utf8")) as string[]) : undefined;
        return { code, stdout, stderr, ...(json ? { json, jsonText } : {}), ...(mockSecrets ? { mockSecrets } : {}) };
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}
