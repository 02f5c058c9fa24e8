/**
 * The GitHub workflows for real, without GitHub: `.ci/lint-workflows` (action-validator, the npm
 * devDependency) accepts this repository's workflows and rejects each of them with one planted bad
 * key; every `run:` script of pr.yml passes shellcheck; and the two pr.yml steps whose exit codes
 * matter (the offline plan and the rendered diff) are run by bash as GitHub runs them
 * (`bash -eo pipefail`) against a stand-in `npm` that exits 0, 1 or 2, writing to a
 * GITHUB_STEP_SUMMARY file.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

import { parse } from "yaml";

import { skipOrFail } from "../support/ci";
import { makeTempDir, missingTools, removeTempDir } from "./support/services";

const REPO = path.resolve(__dirname, "..", "..");
const WORKFLOWS = path.join(REPO, ".github", "workflows");
const LINT = path.join(REPO, ".ci", "lint-workflows");

/** A workflow step, as far as these tests read it. */
interface Step {
    readonly id?: string;
    readonly name?: string;
    readonly run?: string;
}

/** The steps of every job of a workflow, with the job's id. */
function steps(file: string): { job: string; step: Step }[] {
    const doc = parse(fs.readFileSync(file, "utf8")) as { jobs: Record<string, { steps: Step[] }> };
    return Object.entries(doc.jobs).flatMap(([job, j]) => j.steps.map((step) => ({ job, step })));
}

function workflowFiles(): string[] {
    return fs
        .readdirSync(WORKFLOWS)
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => path.join(WORKFLOWS, f));
}

