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
import { ipOrCidr, problemOf } from "../platform/schemas";

/** Options of {@link renderNginxConf}. */
export interface NginxConfOptions {
    /** Public domain: the `server_name` and the host of the http → https redirect. */
    readonly serverName: string;
    /** "host:port" of the web (React) upstream. */
    readonly webUpstream: string;
    /** "host:port" of the API upstream; requests under /api/ go there with the /api prefix kept. */
    readonly apiUpstream: string;
    /** Port of the plain-http listener (health check and redirect only). Defaults to 8080. */
    readonly httpPort?: number;
    /** Port of the TLS listener. Defaults to 8443. */
    readonly httpsPort?: number;
    /** Port of the internal stub_status listener for the Prometheus exporter. Defaults to 8081. */
    readonly statusPort?: number;
    /** Port clients reach https on (the host port), used in redirects. Defaults to 443. */
    readonly publicHttpsPort?: number;
    /** Address to bind every listener to. Defaults to all IPv4 interfaces. */
    readonly listenAddress?: string;
    /** Path of the PEM certificate (chain). Defaults to "/etc/nginx/tls/tls.crt". */
    readonly certificatePath?: string;
    /** Path of the PEM private key. Defaults to "/etc/nginx/tls/tls.key". */
    readonly privateKeyPath?: string;
    /** Largest request body accepted, in MiB; larger bodies get 413. Defaults to 10. */
    readonly clientMaxBodySizeMb?: number;
    /** Seconds to establish a connection to an upstream. Defaults to 5. */
    readonly proxyConnectTimeoutSeconds?: number;
    /** Seconds between two writes to an upstream before giving up. Defaults to 60. */
    readonly proxySendTimeoutSeconds?: number;
    /** Seconds between two reads from an upstream before giving up (504). Defaults to 60. */
    readonly proxyReadTimeoutSeconds?: number;
    /** Idle keepalive connections kept per worker to each upstream. Defaults to 32. */
    readonly upstreamKeepalive?: number;
    /** Worker processes. Defaults to "auto" (one per CPU). */
    readonly workerProcesses?: number | "auto";
    /** Connections per worker. Defaults to 1024. */
    readonly workerConnections?: number;
    /** Strict-Transport-Security max-age in seconds. Defaults to 31536000 (one year). */
    readonly hstsMaxAgeSeconds?: number;
    /** Permissions-Policy header value. Defaults to {@link DEFAULT_PERMISSIONS_POLICY}. */
    readonly permissionsPolicy?: string;
    /** Client addresses (IP or CIDR) allowed on the stub_status listener. Defaults to {@link DEFAULT_STATUS_ALLOW}. */
    readonly statusAllow?: readonly string[];
    /**
     * DNS resolver address. When set, upstream host names are re-resolved at run time (shared
     * zone plus `server … resolve`, nginx ≥ 1.27.3) so a recreated upstream with a new address is
     * picked up and nginx starts even before the upstream's name resolves. Defaults to none
     * (names resolved once at start, which suits stable Kubernetes Service addresses).
     */
    readonly resolver?: string;
    /** Writable directory for the pid file and temp paths. Defaults to "/tmp". */
    readonly runtimeDir?: string;
    /**
     * `user` directive (e.g. "nobody nogroup"). Only meaningful when the master runs as root,
     * as in tests; the image runs as uid 101 and needs none. Defaults to none.
     */
    readonly user?: string;
    /** nginx version the config targets; selects version-dependent syntax. Defaults to "1.28.0". */
    readonly nginxVersion?: string;
}

/** Permissions-Policy sent by default: the browser features the app never uses, switched off. */
export const DEFAULT_PERMISSIONS_POLICY =
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()";

