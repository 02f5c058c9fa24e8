/**
 * The exporters and the Pushgateway: small ops-tier workloads Prometheus scrapes. Each is a
 * component so a stack (or a test) can run one on its own; {@link ./monitoring} composes them.
 */
import * as pulumi from "@pulumi/pulumi";
import { BLACKBOX_MODULES, renderBlackboxConfig } from "./blackbox-config";
import { DEFAULT_IMAGES, DEFAULT_NAMES, MonitoringRole } from "./images";
import {
    BLACKBOX_CA_PATH,
    blackboxExporterSpec,
    nginxExporterSpec,
    nodeExporterSpec,
    postgresDsn,
    postgresExporterSpec,
    pushgatewaySpec,
    redisExporterSpec,
} from "./specs";
import { MonitoringWorkloadArgs } from "./workload";
import { WorkloadSpec } from "../platform/spec";
import { WorkloadComponent } from "../workload";

/**
 * Base of the single-workload monitoring components: resolves the name and image, builds the spec
 * (errors become a ResourceError before any child), runs it and exposes the endpoint.
 */
abstract class MonitoringService extends WorkloadComponent {
    /** Host name inside the platform. */
    public readonly host: pulumi.Output<string>;
    /** Primary port. */
    public readonly port: pulumi.Output<number>;
    /** "host:port" of the primary port (a Prometheus scrape target). */
    public readonly address: pulumi.Output<string>;
    /** "http://host:port". */
    public readonly url: pulumi.Output<string>;
    /** The workload's name on the platform. */
    public readonly workloadName: string;

    protected constructor(
        type: string,
        role: MonitoringRole,
        name: string,
        args: MonitoringWorkloadArgs,
        spec: (image: pulumi.Input<string>) => WorkloadSpec,
        opts?: pulumi.ComponentResourceOptions,
        extraOutputs: Record<string, pulumi.Output<unknown>> = {},
    ) {
        super(type, name, opts);
        this.workloadName = args.workloadName ?? DEFAULT_NAMES[role];
        const built = this.build(name, () => spec(args.image ?? DEFAULT_IMAGES[role]));
        const ep = this.runService(args.platform, this.workloadName, built, args.dependsOn);
        this.host = ep.host;
        this.port = ep.port;
        this.address = ep.address;
        this.url = ep.url;
        // The subclass's own outputs are assigned after this constructor returns: given here.
        this.publish(["host", "port", "address", "url"], extraOutputs);
    }
}

/** Arguments of {@link NodeExporter}. */
export type NodeExporterArgs = MonitoringWorkloadArgs;

/**
 * node-exporter: one per node (a DaemonSet on Kubernetes), host /proc, /sys and / mounted
 * read-only, host PID; annotated with the "host-metrics-agent" policy exemption.
 */
export class NodeExporter extends MonitoringService {
    /**
     * @param name Unique name of the component.
     * @param args Platform, image and resources.
     * @param opts Resource options.
     */
    constructor(name: string, args: NodeExporterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("proteamcare:monitoring:NodeExporter", "nodeExporter", name, args, (image) => nodeExporterSpec({ image, resources: args.resources }), opts);
    }
}

/** How postgres-exporter reaches PostgreSQL. */
export interface PostgresConnection {
    /** Host name. */
    readonly host: pulumi.Input<string>;
    /** Port. */
    readonly port: pulumi.Input<number>;
    /** Database to connect to. */
    readonly database: pulumi.Input<string>;
    /** User (ideally one with only the pg_monitor role). */
    readonly user: pulumi.Input<string>;
    /** Password (a secret). */
    readonly password: pulumi.Input<string>;
}

/** Arguments of {@link PostgresExporter}. */
export interface PostgresExporterArgs extends MonitoringWorkloadArgs {
    /** The database to export metrics of; the password reaches the exporter only as a secret. */
    readonly postgres: PostgresConnection;
}

/** postgres-exporter; its connection URI (with the password) is secret env. */
export class PostgresExporter extends MonitoringService {
    /**
     * @param name Unique name of the component.
     * @param args Platform, connection, image and resources.
     * @param opts Resource options.
     */
    constructor(name: string, args: PostgresExporterArgs, opts?: pulumi.ComponentResourceOptions) {
        const c = args.postgres;
        const dsn = pulumi.secret(
            pulumi
                .all([c.host, c.port, c.database, c.user, c.password])
                .apply(([host, port, database, user, password]) => postgresDsn({ host, port, database, user, password })),
        );
        super("proteamcare:monitoring:PostgresExporter", "postgresExporter", name, args, (image) => postgresExporterSpec({ image, dsn, resources: args.resources }), opts);
    }
}

/** Arguments of {@link RedisExporter}. */
export interface RedisExporterArgs extends MonitoringWorkloadArgs {
    /** Redis "host:port". */
    readonly address: pulumi.Input<string>;
    /** Redis password (a secret). */
    readonly password: pulumi.Input<string>;
}

