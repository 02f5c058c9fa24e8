/**
 * `npm run plan-diff -- <stack> [--base REV] [--head REV | --head-dir DIR] [--seed N]`
 *
 * The offline counterpart of `pulumi preview --diff`: plans a stack at two git revisions with
 * the same seed and prints what differs, in the `--json` document (per resource) and in the
 * rendered artifacts (a unified diff per file). Each revision is checked out into a temporary
 * `git worktree` (node_modules linked in) and planned by THIS tree's plan CLI with
 * `--program <rev>/index.ts --config <rev>/Pulumi.<stack>.yaml`: the plan tool, its mocks and the
 * policy pack (and its config) are the current tree's, only the program and the stack config
 * come from the revision. That is what lets a revision older than `--seed` be planned
 * deterministically, and keeps policy changes out of the diff of a program change.
 *
 * Exit status: 0 nothing differs, 1 something does, 2 an error (a plan failed, a bad revision).
 * The temporary worktrees are removed in every case.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";

import { planInChildProcess } from "../plan/child";
import type { PlanJson } from "../plan/plan";
import { parseSeed } from "../plan/random";
import { diffArtifactDirs, diffPlanJson, jsonDiffIsEmpty, renderArtifactDiff, renderJsonDiff } from "./diff";

/** The repository root: the working tree side of a diff, and where `git worktree` runs. */
const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** Seed used when none is given: any fixed one will do, both sides use the same. */
export const DEFAULT_SEED = "1";

/** Usage text. */
export const USAGE = `usage: npm run plan-diff -- <stack> [options]

Plans <stack> offline at two revisions with the same seed and prints the differences of the
plan JSON (per resource: added and removed URNs, changed inputs) and of the rendered artifacts
(a unified diff per file). Each revision is checked out into a temporary git worktree; the plan
tool, its mocks and the policy pack are this tree's, only the program and Pulumi.<stack>.yaml
come from the revision.

options:
  --base REV      the revision to compare from (default: HEAD)
  --head REV      the revision to compare to (default: the working tree, uncommitted changes included)
  --head-dir DIR  compare to the project checked out in DIR instead (e.g. another worktree)
  --seed N        the seed of both plans (default: ${DEFAULT_SEED})
  -h, --help      this text

exit status: 0 no difference, 1 differences, 2 an error`;

/** Parsed command line. */
export interface DiffArgs {
    /** Stack name. */
    readonly stack: string;
    /** Base revision. */
    readonly base: string;
    /** Head revision; undefined for the working tree (or {@link headDir}). */
    readonly head?: string;
    /** Head project directory. */
    readonly headDir?: string;
    /** Seed of both plans. */
    readonly seed: string;
}

/** Parses the command line; throws on bad arguments. */
export function parseDiffArgs(argv: readonly string[]): DiffArgs | "help" {
    const { values, positionals } = parseArgs({
        args: [...argv],
        allowPositionals: true,
        options: {
            base: { type: "string" },
            head: { type: "string" },
            "head-dir": { type: "string" },
            seed: { type: "string" },
            help: { type: "boolean", short: "h" },
        },
    });
    if (values.help) return "help";
    if (positionals.length !== 1) throw new Error(positionals.length === 0 ? "missing <stack> (e.g. dev or prod)" : `expected one stack, got ${positionals.join(" ")}`);
    const stack = positionals[0];
    if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new Error(`stack name "${stack}" may only contain letters, digits, "-", "_" and "."`);
    if (values.head !== undefined && values["head-dir"] !== undefined) throw new Error("give --head or --head-dir, not both");
    return {
        stack,
        base: values.base ?? "HEAD",
        ...(values.head !== undefined ? { head: values.head } : {}),
        ...(values["head-dir"] !== undefined ? { headDir: path.resolve(values["head-dir"]) } : {}),
        seed: parseSeed(values.seed ?? DEFAULT_SEED),
    };
}

