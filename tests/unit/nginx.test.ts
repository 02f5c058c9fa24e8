import { strict as assert } from "node:assert";
import {
    DEFAULT_PERMISSIONS_POLICY,
    NginxConfOptions,
    renderNginxConf,
    TLS12_CIPHERS,
} from "../../components/edge/nginx";

/** One nginx directive: name, arguments (quotes removed) and, for blocks, children. */
interface Directive {
    name: string;
    args: string[];
    children?: Directive[];
}

/** A small nginx config parser: enough to assert on structure instead of substrings. */
function parseNginx(text: string): Directive[] {
    const tokens: string[] = [];
    const re = /\s*(?:#[^\n]*|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([{};])|([^\s{};"']+))/gy;
    let m: RegExpExecArray | null;
    let end = 0;
    while ((m = re.exec(text)) !== null && m[0] !== "") {
        end = re.lastIndex;
        if (m[1] !== undefined) tokens.push(`\u0000${m[1]}`);
        else if (m[2] !== undefined) tokens.push(`\u0000${m[2]}`);
        else if (m[3] !== undefined) tokens.push(m[3]);
        else if (m[4] !== undefined) tokens.push(m[4]);
    }
    assert.equal(text.slice(end).trim(), "", "config tokenizes completely");
    let i = 0;
    const unquote = (t: string): string => (t.startsWith("\u0000") ? t.slice(1) : t);
    function parseBlock(): Directive[] {
        const out: Directive[] = [];
        while (i < tokens.length && tokens[i] !== "}") {
            const words: string[] = [];
            while (tokens[i] !== ";" && tokens[i] !== "{") {
                assert.ok(i < tokens.length, "unterminated directive");
                words.push(unquote(tokens[i++]));
            }
            const d: Directive = { name: words[0], args: words.slice(1) };
            if (tokens[i++] === "{") {
                d.children = parseBlock();
                assert.equal(tokens[i++], "}", "block closed");
            }
            out.push(d);
        }
        return out;
    }
    const tree = parseBlock();
    assert.equal(i, tokens.length, "no stray closing brace");
    return tree;
}

const all = (ds: Directive[] | undefined, name: string): Directive[] => (ds ?? []).filter((d) => d.name === name);
function one(ds: Directive[] | undefined, name: string, ...args: string[]): Directive {
    const found = all(ds, name).filter((d) => args.every((a, k) => d.args[k] === a));
    assert.equal(found.length, 1, `exactly one "${[name, ...args].join(" ")}" (found ${found.length})`);
    return found[0];
}
const argsOf = (ds: Directive[] | undefined, name: string): string[] => one(ds, name).args;

const BASE: NginxConfOptions = { serverName: "app.example.com", webUpstream: "web:8080", apiUpstream: "api:8000" };

function servers(conf: string): { http: Directive; https: Directive; status: Directive; root: Directive[] } {
    const root = parseNginx(conf);
    const http = one(root, "http");
    const byPort = (p: string): Directive => {
        const s = all(http.children, "server").filter((srv) => all(srv.children, "listen").some((l) => l.args[0].endsWith(p)));
        assert.equal(s.length, 1, `one server listening on ${p}`);
        return s[0];
    };
    return { http: byPort("8080"), https: byPort("8443"), status: byPort("8081"), root };
}

describe("renderNginxConf", () => {
    const conf = renderNginxConf(BASE);
    const { http, https, status, root } = servers(conf);
    const httpBlock = one(root, "http");

    it("is deterministic and ends with a newline", () => {
        assert.equal(renderNginxConf({ ...BASE }), conf);
        assert.ok(conf.endsWith("}\n"));
    });

    it("routes / to web and /api/ to the api with the /api prefix kept", () => {
        const upstreams = all(httpBlock.children, "upstream");
        assert.deepEqual(argsOf(one(upstreams, "upstream", "web_upstream").children, "server"), ["web:8080"]);
        assert.deepEqual(argsOf(one(upstreams, "upstream", "api_upstream").children, "server"), ["api:8000"]);
        // proxy_pass without a URI part forwards the original URI, so /api/v1/health stays /api/v1/health.
        assert.deepEqual(argsOf(one(https.children, "location", "/api/").children, "proxy_pass"), ["http://api_upstream"]);
        assert.deepEqual(argsOf(one(https.children, "location", "/").children, "proxy_pass"), ["http://web_upstream"]);
    });

    it("keeps upstream connections alive", () => {
        for (const u of all(httpBlock.children, "upstream")) {
            assert.deepEqual(argsOf(u.children, "keepalive"), ["32"]);
        }
        assert.deepEqual(argsOf(https.children, "proxy_http_version"), ["1.1"]);
        assert.deepEqual(one(https.children, "proxy_set_header", "Connection").args, ["Connection", "$edge_connection"]);
    });

    it("redirects every plain-http path but /healthz to https on the configured name", () => {
        assert.deepEqual(one(http.children, "location", "/").children, [
            { name: "return", args: ["301", "https://app.example.com$request_uri"] },
        ]);
        assert.equal(all(http.children, "proxy_pass").length, 0);
        const custom = servers(renderNginxConf({ ...BASE, publicHttpsPort: 8443 })).http;
        assert.deepEqual(argsOf(one(custom.children, "location", "/").children, "return"), ["301", "https://app.example.com:8443$request_uri"]);
    });

    it("allows only TLS 1.2 and 1.3 with ECDHE AEAD ciphers, certificate and key at fixed paths", () => {
        assert.deepEqual(argsOf(https.children, "ssl_protocols"), ["TLSv1.2", "TLSv1.3"]);
        const ciphers = argsOf(https.children, "ssl_ciphers")[0].split(":");
        assert.deepEqual(ciphers, [...TLS12_CIPHERS]);
        for (const c of ciphers) assert.match(c, /^ECDHE-(ECDSA|RSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$/);
        assert.deepEqual(argsOf(https.children, "ssl_certificate"), ["/etc/nginx/live/tls.crt"]);
        assert.deepEqual(argsOf(https.children, "ssl_certificate_key"), ["/etc/nginx/live/tls.key"]);
        assert.deepEqual(argsOf(https.children, "ssl_session_tickets"), ["off"]);
        assert.deepEqual(one(https.children, "listen").args, ["8443", "ssl", "default_server"]);
    });

    it("sends every security header with `always`, at server level only", () => {
        const headers = Object.fromEntries(
            all(https.children, "add_header").map((d) => {
                assert.equal(d.args[2], "always", `${d.args[0]} is sent on error responses too`);
                return [d.args[0], d.args[1]];
            }),
        );
        assert.deepEqual(headers, {
            "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Content-Security-Policy": "frame-ancestors 'none'",
            "Referrer-Policy": "strict-origin-when-cross-origin",
            "Permissions-Policy": DEFAULT_PERMISSIONS_POLICY,
            "X-Request-ID": "$edge_request_id",
        });
        // An add_header inside a location would silently drop all the server-level ones there.
        for (const loc of all(https.children, "location")) assert.equal(all(loc.children, "add_header").length, 0);
    });

    it("forwards client identity and a request id", () => {
        const set = Object.fromEntries(all(https.children, "proxy_set_header").map((d) => [d.args[0], d.args[1]]));
        assert.equal(set["X-Forwarded-For"], "$remote_addr");
        assert.equal(set["X-Forwarded-Proto"], "$scheme");
        assert.equal(set["X-Request-ID"], "$edge_request_id");
        assert.equal(set["Host"], "$host");
        const map = one(httpBlock.children, "map", "$http_x_request_id", "$edge_request_id");
        assert.deepEqual(argsOf(map.children, "default"), ["$request_id"]);
    });

    it("sets timeouts, a body limit and gzip for text types", () => {
        assert.deepEqual(argsOf(https.children, "proxy_connect_timeout"), ["5s"]);
        assert.deepEqual(argsOf(https.children, "proxy_read_timeout"), ["60s"]);
        assert.deepEqual(argsOf(https.children, "proxy_send_timeout"), ["60s"]);
        assert.deepEqual(argsOf(https.children, "client_max_body_size"), ["10m"]);
        assert.deepEqual(argsOf(httpBlock.children, "gzip"), ["on"]);
        const types = argsOf(httpBlock.children, "gzip_types");
        for (const t of ["text/css", "application/javascript", "application/json", "image/svg+xml"]) assert.ok(types.includes(t), t);
        const custom = servers(renderNginxConf({ ...BASE, clientMaxBodySizeMb: 25, proxyReadTimeoutSeconds: 120, proxyConnectTimeoutSeconds: 3 })).https;
        assert.deepEqual(argsOf(custom.children, "client_max_body_size"), ["25m"]);
        assert.deepEqual(argsOf(custom.children, "proxy_read_timeout"), ["120s"]);
        assert.deepEqual(argsOf(custom.children, "proxy_connect_timeout"), ["3s"]);
    });

    it("answers /healthz itself on both listeners, without logging", () => {
        for (const srv of [http, https]) {
            const loc = one(srv.children, "location", "=", "/healthz");
            assert.deepEqual(argsOf(loc.children, "access_log"), ["off"]);
            assert.deepEqual(argsOf(loc.children, "return"), ["200", "ok\\n"]);
        }
    });

    it("serves stub_status only on the internal status listener", () => {
        assert.deepEqual(one(status.children, "listen").args, ["8081"]);
        const loc = one(status.children, "location", "=", "/stub_status");
        assert.equal(all(loc.children, "stub_status").length, 1);
        assert.deepEqual(all(loc.children, "deny").map((d) => d.args), [["all"]]);
        assert.ok(all(loc.children, "allow").some((d) => d.args[0] === "127.0.0.1"));
        // No other server mentions stub_status, and the status server shares no port with the public ones.
        assert.equal(conf.split("stub_status;").length - 1, 1);
        assert.ok(!conf.includes("listen 8081 ssl"));
    });

    it("logs JSON to stdout, errors to stderr, hides the version, and keeps runtime files under /tmp", () => {
        assert.deepEqual(argsOf(httpBlock.children, "server_tokens"), ["off"]);
        assert.deepEqual(argsOf(httpBlock.children, "access_log"), ["/dev/stdout", "json"]);
        assert.deepEqual(argsOf(root, "error_log"), ["stderr", "warn"]);
        assert.deepEqual(argsOf(root, "pid"), ["/tmp/nginx.pid"]);
        for (const t of ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]) {
            assert.match(argsOf(httpBlock.children, `${t}_temp_path`)[0], /^\/tmp\//);
        }
        // The image's command passes `-g "daemon off;"`; a second one in the file is fatal.
        assert.equal(all(root, "daemon").length, 0);
        assert.equal(all(root, "user").length, 0, "the image runs as uid 101: no user directive");
        const format = one(httpBlock.children, "log_format", "json");
        assert.equal(format.args[1], "escape=json");
        const sample = format.args[2].replace(/\$[a-z_0-9]+/g, "1");
        const fields = JSON.parse(sample) as Record<string, unknown>;
        for (const k of ["time", "status", "path", "request_id", "upstream_status", "request_time"]) assert.ok(k in fields, k);
        assert.ok(!format.args[2].includes("$request_uri") && !format.args[2].includes("$args"), "no query strings in logs");
    });

    it("renders http2 for the target nginx version", () => {
        assert.deepEqual(argsOf(https.children, "http2"), ["on"]);
        const old = servers(renderNginxConf({ ...BASE, nginxVersion: "1.22.1" })).https;
        assert.equal(all(old.children, "http2").length, 0);
        assert.deepEqual(one(old.children, "listen").args, ["8443", "ssl", "http2", "default_server"]);
    });

    it("re-resolves upstreams at run time only when a resolver is given", () => {
        assert.equal(all(httpBlock.children, "resolver").length, 0);
        const dyn = servers(renderNginxConf({ ...BASE, resolver: "127.0.0.11" })).root;
        const h = one(dyn, "http");
        assert.deepEqual(argsOf(h.children, "resolver"), ["127.0.0.11", "valid=5s", "ipv6=off"]);
        // No upstream block (it would resolve once, at start): each route proxies to a variable.
        assert.equal(all(h.children, "upstream").length, 0);
        const dynHttps = servers(renderNginxConf({ ...BASE, resolver: "127.0.0.11" })).https;
        const routes = Object.fromEntries(all(dynHttps.children, "location").map((l) => [l.args.join(" "), l.children]));
        assert.deepEqual(argsOf(routes["/api/"], "set"), ["$api_upstream", "api:8000"]);
        assert.deepEqual(argsOf(routes["/api/"], "proxy_pass"), ["http://$api_upstream"]);
        assert.deepEqual(argsOf(routes["/"], "set"), ["$web_upstream", "web:8080"]);
        assert.deepEqual(argsOf(routes["/"], "proxy_pass"), ["http://$web_upstream"]);
        // A failed connection moves on to the next address; non-idempotent requests are never retried.
        assert.deepEqual(argsOf(dynHttps.children, "proxy_next_upstream"), ["error", "timeout"]);
        const v = servers(renderNginxConf({ ...BASE, resolver: "127.0.0.11", resolverValidSeconds: 2 })).root;
        assert.deepEqual(argsOf(one(v, "http").children, "resolver"), ["127.0.0.11", "valid=2s", "ipv6=off"]);
        assert.throws(() => renderNginxConf({ ...BASE, resolver: "127.0.0.11", resolverValidSeconds: 0 }), /resolverValidSeconds/);
    });

    it("binds to one address, uses given paths and a user when asked (tests run as root)", () => {
        const c = renderNginxConf({
            ...BASE,
            listenAddress: "127.0.0.1",
            httpPort: 18080,
            httpsPort: 18443,
            statusPort: 18081,
            runtimeDir: "/var/tmp/edge",
            user: "nobody nogroup",
            certificatePath: "/x/cert.pem",
            privateKeyPath: "/x/key.pem",
        });
        const root2 = parseNginx(c);
        assert.deepEqual(argsOf(root2, "user"), ["nobody", "nogroup"]);
        assert.deepEqual(argsOf(root2, "pid"), ["/var/tmp/edge/nginx.pid"]);
        const listens = all(one(root2, "http").children, "server").map((s) => one(s.children, "listen").args[0]);
        assert.deepEqual(listens, ["127.0.0.1:18080", "127.0.0.1:18443", "127.0.0.1:18081"]);
        assert.ok(c.includes("ssl_certificate_key /x/key.pem;"));
    });

    const bad: [string, Partial<NginxConfOptions>, RegExp][] = [
        ["serverName", { serverName: "App.Example.com" }, /serverName must be a lowercase DNS name/],
        ["serverName injection", { serverName: "a.com; include /etc/passwd" }, /serverName/],
        ["webUpstream", { webUpstream: "web" }, /webUpstream must be "host:port"/],
        ["apiUpstream port", { apiUpstream: "api:70000" }, /apiUpstream port must be 1-65535/],
        ["port clash", { httpsPort: 8080 }, /must all differ/],
        ["body size", { clientMaxBodySizeMb: 0 }, /clientMaxBodySizeMb must be a positive integer/],
        ["timeout", { proxyReadTimeoutSeconds: 1.5 }, /proxyReadTimeoutSeconds must be a positive integer/],
        ["permissions policy", { permissionsPolicy: 'camera=()"; evil' }, /permissionsPolicy must be/],
        ["status allow", { statusAllow: [] }, /statusAllow must name at least one/],
        ["status allow entry", { statusAllow: ["all; allow everyone"] }, /statusAllow entries/],
        ["version", { nginxVersion: "latest" }, /nginxVersion must look like/],
        ["cert path", { certificatePath: "relative.crt" }, /certificatePath must be an absolute path/],
        ["user", { user: "root; daemon off" }, /user must be/],
    ];
    for (const [label, patch, message] of bad) {
        it(`rejects a bad ${label}, naming the option`, () => {
            assert.throws(() => renderNginxConf({ ...BASE, ...patch }), message);
        });
    }
});
