/**
 * The edge proxy's nginx.conf, rendered by a pure function.
 *
 * nginx has no configuration library, so this is the one place in the repo that renders a config
 * from a template. The output is self-contained (no `include`), deterministic, and written for
 * the nginxinc/nginx-unprivileged image: master and workers run as uid 101, listeners are on
 * unprivileged ports, and the pid file and every temp path sit under one writable runtime
 * directory so the root filesystem can be read-only.
 */
import * as semver from "semver";
import { NginxConfOptions, ResolvedNginxOptions, resolveNginxOptions } from "./nginx-options";

export * from "./nginx-options";

/** Path the status endpoint answers on (the nginx Prometheus exporter's default scrape URI path). */
export const STUB_STATUS_PATH = "/stub_status";

/** Path of the proxy's own health endpoint (both listeners). */
export const HEALTH_PATH = "/healthz";

/**
 * TLS 1.2 cipher suites: ECDHE with AEAD only (Mozilla "intermediate" without DHE, which needs a
 * dhparam file). TLS 1.3 suites are not set by ssl_ciphers and are all modern.
 */
export const TLS12_CIPHERS = [
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-CHACHA20-POLY1305",
] as const;

/** Response types worth compressing (text/html is always compressed by gzip on). */
export const GZIP_TYPES = [
    "application/javascript",
    "application/json",
    "application/manifest+json",
    "application/problem+json",
    "application/xml",
    "image/svg+xml",
    "text/css",
    "text/javascript",
    "text/plain",
    "text/xml",
] as const;

/** Indents a block's lines by one level (four spaces), leaving blank lines empty. */
function indent(lines: readonly string[]): string[] {
    return lines.map((l) => (l === "" ? "" : `    ${l}`));
}

function block(head: string, body: readonly string[]): string[] {
    return [`${head} {`, ...indent(body), "}"];
}

function listen(r: ResolvedNginxOptions, portNumber: number, params: string): string {
    const addr = r.listenAddress === undefined ? `${portNumber}` : `${r.listenAddress}:${portNumber}`;
    return `listen ${addr}${params ? ` ${params}` : ""};`;
}

/** The fields of one JSON access-log line. Query strings and referrers stay out: they can carry tokens. */
const ACCESS_LOG_FIELDS: readonly (readonly [string, string, "string" | "number"])[] = [
    ["time", "$time_iso8601", "string"],
    ["request_id", "$edge_request_id", "string"],
    ["remote_addr", "$remote_addr", "string"],
    ["method", "$request_method", "string"],
    ["host", "$host", "string"],
    ["path", "$uri", "string"],
    ["protocol", "$server_protocol", "string"],
    ["tls", "$ssl_protocol", "string"],
    ["status", "$status", "number"],
    ["bytes_sent", "$body_bytes_sent", "number"],
    ["request_time", "$request_time", "number"],
    ["upstream", "$upstream_addr", "string"],
    ["upstream_status", "$upstream_status", "string"],
    ["upstream_response_time", "$upstream_response_time", "string"],
    ["user_agent", "$http_user_agent", "string"],
];

function accessLogFormat(): string {
    const fields = ACCESS_LOG_FIELDS.map(([k, v, t]) => (t === "number" ? `"${k}":${v}` : `"${k}":"${v}"`));
    return `log_format json escape=json '{${fields.join(",")}}';`;
}

function upstream(r: ResolvedNginxOptions, name: string, address: string): string[] {
    return block(`upstream ${name}`, [`server ${address};`, `keepalive ${r.upstreamKeepalive};`, "keepalive_timeout 60s;"]);
}

/**
 * The proxy_pass of one route. With a resolver the upstream is a variable, so nginx resolves
 * the name per request (cached `valid=` seconds) instead of once at start; without one it is the
 * static upstream block, with its keepalive pool.
 */