function lint(dir?: string): { status: number | null; out: string } {
    const r = spawnSync("bash", [LINT, ...(dir === undefined ? [] : [dir])], { encoding: "utf8" });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe("GitHub workflows (.ci/lint-workflows, action-validator)", function () {
    let tmp: string;
    before(() => {
        tmp = makeTempDir("ptc-workflows");
    });
    after(() => removeTempDir(tmp));

    it("accepts this repository's workflows", () => {
        const r = lint();
        assert.equal(r.status, 0, r.out);
        assert.match(r.out, new RegExp(`lint-workflows: ${workflowFiles().length} workflow\\(s\\) valid`));
    });

    it("rejects each workflow with one planted bad key, naming the file and the key", () => {
        for (const file of workflowFiles()) {
            const dir = fs.mkdtempSync(path.join(tmp, "bad-"));
            const text = fs.readFileSync(file, "utf8");
            // A misspelt top-level key: GitHub refuses such a workflow, so must the check.
            const planted = text.replace(/^permissions:/m, "permisions:");
            assert.notEqual(planted, text, `${path.basename(file)} has no top-level permissions: to misspell`);
            const bad = path.join(dir, path.basename(file));
            fs.writeFileSync(bad, planted);
            fs.copyFileSync(path.join(WORKFLOWS, "pr.yml"), path.join(dir, "zz-valid.yml"));
            const r = lint(dir);
            assert.equal(r.status, 1, r.out);
            assert.match(r.out, /Additional property 'permisions' is not allowed/);
            assert.ok(r.out.includes(`${bad} is not a valid workflow`), r.out);
            assert.match(r.out, /1 of 2 workflow\(s\) invalid/);
        }
    });

    it("fails on a directory without workflows instead of passing it as valid", () => {
        const r = lint(fs.mkdtempSync(path.join(tmp, "empty-")));
        assert.equal(r.status, 1, r.out);
        assert.match(r.out, /no workflow/);
    });
});

describe("pr.yml run scripts (bash, shellcheck)", function () {
    const PR = path.join(WORKFLOWS, "pr.yml");
    let tmp: string;
    before(function () {
        const missing = missingTools(["shellcheck"]);
        if (missing) skipOrFail(this, missing);
        tmp = makeTempDir("ptc-pr-steps");
    });
    after(() => {
        if (tmp) removeTempDir(tmp);
    });

    function script(id: string): string {
        const found = steps(PR).find((s) => s.step.id === id);
        assert.ok(found?.step.run, `pr.yml has no step with id ${id} and a run: script`);
        return found.step.run;
    }

    it("every run: script of every workflow passes shellcheck as bash and splices in no ${{ }} expression", () => {
        const workflows = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
        assert.ok(workflows.includes("pr.yml") && workflows.includes("images.yml"), `workflows: ${workflows.join(", ")}`);
        for (const { job, step } of workflows.flatMap((f) => steps(path.join(WORKFLOWS, f)).map((x) => ({ ...x, job: `${f} ${x.job}` })))) {
            if (step.run === undefined) continue;
            // An expression is pasted into the script before bash sees it (a branch name would be
            // code): values come in through env: instead.
            assert.doesNotMatch(step.run, /\$\{\{/, `${job} / ${step.name ?? step.run.split("\n")[0]} splices an expression into its script`);
            const file = path.join(tmp, "step.sh");
            fs.writeFileSync(file, `#!/usr/bin/env bash\n${step.run}`);
            const r = spawnSync("shellcheck", ["--shell=bash", file], { encoding: "utf8" });
            assert.equal(r.status, 0, `${job} / ${step.name ?? step.run.split("\n")[0]}:\n${r.stdout}${r.stderr}`);
        }
    });

    /**
     * Runs a step's script the way `shell: bash` does on GitHub, in a fresh directory, with an
     * `npm` on PATH that prints `output` and exits `code`.
     */
    function runStep(id: string, output: string, code: number): { status: number | null; log: string; summary: string } {
        const dir = fs.mkdtempSync(path.join(tmp, `${id}-`));
        const bin = path.join(dir, "bin");
        fs.mkdirSync(bin);
        fs.mkdirSync(path.join(dir, "out"));
        fs.writeFileSync(path.join(dir, "output.txt"), output);
        fs.writeFileSync(path.join(bin, "npm"), `#!/bin/sh\ncat "${path.join(dir, "output.txt")}"\nexit ${code}\n`, { mode: 0o755 });
        const summary = path.join(dir, "summary.md");
        fs.writeFileSync(summary, "");
        const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script(id)], {
            cwd: dir,
            encoding: "utf8",
            env: { PATH: `${bin}:${process.env.PATH ?? ""}`, STACK: "dev", BASE_REF: "main", GITHUB_STEP_SUMMARY: summary },
        });
        return { status: r.status, log: `${r.stdout}${r.stderr}`, summary: fs.readFileSync(summary, "utf8") };
    }

    it("the plan step passes on exit 0 and fails on 1 and 2, with the report in the summary", () => {
        const ok = runStep("plan", "resources: 12\npolicy: no violations\n", 0);
        assert.equal(ok.status, 0, ok.log);
        assert.match(ok.log, /policy: no violations/);
        assert.equal(ok.summary, "");
        for (const code of [1, 2]) {
            const r = runStep("plan", "mandatory  workload-health-check  dev-api: no health check\n", code);
            assert.equal(r.status, code, r.log);
            assert.match(r.summary, new RegExp(`Offline plan of \`dev\` failed \\(exit ${code}\\)`));
            assert.match(r.summary, /```text\nmandatory {2}workload-health-check {2}dev-api: no health check\n```/);
        }
    });

    it("the diff step passes on 0 and 1 (differences) and fails on 2, the diff fenced in the summary", () => {
        const same = runStep("diff", "plan-diff dev (seed 1): origin/main → the working tree: no differences\n", 0);
        assert.equal(same.status, 0, same.log);
        assert.match(same.summary, /against `main`\n\nNo differences\.\n$/);

        // A diff holding a fence of its own must not close the summary's.
        const diff = "--- a/dev/edge/nginx.conf\n+++ b/dev/edge/nginx.conf\n-```\n+````\n";
        const differs = runStep("diff", diff, 1);
        assert.equal(differs.status, 0, differs.log);
        assert.ok(differs.summary.includes(`\`\`\`\`\`diff\n${diff}\n\`\`\`\`\`\n`), differs.summary);

        const failed = runStep("diff", "error: base origin/main (0123456789ab): the plan failed (exit 2)\n", 2);
        assert.equal(failed.status, 2, failed.log);
        assert.match(failed.log, /the plan failed/);
    });
});
