/**
 * The options of the edge's nginx.conf: their types and defaults, and `resolveNginxOptions`, which
 * fills the defaults in and refuses any value that would make an invalid or unsafe config (each
 * error names the option). nginx.ts renders the resolved options and re-exports this module.
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
     * DNS resolver address. When set, each upstream is a variable in `proxy_pass`, resolved per
     * request through this resolver (cached for {@link resolverValidSeconds}): a recreated
     * upstream's new address is picked up, nginx starts before an upstream's name resolves, and a
     * name with several addresses (replicas) is balanced with the next one tried on a failed
     * connection. This works on every nginx since 1.1.9 (`server … resolve` would need 1.27.3),
     * so Debian's 1.22 in the live tests runs the same file. Defaults to none (names resolved once
     * at start into upstream blocks with keepalive, which suits stable Kubernetes Service addresses).
     */
    readonly resolver?: string;
    /** Seconds nginx caches a resolved upstream address (the resolver's `valid=`). Defaults to 5. */
    readonly resolverValidSeconds?: number;
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
export const TLS_PATHS = { certificate: "/etc/nginx/live/tls.crt", privateKey: "/etc/nginx/live/tls.key" } as const;

/** Default container ports: unprivileged, as nginx-unprivileged expects. */
export const DEFAULT_PORTS = { http: 8080, https: 8443, status: 8081 } as const;

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
        resolverValidSeconds: o.resolverValidSeconds ?? 5,
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
    positiveInt("resolverValidSeconds", r.resolverValidSeconds);
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
    nginxSemver(r.nginxVersion);
    if (r.resolver !== undefined) {
        if (!(HOSTNAME.test(r.resolver) || IPV4.test(r.resolver))) {
            throw new Error(`nginx.conf: resolver must be an IPv4 address or DNS name, got "${r.resolver}"`);
        }
    }
    if (r.user !== undefined && !/^[a-z_][-a-z0-9_]*( [a-z_][-a-z0-9_]*)?$/.test(r.user)) {
        throw new Error(`nginx.conf: user must be "user" or "user group" (names), got "${r.user}"`);
    }
    return r;
}
