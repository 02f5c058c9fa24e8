/**
 * The rendered nginx.conf on Debian's real nginx: `nginx -t` accepts it, and a live nginx on
 * loopback, in front of two stub upstreams, routes, redirects, adds the security headers,
 * refuses TLS below 1.2, answers /healthz and stub_status, and enforces the body limit.
 *
 * Production differences are parameters of renderNginxConf (ports, bind address, runtime dir,
 * certificate paths, a `user` directive because the test runs nginx as root, and the nginx
 * version for http2 syntax); everything else is the production rendering.
 */
import { strict as assert } from "node:assert";
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as path from "node:path";
import * as tls from "node:tls";
import * as zlib from "node:zlib";
import { NginxConfOptions, renderNginxConf } from "../../components/edge/nginx";
import { makeDevCertificate } from "./support/dev-cert";
import { freePort, makeTempDir, missingTools, removeTempDir, requireTool, waitFor } from "./support/services";
import { skipOrFail } from "../support/ci";

const DOMAIN = "proteamcare.test";
const BODY_LIMIT_MB = 1;

/** What a stub upstream saw; it answers with this as JSON. */
interface Echo {
    upstream: "web" | "api";
    method: string;
    path: string;
    headers: http.IncomingHttpHeaders;
    bodyBytes: number;
}

interface Reply {
    status: number;
    headers: http.IncomingHttpHeaders;
    body: Buffer;
}