function proxyPass(r: ResolvedNginxOptions, name: string, address: string): string[] {
    if (r.resolver === undefined) return [`proxy_pass http://${name};`];
    // A `set` per location (not a map at http level): the value is a literal, and the location
    // reads as what it proxies to.
    return [`set $${name} ${address};`, `proxy_pass http://$${name};`];
}

function healthLocation(): string[] {
    return block(`location = ${HEALTH_PATH}`, ["access_log off;", "default_type text/plain;", 'return 200 "ok\\n";']);
}

/**
 * Renders the edge's nginx.conf: / → web, /api/ → api (prefix kept), http → https, TLS 1.2+,
 * security headers, gzip, timeouts, a body limit, /healthz, JSON access logs to stdout, errors
 * to stderr, and stub_status on its own internal listener. Throws on invalid options, naming
 * the option. The same options always give the same text.
 */
export function renderNginxConf(options: NginxConfOptions): string {
    const r = resolveNginxOptions(options);
    // resolveNginxOptions has checked that nginxVersion is a plain "x.y.z".
    const http2Directive = semver.gte(r.nginxVersion, "1.25.1");
    const redirectPort = r.publicHttpsPort === 443 ? "" : `:${r.publicHttpsPort}`;
    const run = r.runtimeDir.replace(/\/+$/, "");

    // add_header in a location would drop every inherited header, so headers live at server level only.
    const securityHeaders = [
        `add_header Strict-Transport-Security "max-age=${r.hstsMaxAgeSeconds}; includeSubDomains" always;`,
        'add_header X-Content-Type-Options "nosniff" always;',
        'add_header X-Frame-Options "DENY" always;',
        `add_header Content-Security-Policy "frame-ancestors 'none'" always;`,
        'add_header Referrer-Policy "strict-origin-when-cross-origin" always;',
        `add_header Permissions-Policy "${r.permissionsPolicy}" always;`,
        "add_header X-Request-ID $edge_request_id always;",
    ];

    const proxySettings = [
        "proxy_http_version 1.1;",
        "proxy_set_header Host $host;",
        "proxy_set_header Connection $edge_connection;",
        "proxy_set_header Upgrade $http_upgrade;",
        // The edge is the first hop: a client-sent X-Forwarded-For is not trusted, so it is replaced.
        "proxy_set_header X-Forwarded-For $remote_addr;",
        "proxy_set_header X-Real-IP $remote_addr;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_set_header X-Forwarded-Host $host;",
        "proxy_set_header X-Request-ID $edge_request_id;",
        `proxy_connect_timeout ${r.proxyConnectTimeoutSeconds}s;`,
        `proxy_send_timeout ${r.proxySendTimeoutSeconds}s;`,
        `proxy_read_timeout ${r.proxyReadTimeoutSeconds}s;`,
        // A refused or timed-out connection moves on to the next address (another replica, or
        // the same name re-resolved); only idempotent requests are retried (nginx's default).
        "proxy_next_upstream error timeout;",
        "proxy_next_upstream_tries 3;",
        // The edge owns these headers; drop upstream copies so each appears once.
        "proxy_hide_header X-Powered-By;",
        "proxy_hide_header Strict-Transport-Security;",
        "proxy_hide_header X-Content-Type-Options;",
        "proxy_hide_header X-Frame-Options;",
        "proxy_hide_header Referrer-Policy;",
        "proxy_hide_header Permissions-Policy;",
    ];

    const httpServer = block("server", [
        listen(r, r.httpPort, "default_server"),
        `server_name ${r.serverName};`,
        "",
        ...healthLocation(),
        "",
        // Redirect to the configured name, never to the client's Host header.
        ...block("location /", [`return 301 https://${r.serverName}${redirectPort}$request_uri;`]),
    ]);

    const httpsServer = block("server", [
        listen(r, r.httpsPort, http2Directive ? "ssl default_server" : "ssl http2 default_server"),
        ...(http2Directive ? ["http2 on;"] : []),
        `server_name ${r.serverName};`,
        "",
        `ssl_certificate ${r.certificatePath};`,
        `ssl_certificate_key ${r.privateKeyPath};`,
        "ssl_protocols TLSv1.2 TLSv1.3;",
        `ssl_ciphers ${TLS12_CIPHERS.join(":")};`,
        "ssl_prefer_server_ciphers off;",
        "ssl_ecdh_curve X25519:prime256v1:secp384r1;",
        "ssl_session_cache shared:edge_tls:10m;",
        "ssl_session_timeout 1d;",
        "ssl_session_tickets off;",
        "",
        `client_max_body_size ${r.clientMaxBodySizeMb}m;`,
        "",
        ...securityHeaders,
        "",
        ...proxySettings,
        "",
        ...healthLocation(),
        "",
        // No URI part on proxy_pass: the original URI, /api prefix included, goes upstream.
        ...block("location /api/", proxyPass(r, "api_upstream", r.apiUpstream)),
        "",
        ...block("location /", proxyPass(r, "web_upstream", r.webUpstream)),
    ]);

    const statusServer = block("server", [
        // Its own port, not published on the host and not a name on the public listeners.
        listen(r, r.statusPort, ""),
        "server_name _;",
        "access_log off;",
        "",
        ...block(`location = ${STUB_STATUS_PATH}`, [
            "stub_status;",
            ...r.statusAllow.map((a) => `allow ${a};`),
            "deny all;",
        ]),
        "",
        ...block("location /", ["return 404;"]),
    ]);

    const http = block("http", [
        "server_tokens off;",
        "default_type application/octet-stream;",
        "sendfile on;",
        "tcp_nopush on;",
        "keepalive_timeout 65s;",
        "client_header_timeout 15s;",
        "client_body_timeout 30s;",
        "send_timeout 30s;",
        "",
        `client_body_temp_path ${run}/client_temp;`,
        `proxy_temp_path ${run}/proxy_temp;`,
        `fastcgi_temp_path ${run}/fastcgi_temp;`,
        `uwsgi_temp_path ${run}/uwsgi_temp;`,
        `scgi_temp_path ${run}/scgi_temp;`,
        "",
        accessLogFormat(),
        "access_log /dev/stdout json;",
        "",
        ...(r.resolver !== undefined ? [`resolver ${r.resolver} valid=${r.resolverValidSeconds}s ipv6=off;`, "resolver_timeout 5s;", ""] : []),
        "gzip on;",
        "gzip_vary on;",
        "gzip_proxied any;",
        "gzip_comp_level 5;",
        "gzip_min_length 1024;",
        `gzip_types ${GZIP_TYPES.join(" ")};`,
        "",
        // Keep a well-formed caller's request id for tracing; otherwise mint one.
        ...block("map $http_x_request_id $edge_request_id", ['"~^[-A-Za-z0-9._:]{1,128}$" $http_x_request_id;', "default $request_id;"]),
        "",
        // WebSocket upgrades pass through; other requests keep the upstream connection alive.
        ...block("map $http_upgrade $edge_connection", ['default "upgrade";', '"" "";']),
        "",
        ...(r.resolver === undefined
            ? [...upstream(r, "web_upstream", r.webUpstream), "", ...upstream(r, "api_upstream", r.apiUpstream), ""]
            : []),
        ...httpServer,
        "",
        ...httpsServer,
        "",
        ...statusServer,
    ]);

    const lines = [
        "# Rendered by components/edge/nginx.ts; edit the renderer, not this file.",
        ...(r.user !== undefined ? [`user ${r.user};`] : []),
        `worker_processes ${r.workerProcesses};`,
        `pid ${run}/nginx.pid;`,
        "error_log stderr warn;",
        "",
        ...block("events", [`worker_connections ${r.workerConnections};`]),
        "",
        ...http,
    ];
    return `${lines.join("\n")}\n`;
}
