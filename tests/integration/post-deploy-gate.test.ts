/**
 * The post-deploy gate's script (components/deploy/scripts/post-deploy-gate.sh) for real: bash and
 * curl against a local Node https server holding a certificate of the dev profile for a public name,
 * reached through GATE_CONNECT_TO as the docker stack reaches its edge (the published port on
 * localhost, the domain as Host and SNI). It passes on 200, fails with one line naming the URL and
 * the last status (or the connection error), keeps to its budget, and trusts only the given CA.
 */
import * as assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as https from "node:https";
import * as path from "node:path";
import { promisify } from "node:util";

import { GATE_SCRIPT_PATH } from "../../components/deploy/gate-options";
import { skipOrFail } from "../support/ci";
import { makeDevCertificate } from "./support/dev-cert";
import { freePort, makeTempDir, missingTools, removeTempDir, requireTool } from "./support/services";

const execFileAsync = promisify(execFile);

/** The public name the certificate is for; nothing resolves it, GATE_CONNECT_TO routes to loopback. */
const DOMAIN = "edge.gate.test";
const HEALTH = `https://${DOMAIN}/api/v1/health`;
const ROOT = `https://${DOMAIN}/`;

/** What the server answers for a path on its n-th request there (1-based): a status, or "hang" to never answer. */
type Answer = (path: string, n: number) => number | "hang";

/** A local https server standing in for the edge. */
interface EdgeStub {
    readonly port: number;
    /** Host header and TLS SNI of every request, in order. */
    readonly seen: { path: string; host: string; sni: string }[];
    answer: Answer;
    /** Forgets the requests seen and counted, and answers 200 again. */
    reset(): void;
    close(): Promise<void>;
}

async function startEdgeStub(key: string, cert: string): Promise<EdgeStub> {
    const port = await freePort();
    const counts = new Map<string, number>();
    const stub: EdgeStub = {
        port,
        seen: [],
        answer: () => 200,
        reset() {
            stub.answer = () => 200;
            stub.seen.length = 0;
            counts.clear();
        },
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
    const server = https.createServer({ key, cert }, (req, res) => {
        const p = req.url ?? "";
        const n = (counts.get(p) ?? 0) + 1;
        counts.set(p, n);
        const socket = req.socket as typeof req.socket & { servername?: string | false };
        stub.seen.push({ path: p, host: req.headers.host ?? "", sni: typeof socket.servername === "string" ? socket.servername : "" });
        const a = stub.answer(p, n);
        if (a === "hang") return; // never answers: only curl's time limit ends the attempt
        res.writeHead(a, { "content-type": "text/plain" }).end(a === 200 ? "ok" : "not ready");
    });
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    return stub;
}

interface GateRun {
    code: number | null;
    stdout: string;
    stderr: string;
    seconds: number;
}

/**
 * Runs the script with exactly `env` (plus PATH, HOME and TMPDIR), as a file or, as the gate's
 * command runs it, on stdin of `bash -s`.
 */
function runGate(env: Record<string, string>, opts: { tmp: string; stdin?: boolean }): Promise<GateRun> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
        const bash = requireTool("bash");
        const child = spawn(bash, opts.stdin ? ["-s"] : [GATE_SCRIPT_PATH], {
            env: { PATH: "/usr/bin:/bin", HOME: opts.tmp, TMPDIR: opts.tmp, LANG: "C.UTF-8", ...env },
            stdio: [opts.stdin ? "pipe" : "ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout?.setEncoding("utf8").on("data", (d: string) => (stdout += d));
        child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stdout, stderr, seconds: (Date.now() - started) / 1000 }));
        if (opts.stdin && child.stdin) child.stdin.end(fs.readFileSync(GATE_SCRIPT_PATH, "utf8"));
    });
}

