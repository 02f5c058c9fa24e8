/**
 * The edge: the nginx reverse proxy in front of the web and API services. It terminates TLS,
 * redirects http to https, adds the security headers and routes / to web and /api/ to the API.
 * Its nginx.conf comes from the pure {@link renderNginxConf}; the workload goes through the
 * platform seam like every other component.
 */
import * as pulumi from "@pulumi/pulumi";
import { LABELS, Platform, ResourceSpec, WorkloadSpec } from "../platform/spec";
import { replicaProblems, WorkloadComponent } from "../workload";
import { DEFAULT_PERMISSIONS_POLICY, DEFAULT_PORTS, DEFAULT_STATUS_ALLOW, HEALTH_PATH, isDnsName, renderNginxConf, STUB_STATUS_PATH, TLS_PATHS } from "./nginx";

/**
 * The edge's live directory: nginx.conf and the TLS pair, which change without replacing the
 * edge where the platform allows it (see {@link WorkloadSpec.liveFiles}).
 */
export const EDGE_LIVE_DIR = "/etc/nginx/live";

/** Where the rendered nginx.conf goes in the container (nginx runs with `-c` on it). */
export const NGINX_CONF_PATH = `${EDGE_LIVE_DIR}/nginx.conf`;

/** Image used when none is given: nginx-unprivileged (non-root uid 101). */
export const DEFAULT_EDGE_IMAGE = "nginxinc/nginx-unprivileged:1.28.0-alpine";

/** Arguments of {@link Edge}. */
export interface EdgeArgs {
    /** The platform the edge runs on. */
    readonly platform: Platform;
    /** nginx-unprivileged image reference. Defaults to {@link DEFAULT_EDGE_IMAGE}. */
    readonly image?: pulumi.Input<string>;
    /** Public domain (server_name, redirect host, public URL), e.g. "app.example.com". */
    readonly domain: string;
    /** Internal "host:port" of the web service. */
    readonly webAddress: pulumi.Input<string>;
    /** Internal "host:port" of the API service. */
    readonly apiAddress: pulumi.Input<string>;
    /** PEM certificate (chain) and private key; the key is stored as a secret file. */
    readonly tls: {
        /** PEM certificate, leaf first. */
        readonly certificate: pulumi.Input<string>;
        /** PEM private key; always treated as a secret. */
        readonly privateKey: pulumi.Input<string>;
    };
    /** Host ports published for http and https. Defaults to { http: 80, https: 443 }. */
    readonly hostPorts?: { readonly http: number; readonly https: number };
    /** Replica count; 1 where the platform cannot share host ports between replicas (docker). Defaults to 1. */
    readonly replicas?: number;
    /** CPU and memory. Defaults to { cpu: "100m", memory: "64Mi", memoryLimit: "128Mi" }. */
    readonly resources?: ResourceSpec;
    /** Largest request body accepted, in MiB (uploads); larger ones get 413. Defaults to 10. */
    readonly clientMaxBodySizeMb?: number;
    /** Seconds to wait for an upstream's response before 504. Defaults to 60. */
    readonly proxyReadTimeoutSeconds?: number;
    /** Seconds to wait for a connection to an upstream. Defaults to 5. */
    readonly proxyConnectTimeoutSeconds?: number;
    /** Strict-Transport-Security max-age in seconds. Defaults to 31536000 (one year). */
    readonly hstsMaxAgeSeconds?: number;
    /** Permissions-Policy header value. Defaults to {@link DEFAULT_PERMISSIONS_POLICY}. */
    readonly permissionsPolicy?: string;
    /**
     * DNS resolver for run-time re-resolution of the upstream names, or null for none. Defaults
     * to the platform's `runtimeDnsResolver` (docker's embedded DNS, where a recreated container
     * gets a new address; none on Kubernetes, where Service addresses are stable).
     */
    readonly resolver?: string | null;
    /** Client addresses or CIDRs allowed on the internal stub_status port (the exporter's). Defaults to {@link DEFAULT_STATUS_ALLOW} (loopback and RFC 1918). */
    readonly statusAllow?: readonly string[];
    /** Workload name (the service's host name inside the platform). Defaults to "edge". */
    readonly workloadName?: string;
}

