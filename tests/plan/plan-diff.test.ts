/**
 * `npm run plan-diff`: the JSON and artifact diff on small inputs, then the tool end to end on
 * the dev stack (each plan in its own process): a revision against itself shows nothing, an
 * edited copy shows the changed resource and its artifact, a bad revision is an error, and no
 * temporary worktree or directory is left behind.
 */
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

import { diffArtifactDirs, diffPlanJson, jsonDiffIsEmpty, renderArtifactDiff, renderJsonDiff } from "../../tools/plan-diff/diff";
import { TSX_LOADER } from "../../tools/plan/child";
import type { PlanJson } from "../../tools/plan/plan";

const REPO = path.resolve(__dirname, "..", "..");
const CLI = path.join(REPO, "tools", "plan-diff", "cli.ts");

function doc(resources: PlanJson["resources"], over: Partial<PlanJson> = {}): PlanJson {
    return { project: "p", stack: "s", resources, outputs: {}, policy: { violations: [] }, ...over };
}

function res(name: string, inputs: Record<string, unknown>): PlanJson["resources"][number] {
    return { urn: `urn:pulumi:s::p::docker:index/container:Container::${name}`, type: "docker:index/container:Container", name, parent: null, custom: true, inputs };
}

describe("plan-diff: the diff of two plans", () => {
    it("finds nothing between equal plans", () => {
        const a = doc([res("web", { image: "nginx:1", ports: [{ internal: 80 }] })]);
        assert.ok(jsonDiffIsEmpty(diffPlanJson(a, structuredClone(a))));
    });

    it("names added and removed URNs and each changed input of a changed resource", () => {
        const base = doc([res("web", { image: "nginx:1", ports: [{ internal: 80 }], env: ["A=1"] }), res("old", {})]);
        const head = doc([res("web", { image: "nginx:2", ports: [{ internal: 80 }] }), res("new", {})], { outputs: { url: "https://x" } });
        const text = renderJsonDiff(diffPlanJson(base, head)).join("\n");
        assert.match(text, /^\+ docker:index\/container:Container {2}new /m);
        assert.match(text, /^- docker:index\/container:Container {2}old /m);
        assert.match(text, /^~ docker:index\/container:Container {2}web /m);
        assert.match(text, /^ {4}image: "nginx:1" → "nginx:2"$/m);
        assert.match(text, /^ {4}env\[0\]: "A=1" → \(absent\)$/m);
        assert.doesNotMatch(text, /ports/, "an unchanged input is not shown");
        assert.match(text, /^Outputs:\n {2}url: \(absent\) → "https:\/\/x"$/m);
        assert.doesNotMatch(text, /\{\} →/, "an empty object that got filled is not a change of its own");
    });

    it("shows a changed resource option (how it will be replaced) as a change, an unchanged one not", () => {
        const base = doc([{ ...res("db", { image: "postgres:16" }), options: { deleteBeforeReplace: true, protect: true } }]);
        const head = doc([{ ...res("db", { image: "postgres:16" }), options: { deleteBeforeReplace: false, protect: true } }]);
        const d = diffPlanJson(base, head);
        assert.ok(!jsonDiffIsEmpty(d));
        const text = renderJsonDiff(d).join("\n");
        assert.match(text, /^ {4}options\.deleteBeforeReplace: true → false$/m);
        assert.doesNotMatch(text, /protect/);
    });

    it("lists added, removed and changed artifact files, with a unified diff of each changed one", () => {
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-diff-unit-"));
        try {
            const write = (side: string, f: string, text: string): void => {
                fs.mkdirSync(path.dirname(path.join(tmp, side, f)), { recursive: true });
                fs.writeFileSync(path.join(tmp, side, f), text);
            };
            write("a", "same.txt", "x\n");
            write("b", "same.txt", "x\n");
            write("a", "k/conf", "one\ntwo\n");
            write("b", "k/conf", "one\nTWO\n");
            write("a", "gone", "");
            write("b", "new", "");
            const d = diffArtifactDirs(path.join(tmp, "a"), path.join(tmp, "b"));
            assert.deepEqual(d, { added: ["new"], removed: ["gone"], changed: ["k/conf"] });
            const text = renderArtifactDiff(d, path.join(tmp, "a"), path.join(tmp, "b")).join("\n");
            assert.match(text, /^--- a\/k\/conf\n\+\+\+ b\/k\/conf\n@@ .* @@\n one\n-two\n\+TWO$/m);
        } finally {
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    });
});

interface Run {
    code: number;
    stdout: string;
    stderr: string;
}

function planDiff(args: readonly string[], tmpdir: string): Promise<Run> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", TSX_LOADER, CLI, ...args], { cwd: REPO, env: { ...process.env, TMPDIR: tmpdir }, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
        child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code: code ?? 2, stdout, stderr }));
    });
}