/** Clients allowed on the stub_status listener by default: loopback and private networks. */
export const DEFAULT_STATUS_ALLOW: readonly string[] = ["127.0.0.1", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

/** Default paths of the TLS material inside the container. */
export const TLS_PATHS = { certificate: "/etc/nginx/tls/tls.crt", privateKey: "/etc/nginx/tls/tls.key" } as const;

/** Path the status endpoint answers on (the nginx Prometheus exporter's default scrape URI path). */
export const STUB_STATUS_PATH = "/stub_status";

/** Path of the proxy's own health endpoint (both listeners). */
export const HEALTH_PATH = "/healthz";

/** Default container ports: unprivileged, as nginx-unprivileged expects. */
export const DEFAULT_PORTS = { http: 8080, https: 8443, status: 8081 } as const;

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

/** {@link NginxConfOptions} with every default filled in. */
export type ResolvedNginxOptions = Required<Omit<NginxConfOptions, "listenAddress" | "resolver" | "user">> &
    Pick<NginxConfOptions, "listenAddress" | "resolver" | "user">;

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const PATH = /^\/[-A-Za-z0-9_./]*$/;
/** Characters that would end or inject into a quoted nginx value (`$` starts a variable). */
const UNSAFE_IN_QUOTES = /["\\$;{}\r\n]/;

/** True for a lowercase DNS name (what serverName accepts). */
export function isDnsName(value: string): boolean {
    return HOSTNAME.test(value);
}

/** Parses a plain "1.2.3" nginx version (nginx has no pre-releases); throws on anything else. */
function nginxSemver(v: string): semver.SemVer {
    const parsed = semver.parse(v);
    // semver.parse also takes "v1.2.3", " 1.2.3", "1.2.3-rc1" and "1.2.3+build": keep only the exact form.
    if (parsed === null || parsed.raw !== v || parsed.version !== v || parsed.prerelease.length > 0) {
        throw new Error(`nginx.conf: nginxVersion must look like "1.28.0", got "${v}"`);
    }
    return parsed;
}

/**
 * Whether an nginx image may run nginx `minimum` or newer, judged by its tag: "1.28.0-alpine" is
 * 1.28.0; "1.27-alpine" is the newest patch of 1.27, so it counts when any 1.27.x would. Undefined
 * when the tag names no version ("latest", a digest only): there is nothing to check.
 *
 * @param image Image reference, e.g. "nginxinc/nginx-unprivileged:1.28.0-alpine@sha256:…".
 * @param minimum Plain "x.y.z" version.
 */
export function nginxImageAtLeast(image: string, minimum: string): boolean | undefined {
    // Only the tag's leading x.y[.z] is a version; a variant suffix (-alpine) and a digest are not.
    const tag = /:(\d+\.\d+)(\.\d+)?(?:-[\w.]+)?(?:@.*)?$/.exec(image);
    if (!tag) return undefined;
    const range = tag[2] === undefined ? `${tag[1]}.x` : `${tag[1]}${tag[2]}`;
    return semver.intersects(range, `>=${nginxSemver(minimum).version}`);
}

/** Splits and checks a "host:port" upstream address. */
function parseHostPort(key: string, value: string): { host: string; port: number } {
    const m = /^([^:\s]+):(\d{1,5})$/.exec(value);
    if (!m || !(HOSTNAME.test(m[1]) || IPV4.test(m[1]))) {
        throw new Error(`nginx.conf: ${key} must be "host:port" with a DNS name or IPv4 address, got "${value}"`);
    }
    const port = Number(m[2]);
    if (port < 1 || port > 65535) throw new Error(`nginx.conf: ${key} port must be 1-65535, got "${value}"`);
    return { host: m[1], port };
}

function positiveInt(key: string, value: number): void {
    if (!Number.isInteger(value) || value < 1) {
        throw new Error(`nginx.conf: ${key} must be a positive integer, got ${value}`);
    }
}

function port(key: string, value: number): void {
    if (!Number.isInteger(value) || value < 1 || value > 65535) {
        throw new Error(`nginx.conf: ${key} must be a port number 1-65535, got ${value}`);
    }
}

/** Fills in defaults and rejects values that would make an invalid or unsafe config. */
export function resolveNginxOptions(o: NginxConfOptions): ResolvedNginxOptions {
    const r: ResolvedNginxOptions = {
        serverName: o.serverName,
        webUpstream: o.webUpstream,
        apiUpstream: o.apiUpstream,
        httpPort: o.httpPort ?? DEFAULT_PORTS.http,
        httpsPort: o.httpsPort ?? DEFAULT_PORTS.https,
        statusPort: o.statusPort ?? DEFAULT_PORTS.status,
        publicHttpsPort: o.publicHttpsPort ?? 443,
        listenAddress: o.listenAddress,
        certificatePath: o.certificatePath ?? TLS_PATHS.certificate,
        privateKeyPath: o.privateKeyPath ?? TLS_PATHS.privateKey,
        clientMaxBodySizeMb: o.clientMaxBodySizeMb ?? 10,
        proxyConnectTimeoutSeconds: o.proxyConnectTimeoutSeconds ?? 5,
        proxySendTimeoutSeconds: o.proxySendTimeoutSeconds ?? 60,
        proxyReadTimeoutSeconds: o.proxyReadTimeoutSeconds ?? 60,
        upstreamKeepalive: o.upstreamKeepalive ?? 32,
        workerProcesses: o.workerProcesses ?? "auto",
        workerConnections: o.workerConnections ?? 1024,
        hstsMaxAgeSeconds: o.hstsMaxAgeSeconds ?? 31_536_000,
        permissionsPolicy: o.permissionsPolicy ?? DEFAULT_PERMISSIONS_POLICY,
        statusAllow: o.statusAllow ?? DEFAULT_STATUS_ALLOW,
        resolver: o.resolver,
        runtimeDir: o.runtimeDir ?? "/tmp",
        user: o.user,
        nginxVersion: o.nginxVersion ?? "1.28.0",
    };
    if (!HOSTNAME.test(r.serverName)) {
        throw new Error(`nginx.conf: serverName must be a lowercase DNS name such as "app.example.com", got "${r.serverName}"`);
    }
    parseHostPort("webUpstream", r.webUpstream);
    parseHostPort("apiUpstream", r.apiUpstream);
    port("httpPort", r.httpPort);
    port("httpsPort", r.httpsPort);
    port("statusPort", r.statusPort);
    port("publicHttpsPort", r.publicHttpsPort);
    if (new Set([r.httpPort, r.httpsPort, r.statusPort]).size !== 3) {
        throw new Error(
            `nginx.conf: httpPort (${r.httpPort}), httpsPort (${r.httpsPort}) and statusPort (${r.statusPort}) must all differ`,
        );
    }
    if (r.listenAddress !== undefined && !IPV4.test(r.listenAddress)) {
        throw new Error(`nginx.conf: listenAddress must be an IPv4 address, got "${r.listenAddress}"`);
    }
    for (const [key, value] of [
        ["certificatePath", r.certificatePath],
        ["privateKeyPath", r.privateKeyPath],
        ["runtimeDir", r.runtimeDir],
    ] as const) {
        if (!PATH.test(value)) throw new Error(`nginx.conf: ${key} must be an absolute path of [A-Za-z0-9_./-], got "${value}"`);
    }
    positiveInt("clientMaxBodySizeMb", r.clientMaxBodySizeMb);
    positiveInt("proxyConnectTimeoutSeconds", r.proxyConnectTimeoutSeconds);
    positiveInt("proxySendTimeoutSeconds", r.proxySendTimeoutSeconds);
    positiveInt("proxyReadTimeoutSeconds", r.proxyReadTimeoutSeconds);
    positiveInt("upstreamKeepalive", r.upstreamKeepalive);
    positiveInt("workerConnections", r.workerConnections);
    positiveInt("hstsMaxAgeSeconds", r.hstsMaxAgeSeconds);
    if (r.workerProcesses !== "auto") positiveInt("workerProcesses", r.workerProcesses);
    if (r.permissionsPolicy.trim() === "" || UNSAFE_IN_QUOTES.test(r.permissionsPolicy)) {
        throw new Error(
            `nginx.conf: permissionsPolicy must be a non-empty header value without quotes, backslashes, "$", ";", braces or newlines, got "${r.permissionsPolicy}"`,
        );
    }
    if (r.statusAllow.length === 0) {
        throw new Error(`nginx.conf: statusAllow must name at least one address (the exporter's); got an empty list`);
    }
    for (const a of r.statusAllow) {
        if (problemOf(ipOrCidr, a)) throw new Error(`nginx.conf: statusAllow entries must be IP addresses or CIDRs, got "${a}"; expected ${problemOf(ipOrCidr, a)}`);
    }
    const version = nginxSemver(r.nginxVersion);
    if (r.resolver !== undefined) {
        if (!(HOSTNAME.test(r.resolver) || IPV4.test(r.resolver))) {
            throw new Error(`nginx.conf: resolver must be an IPv4 address or DNS name, got "${r.resolver}"`);
        }
        if (semver.lt(version, "1.27.3")) {
            throw new Error(
                `nginx.conf: resolver needs nginx >= 1.27.3 (upstream "server ... resolve"), but nginxVersion is ${r.nginxVersion}; ` +
                    `use a newer image or leave resolver unset`,
            );
        }
    }
    if (r.user !== undefined && !/^[a-z_][-a-z0-9_]*( [a-z_][-a-z0-9_]*)?$/.test(r.user)) {
        throw new Error(`nginx.conf: user must be "user" or "user group" (names), got "${r.user}"`);
    }
    return r;
}

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
    const dynamic = r.resolver !== undefined;
    return block(`upstream ${name}`, [
        ...(dynamic ? [`zone ${name} 64k;`] : []),
        `server ${address}${dynamic ? " resolve" : ""};`,
        `keepalive ${r.upstreamKeepalive};`,
        "keepalive_timeout 60s;",
    ]);
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
    const http2Directive = semver.gte(nginxSemver(r.nginxVersion), "1.25.1");
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
        ...block("location /api/", ["proxy_pass http://api_upstream;"]),
        "",
        ...block("location /", ["proxy_pass http://web_upstream;"]),
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
        ...(r.resolver !== undefined ? [`resolver ${r.resolver} valid=10s ipv6=off;`, "resolver_timeout 5s;", ""] : []),
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
        ...upstream(r, "web_upstream", r.webUpstream),
        "",
        ...upstream(r, "api_upstream", r.apiUpstream),
        "",
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
