/**
 * `npm run plan -- <stack> [--json FILE] [--out DIR] [--seed N] [--project DIR] [--program PATH] [--config FILE] [--policy-config FILE]`
 *
 * Runs the program offline under the SDK's mocks with the stack's own config, prints the
 * resource tree and the policy report, optionally writes the JSON contract and the rendered
 * artifacts. Exit status: 0 clean, 1 a mandatory policy violation, 2 a config or program error.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";

import { renderArtifacts, writeArtifacts } from "./artifacts";
import { exitCodeFor, PlanProgramError, REPO_ROOT, runPlan, toPlanJson } from "./plan";
import { parseSeed } from "./random";
import { renderReport } from "./report";
import { PlanConfigError } from "./stack-config";

/** Usage text. */
export const USAGE = `usage: npm run plan -- <stack> [options]

Runs the Pulumi program offline (SDK mocks, no CLI, engine or cloud) with Pulumi.<stack>.yaml,
prints the resource tree and the policy report. --project deployments plans the deployments
project (its Pulumi Cloud settings) the same way: same JSON, same pack, same exit status.

options:
  --json FILE            write the plan as JSON (secrets replaced by "[secret]")
  --out DIR              write rendered artifacts (Kubernetes manifests, docker container
                         definitions, config files) to DIR
  --seed N               derive every mock secret, id and secure-config placeholder from N
                         (a non-negative integer): two plans with the same seed give
                         byte-identical --json and --out (default: fresh random values)
  --project DIR          the Pulumi project to plan: the directory of its Pulumi.yaml
                         (default: the repository root; e.g. --project deployments)
  --program PATH         program entry file (default: Pulumi.yaml main, else index.ts)
  --config FILE          stack config file (default: Pulumi.<stack>.yaml beside Pulumi.yaml)
  --policy-config FILE   policy pack config (default: policy/config/<stack>.json if present)
  --record-mock-secrets FILE
                         test aid: write the stand-in secrets this run generated (mock passwords,
                         secure-config placeholders; never real secrets) so tests can prove none leaks
  -h, --help             this text

exit status: 0 clean, 1 a mandatory policy violation, 2 a config or program error`;

/** Parsed command line. */
export interface CliArgs {
    /** Stack name. */
    readonly stack: string;
    /** `--json FILE`. */
    readonly json?: string;
    /** `--out DIR`. */
    readonly out?: string;
    /** `--project DIR`. */
    readonly project?: string;
    /** `--program PATH`. */
    readonly program?: string;
    /** `--config FILE`. */
    readonly config?: string;
    /** `--policy-config FILE`. */
    readonly policyConfig?: string;
    /** `--record-mock-secrets FILE`. */
    readonly recordMockSecrets?: string;
    /** `--seed N`, normalised by {@link parseSeed}. */
    readonly seed?: string;
}

/** Parses the command line; throws with a usage hint on bad arguments. */
export function parseCliArgs(argv: readonly string[]): CliArgs | "help" {
    const { values, positionals } = parseArgs({
        args: [...argv],
        allowPositionals: true,
        options: {
            json: { type: "string" },
            out: { type: "string" },
            project: { type: "string" },
            program: { type: "string" },
            config: { type: "string" },
            "policy-config": { type: "string" },
            "record-mock-secrets": { type: "string" },
            seed: { type: "string" },
            help: { type: "boolean", short: "h" },
        },
    });
    if (values.help) return "help";
    if (positionals.length !== 1) throw new Error(positionals.length === 0 ? "missing <stack> (e.g. dev or prod)" : `expected one stack, got ${positionals.join(" ")}`);
    const stack = positionals[0];
    if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new Error(`stack name "${stack}" may only contain letters, digits, "-", "_" and "."`);
    return {
        stack,
        json: values.json,
        out: values.out,
        // Only when given: a plan of the main project parses exactly as before.
        ...(values.project !== undefined ? { project: values.project } : {}),
        program: values.program,
        config: values.config,
        policyConfig: values["policy-config"],
        recordMockSecrets: values["record-mock-secrets"],
        ...(values.seed !== undefined ? { seed: parseSeed(values.seed) } : {}),
    };
}

/** The useful frames of a stack trace: the program's own files, not the SDK's or node's. */
function programFrames(e: unknown): string[] {
    if (!(e instanceof Error) || !e.stack) return [];
    return e.stack
        .split("\n")
        .filter((l) => /^\s+at /.test(l) && l.includes(REPO_ROOT) && !l.includes("node_modules") && !l.includes(path.join("tools", "plan")))
        .slice(0, 8);
}

function printError(e: unknown): void {
    if (e instanceof PlanConfigError) {
        console.error(`error: ${e.message}`);
        return;
    }
    if (e instanceof PlanProgramError) {
        if (e.configError) {
            console.error(`config error: ${e.message}`);
            return;
        }
        console.error(`error: the program failed: ${e.message}`);
        for (const f of programFrames(e.cause)) console.error(f);
        return;
    }
    console.error(`error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
}

/** Runs the CLI; resolves to the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
    let args: CliArgs | "help";
    try {
        args = parseCliArgs(argv);
    } catch (e) {
        console.error(`error: ${(e as Error).message}\n\n${USAGE}`);
        return 2;
    }
    if (args === "help") {
        console.log(USAGE);
        return 0;
    }
    // Output paths are relative to where the user ran the command.
    const abs = (p?: string): string | undefined => (p === undefined ? undefined : path.resolve(p));
    const json = abs(args.json);
    const out = abs(args.out);
    const secretsFile = abs(args.recordMockSecrets);
    const projectDir = abs(args.project);
    if (projectDir !== undefined && !fs.existsSync(path.join(projectDir, "Pulumi.yaml"))) {
        console.error(`error: --project ${args.project}: no Pulumi.yaml in ${projectDir}; pass the directory of a Pulumi project (e.g. deployments)`);
        return 2;
    }
    let result;
    try {
        result = await runPlan({ stack: args.stack, projectDir, program: abs(args.program), configFile: abs(args.config), policyConfigFile: abs(args.policyConfig), seed: args.seed });
    } catch (e) {
        printError(e);
        return 2;
    }
    console.log(renderReport(result));
    try {
        if (secretsFile) fs.writeFileSync(secretsFile, `${JSON.stringify(result.mockSecrets)}\n`, { mode: 0o600 });
        if (json) {
            fs.mkdirSync(path.dirname(json), { recursive: true });
            fs.writeFileSync(json, `${JSON.stringify(toPlanJson(result), null, 2)}\n`);
            console.log(`\nWrote ${json}`);
        }
        if (out) {
            const artifacts = renderArtifacts(result.resources);
            writeArtifacts(out, artifacts);
            console.log(`\nWrote ${artifacts.files.length} artifacts to ${out}`);
            for (const s of artifacts.skipped) console.log(`  not written (${s.reason}): ${s.path}`);
            for (const n of artifacts.notes) console.log(`  note: ${n}`);
        }
    } catch (e) {
        console.error(`error: ${(e as Error).message}`);
        return 2;
    }
    const code = exitCodeFor(result.violations);
    const mandatory = result.violations.filter((v) => v.level === "mandatory").length;
    console.log(`\n${code === 0 ? "Plan OK" : `Plan FAILED: ${mandatory} mandatory policy violation(s)`}`);
    return code;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e: unknown) => {
            printError(e);
            process.exit(2);
        },
    );
}
