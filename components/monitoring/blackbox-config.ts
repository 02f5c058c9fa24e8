/**
 * Pure renderer for the blackbox exporter's `blackbox.yml`.
 *
 * Modules, chosen per probe target by the Prometheus config (`__param_module`):
 * - `http_2xx`: GET, any 2xx, redirects followed, TLS verified when the URL is https;
 * - `https_2xx`: the same, and the probe fails when the final response did not come over TLS
 *   (an https URL silently redirected to http is an outage of HTTPS). It also yields
 *   `probe_ssl_earliest_cert_expiry`, which CertificateExpiresSoon reads.
 * - `https_2xx_internal` (only with {@link BlackboxConfigInput.internalTls}): `https_2xx` for a
 *   target reached by its in-platform address (e.g. `https://edge:8443/`): the certificate is
 *   checked against the public name (`tls_config.server_name`, also sent as SNI) and, when given,
 *   against a CA file (e.g. the dev stack's self-signed certificate) instead of the system CAs.
 * IPv4 is preferred (docker networks and most clusters are IPv4), falling back to IPv6.
 * No module timeout: the exporter uses Prometheus's scrape timeout minus a small offset, so a
 * probe never outlives its scrape. Checked with blackbox_exporter 0.23 `--config.check`.
 */
import { stringify } from "yaml";

/** Module names the Prometheus config refers to. */
export const BLACKBOX_MODULES = { http: "http_2xx", https: "https_2xx", httpsInternal: "https_2xx_internal" } as const;

/** A blackbox module name (a value of {@link BLACKBOX_MODULES}). */
export type BlackboxModule = (typeof BLACKBOX_MODULES)[keyof typeof BLACKBOX_MODULES];

/** Modules that refuse a response not served over TLS (so they only make sense for https URLs). */
export const TLS_ONLY_MODULES: readonly BlackboxModule[] = [BLACKBOX_MODULES.https, BLACKBOX_MODULES.httpsInternal];

/** TLS settings of the `https_2xx_internal` module. */
export interface BlackboxInternalTls {
    /** Name the certificate must be valid for (and the SNI sent), e.g. "app.example.com". */
    readonly serverName: string;
    /** Absolute path, inside the exporter, of a PEM CA bundle to verify with. Defaults to none (the system CAs). */
    readonly caFile?: string;
}

/** Input of {@link renderBlackboxConfig}. */
export interface BlackboxConfigInput {
    /** Adds the `https_2xx_internal` module with these TLS settings. Defaults to none (no such module). */
    readonly internalTls?: BlackboxInternalTls;
}

const DNS_NAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function httpModule(requireTls: boolean, tls: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        prober: "http",
        http: {
            method: "GET",
            valid_http_versions: ["HTTP/1.1", "HTTP/2.0"],
            valid_status_codes: [],
            follow_redirects: true,
            preferred_ip_protocol: "ip4",
            ip_protocol_fallback: true,
            fail_if_not_ssl: requireTls,
            tls_config: { insecure_skip_verify: false, ...tls },
        },
    };
}

/**
 * Renders `blackbox.yml` with the {@link BLACKBOX_MODULES} (`https_2xx_internal` only when
 * `internalTls` is given). Deterministic; throws on a malformed server name or CA path.
 */
export function renderBlackboxConfig(input: BlackboxConfigInput = {}): string {
    const modules: Record<string, unknown> = {
        [BLACKBOX_MODULES.http]: httpModule(false),
        [BLACKBOX_MODULES.https]: httpModule(true),
    };
    const internal = input.internalTls;
    if (internal !== undefined) {
        if (!DNS_NAME.test(internal.serverName)) {
            throw new Error(`blackbox internalTls.serverName must be a DNS name such as "app.example.com" (no scheme or port), got ${JSON.stringify(internal.serverName)}`);
        }
        if (internal.caFile !== undefined && !/^\/[^\s]*[^\s/]$/.test(internal.caFile)) {
            throw new Error(`blackbox internalTls.caFile must be an absolute file path without spaces, got ${JSON.stringify(internal.caFile)}`);
        }
        modules[BLACKBOX_MODULES.httpsInternal] = httpModule(true, {
            server_name: internal.serverName,
            ...(internal.caFile !== undefined ? { ca_file: internal.caFile } : {}),
        });
    }
    return stringify({ modules }, { lineWidth: 0 });
}