/** Asserts a failed run printed exactly one line, on stderr, and nothing on stdout. */
function oneLine(r: GateRun): string {
    assert.equal(r.code, 1, `expected exit 1, got ${String(r.code)}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    const lines = r.stderr.split("\n").filter((l) => l !== "");
    assert.equal(lines.length, 1, `expected exactly one line on stderr:\n${r.stderr}`);
    return lines[0];
}

describe("post-deploy gate script (bash + curl against a local https edge)", function () {
    this.timeout(120_000);

    let tmp: string;
    let cert: string;
    let caFile: string;
    let edge: EdgeStub;
    /** The settings the docker stack gives it: both URLs, via the published port, trusting the dev pair. */
    let base: Record<string, string>;

    before(async function () {
        const missing = missingTools(["bash", "curl", "openssl", "shellcheck"]);
        if (missing) skipOrFail(this, `post-deploy gate tests: ${missing}`);
        tmp = makeTempDir("post-deploy-gate-test");
        const pair = makeDevCertificate(DOMAIN);
        cert = pair.cert;
        caFile = path.join(tmp, "ca.pem");
        fs.writeFileSync(caFile, cert);
        edge = await startEdgeStub(pair.key, pair.cert);
        base = {
            GATE_URLS: `${HEALTH} ${ROOT}`,
            GATE_CONNECT_TO: `127.0.0.1:${edge.port}`,
            GATE_CA_PEM: cert,
            GATE_BUDGET_SECONDS: "4",
            GATE_INTERVAL_SECONDS: "1",
            GATE_REQUEST_TIMEOUT_SECONDS: "2",
        };
    });

    beforeEach(() => {
        edge?.reset();
    });

    after(async () => {
        await edge?.close();
        if (tmp) removeTempDir(tmp);
    });

    it("is shellcheck clean", async () => {
        const r = await execFileAsync(requireTool("shellcheck"), [GATE_SCRIPT_PATH]).then(
            () => ({ code: 0, out: "" }),
            (err: { code: number; stdout: string }) => ({ code: err.code, out: err.stdout }),
        );
        assert.equal(r.code, 0, r.out);
    });

    it("passes when both URLs answer 200, asking with the domain as Host and SNI and checking the certificate", async () => {
        // On stdin of `bash -s`, as the gate's command runs it.
        const r = await runGate(base, { tmp, stdin: true });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stderr, "");
        const lines = r.stdout.trim().split("\n");
        assert.equal(lines.length, 2, r.stdout);
        assert.match(lines[0], new RegExp(`^post-deploy gate: ${HEALTH} \\(via 127\\.0\\.0\\.1:${edge.port}\\) answered 200 after 1 attempt in \\d+ s$`));
        assert.match(lines[1], new RegExp(`^post-deploy gate: ${ROOT} .*answered 200`));
        assert.deepEqual(
            edge.seen.map((s) => s.path),
            ["/api/v1/health", "/"],
        );
        for (const s of edge.seen) {
            assert.equal(s.host, DOMAIN);
            assert.equal(s.sni, DOMAIN);
        }
        // The temp CA file is gone afterwards.
        assert.deepEqual(fs.readdirSync(tmp).filter((f) => f.startsWith("post-deploy-gate.")), []);
    });

    it("fails with exactly one line naming the health URL and 503 when the API answers 503", async () => {
        edge.answer = (p) => (p === "/api/v1/health" ? 503 : 200);
        const line = oneLine(await runGate(base, { tmp }));
        assert.match(line, /^post-deploy gate: https:\/\/edge\.gate\.test\/api\/v1\/health \(via 127\.0\.0\.1:\d+\) answered 503 after \d+ attempts in \d+ s \(budget 4 s\); the update is not healthy$/);
        // The root URL was never asked: the gate stops at the first URL that does not become healthy.
        assert.ok(edge.seen.every((s) => s.path === "/api/v1/health"), JSON.stringify(edge.seen));
        assert.ok(edge.seen.length >= 3, `retried: ${edge.seen.length} attempts`);
    });

    it("fails naming / when the health URL is fine but / is not (a redirect is not followed)", async () => {
        edge.answer = (p) => (p === "/" ? 301 : 200);
        const line = oneLine(await runGate(base, { tmp }));
        assert.match(line, /^post-deploy gate: https:\/\/edge\.gate\.test\/ \(via [^)]+\) answered 301 after \d+ attempts/);
    });

    it("fails naming the connection error when nothing listens", async () => {
        const port = await freePort();
        const line = oneLine(await runGate({ ...base, GATE_CONNECT_TO: `127.0.0.1:${port}` }, { tmp }));
        assert.match(line, new RegExp(`^post-deploy gate: ${HEALTH} \\(via 127\\.0\\.0\\.1:${port}\\) gave no answer \\(curl error 7: .*(Couldn't connect|Connection refused).*\\) after \\d+ attempts in \\d+ s \\(budget 4 s\\); the update is not healthy$`));
    });

    it("stops within its budget when the edge accepts connections but never answers", async () => {
        edge.answer = () => "hang";
        const r = await runGate({ ...base, GATE_BUDGET_SECONDS: "5", GATE_REQUEST_TIMEOUT_SECONDS: "10" }, { tmp });
        const line = oneLine(r);
        assert.match(line, /gave no answer \(curl error 28: .*timed out.*\) after 1 attempt in \d+ s \(budget 5 s\)/);
        assert.ok(r.seconds >= 4 && r.seconds < 5 + 3, `ran ${r.seconds} s for a 5 s budget`);
    });

    it("stops within its budget while the API keeps answering 503", async () => {
        edge.answer = () => 503;
        const r = await runGate({ ...base, GATE_BUDGET_SECONDS: "6", GATE_INTERVAL_SECONDS: "2" }, { tmp });
        assert.match(oneLine(r), /answered 503 after [34] attempts in [5-7] s \(budget 6 s\)/);
        assert.ok(r.seconds >= 5 && r.seconds < 6 + 3, `ran ${r.seconds} s for a 6 s budget`);
    });

    it("passes when the API becomes healthy after a few 503s", async () => {
        edge.answer = (p, n) => (p === "/api/v1/health" && n <= 3 ? 503 : 200);
        const r = await runGate({ ...base, GATE_BUDGET_SECONDS: "20" }, { tmp });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /api\/v1\/health .*answered 200 after 4 attempts in \d+ s/);
        assert.match(r.stdout, /gate\.test\/ .*answered 200 after 1 attempt /);
    });

    it("refuses a certificate it was not told to trust (no -k), and trusts a CA file", async () => {
        const { GATE_CA_PEM: _pem, ...noCa } = base;
        const line = oneLine(await runGate(noCa, { tmp }));
        assert.match(line, /gave no answer \(curl error 60: .*certificate/i);
        const r = await runGate({ ...noCa, GATE_CA_FILE: caFile }, { tmp });
        assert.equal(r.code, 0, r.stderr);
    });

    it("refuses a certificate issued for another name (the domain is checked, not the host connected to)", async () => {
        const line = oneLine(await runGate({ ...base, GATE_URLS: `https://other.gate.test/api/v1/health` }, { tmp }));
        assert.match(line, /other\.gate\.test.*gave no answer \(curl error 60: .*(certificate|subject|name)/i);
    });

    it("masks a password in a URL and never prints the CA or other settings", async () => {
        edge.answer = () => 503;
        const line = oneLine(await runGate({ ...base, GATE_URLS: `https://user:s3cr3t-pw@${DOMAIN}/api/v1/health`, GATE_BUDGET_SECONDS: "2" }, { tmp }));
        assert.ok(!line.includes("s3cr3t-pw"), line);
        assert.match(line, /https:\/\/\*\*\*@edge\.gate\.test\/api\/v1\/health/);
        assert.ok(!line.includes("BEGIN CERTIFICATE"), line);
    });

    it("refuses a bad setting with one line and exit status 2", async () => {
        for (const [env, pattern] of [
            [{ ...base, GATE_URLS: "" }, /GATE_URLS is empty/],
            [{ ...base, GATE_BUDGET_SECONDS: "soon" }, /GATE_BUDGET_SECONDS must be a whole number of seconds.*"soon"/],
            [{ ...base, GATE_CONNECT_TO: "localhost" }, /GATE_CONNECT_TO must be host:port/],
            [{ ...base, GATE_CA_FILE: caFile }, /GATE_CA_PEM or GATE_CA_FILE, not both/],
        ] as const) {
            const r = await runGate(env, { tmp });
            assert.equal(r.code, 2, `${JSON.stringify(pattern.source)}: exit ${String(r.code)}\n${r.stderr}`);
            const lines = r.stderr.split("\n").filter((l) => l !== "");
            assert.equal(lines.length, 1, r.stderr);
            assert.match(lines[0], pattern);
        }
    });
});
