/**
 * The workload components' shared base (components/workload.ts): the replica and size checks,
 * running a service as the component's own, and registering outputs under the fields' names.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import type { JobHandle, Platform, PlatformCapabilities, ServiceHandle, WorkloadOptions, WorkloadSpec } from "../../components/platform/spec";
import { installMocks, MockRecorder, settle, valueOf } from "../support/pulumi";

type WorkloadModule = typeof import("../../components/workload");

/** A platform that records services and answers with the given capabilities. */
class FakePlatform implements Platform {
    public readonly services: { name: string; spec: WorkloadSpec; opts: WorkloadOptions }[] = [];
    constructor(
        public readonly capabilities: PlatformCapabilities,
        private readonly podsHost?: string,
    ) {}
    service(name: string, spec: WorkloadSpec, opts: WorkloadOptions): ServiceHandle {
        this.services.push({ name, spec, opts });
        const host = pulumi.output(`${name}.internal`);
        const port = spec.ports[0].port;
        return {
            endpoint: { host, port, address: pulumi.interpolate`${host}:${port}`, ...(this.podsHost ? { podsHost: pulumi.output(this.podsHost) } : {}) },
            resources: [],
        };
    }
    job(): JobHandle {
        throw new Error("no jobs here");
    }
    schedule(): JobHandle {
        throw new Error("no schedules here");
    }
}

const SPEC: WorkloadSpec = {
    image: "example/app:1.0.0",
    tier: "app",
    ports: [{ name: "http", port: 8080 }],
    healthCheck: { kind: "tcp", port: 8080 },
    resources: { cpu: "10m", memory: "16Mi" },
    labels: { "proteamcare.io/store": "none" },
};

