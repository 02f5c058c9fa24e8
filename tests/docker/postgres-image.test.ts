/**
 * The PostgreSQL image (components/data/postgres/Dockerfile) built from the local Debian base
 * (`--build-arg BASE`; the Dockerfile's default stays the production postgres:16 base), its context
 * the repository root's two files it copies, then run: pgbackrest and ptc-backup are there for uid
 * 999, and the server starts as that user on a read-only root with the archive settings the
 * workload renders (archive_mode on, archive_command through pgBackRest, the archive_timeout), with
 * `ptc-backup pitr-env` loaded first as the workload's entrypoint does.
 *
 * On the plain base the image carries Debian's PostgreSQL 15 and pgBackRest 2.45; the production
 * base brings PostgreSQL 16 and the PGDG pgBackRest. The entrypoint here is the pure builders' own
 * (components/data/pitr.ts) but for the official docker-entrypoint.sh, which only the official image
 * has: the test runs initdb and postgres itself.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { archiveCommand, PITR_ENTRYPOINT } from "../../components/data/pitr";
import { BASE_IMAGE, buildImage, docker, DockerSession, requireEngine, runCommand, SESSION_LABEL, timed } from "./support/engine";

const ROOT = path.resolve(__dirname, "..", "..");
const DOCKERFILE = path.join(ROOT, "components", "data", "postgres", "Dockerfile");
const SCRIPT = path.join(ROOT, "components", "backup", "scripts", "ptc-backup");

/** The build context CI sends (the repository root, narrowed by .dockerignore to what it copies). */
function stageContext(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ptc-postgres-ctx-"));
    fs.copyFileSync(DOCKERFILE, path.join(dir, "Dockerfile"));
    fs.mkdirSync(path.join(dir, "components", "backup", "scripts"), { recursive: true });
    fs.copyFileSync(SCRIPT, path.join(dir, "components", "backup", "scripts", "ptc-backup"));
    return dir;
}

/** True once the script (another part of issue 11) has its pitr-env command. */