/** Inputs of {@link edgeSpec}, every default resolved. */
export interface EdgeSpecArgs {
    /** Image reference. */
    readonly image: pulumi.Input<string>;
    /** The rendered nginx.conf. */
    readonly nginxConf: pulumi.Input<string>;
    /** PEM certificate. */
    readonly certificate: pulumi.Input<string>;
    /** PEM private key. */
    readonly privateKey: pulumi.Input<string>;
    /** Host ports for http and https. */
    readonly hostPorts: { readonly http: number; readonly https: number };
    /** Replica count. */
    readonly replicas: number;
    /** CPU and memory. */
    readonly resources: ResourceSpec;
    /** The owning component's name (label). */
    readonly component: string;
}

/**
 * Builds the edge's workload spec: nginx-unprivileged as uid 101 on a read-only root with /tmp
 * as scratch, http and https published on the host, stub_status internal only, the key as a
 * secret file, and GET /healthz on the http port as the health check. Pure.
 */
export function edgeSpec(args: EdgeSpecArgs): WorkloadSpec {
    return {
        image: args.image,
        tier: "edge",
        ports: [
            { name: "http", port: DEFAULT_PORTS.http, hostPort: args.hostPorts.http },
            { name: "https", port: DEFAULT_PORTS.https, hostPort: args.hostPorts.https },
            // Internal only: no host port, and no public server answers on it.
            { name: "status", port: DEFAULT_PORTS.status },
        ],
        env: { NGINX_ENTRYPOINT_QUIET_LOGS: "1" },
        // nginx itself, on the rendered file (the image's entrypoint would add its own templates).
        entrypoint: ["nginx", "-c", NGINX_CONF_PATH, "-g", "daemon off;"],
        files: [
            { path: NGINX_CONF_PATH, content: args.nginxConf },
            { path: TLS_PATHS.certificate, content: args.certificate },
            { path: TLS_PATHS.privateKey, content: pulumi.secret(args.privateKey), secret: true },
        ],
        healthCheck: { kind: "http", path: HEALTH_PATH, port: DEFAULT_PORTS.http, intervalSeconds: 15, timeoutSeconds: 5, retries: 3 },
        resources: args.resources,
        replicas: args.replicas,
        user: "101:101",
        readOnlyRootFilesystem: true,
        // The pid file and every temp path (renderNginxConf's runtimeDir).
        scratch: [{ mountPath: "/tmp", sizeMi: 64 }],
        labels: { [LABELS.component]: args.component },
        // A config-only change (an upstream's new revision, a renewed certificate) is a checked
        // reload, not a new container: the edge holds the host ports and cannot overlap itself.
        liveFiles: { directory: EDGE_LIVE_DIR, check: ["nginx", "-t", "-q", "-c", NGINX_CONF_PATH], reload: ["nginx", "-s", "reload", "-c", NGINX_CONF_PATH] },
    };
}

const DEFAULT_RESOURCES: ResourceSpec = { cpu: "100m", memory: "64Mi", memoryLimit: "128Mi" };

/** The nginx reverse proxy at the edge of the platform. */
export class Edge extends WorkloadComponent {
    /** Public base URL, e.g. "https://app.example.com/". */
    public readonly publicUrl: pulumi.Output<string>;
    /** Public URL of the API's health endpoint through the edge. */
    public readonly apiHealthUrl: pulumi.Output<string>;
    /** Internal endpoint (the plain-http port, which serves /healthz and redirects). */
    public readonly endpoint: pulumi.Output<{ host: string; port: number; address: string }>;
    /** Internal URL of nginx's stub_status, for the Prometheus nginx exporter. */
    public readonly statusUrl: pulumi.Output<string>;
    /** The rendered nginx.conf (no secrets in it). */
    public readonly nginxConf: pulumi.Output<string>;

