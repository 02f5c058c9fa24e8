/**
 * Loki 3 configuration (single binary, "monolithic" mode) as a pure function.
 *
 * Loki is not installed here, so the tests check the rendered file against the keys Loki 3's
 * configuration reference defines: schema v13 on the tsdb index, a filesystem object store under
 * one data directory (the volume), and the compactor applying `limits_config.retention_period`.
 */
import * as YAML from "yaml";

/** Container paths and ports Loki uses. */
export const LOKI_DEFAULTS = {
    /** The configuration file. */
    configPath: "/etc/loki/config.yaml",
    /** Data directory: the volume. Everything Loki writes lives under it. */
    dataDir: "/loki",
    /** HTTP port (push, query, /ready, /metrics). */
    httpPort: 3100,
    /** gRPC port (internal; single binary). */
    grpcPort: 9095,
} as const;

/** Input of {@link renderLokiConfig}. */
export interface LokiConfigInput {
    /** Days logs are kept; the compactor deletes older chunks. Must be whole days (the index period). Defaults to 30. */
    readonly retentionDays?: number;
    /** First day of the v13 schema, YYYY-MM-DD. Must never change once data exists. Defaults to "2024-04-01". */
    readonly schemaFrom?: string;
    /** Data directory (the volume's mount path). Defaults to "/loki". */
    readonly dataDir?: string;
    /** HTTP port. Defaults to 3100. */
    readonly httpPort?: number;
    /** gRPC port. Defaults to 9095. */
    readonly grpcPort?: number;
    /** Oldest sample accepted on push, in hours. Defaults to 168 (a week). */
    readonly rejectOldSamplesMaxAgeHours?: number;
}

/** Retention in Loki's duration form: whole days as hours ("720h" for 30 days). */
export function lokiRetentionPeriod(days: number): string {
    if (!Number.isInteger(days) || days < 1) {
        throw new Error(`Loki log retention must be a whole number of days (at least 1: the tsdb index period is 24h), got ${days}`);
    }
    return `${days * 24}h`;
}

function checkPort(what: string, port: number): void {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`Loki ${what} port must be 1..65535, got ${port}`);
}

/** Renders Loki's YAML configuration. Deterministic. */
export function renderLokiConfig(input: LokiConfigInput = {}): string {
    const retentionPeriod = lokiRetentionPeriod(input.retentionDays ?? 30);
    const from = input.schemaFrom ?? "2024-04-01";
    if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || Number.isNaN(Date.parse(`${from}T00:00:00Z`))) {
        throw new Error(`Loki schemaFrom "${from}" must be a date YYYY-MM-DD`);
    }
    const dir = (input.dataDir ?? LOKI_DEFAULTS.dataDir).replace(/\/+$/, "");
    if (!dir.startsWith("/")) throw new Error(`Loki dataDir "${dir}" must be an absolute path`);
    const httpPort = input.httpPort ?? LOKI_DEFAULTS.httpPort;
    const grpcPort = input.grpcPort ?? LOKI_DEFAULTS.grpcPort;
    checkPort("http", httpPort);
    checkPort("grpc", grpcPort);
    if (httpPort === grpcPort) throw new Error(`Loki http and grpc ports must differ (both ${httpPort})`);
    const maxAge = input.rejectOldSamplesMaxAgeHours ?? 168;
    if (!Number.isInteger(maxAge) || maxAge < 1) throw new Error(`rejectOldSamplesMaxAgeHours must be a positive integer, got ${maxAge}`);

    const doc = {
        // One tenant; Loki is reached only from the ops tier (Grafana, the collector).
        auth_enabled: false,
        server: {
            http_listen_port: httpPort,
            grpc_listen_port: grpcPort,
            log_level: "info",
        },
        common: {
            instance_addr: "127.0.0.1",
            path_prefix: dir,
            replication_factor: 1,
            ring: { kvstore: { store: "inmemory" } },
            storage: {
                filesystem: {
                    chunks_directory: `${dir}/chunks`,
                    rules_directory: `${dir}/rules`,
                },
            },
        },
        schema_config: {
            configs: [
                {
                    from,
                    store: "tsdb",
                    object_store: "filesystem",
                    schema: "v13",
                    index: { prefix: "index_", period: "24h" },
                },
            ],
        },
        storage_config: {
            tsdb_shipper: {
                active_index_directory: `${dir}/tsdb-index`,
                cache_location: `${dir}/tsdb-cache`,
            },
            filesystem: { directory: `${dir}/chunks` },
        },
        compactor: {
            working_directory: `${dir}/compactor`,
            compaction_interval: "10m",
            retention_enabled: true,
            retention_delete_delay: "2h",
            retention_delete_worker_count: 150,
            delete_request_store: "filesystem",
        },
        limits_config: {
            retention_period: retentionPeriod,
            reject_old_samples: true,
            reject_old_samples_max_age: `${maxAge}h`,
            allow_structured_metadata: true,
            volume_enabled: true,
        },
        query_range: {
            results_cache: { cache: { embedded_cache: { enabled: true, max_size_mb: 100 } } },
        },
        analytics: { reporting_enabled: false },
    };
    return YAML.stringify(doc);
}
