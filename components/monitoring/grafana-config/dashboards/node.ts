/** The node dashboard: CPU, memory, filesystems, load, network and disks per node (node-exporter). */
import { Dashboard, dashboard, GREEN_RED, prom } from "../panels";

/** The node dashboard. */
export function nodeDashboard(): Dashboard {
    const fs = 'fstype!~"tmpfs|overlay|squashfs|nsfs"';
    return dashboard("ptc-node", "Pro Team Care / Nodes", ["node"], [
        prom({
            type: "timeseries",
            title: "CPU busy",
            w: 12, h: 8,
            targets: [{ expr: '1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m]))', legendFormat: "{{instance}}" }],
            unit: "percentunit",
            min: 0,
            max: 1,
        }),
        prom({
            type: "timeseries",
            title: "Memory used",
            w: 12, h: 8,
            targets: [{ expr: "1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes", legendFormat: "{{instance}}" }],
            unit: "percentunit",
            min: 0,
            max: 1,
            thresholds: GREEN_RED(0.9),
            thresholdLines: true,
        }),
        prom({
            type: "timeseries",
            title: "Filesystem used",
            w: 12, h: 8,
            targets: [{ expr: `1 - node_filesystem_avail_bytes{${fs}} / node_filesystem_size_bytes{${fs}}`, legendFormat: "{{instance}} {{mountpoint}}" }],
            unit: "percentunit",
            min: 0,
            max: 1,
            thresholds: GREEN_RED(0.85),
            thresholdLines: true,
        }),
        prom({
            type: "timeseries",
            title: "Load per CPU",
            w: 12, h: 8,
            targets: [{ expr: 'node_load5 / on (instance) count by (instance) (node_cpu_seconds_total{mode="idle"})', legendFormat: "{{instance}}" }],
            min: 0,
        }),
        prom({
            type: "timeseries",
            title: "Network",
            w: 12, h: 8,
            targets: [
                { expr: 'sum by (instance) (rate(node_network_receive_bytes_total{device!="lo"}[5m]))', legendFormat: "rx {{instance}}" },
                { expr: 'sum by (instance) (rate(node_network_transmit_bytes_total{device!="lo"}[5m]))', legendFormat: "tx {{instance}}" },
            ],
            unit: "Bps",
        }),
        prom({
            type: "timeseries",
            title: "Disk busy",
            w: 12, h: 8,
            targets: [{ expr: "rate(node_disk_io_time_seconds_total[5m])", legendFormat: "{{instance}} {{device}}" }],
            unit: "percentunit",
            min: 0,
        }),
    ]);
}
