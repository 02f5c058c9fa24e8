/**
 * The backup image, built from components/backup/Dockerfile itself (not a test copy) with the local
 * Debian base passed as `BASE` (the Dockerfile's default stays the production postgres:16 base,
 * which no registry here can serve), then run: `ptc-backup` answers `version`, `help` and a bad
 * command with the exit codes its header documents, and every tool it calls is on PATH and runs —
 * as the image's uid 10001, with a read-only root and only /tmp writable, as the platforms run it.
 *
 * On the plain base the image gets Debian's postgresql-client (15) instead of the base's 16 client;
 * which major is installed is the production base's business, so only presence is checked here.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { BASE_IMAGE, buildImage, CommandResult, docker, DockerSession, requireEngine, runCommand, SESSION_LABEL, timed } from "./support/engine";

const BACKUP_DIR = path.resolve(__dirname, "..", "..", "components", "backup");
const SCRIPT = path.join(BACKUP_DIR, "scripts", "ptc-backup");

/** The tools ptc-backup calls, with the Debian package that provides each (as the script's own hint says). */
const TOOLS: Readonly<Record<string, string>> = {
    pg_dump: "postgresql-client",
    pg_restore: "postgresql-client",
    psql: "postgresql-client",
    "redis-cli": "redis-tools",
    aws: "awscli",
    zstd: "zstd",
    jq: "jq",
    curl: "curl",
};

/** The documented exit status of a usage error (`EX_USAGE` in the script). */
const EX_USAGE = 2;

/** What one tool looked like inside the image. */
interface ToolProbe {
    /** Where `command -v` found it, or "" when it is not on PATH. */
    readonly path: string;
    /** Exit status of `<tool> --version` (127 when not on PATH). */
    readonly status: number;
    /** First line of its `--version` output. */
    readonly version: string;
}

/** The version the script declares (`readonly PTC_BACKUP_VERSION="…"`), so the test follows a bump. */
function scriptVersion(): string {
    const m = /^readonly PTC_BACKUP_VERSION="([^"]+)"$/m.exec(fs.readFileSync(SCRIPT, "utf8"));
    assert.ok(m, `${SCRIPT} declares no readonly PTC_BACKUP_VERSION`);
    return m[1];
}

