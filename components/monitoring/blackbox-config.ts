/**
 * Pure renderer for the blackbox exporter's `blackbox.yml`.
 *
 * Two modules, chosen per probe target by the Prometheus config (`__param_module`):
 * - `http_2xx`: GET, any 2xx, redirects followed, TLS verified when the URL is https;
 * - `https_2xx`: the same, and the probe fails when the final response did not come over TLS
 *   (an https URL silently redirected to http is an outage of HTTPS). It also yields
 *   `probe_ssl_earliest_cert_expiry`, which CertificateExpiresSoon reads.
 * IPv4 is preferred (docker networks and most clusters are IPv4), falling back to IPv6.
 * No module timeout: the exporter uses Prometheus's scrape timeout minus a small offset, so a
 * probe never outlives its scrape. Checked with blackbox_exporter 0.23 `--config.check`.
 */
import { stringify } from "yaml";

/** Module names the Prometheus config refers to. */
export const BLACKBOX_MODULES = { http: "http_2xx", https: "https_2xx" } as const;

function httpModule(requireTls: boolean): Record<string, unknown> {
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
            tls_config: { insecure_skip_verify: false },
        },
    };
}

/** Renders `blackbox.yml` with the {@link BLACKBOX_MODULES}. Deterministic. */
export function renderBlackboxConfig(): string {
    return stringify(
        {
            modules: {
                [BLACKBOX_MODULES.http]: httpModule(false),
                [BLACKBOX_MODULES.https]: httpModule(true),
            },
        },
        { lineWidth: 0 },
    );
}