describe("WorkloadComponent and its checks", () => {
    let mocks: MockRecorder;
    let mod: WorkloadModule;
    let docker: PlatformCapabilities;
    let kubernetes: PlatformCapabilities;

    before(async () => {
        mocks = installMocks("workload-test");
        mod = await import("../../components/workload");
        docker = (await import("../../components/platform/docker")).DOCKER_CAPABILITIES;
        kubernetes = (await import("../../components/platform/kubernetes")).KUBERNETES_CAPABILITIES;
    });

    describe("replicaProblems", () => {
        it("accepts a positive integer and refuses anything else", () => {
            assert.deepEqual(mod.replicaProblems(1), []);
            assert.deepEqual(mod.replicaProblems(3), []);
            for (const bad of [0, -1, 1.5, Number.NaN]) assert.match(mod.replicaProblems(bad).join(), /replicas must be a positive integer/, String(bad));
        });

        it("with host ports, refuses more than one replica only where the platform cannot share them", () => {
            const hostPorts = [80, 443];
            assert.match(mod.replicaProblems(2, { platform: new FakePlatform(docker), hostPorts }).join(), /replicas must be 1 on this platform .*80\/443/);
            assert.deepEqual(mod.replicaProblems(2, { platform: new FakePlatform(kubernetes), hostPorts }), []);
            assert.deepEqual(mod.replicaProblems(1, { platform: new FakePlatform(docker), hostPorts }), []);
            assert.deepEqual(mod.replicaProblems(2, { platform: new FakePlatform(docker), hostPorts: [] }), [], "no host ports, no limit");
        });
    });

    describe("sizeGiProblems", () => {
        it("accepts an unset or positive size and refuses zero or less", () => {
            assert.deepEqual(mod.sizeGiProblems("storageGi", undefined), []);
            assert.deepEqual(mod.sizeGiProblems("storageGi", 0.5), []);
            assert.match(mod.sizeGiProblems("storageGi", 0).join(), /storageGi must be a positive number of GiB, got 0/);
            assert.match(mod.sizeGiProblems("storageGi", -2).join(), /got -2/);
        });

        it("with whole, refuses fractions and sizes under 1", () => {
            assert.deepEqual(mod.sizeGiProblems("minioVolumeGi", 20, { whole: true }), []);
            assert.match(mod.sizeGiProblems("minioVolumeGi", 1.5, { whole: true }).join(), /minioVolumeGi must be a whole number of GiB of at least 1/);
            assert.match(mod.sizeGiProblems("minioVolumeGi", 0, { whole: true }).join(), /at least 1/);
        });
    });

    describe("a component built on it", () => {
        /** A minimal workload component that records what it registers. */
        function probeClass() {
            return class Probe extends mod.WorkloadComponent {
                public readonly host: pulumi.Output<string>;
                public readonly url: pulumi.Output<string>;
                public readonly podsHost: pulumi.Output<string>;
                public registered: Record<string, unknown> | undefined;
                constructor(name: string, args: { platform: Platform; replicas: number }, opts?: pulumi.ComponentResourceOptions) {
                    super("test:index:Probe", name, opts);
                    this.refuse(mod.replicaProblems(args.replicas));
                    const ep = this.runService(args.platform, "probe", { ...SPEC, replicas: args.replicas });
                    this.host = ep.host;
                    this.url = ep.url;
                    this.podsHost = ep.podsHost;
                    this.publish(["host", "url", "podsHost"]);
                }
                protected registerOutputs(outputs?: pulumi.Inputs): void {
                    // The SDK calls it once more, without outputs, once the component is initialised.
                    if (outputs !== undefined) this.registered = outputs as Record<string, unknown>;
                    super.registerOutputs(outputs);
                }
            };
        }

        it("runs its service as its own child, labelled with its name, and exposes http://address and the pods name", async () => {
            const platform = new FakePlatform(kubernetes, "probe-pods.internal");
            const probe = new (probeClass())("probe-a", { platform, replicas: 2 });
            assert.equal(platform.services.length, 1);
            const [{ spec, opts }] = platform.services;
            assert.equal(opts.parent, probe);
            assert.deepEqual(spec.labels, { "proteamcare.io/store": "none", "proteamcare.io/component": "probe-a" });
            assert.equal(await valueOf(probe.url), "http://probe.internal:8080");
            assert.equal(await valueOf(probe.podsHost), "probe-pods.internal");
            assert.deepEqual(Object.keys(probe.registered ?? {}), ["host", "url", "podsHost"]);
            assert.equal(probe.registered?.url, probe.url, "each output is registered under its field's name");
            await settle();
        });

        it("falls back to the host where the platform has no pods name", async () => {
            const probe = new (probeClass())("probe-b", { platform: new FakePlatform(docker), replicas: 1 });
            assert.equal(await valueOf(probe.podsHost), "probe.internal");
        });

        it("refuses bad args as a ResourceError naming the component, before any child", () => {
            const platform = new FakePlatform(docker);
            assert.throws(() => new (probeClass())("probe-c", { platform, replicas: 0 }), (e: Error) => e instanceof pulumi.ResourceError && /probe-c: replicas must be a positive integer, got 0/.test(e.message));
            assert.equal(platform.services.length, 0);
        });

        it("the data stores refuse a bad volume size before their generated password exists", async () => {
            const { Redis } = await import("../../components/data");
            const platform = new FakePlatform(docker);
            const before = mocks.resources.length;
            assert.throws(() => new Redis("redis-bad", { platform, image: "redis:7.4.1", volumeSizeGi: 0 }), /volumeSizeGi must be a positive number of GiB, got 0/);
            await settle();
            assert.equal(platform.services.length, 0);
            assert.deepEqual(
                mocks.resources.slice(before).filter((r) => r.type !== "test:index:Probe").map((r) => r.type),
                ["proteamcare:data:Redis"],
                "only the component itself was registered",
            );
        });

        it("PostgreSQL names each bad SQL identifier and a bad size in one error, before its password exists", async () => {
            const { Postgres } = await import("../../components/data");
            const platform = new FakePlatform(docker);
            const before = mocks.resources.length;
            assert.throws(
                () => new Postgres("pg-bad", { platform, image: "postgres:16.4", database: "Pro-Team-Care", user: "ok_user", volumeSizeGi: -1 }),
                (e: Error) =>
                    /database "Pro-Team-Care" must be a lowercase SQL identifier/.test(e.message) &&
                    !/user "ok_user"/.test(e.message) &&
                    /volumeSizeGi must be a positive number of GiB, got -1/.test(e.message),
            );
            assert.throws(() => new Postgres("pg-bad-user", { platform, image: "postgres:16.4", user: "1user" }), /user "1user" must be a lowercase SQL identifier/);
            await settle();
            assert.equal(platform.services.length, 0);
            assert.deepEqual(
                mocks.resources.slice(before).filter((r) => r.type !== "test:index:Probe").map((r) => r.type),
                ["proteamcare:data:Postgres", "proteamcare:data:Postgres"],
                "only the components themselves were registered",
            );
        });
    });
});