describe("the backup image (components/backup/Dockerfile), built and run", function () {
    let session: DockerSession;
    let image: string;

    before(async function () {
        await requireEngine(this);
        session = new DockerSession();
        image = await timed("backup image: build components/backup/Dockerfile (or cache hit)", () => buildImage("ptc-backup", { dir: BACKUP_DIR }, { BASE: BASE_IMAGE }));
    });
    after(async () => {
        await session?.cleanup();
    });

    /**
     * `docker run` of the image as the platforms run it: the image's own user (no --user), a
     * read-only root, a tmpfs /tmp, no capabilities, no new privileges. Labelled with the session
     * so cleanup() finds it if --rm does not get to run.
     */
    function runImage(args: readonly string[], entrypoint?: string): Promise<CommandResult> {
        return runCommand(
            "docker",
            [
                "run",
                "--rm",
                "--label",
                `${SESSION_LABEL}=${session.prefix}`,
                "--network",
                "none",
                "--read-only",
                "--tmpfs",
                "/tmp:rw,nosuid,nodev,size=16m",
                "--cap-drop",
                "ALL",
                "--security-opt",
                "no-new-privileges:true",
                ...(entrypoint ? ["--entrypoint", entrypoint] : []),
                image,
                ...args,
            ],
            { timeoutMs: 120_000 },
        );
    }

    it("keeps the production base as the default and runs ptc-backup as uid 10001 by default", async () => {
        const dockerfile = fs.readFileSync(path.join(BACKUP_DIR, "Dockerfile"), "utf8");
        assert.match(dockerfile, /^ARG BASE=postgres:16\.\d+-bookworm$/m, "the Dockerfile's default BASE is a pinned postgres:16.x-bookworm (production's pg_dump 16)");
        const config = JSON.parse(await docker(["image", "inspect", "--format", "{{json .Config}}", image])) as { User: string; Entrypoint: string[]; Cmd: string[] };
        assert.equal(config.User, "10001:10001", "the image runs as the numeric non-root user 10001:10001");
        assert.deepEqual(config.Entrypoint, ["/usr/local/bin/ptc-backup"], "ptc-backup is the entrypoint");
        assert.deepEqual(config.Cmd, ["backup"], "the default command is backup");
    });

    it("`ptc-backup version` exits 0 and prints the script's version", async () => {
        const r = await runImage(["version"]);
        assert.equal(r.status, 0, `ptc-backup version exited ${r.status}: ${r.stderr}`);
        assert.equal(r.stdout, `ptc-backup ${scriptVersion()}\n`);
    });

    it("`ptc-backup help` exits 0 and lists every command", async () => {
        const r = await runImage(["help"]);
        assert.equal(r.status, 0, `ptc-backup help exited ${r.status}: ${r.stderr}`);
        assert.match(r.stdout, /^Usage: ptc-backup <command> \[arguments\]\n/);
        for (const cmd of ["backup", "list", "verify", "restore", "restore-redis", "drill", "version | help"]) {
            assert.match(r.stdout, new RegExp(`^ {2}${cmd.replace(/[|]/g, "\\|")}\\b`, "m"), `help lists the command ${cmd}`);
        }
    });

    it("no command and an unknown command are usage errors (exit 2) that point at help", async () => {
        const none = await runImage([], "/usr/local/bin/ptc-backup");
        assert.equal(none.status, EX_USAGE, `no command: exit ${none.status}, want ${EX_USAGE}: ${none.stderr}`);
        assert.match(none.stderr, /^Usage: ptc-backup/, "no command prints the usage on stderr");
        assert.match(none.stderr, /ptc-backup: error: no command given; run 'ptc-backup help'/);
        const unknown = await runImage(["frobnicate"]);
        assert.equal(unknown.status, EX_USAGE, `unknown command: exit ${unknown.status}, want ${EX_USAGE}: ${unknown.stderr}`);
        assert.match(unknown.stderr, /unknown command 'frobnicate'; run 'ptc-backup help'/);
    });

    it("has every tool ptc-backup needs on PATH, runnable as uid 10001 with a read-only root", async () => {
        // One container for all tools: prints "id" lines, then "tool<TAB>path<TAB>status<TAB>version" per tool.
        const probe = [
            'printf "uid\\t%s\\ngid\\t%s\\n" "$(id -u)" "$(id -g)"',
            'for t in "$@"; do',
            '  p=$(command -v "$t") || { printf "%s\\t\\t127\\t\\n" "$t"; continue; }',
            '  out=$("$t" --version 2>&1); rc=$?',
            '  printf "%s\\t%s\\t%s\\t%s\\n" "$t" "$p" "$rc" "$(printf "%s\\n" "$out" | head -n 1)"',
            "done",
        ].join("\n");
        const r = await runImage(["-c", probe, "sh", ...Object.keys(TOOLS)], "/bin/sh");
        assert.equal(r.status, 0, `the probe failed (exit ${r.status}): ${r.stderr}`);
        const rows = new Map(r.stdout.trimEnd().split("\n").map((l) => [l.split("\t")[0], l.split("\t").slice(1)] as const));
        assert.equal(rows.get("uid")?.[0], "10001", "the image's processes run as uid 10001");
        assert.equal(rows.get("gid")?.[0], "10001", "the image's processes run as gid 10001");
        for (const [tool, pkg] of Object.entries(TOOLS)) {
            const row = rows.get(tool);
            assert.ok(row, `no probe line for ${tool}: ${r.stdout}`);
            const found: ToolProbe = { path: row[0] ?? "", status: Number(row[1]), version: row[2] ?? "" };
            assert.notEqual(found.path, "", `${tool} is not on PATH in the backup image: ptc-backup needs it (Debian package ${pkg})`);
            assert.equal(found.status, 0, `${tool} (${found.path}) is on PATH but \`${tool} --version\` exits ${found.status} as uid 10001 with a read-only root: ${found.version}`);
            assert.notEqual(found.version, "", `${tool} --version printed nothing`);
        }
    });
});
