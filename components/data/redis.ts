/** Redis 7: sessions, cache and queues of the API. */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { LABELS, Platform, ResourceSpec, WorkloadSpec } from "../platform/spec";
import { sizeGiProblems, WorkloadComponent } from "../workload";

/** Arguments of {@link Redis}. */
export interface RedisArgs {
    /** The platform Redis runs on. */
    readonly platform: Platform;
    /** Image reference (redis:7 family). */
    readonly image: pulumi.Input<string>;
    /** requirepass; a random one is generated when absent. Defaults to a generated password. */
    readonly password?: pulumi.Input<string>;
    /** Size of the data volume in GiB. Defaults to 1. */
    readonly volumeSizeGi?: number;
    /** CPU and memory. Defaults to 50m / 128Mi. */
    readonly resources?: ResourceSpec;
    /** Workload name (host name on the platform). Defaults to "redis". */
    readonly workloadName?: string;
}

/** Path of the generated redis.conf inside the container (a secret file: it holds requirepass). */
export const REDIS_CONF_PATH = "/usr/local/etc/redis/redis.conf";

/**
 * redis.conf: append-only persistence plus RDB snapshots (the backup tool streams an RDB with
 * `redis-cli --rdb`), and requirepass. Pure; the password only ever travels inside secrets.
 */
export function renderRedisConf(password: string): string {
    return [
        "bind 0.0.0.0",
        "port 6379",
        "protected-mode yes",
        `requirepass ${password}`,
        "dir /data",
        "appendonly yes",
        "appendfsync everysec",
        "save 3600 1 300 100 60 10000",
        "maxmemory-policy noeviction",
        // The backup tool streams an RDB over the replication protocol (redis-cli --rdb): start it
        // at once instead of waiting the default 5 s for more replicas to join.
        "repl-diskless-sync-delay 0",
        "",
    ].join("\n");
}

/** Builds the platform-neutral workload spec of Redis. Pure. */
export function redisSpec(args: {
    image: pulumi.Input<string>;
    password: pulumi.Input<string>;
    volumeSizeGi: number;
    resources: ResourceSpec;
    component: string;
}): WorkloadSpec {
    return {
        image: args.image,
        tier: "data",
        ports: [{ name: "redis", port: 6379 }],
        // The password reaches the server in the config file and the health check in REDISCLI_AUTH,
        // never on a command line (visible in ps and in the container's inspect output).
        command: ["redis-server", REDIS_CONF_PATH],
        files: [{ path: REDIS_CONF_PATH, content: pulumi.output(args.password).apply(renderRedisConf), secret: true }],
        secretEnv: { REDISCLI_AUTH: args.password },
        volumes: [{ name: "data", mountPath: "/data", sizeGi: args.volumeSizeGi }],
        // An authenticated PING: an unauthenticated one answers NOAUTH and proves nothing.
        healthCheck: {
            kind: "exec",
            command: ["sh", "-c", 'test "$(redis-cli -h 127.0.0.1 -p 6379 --no-auth-warning ping)" = PONG'],
            intervalSeconds: 10,
            timeoutSeconds: 3,
            retries: 5,
            // Redis answers LOADING (not PONG) while it replays the append-only file, which takes
            // seconds per GB. The grace must cover that: on Kubernetes it becomes the startup
            // probe's budget (ceil(start / interval) probes), and a budget of one probe killed a
            // loading Redis over and over.
            startPeriodSeconds: 60,
        },
        resources: args.resources,
        user: "999:999",
        readOnlyRootFilesystem: true,
        labels: { [LABELS.component]: args.component, [LABELS.store]: "redis" },
    };
}

/** Redis 7 with append-only persistence, requirepass from a generated password and an authenticated health check. */
export class Redis extends WorkloadComponent {
    /** Host name other workloads use. */
    public readonly host: pulumi.Output<string>;
    /** TCP port. */
    public readonly port: pulumi.Output<number>;
    /** requirepass (secret). */
    public readonly password: pulumi.Output<string>;
    /** Workload name, as backup schedules reference it. */
    public readonly workloadName: string;

    constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
        super("proteamcare:data:Redis", name, opts);
        const volumeSizeGi = args.volumeSizeGi ?? 1;
        const resources = args.resources ?? { cpu: "50m", memory: "128Mi" };
        this.workloadName = args.workloadName ?? "redis";
        this.refuse(sizeGiProblems("volumeSizeGi", volumeSizeGi));
        const password =
            args.password !== undefined
                ? pulumi.secret(args.password)
                : new random.RandomPassword(`${name}-password`, { length: 32, special: false }, { parent: this }).result;
        const ep = this.runService(args.platform, this.workloadName, redisSpec({ image: args.image, password, volumeSizeGi, resources, component: name }));
        this.host = ep.host;
        this.port = ep.port;
        this.password = pulumi.secret(password);
        this.publish(["host", "port", "password"]);
    }
}