function worktrees(): string[] {
    return execFileSync("git", ["worktree", "list", "--porcelain"], { cwd: REPO, encoding: "utf8" })
        .split("\n")
        .filter((l) => l.startsWith("worktree "))
        .map((l) => l.slice("worktree ".length))
        .sort();
}

describe("plan-diff: the tool on the dev stack", function () {
    this.timeout(300_000);
    let tmp: string;
    let toolTmp: string;
    let copy: string;
    let itself: Run;
    let edited: Run;
    let badRevision: Run;

    before(async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-diff-"));
        toolTmp = path.join(tmp, "tool-tmp");
        fs.mkdirSync(toolTmp);
        // An edited copy of HEAD: the dev edge's published HTTP port moves from 8080 to 8081.
        copy = path.join(tmp, "copy");
        execFileSync("git", ["worktree", "add", "--detach", "--quiet", copy, "HEAD"], { cwd: REPO });
        fs.symlinkSync(fs.realpathSync(path.join(REPO, "node_modules")), path.join(copy, "node_modules"), "dir");
        const file = path.join(copy, "Pulumi.dev.yaml");
        const text = fs.readFileSync(file, "utf8");
        assert.match(text, /httpPort: 8080\n/, "Pulumi.dev.yaml publishes HTTP on 8080");
        fs.writeFileSync(file, text.replace("httpPort: 8080\n", "httpPort: 8081\n"));
        // In parallel: each run plans twice, each plan in its own process.
        [itself, edited, badRevision] = await Promise.all([
            planDiff(["dev", "--base", "HEAD", "--head", "HEAD", "--seed", "3"], toolTmp),
            planDiff(["dev", "--base", "HEAD", "--head-dir", copy], toolTmp),
            planDiff(["dev", "--base", "no-such-revision-xyz"], toolTmp),
        ]);
    });

    after(() => {
        fs.rmSync(path.join(copy, "node_modules"), { force: true });
        execFileSync("git", ["worktree", "remove", "--force", copy], { cwd: REPO });
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("prints only a summary line and exits 0 for a revision against itself", () => {
        assert.equal(itself.code, 0, `${itself.stdout}\n${itself.stderr}`);
        assert.equal(itself.stderr, "");
        assert.match(itself.stdout, /^plan-diff dev \(seed 3\): HEAD \([0-9a-f]{12}\) → HEAD \([0-9a-f]{12}\): no differences\n$/);
    });

    it("exits 1 naming the changed resource, its changed input and the changed artifact with a unified diff", () => {
        const r = edited;
        assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
        assert.match(r.stdout, /^~ docker:index\/container:Container {2}edge {2}\(urn:pulumi:dev::pro-team-care::[^)]*::edge\)\n {4}ports\[0\]\.external: 8080 → 8081$/m);
        assert.match(r.stdout, /^~ docker\/ptc-dev-edge\.json$/m);
        assert.match(r.stdout, /^-\s+"external": 8080,\n\+\s+"external": 8081,$/m);
        assert.match(r.stdout, /: 0 resource\(s\) added, 0 removed, 1 changed; 0 artifact\(s\) added, 0 removed, 1 changed\n$/);
    });

    it("exits 2 on a revision that does not exist", () => {
        assert.equal(badRevision.code, 2);
        assert.match(badRevision.stderr, /no-such-revision-xyz is not a commit/);
        assert.equal(badRevision.stdout, "");
    });

    it("leaves no git worktree and no temporary directory behind", () => {
        // tsx keeps its compile cache there too; the tool's own directories start with ptc-plan.
        assert.deepEqual(fs.readdirSync(toolTmp).filter((f) => f.startsWith("ptc-plan")), [], "the tool left temporary files");
        // Only the tool's own worktrees (under its TMPDIR): others may come and go meanwhile.
        assert.deepEqual(worktrees().filter((w) => w.startsWith(fs.realpathSync(toolTmp))), [], "the tool left a git worktree behind");
    });
});