/** redis-exporter; the password is secret env. */
export class RedisExporter extends MonitoringService {
    /**
     * @param name Unique name of the component.
     * @param args Platform, Redis address and password, image and resources.
     * @param opts Resource options.
     */
    constructor(name: string, args: RedisExporterArgs, opts?: pulumi.ComponentResourceOptions) {
        super(
            "proteamcare:monitoring:RedisExporter",
            "redisExporter",
            name,
            args,
            (image) => redisExporterSpec({ image, address: args.address, password: args.password, resources: args.resources }),
            opts,
        );
    }
}

/** Arguments of {@link NginxExporter}. */
export interface NginxExporterArgs extends MonitoringWorkloadArgs {
    /** The edge's stub_status URL, e.g. "http://edge:8081/stub_status". */
    readonly stubStatusUrl: pulumi.Input<string>;
}

/** nginx-prometheus-exporter for the edge proxy. */
export class NginxExporter extends MonitoringService {
    /**
     * @param name Unique name of the component.
     * @param args Platform, stub_status URL, image and resources.
     * @param opts Resource options.
     */
    constructor(name: string, args: NginxExporterArgs, opts?: pulumi.ComponentResourceOptions) {
        super(
            "proteamcare:monitoring:NginxExporter",
            "nginxExporter",
            name,
            args,
            (image) => nginxExporterSpec({
                    image,
                    stubStatusUrl: args.stubStatusUrl,
                    healthChecksRunInContainer: args.platform.capabilities.healthChecksRunInContainer,
                    resources: args.resources,
                }),
            opts,
        );
    }
}

/** TLS of the `https_2xx_internal` module, for probing a service by its in-platform address. */
export interface BlackboxInternalTlsArgs {
    /** Name the certificate must be valid for (and the SNI sent), e.g. "app.example.com". */
    readonly serverName: string;
    /**
     * PEM CA certificate (public, not a secret) to verify with, e.g. the dev stack's self-signed
     * certificate; written into the exporter and referenced by `ca_file`. Defaults to none (the system CAs).
     */
    readonly caCertificate?: pulumi.Input<string>;
}

/** Arguments of {@link BlackboxExporter}. */
export interface BlackboxExporterArgs extends MonitoringWorkloadArgs {
    /** Adds the `https_2xx_internal` module with this TLS. Defaults to none (http_2xx and https_2xx only). */
    readonly internalTls?: BlackboxInternalTlsArgs;
}

/** blackbox-exporter with the http_2xx / https_2xx (and optionally https_2xx_internal) modules the uptime probes use. */
export class BlackboxExporter extends MonitoringService {
    /** The rendered modules file (blackbox.yml). */
    public readonly config: pulumi.Output<string>;
    /** The module the probes should use for in-platform addresses, when `internalTls` was given. */
    public readonly internalModule: typeof BLACKBOX_MODULES.httpsInternal | undefined;

    /**
     * @param name Unique name of the component.
     * @param args Platform, image, resources and the internal module's TLS.
     * @param opts Resource options.
     */
    constructor(name: string, args: BlackboxExporterArgs, opts?: pulumi.ComponentResourceOptions) {
        const tls = args.internalTls;
        const caCertificate = tls?.caCertificate;
        // Rendered up front; a bad server name is rethrown by the spec builder, so it becomes a
        // ResourceError of this component before any child exists.
        let rendered: string | Error;
        try {
            rendered = renderBlackboxConfig(
                tls === undefined ? {} : { internalTls: { serverName: tls.serverName, ...(caCertificate !== undefined ? { caFile: BLACKBOX_CA_PATH } : {}) } },
            );
        } catch (e) {
            rendered = e as Error;
        }
        const config = pulumi.output(typeof rendered === "string" ? rendered : "");
        super(
            "proteamcare:monitoring:BlackboxExporter",
            "blackboxExporter",
            name,
            args,
            (image) => {
                if (typeof rendered !== "string") throw rendered;
                return blackboxExporterSpec({ image, config, caCertificate, resources: args.resources });
            },
            opts,
            { config },
        );
        this.config = config;
        this.internalModule = tls === undefined ? undefined : BLACKBOX_MODULES.httpsInternal;
    }
}

/** Arguments of {@link Pushgateway}. */
export type PushgatewayArgs = MonitoringWorkloadArgs;

/** Pushgateway for the backup and drill metrics the backup jobs push (PUSHGATEWAY_URL). */
export class Pushgateway extends MonitoringService {
    /**
     * @param name Unique name of the component.
     * @param args Platform, image and resources.
     * @param opts Resource options.
     */
    constructor(name: string, args: PushgatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("proteamcare:monitoring:Pushgateway", "pushgateway", name, args, (image) => pushgatewaySpec({ image, resources: args.resources }), opts);
    }
}
