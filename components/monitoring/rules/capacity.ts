/** The `ptc-capacity` group: resources that run out on a clock (disk space, certificate lifetime). */
import { JOBS } from "../prometheus-config";
import { allOf, RuleDomain } from "./rule";

const FS_SELECTOR = `job="${JOBS.node}",fstype!~"tmpfs|ramfs|squashfs|overlay|nsfs|fuse.lxcfs",mountpoint!~"/run($|/.*)"`;

/** Capacity alerts, in rule file order. */
export const CAPACITY_RULES: RuleDomain = {
    group: "capacity",
    alerts: () => [
        {
            name: "DiskWillFillIn4h",
            severity: "page",
            forSeconds: 120,
            detection: { kind: "next-scrape" },
            meaning: "At the last hour's rate a filesystem (under 25 % free) will be full within 4 hours.",
            firstResponse: "Find what grows (logs, WAL, backups scratch, Prometheus TSDB) on the node dashboard; free space or grow the volume.",
            expr: allOf(
                `predict_linear(node_filesystem_avail_bytes{${FS_SELECTOR}}[1h], 4 * 3600) < 0`,
                `node_filesystem_avail_bytes{${FS_SELECTOR}} / node_filesystem_size_bytes{${FS_SELECTOR}} < 0.25`,
                `node_filesystem_readonly{${FS_SELECTOR}} == 0`,
            ),
            summary: "Filesystem {{ $labels.mountpoint }} on {{ $labels.instance }} will fill within 4 hours",
            description: "{{ $labels.device }} mounted at {{ $labels.mountpoint }} on {{ $labels.instance }} has under 25 % free and is predicted to be full in under 4 hours.",
        },
        {
            name: "CertificateExpiresSoon",
            severity: "ticket",
            forSeconds: 600,
            detection: { kind: "failed-scrape" },
            meaning: "The TLS certificate served at a probed URL expires within 14 days (renewal has not happened).",
            firstResponse: "Check the certificate renewal (cert-manager / ACME client logs) and renew by hand if needed.",
            expr: `probe_ssl_earliest_cert_expiry{job="${JOBS.probeHttp}"} - time() < 14 * 86400`,
            summary: "TLS certificate of {{ $labels.instance }} expires within 14 days",
            description: "The earliest-expiring certificate in the chain served at {{ $labels.instance }} expires in under 14 days.",
        },
        {
            name: "CertificateExpiresSoon",
            severity: "page",
            forSeconds: 60,
            detection: { kind: "failed-scrape" },
            meaning: "The TLS certificate served at a probed URL expires within 3 days: browsers will refuse the site.",
            firstResponse: "Renew and install the certificate now; then find why automatic renewal failed.",
            expr: `probe_ssl_earliest_cert_expiry{job="${JOBS.probeHttp}"} - time() < 3 * 86400`,
            summary: "TLS certificate of {{ $labels.instance }} expires within 3 days",
            description: "The earliest-expiring certificate in the chain served at {{ $labels.instance }} expires in under 3 days.",
        },
    ],
};
