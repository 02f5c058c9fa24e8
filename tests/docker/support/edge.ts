/**
 * The edge on Debian's nginx: the plan's rendered nginx.conf adapted to nginx 1.22 (what
 * bookworm ships), and a dev certificate made by the program's own openssl scripts.
 */
import { CERTIFICATE_SCRIPT, PRIVATE_KEY_SCRIPT } from "../../../components/edge/self-signed";
import { docker, DockerSession, SESSION_LABEL } from "./engine";
import { RenderedStack } from "./rendered";

/** The rendered nginx.conf made loadable by nginx 1.22, and every line that had to change. */
export interface AdaptedNginxConf {
    /** The config the test runs. */
    readonly conf: string;
    /** "rendered → tested" for each changed line, for the test log and the report. */
    readonly changes: readonly string[];
}

/**
 * Adapts the production rendering to nginx 1.22, changing only what 1.22 cannot parse:
 * `server host:port resolve;` (run-time re-resolution, nginx ≥ 1.27.3) loses `resolve`, so names
 * are resolved once at start; `http2 on;` (≥ 1.25.1) becomes the older `listen … ssl http2`.
 * Everything else — listeners, TLS, headers, routes, /healthz, stub_status — is the rendered
 * file. What stays untested here is therefore exactly the run-time re-resolution.
 */
export function nginxConfFor122(rendered: string): AdaptedNginxConf {
    const changes: string[] = [];
    let conf = rendered.replace(/^(\s*server \S+) resolve;$/gm, (line: string, head: string) => {
        changes.push(`${line.trim()} → ${head.trim()};`);
        return `${head};`;
    });
    if (/^\s*http2 on;$/m.test(conf)) {
        conf = conf.replace(/^\s*http2 on;\n/gm, (line: string) => {
            changes.push(`${line.trim()} → (removed)`);
            return "";
        });
        conf = conf.replace(/^(\s*listen \S+ ssl)( default_server)?;$/gm, (line: string, head: string, def: string | undefined) => {
            changes.push(`${line.trim()} → ${head.trim()} http2${def ?? ""};`);
            return `${head} http2${def ?? ""};`;
        });
    }
    return { conf, changes };
}

/** The edge's domain: the TLS server's server_name in the rendered config. */
export function edgeDomain(conf: string): string {
    const m = /listen \S+ ssl[^;]*;[\s\S]*?server_name (\S+);/.exec(conf);
    if (!m) throw new Error("the rendered nginx.conf has no TLS server with a server_name");
    return m[1];
}

/**
 * A self-signed certificate for the stack's edge domain, made as the dev stack makes it
 * (PRIVATE_KEY_SCRIPT, then CERTIFICATE_SCRIPT with CERT_DOMAIN / CERT_DAYS), run with the edge
 * image's openssl in throw-away containers without a network.
 */
export async function devCertificate(session: DockerSession, image: string, stack: RenderedStack): Promise<{ certificate: string; privateKey: string; domain: string }> {
    const domain = edgeDomain(stack.file("edge", "/etc/nginx/nginx.conf"));
    const runScript = (script: string, input: string, env: Record<string, string>): Promise<string> =>
        docker([
            "run",
            "--rm",
            "-i",
            "--network",
            "none",
            "--label",
            `${SESSION_LABEL}=${session.prefix}`,
            ...Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]),
            image,
            "sh",
            "-c",
            script,
        ], { input, timeoutMs: 60_000 });
    const privateKey = await runScript(PRIVATE_KEY_SCRIPT, "", {});
    const certificate = await runScript(CERTIFICATE_SCRIPT, privateKey, { CERT_DOMAIN: domain, CERT_DAYS: "365" });
    if (!certificate.includes("BEGIN CERTIFICATE")) throw new Error(`the certificate script printed no certificate: ${certificate.slice(0, 200)}`);
    return { certificate, privateKey, domain };
}