function git(args: readonly string[], cwd = REPO_ROOT): string {
    try {
        return execFileSync("git", [...args], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
    } catch (e) {
        const stderr = (e as { stderr?: string }).stderr?.trim();
        throw new Error(`git ${args.join(" ")}: ${stderr || (e as Error).message}`);
    }
}

/** Temporary worktrees made by this run, removed by {@link cleanUp}. */
class Worktrees {
    private readonly made: string[] = [];

    constructor(private readonly tmp: string) {}

    /** Checks `rev` out (detached) under the temporary directory, with node_modules linked in. */
    add(label: string, rev: string): { dir: string; sha: string } {
        let sha: string;
        try {
            sha = git(["rev-parse", "--verify", "--quiet", `${rev}^{commit}`]);
        } catch {
            throw new Error(`${rev} is not a commit of this repository`);
        }
        const dir = path.join(this.tmp, label);
        git(["worktree", "add", "--detach", "--quiet", dir, sha]);
        this.made.push(dir);
        // The program resolves its packages from its own directory: link this tree's (the same
        // real path, so the SDK runtime the plan tool drives is the one the program uses).
        fs.symlinkSync(fs.realpathSync(path.join(REPO_ROOT, "node_modules")), path.join(dir, "node_modules"), "dir");
        return { dir, sha };
    }

    /** Removes every worktree made and the temporary directory; never throws. */
    cleanUp(): void {
        for (const dir of this.made.splice(0)) {
            try {
                fs.rmSync(path.join(dir, "node_modules"), { force: true });
                git(["worktree", "remove", "--force", dir]);
            } catch {
                // Fall back to deleting it and letting git forget it.
                fs.rmSync(dir, { recursive: true, force: true });
                try {
                    git(["worktree", "prune"]);
                } catch {
                    // Nothing more to do.
                }
            }
        }
        fs.rmSync(this.tmp, { recursive: true, force: true });
    }
}

/** Plans the project in `dir`: its index.ts and Pulumi.<stack>.yaml, this tree's tool and pack. */
async function planSide(label: string, dir: string, stack: string, seed: string, out: string): Promise<{ json: PlanJson; out: string }> {
    const program = path.join(dir, "index.ts");
    const config = path.join(dir, `Pulumi.${stack}.yaml`);
    for (const f of [program, config]) if (!fs.existsSync(f)) throw new Error(`${label}: ${path.relative(dir, f)} does not exist there`);
    const r = await planInChildProcess({ stack, program, config, seed, out, cwd: dir });
    // Exit 1 (a mandatory violation) still wrote the plan: a diff can show how it came about.
    if (!r.json || r.code > 1) throw new Error(`${label}: the plan failed (exit ${r.code}):\n${r.stderr.trim() || r.stdout.trim()}`);
    return { json: r.json, out };
}

/** Runs the tool; resolves to the exit status. Prints the diff on stdout, errors on stderr. */
export async function main(argv: readonly string[]): Promise<number> {
    let args: DiffArgs | "help";
    try {
        args = parseDiffArgs(argv);
    } catch (e) {
        console.error(`error: ${(e as Error).message}\n\n${USAGE}`);
        return 2;
    }
    if (args === "help") {
        console.log(USAGE);
        return 0;
    }
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ptc-plan-diff-"));
    const trees = new Worktrees(tmp);
    const onSignal = (signal: NodeJS.Signals): void => {
        trees.cleanUp();
        process.exit(signal === "SIGINT" ? 130 : 143);
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
        const base = trees.add("base", args.base);
        const baseName = `${args.base} (${base.sha.slice(0, 12)})`;
        let headDir: string;
        let headName: string;
        if (args.head !== undefined) {
            const head = trees.add("head", args.head);
            headDir = head.dir;
            headName = `${args.head} (${head.sha.slice(0, 12)})`;
        } else {
            headDir = args.headDir ?? REPO_ROOT;
            headName = args.headDir !== undefined ? headDir : "the working tree";
        }
        const [a, b] = await Promise.all([
            planSide(`base ${baseName}`, base.dir, args.stack, args.seed, path.join(tmp, "base-out")),
            planSide(`head ${headName}`, headDir, args.stack, args.seed, path.join(tmp, "head-out")),
        ]);
        const jsonDiff = diffPlanJson(a.json, b.json);
        const artifactDiff = diffArtifactDirs(a.out, b.out);
        const lines = [...renderJsonDiff(jsonDiff), ...renderArtifactDiff(artifactDiff, a.out, b.out)];
        const same = jsonDiffIsEmpty(jsonDiff) && lines.length === 0;
        if (!same) console.log(`${lines.join("\n")}\n`);
        const counts = [
            `${jsonDiff.added.length} resource(s) added, ${jsonDiff.removed.length} removed, ${jsonDiff.changed.length} changed`,
            `${artifactDiff.added.length} artifact(s) added, ${artifactDiff.removed.length} removed, ${artifactDiff.changed.length} changed`,
        ];
        console.log(`plan-diff ${args.stack} (seed ${args.seed}): ${baseName} → ${headName}: ${same ? "no differences" : counts.join("; ")}`);
        return same ? 0 : 1;
    } catch (e) {
        console.error(`error: ${(e as Error).message}`);
        return 2;
    } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        trees.cleanUp();
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e: unknown) => {
            console.error(`error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
            process.exit(2);
        },
    );
}