/** An HTTP server that echoes what it received, or serves a compressible text at /big.txt. */
async function startStub(upstream: "web" | "api"): Promise<{ server: http.Server; port: number }> {
    const server = http.createServer((req, res) => {
        let bodyBytes = 0;
        req.on("data", (chunk: Buffer) => (bodyBytes += chunk.length));
        req.on("end", () => {
            if (req.url === "/big.txt") {
                res.writeHead(200, { "content-type": "text/plain" });
                res.end("Pro Team Care home care. ".repeat(400));
                return;
            }
            const echo: Echo = { upstream, method: req.method ?? "", path: req.url ?? "", headers: req.headers, bodyBytes };
            // Headers the edge owns: an upstream copy must not reach the client twice.
            res.writeHead(req.url?.endsWith("/missing") ? 404 : 200, {
                "content-type": "application/json",
                "x-frame-options": "SAMEORIGIN",
                "x-powered-by": "stub",
            });
            res.end(JSON.stringify(echo));
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { server, port: (server.address() as { port: number }).port };
}

/**
 * Starts nginx in the foreground; resolves once /healthz answers. Its stdout (the access log)
 * goes to a file: node's stdio pipes are sockets, which nginx cannot open as /dev/stdout (in a
 * container the runtime hands it a FIFO, which it can).
 */
async function startNginx(
    nginx: string,
    conf: string,
    prefix: string,
    httpPort: number,
): Promise<{ child: ChildProcess; stdout: () => string; stderr: () => string }> {
    const logFile = `${conf}.stdout`;
    const fd = fs.openSync(logFile, "w");
    const child = spawn(nginx, ["-c", conf, "-p", `${prefix}/`, "-g", "daemon off;"], { stdio: ["ignore", fd, "pipe"] });
    fs.closeSync(fd);
    let err = "";
    child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
    const exited = new Promise<never>((_, reject) =>
        child.once("exit", (code, signal) => reject(new Error(`nginx exited (${code ?? signal}) before answering: ${err}`))),
    );
    exited.catch(() => undefined);
    try {
        await Promise.race([
            exited,
            waitFor("nginx /healthz", async () => (await get({ secure: false, port: httpPort, path: "/healthz" })).status === 200, 15000),
        ]);
    } catch (e) {
        child.kill("SIGKILL");
        throw new Error(`nginx did not come up: ${(e as Error).message}\n${err}`);
    }
    return { child, stdout: () => fs.readFileSync(logFile, "utf8"), stderr: () => err };
}

/** Runs `nginx -t` with stdout on a file (see startNginx); returns its exit status and stderr. */
function nginxTest(nginx: string, conf: string, prefix: string): { status: number | null; stderr: string } {
    const fd = fs.openSync(`${conf}.t.stdout`, "w");
    try {
        const r = spawnSync(nginx, ["-t", "-c", conf, "-p", `${prefix}/`], { stdio: ["ignore", fd, "pipe"], encoding: "utf8" });
        return { status: r.status, stderr: r.stderr };
    } finally {
        fs.closeSync(fd);
    }
}

async function stopNginx(child: ChildProcess | undefined): Promise<void> {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
}

let caCert = "";

/** One request without connection reuse; TLS verified against the test certificate and DOMAIN. */
function get(opts: { secure: boolean; port: number; path: string; method?: string; headers?: Record<string, string>; body?: Buffer }): Promise<Reply> {
    return new Promise((resolve, reject) => {
        const common = {
            host: "127.0.0.1",
            port: opts.port,
            path: opts.path,
            method: opts.method ?? "GET",
            headers: { host: DOMAIN, ...(opts.headers ?? {}) },
            agent: false as const,
        };
        const onResponse = (res: http.IncomingMessage): void => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
            res.on("error", reject);
        };
        const req = opts.secure ? https.request({ ...common, servername: DOMAIN, ca: caCert }, onResponse) : http.request(common, onResponse);
        // nginx may answer (e.g. 413) and close before the whole body is written; the reply still counts.
        req.on("error", (e: NodeJS.ErrnoException) => (e.code === "EPIPE" || e.code === "ECONNRESET" ? undefined : reject(e)));
        req.end(opts.body);
    });
}

const echoOf = (r: Reply): Echo => JSON.parse(r.body.toString()) as Echo;

/** A TLS handshake limited to [min, max]; SECLEVEL=0 so this client itself is able to speak TLS 1.0/1.1. */
function handshake(port: number, min: tls.SecureVersion, max: tls.SecureVersion): Promise<{ protocol?: string; alpn?: string | false; code?: string }> {
    return new Promise((resolve) => {
        const socket = tls.connect(
            { host: "127.0.0.1", port, servername: DOMAIN, ca: caCert, minVersion: min, maxVersion: max, ciphers: "DEFAULT:@SECLEVEL=0", ALPNProtocols: ["h2", "http/1.1"] },
            () => {
                resolve({ protocol: socket.getProtocol() ?? undefined, alpn: socket.alpnProtocol ?? undefined });
                socket.end();
            },
        );
        socket.on("error", (e: NodeJS.ErrnoException) => resolve({ code: e.code }));
    });
}

const SECURITY_HEADERS: Record<string, string | RegExp> = {
    "strict-transport-security": /^max-age=\d{8,}; includeSubDomains$/,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "content-security-policy": "frame-ancestors 'none'",
    "referrer-policy": "strict-origin-when-cross-origin",
    "permissions-policy": /camera=\(\)/,
};

function assertSecurityHeaders(r: Reply, what: string): void {
    for (const [name, expected] of Object.entries(SECURITY_HEADERS)) {
        const value = r.headers[name];
        assert.equal(typeof value, "string", `${what}: ${name} present exactly once (got ${JSON.stringify(value)})`);
        if (typeof expected === "string") assert.equal(value, expected, `${what}: ${name}`);
        else assert.match(value as string, expected, `${what}: ${name}`);
    }
    assert.equal(r.headers["server"], "nginx", `${what}: no version in Server`);
    assert.equal(r.headers["x-powered-by"], undefined, `${what}: upstream X-Powered-By hidden`);
}

describe("edge nginx.conf on a real nginx", function () {
    let nginx = "";
    let version = "";
    let dir = "";
    let ports = { http: 0, https: 0, status: 0 };
    let stubs: { server: http.Server; port: number }[] = [];
    let web = 0;
    let api = 0;
    let confPath = "";
    let options: NginxConfOptions;

    before(async function () {
        const missing = missingTools(["nginx", "openssl"]);
        if (missing) skipOrFail(this, missing);
        nginx = requireTool("nginx");
        const v = spawnSync(nginx, ["-v"], { encoding: "utf8" });
        const m = /nginx\/(\d+\.\d+\.\d+)/.exec(`${v.stdout}${v.stderr}`);
        assert.ok(m, `could not read the nginx version from: ${v.stderr}`);
        version = m[1];

        dir = makeTempDir("edge-nginx");
        // Workers run as an unprivileged user when the master is root; they need to reach the temp dirs.
        fs.chmodSync(dir, 0o711);
        fs.mkdirSync(path.join(dir, "run"));

        // The dev stack's SelfSignedCertificate profile, issued by openssl.
        const { key, cert } = makeDevCertificate(DOMAIN, 2);
        caCert = cert;
        assert.match(key, /^-----BEGIN PRIVATE KEY-----\n/);
        assert.match(caCert, /^-----BEGIN CERTIFICATE-----\n/);
        fs.writeFileSync(path.join(dir, "tls.key"), key, { mode: 0o600 });
        fs.writeFileSync(path.join(dir, "tls.crt"), caCert);

        stubs = [await startStub("web"), await startStub("api")];
        [web, api] = stubs.map((s) => s.port);
        ports = { http: await freePort(), https: await freePort(), status: await freePort() };

        const asRoot = process.getuid?.() === 0;
        const group = fs.readFileSync("/etc/group", "utf8").split("\n").some((l) => l.startsWith("nogroup:")) ? "nogroup" : "nobody";
        options = {
            serverName: DOMAIN,
            webUpstream: `127.0.0.1:${web}`,
            apiUpstream: `127.0.0.1:${api}`,
            listenAddress: "127.0.0.1",
            httpPort: ports.http,
            httpsPort: ports.https,
            statusPort: ports.status,
            publicHttpsPort: ports.https,
            certificatePath: path.join(dir, "tls.crt"),
            privateKeyPath: path.join(dir, "tls.key"),
            runtimeDir: path.join(dir, "run"),
            clientMaxBodySizeMb: BODY_LIMIT_MB,
            workerProcesses: 1,
            user: asRoot ? `nobody ${group}` : undefined,
            nginxVersion: version,
        };
        confPath = path.join(dir, "nginx.conf");
        fs.writeFileSync(confPath, renderNginxConf(options));
    });

    after(async () => {
        await Promise.all(stubs.map((s) => new Promise((resolve) => s.server.close(resolve))));
        if (dir) removeTempDir(dir);
    });

    it("passes nginx -t", () => {
        const r = nginxTest(nginx, confPath, dir);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stderr, /test is successful/);
        assert.ok(!/\[warn\]|\[emerg\]/.test(r.stderr), `no warnings: ${r.stderr}`);
    });

    it("fails nginx -t when the certificate is missing (the check is real)", () => {
        const broken = path.join(dir, "broken.conf");
        fs.writeFileSync(broken, renderNginxConf({ ...options, certificatePath: path.join(dir, "absent.crt") }));
        const r = nginxTest(nginx, broken, dir);
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, /absent\.crt/);
    });

    describe("live", () => {
        let proc: Awaited<ReturnType<typeof startNginx>> | undefined;

        before(async () => {
            proc = await startNginx(nginx, confPath, dir, ports.http);
        });

        after(async () => {
            await stopNginx(proc?.child);
        });

        const https_ = (p: string, extra: Partial<Parameters<typeof get>[0]> = {}): Promise<Reply> => get({ secure: true, port: ports.https, path: p, ...extra });
        const http_ = (p: string, extra: Partial<Parameters<typeof get>[0]> = {}): Promise<Reply> => get({ secure: false, port: ports.http, path: p, ...extra });

        it("routes / to web and /api/ to the api, keeping the /api prefix and the query", async () => {
            const root = await https_("/");
            assert.equal(root.status, 200);
            assert.deepEqual([echoOf(root).upstream, echoOf(root).path], ["web", "/"]);
            const health = await https_("/api/v1/health");
            assert.deepEqual([echoOf(health).upstream, echoOf(health).path], ["api", "/api/v1/health"]);
            const query = await https_("/api/v1/patients?page=2&q=a%20b");
            assert.deepEqual([echoOf(query).upstream, echoOf(query).path], ["api", "/api/v1/patients?page=2&q=a%20b"]);
            const lookalike = await https_("/apiary/index.html");
            assert.equal(echoOf(lookalike).upstream, "web", "only /api/ goes to the api");
            const spa = await https_("/patients/42");
            assert.deepEqual([echoOf(spa).upstream, echoOf(spa).path], ["web", "/patients/42"]);
        });

        it("forwards the client address, scheme, host and a request id, replacing a forged X-Forwarded-For", async () => {
            const r = await https_("/api/v1/health", { headers: { "x-forwarded-for": "6.6.6.6", "x-request-id": "trace-abc.123" } });
            const seen = echoOf(r).headers;
            assert.equal(seen["x-forwarded-for"], "127.0.0.1");
            assert.equal(seen["x-real-ip"], "127.0.0.1");
            assert.equal(seen["x-forwarded-proto"], "https");
            assert.equal(seen["host"], DOMAIN);
            assert.equal(seen["x-request-id"], "trace-abc.123");
            assert.equal(r.headers["x-request-id"], "trace-abc.123");
            const minted = await https_("/api/v1/health", { headers: { "x-request-id": "bad id with spaces" } });
            assert.match(minted.headers["x-request-id"] as string, /^[0-9a-f]{32}$/);
            assert.equal(echoOf(minted).headers["x-request-id"], minted.headers["x-request-id"]);
        });

        it("redirects http to https on the configured name, whatever Host the client sends", async () => {
            const r = await http_("/patients/42?tab=visits");
            assert.equal(r.status, 301);
            assert.equal(r.headers.location, `https://${DOMAIN}:${ports.https}/patients/42?tab=visits`);
            const forged = await http_("/", { headers: { host: "evil.example" } });
            assert.equal(forged.status, 301);
            assert.equal(forged.headers.location, `https://${DOMAIN}:${ports.https}/`);
            const api = await http_("/api/v1/health");
            assert.equal(api.status, 301, "the api is never served over plain http");
        });

        it("sends every security header on https responses, errors included", async () => {
            assertSecurityHeaders(await https_("/"), "web 200");
            assertSecurityHeaders(await https_("/api/v1/health"), "api 200");
            const missing = await https_("/api/missing");
            assert.equal(missing.status, 404);
            assertSecurityHeaders(missing, "upstream 404");
            assertSecurityHeaders(await https_("/healthz"), "healthz");
            const big = await https_("/api/v1/upload", { method: "POST", body: Buffer.alloc(2 * 1024 * 1024 + 1) });
            assertSecurityHeaders(big, "413");
        });

        it("refuses TLS 1.0 and 1.1 itself, and speaks TLS 1.2 and 1.3 with h2", async () => {
            for (const v of ["TLSv1", "TLSv1.1"] as const) {
                const r = await handshake(ports.https, v, v);
                // A protocol_version alert received from the server, not a client-side refusal.
                assert.equal(r.code, "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION", `${v}: ${JSON.stringify(r)}`);
            }
            for (const v of ["TLSv1.2", "TLSv1.3"] as const) {
                const r = await handshake(ports.https, v, v);
                assert.deepEqual(r, { protocol: v, alpn: "h2" });
            }
        });

        it("answers /healthz on both listeners without logging it, and logs other requests as JSON", async () => {
            for (const r of [await http_("/healthz"), await https_("/healthz")]) {
                assert.equal(r.status, 200);
                assert.equal(r.body.toString(), "ok\n");
                assert.match(r.headers["content-type"] as string, /^text\/plain/);
            }
            await https_("/api/v1/health?token=do-not-log", { headers: { "x-request-id": "log-probe-1" } });
            await waitFor("the access log line", async () => proc!.stdout().includes("log-probe-1"), 5000);
            const lines = proc!.stdout().trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
            const probe = lines.find((l) => l.request_id === "log-probe-1");
            assert.ok(probe);
            assert.equal(probe.path, "/api/v1/health");
            assert.equal(probe.status, 200);
            assert.equal(probe.tls, "TLSv1.3");
            assert.ok(!proc!.stdout().includes("do-not-log"), "query strings stay out of the log");
            assert.ok(!lines.some((l) => l.path === "/healthz"), "/healthz is not logged");
        });

        it("serves stub_status on the internal port only", async () => {
            const status = await get({ secure: false, port: ports.status, path: "/stub_status" });
            assert.equal(status.status, 200);
            assert.match(status.body.toString(), /^Active connections: \d+/);
            assert.equal((await get({ secure: false, port: ports.status, path: "/" })).status, 404);
            const viaHttps = await https_("/stub_status");
            assert.equal(echoOf(viaHttps).upstream, "web", "the public https listener proxies the path to web");
            assert.ok(!viaHttps.body.toString().includes("Active connections"));
            assert.equal((await http_("/stub_status")).status, 301);
        });

        it("rejects a body above the limit with 413 and passes one below it", async () => {
            const limit = BODY_LIMIT_MB * 1024 * 1024;
            const over = await https_("/api/v1/upload", { method: "POST", body: Buffer.alloc(limit + 1) });
            assert.equal(over.status, 413);
            const under = await https_("/api/v1/upload", { method: "POST", body: Buffer.alloc(limit - 1024) });
            assert.equal(under.status, 200);
            assert.equal(echoOf(under).bodyBytes, limit - 1024);
        });

        it("compresses text responses for clients that accept gzip", async () => {
            const r = await https_("/big.txt", { headers: { "accept-encoding": "gzip" } });
            assert.equal(r.headers["content-encoding"], "gzip");
            assert.match(r.headers["vary"] as string, /Accept-Encoding/);
            assert.equal(zlib.gunzipSync(r.body).toString(), "Pro Team Care home care. ".repeat(400));
        });
    });

    describe("control: the same client against an nginx that allows TLS 1.0/1.1", () => {
        let proc: Awaited<ReturnType<typeof startNginx>> | undefined;
        let controlHttps = 0;

        before(async () => {
            // Proves the refusal above comes from the rendered config: loosen only protocols and ciphers.
            const p = { http: await freePort(), https: await freePort(), status: await freePort() };
            controlHttps = p.https;
            const runtimeDir = path.join(dir, "control-run");
            fs.mkdirSync(runtimeDir);
            const strict = renderNginxConf({ ...options, httpPort: p.http, httpsPort: p.https, statusPort: p.status, publicHttpsPort: p.https, runtimeDir });
            const loose = strict
                .replace("ssl_protocols TLSv1.2 TLSv1.3;", "ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;")
                .replace(/ssl_ciphers [^;]+;/, "ssl_ciphers DEFAULT:@SECLEVEL=0;");
            assert.notEqual(loose, strict);
            const conf = path.join(dir, "control.conf");
            fs.writeFileSync(conf, loose);
            proc = await startNginx(nginx, conf, dir, p.http);
        });

        after(async () => {
            await stopNginx(proc?.child);
        });

        it("completes TLS 1.0 and 1.1 handshakes", async () => {
            for (const v of ["TLSv1", "TLSv1.1"] as const) {
                const r = await handshake(controlHttps, v, v);
                assert.equal(r.protocol, v, `${v}: ${JSON.stringify(r)}`);
            }
        });
    });
});
