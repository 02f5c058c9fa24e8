/**
 * The edge on Debian's nginx: the plan's rendered nginx.conf adapted to nginx 1.22 (what
 * bookworm ships), and a certificate with the dev stack's profile.
 */
import { NGINX_CONF_PATH } from "../../../components/edge/edge";
import { makeDevCertificate } from "../../integration/support/dev-cert";
import { RenderedStack } from "./rendered";

/** The rendered nginx.conf made loadable by nginx 1.22, and every line that had to change. */
export interface AdaptedNginxConf {
    /** The config the test runs. */
    readonly conf: string;
    /** "rendered → tested" for each changed line, for the test log and the report. */
    readonly changes: readonly string[];
}

/**
 * Adapts the production rendering to nginx 1.22, changing only what 1.22 cannot parse: `http2 on;`
 * (nginx ≥ 1.25.1) becomes the older `listen … ssl http2`. Everything else — listeners, TLS,
 * headers, routes, the resolver and the variables in proxy_pass, /healthz, stub_status — is the
 * rendered file. What stays untested here is therefore exactly the spelling of http2.
 */
export function nginxConfFor122(rendered: string): AdaptedNginxConf {
    const changes: string[] = [];
    let conf = rendered;
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
 * A self-signed certificate for the stack's edge domain with the dev stack's profile (the tls
 * provider's pair needs the engine; openssl issues the same profile, see dev-cert.ts).
 */
export function devCertificate(stack: RenderedStack): { certificate: string; privateKey: string; domain: string } {
    const domain = edgeDomain(renderedEdgeConf(stack));
    const { key, cert } = makeDevCertificate(domain, 365);
    return { certificate: cert, privateKey: key, domain };
}

/** The edge's rendered nginx.conf: on docker a live file, uploaded by the edge's config writer. */
export function renderedEdgeConf(stack: RenderedStack): string {
    return stack.file("edge-live-files", NGINX_CONF_PATH);
}