describe("the PostgreSQL image (components/data/postgres/Dockerfile), built and run", function () {
    let session: DockerSession;
    let image: string;
    let context: string;

    before(async function () {
        await requireEngine(this);
        session = new DockerSession();
        context = stageContext();
        image = await timed("postgres image: build components/data/postgres/Dockerfile (or cache hit)", () => buildImage("ptc-postgres", { dir: context }, { BASE: BASE_IMAGE }));
    });
    after(async () => {
        await session?.cleanup();
        if (context) fs.rmSync(context, { recursive: true, force: true });
    });

    /** `docker run` as the workload runs: uid 999, read-only root, tmpfs /tmp and socket directory, no capabilities. */
    function runArgs(name: string | undefined, env: Record<string, string>, entrypoint: readonly string[], command: readonly string[]): string[] {
        return [
            "run",
            ...(name ? ["-d", "--name", name] : ["--rm"]),
            "--label",
            `${SESSION_LABEL}=${session.prefix}`,
            "--network",
            "none",
            "--user",
            "999:999",
            "--read-only",
            "--tmpfs",
            "/tmp:rw,nosuid,nodev,size=256m,uid=999,gid=999",
            "--tmpfs",
            "/var/run/postgresql:rw,nosuid,nodev,size=16m,uid=999,gid=999",
            "--cap-drop",
            "ALL",
            "--security-opt",
            "no-new-privileges:true",
            ...Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]),
            "--entrypoint",
            entrypoint[0],
            image,
            ...entrypoint.slice(1),
            ...command,
        ];
    }

    it("keeps the production base and the official image's user: BASE defaults to postgres:16.x-bookworm, uid 999", () => {
        assert.match(fs.readFileSync(DOCKERFILE, "utf8"), /^ARG BASE=postgres:16\.\d+-bookworm$/m);
        assert.doesNotMatch(fs.readFileSync(DOCKERFILE, "utf8"), /^(USER|ENTRYPOINT|CMD)\b/m, "the official entrypoint, command and user stay the base's");
    });

    it("has pgbackrest and ptc-backup on PATH for uid 999", async () => {
        const r = await runCommand("docker", runArgs(undefined, {}, ["bash", "-c"], ['printf "%s\\n" "$(id -u)"; pgbackrest version; command -v ptc-backup; ptc-backup version']), { timeoutMs: 120_000 });
        assert.equal(r.status, 0, r.stderr);
        const [uid, pgbackrest, where, version] = r.stdout.trim().split("\n");
        assert.equal(uid, "999");
        assert.match(pgbackrest, /^pgBackRest \d+\.\d+/);
        assert.equal(where, "/usr/local/bin/ptc-backup");
        assert.match(version, /^ptc-backup \d/);
    });

    it("starts the server with the rendered archive settings (archive_mode on, pgBackRest's archive_command, archive_timeout)", async function () {
        this.timeout(180_000);
        const env = {
            PGDATA: "/tmp/pgdata",
            BACKUP_S3_URI: "s3://ptc-backups/pro-team-care",
            S3_ENDPOINT_URL: "https://s3.invalid:9000",
            AWS_DEFAULT_REGION: "us-east-1",
            AWS_ACCESS_KEY_ID: "test",
            AWS_SECRET_ACCESS_KEY: "test-secret",
            BACKUP_REPO_CIPHER_PASS: "test-cipher-pass",
        };
        // The workload's own entrypoint line, with initdb + postgres standing in for the official docker-entrypoint.sh.
        const line = String(PITR_ENTRYPOINT[2]).replace(
            /exec docker-entrypoint\.sh "\$@"$/,
            'initdb -D "$PGDATA" -U postgres --auth=trust >/dev/null; shift; exec postgres -D "$PGDATA" -c listen_addresses= "$@"',
        );
        assert.notEqual(line, PITR_ENTRYPOINT[2], "the entrypoint ends with the official entrypoint");
        const entry = ["bash", "-c", line, "ptc-postgres"];
        const name = session.name("postgres");
        await docker(runArgs(name, env, entry, archiveCommand(60)));
        let out = "";
        for (let i = 0; i < 60; i++) {
            const r = await runCommand("docker", ["exec", name, "psql", "-h", "/var/run/postgresql", "-U", "postgres", "-Atc", "show archive_mode; show archive_command; show archive_timeout"]);
            if (r.status === 0) {
                out = r.stdout;
                break;
            }
            await new Promise((res) => setTimeout(res, 1000));
        }
        const logs = await runCommand("docker", ["logs", name]);
        assert.equal(out.trim(), "on\npgbackrest archive-push %p\n1min", `the server did not answer with the archive settings; logs:\n${logs.stdout}${logs.stderr}`);
        const e = await runCommand("docker", ["exec", name, "bash", "-c", "tr '\\0' '\\n' </proc/1/environ | grep -c '^PGBACKREST_' || true"]);
        assert.ok(Number(e.stdout.trim()) > 0, "the server runs with the PGBACKREST_* settings pitr-env printed");
    });

    it("ptc-backup pitr-env prints quoted PGBACKREST_* exports, the stanza and the repository under <prefix>/pgbackrest", async function () {
        const r = await runCommand(
            "docker",
            runArgs(undefined, { PGDATA: "/tmp/pgdata", BACKUP_S3_URI: "s3://ptc-backups/pro-team-care", AWS_DEFAULT_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "k", AWS_SECRET_ACCESS_KEY: "s" }, ["ptc-backup"], ["pitr-env"]),
            { timeoutMs: 60_000 },
        );
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /^export PGBACKREST_STANZA='ptc'$/m);
        assert.match(r.stdout, /^export PGBACKREST_REPO1_PATH='\/pro-team-care\/pgbackrest'$/m);
    });
});