    /**
     * @param name Component name (children and labels derive from it).
     * @param args Edge arguments.
     * @param opts Component options.
     */
    constructor(name: string, args: EdgeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("proteamcare:edge:Edge", name, opts);

        const image = args.image ?? DEFAULT_EDGE_IMAGE;
        const workloadName = args.workloadName ?? "edge";
        const hostPorts = args.hostPorts ?? { http: 80, https: 443 };
        const replicas = args.replicas ?? 1;
        const resources = args.resources ?? DEFAULT_RESOURCES;
        const clientMaxBodySizeMb = args.clientMaxBodySizeMb ?? 10;
        const proxyReadTimeoutSeconds = args.proxyReadTimeoutSeconds ?? 60;
        const proxyConnectTimeoutSeconds = args.proxyConnectTimeoutSeconds ?? 5;
        const hstsMaxAgeSeconds = args.hstsMaxAgeSeconds ?? 31_536_000;
        const permissionsPolicy = args.permissionsPolicy ?? DEFAULT_PERMISSIONS_POLICY;
        const statusAllow = args.statusAllow ?? DEFAULT_STATUS_ALLOW;
        const resolver =
            args.resolver === null ? undefined : (args.resolver ?? args.platform.capabilities.runtimeDnsResolver);

        const confOptions = {
            serverName: args.domain,
            publicHttpsPort: hostPorts.https,
            clientMaxBodySizeMb,
            proxyReadTimeoutSeconds,
            proxyConnectTimeoutSeconds,
            hstsMaxAgeSeconds,
            permissionsPolicy,
            resolver,
            statusAllow,
        };

        if (!isDnsName(args.domain)) {
            throw new pulumi.ResourceError(`edge "${name}": domain must be a lowercase DNS name such as "app.example.com", got "${args.domain}"`, this);
        }
        for (const [key, value] of Object.entries(hostPorts)) {
            if (!Number.isInteger(value) || value < 1 || value > 65535) {
                throw new pulumi.ResourceError(`edge "${name}": hostPorts.${key} must be a port number 1-65535, got ${value}`, this);
            }
        }
        // Check everything that does not depend on other resources before any child exists:
        // render once with placeholder upstreams so a bad domain or limit fails here, by name.
        try {
            renderNginxConf({ ...confOptions, webUpstream: "web:1", apiUpstream: "api:1" });
        } catch (e) {
            throw new pulumi.ResourceError(`edge "${name}": ${(e as Error).message}`, this);
        }
        if (hostPorts.http === hostPorts.https) {
            throw new pulumi.ResourceError(`edge "${name}": hostPorts.http and hostPorts.https must differ, both are ${hostPorts.http}`, this);
        }
        this.refuse(replicaProblems(replicas, { platform: args.platform, hostPorts: [hostPorts.http, hostPorts.https] }), `edge "${name}"`);

        this.nginxConf = pulumi
            .all([args.webAddress, args.apiAddress])
            .apply(([webUpstream, apiUpstream]) => renderNginxConf({ ...confOptions, webUpstream, apiUpstream }));

        const spec = edgeSpec({
            image,
            nginxConf: this.nginxConf,
            certificate: args.tls.certificate,
            privateKey: args.tls.privateKey,
            hostPorts,
            replicas,
            resources,
            component: name,
        });
        const { host, port, address } = this.runService(args.platform, workloadName, spec);

        this.endpoint = pulumi.all([host, port, address]).apply(([h, p, a]) => ({ host: h, port: p, address: a }));
        this.statusUrl = pulumi.interpolate`http://${host}:${DEFAULT_PORTS.status}${STUB_STATUS_PATH}`;
        const publicBase = `https://${args.domain}${hostPorts.https === 443 ? "" : `:${hostPorts.https}`}/`;
        this.publicUrl = pulumi.output(publicBase);
        this.apiHealthUrl = pulumi.output(`${publicBase}api/v1/health`);

        this.publish(["publicUrl", "apiHealthUrl", "endpoint", "statusUrl", "nginxConf"]);
    }
}
