/**
 * Both platforms refuse the same bad spec with the same message: every platform-neutral rule
 * lives in `validateSpec`, so a spec the docker platform accepts cannot fail on Kubernetes for a
 * reason docker never checked (and the other way round).
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import type { JobSpec, Platform, ScheduleSpec, WorkloadSpec } from "../../components/platform/spec";
import { installMocks } from "../support/pulumi";

class Owner extends pulumi.ComponentResource {
    constructor(name: string) {
        super("test:index:Owner", name, {}, {});
    }
}

const service: WorkloadSpec = {
    image: "ghcr.io/ptc/api:1.0.0",
    tier: "app",
    ports: [{ name: "http", port: 8000 }],
    healthCheck: { kind: "http", path: "/health", port: 8000 },
    resources: { cpu: "100m", memory: "128Mi" },
    user: "1000:1000",
};
const job: JobSpec = { image: "ghcr.io/ptc/api:1.0.0", tier: "app", command: ["ptc", "run"], resources: { cpu: "100m", memory: "128Mi" }, user: "1000:1000" };
const schedule: ScheduleSpec = { ...job, tier: "ops", cron: "0 * * * *" };

type Case =
    | { readonly kind: "service"; readonly what: string; readonly spec: WorkloadSpec; readonly says: RegExp }
    | { readonly kind: "job"; readonly what: string; readonly spec: JobSpec; readonly says: RegExp }
    | { readonly kind: "schedule"; readonly what: string; readonly spec: ScheduleSpec; readonly says: RegExp };

const CASES: readonly Case[] = [
    { kind: "service", what: "a CPU quantity with a unit word", spec: { ...service, resources: { cpu: "1 core", memory: "1Gi" } }, says: /resources\.cpu "1 core" must be a CPU quantity/ },
    { kind: "service", what: "memory in millibytes", spec: { ...service, resources: { cpu: "1", memory: "256m" } }, says: /resources\.memory "256m" must be a memory quantity/ },
    { kind: "service", what: 'a "K" memory limit (Kubernetes writes "k")', spec: { ...service, resources: { cpu: "1", memory: "1Gi", memoryLimit: "2K" } }, says: /resources\.memoryLimit "2K"/ },
    { kind: "service", what: "a relative volume mount path", spec: { ...service, volumes: [{ name: "data", mountPath: "data", sizeGi: 1 }] }, says: /mount path "data" must be absolute/ },
    { kind: "service", what: "a volume name that is no DNS label", spec: { ...service, volumes: [{ name: "Data_1", mountPath: "/d", sizeGi: 1 }] }, says: /volume name "Data_1" must be a DNS label/ },
    { kind: "service", what: "a relative scratch path", spec: { ...service, scratch: [{ mountPath: "tmp" }] }, says: /scratch mount path "tmp" must be absolute/ },
    { kind: "service", what: "a fractional scratch size", spec: { ...service, scratch: [{ mountPath: "/tmp", sizeMi: 1.5 }] }, says: /sizeMi must be a positive integer/ },
    { kind: "service", what: "port 70000", spec: { ...service, ports: [{ name: "http", port: 70000 }] }, says: /port 70000 of port "http" must be an integer from 1 to 65535/ },
    { kind: "service", what: "a host port outside the edge", spec: { ...service, ports: [{ name: "http", port: 8000, hostPort: 80 }] }, says: /only the edge tier may publish host ports/ },
    { kind: "service", what: "a duplicate port name", spec: { ...service, ports: [{ name: "http", port: 8000 }, { name: "http", port: 8001 }] }, says: /port name "http" is used twice/ },
    { kind: "service", what: "a label value too long", spec: { ...service, labels: { "proteamcare.io/role": "x".repeat(64) } }, says: /label proteamcare\.io\/role="x+" must be a valid label value/ },
    { kind: "service", what: "a label key with a bad prefix", spec: { ...service, labels: { "Bad_Prefix/role": "x" } }, says: /label key "Bad_Prefix\/role" must be a label key whose prefix/ },
    { kind: "service", what: "an annotation key with a bad name", spec: { ...service, annotations: { "proteamcare.io/-x": "y" } }, says: /annotation key "proteamcare\.io\/-x" must be a label key whose name part/ },
    { kind: "service", what: "a secret-looking env name", spec: { ...service, env: { DB_PASSWORD: "x" } }, says: /env DB_PASSWORD looks like a secret/ },
    { kind: "service", what: "a name in env and secretEnv", spec: { ...service, env: { DATABASE: "x" }, secretEnv: { DATABASE: "y" } }, says: /DATABASE is both in env and secretEnv/ },
    { kind: "service", what: "a perNode workload with volumes", spec: { ...service, perNode: true, volumes: [{ name: "d", mountPath: "/d", sizeGi: 1 }] }, says: /perNode workload \(DaemonSet\) cannot have persistent volumes/ },
    { kind: "service", what: "a perNode workload with replicas", spec: { ...service, perNode: true, replicas: 3 }, says: /perNode workload runs one pod per node/ },
    { kind: "service", what: "a relative host path", spec: { ...service, host: { paths: [{ hostPath: "proc", mountPath: "/host/proc" }] } }, says: /host path proc → \/host\/proc must use absolute paths/ },
    { kind: "service", what: "a negative grace period", spec: { ...service, stopGracePeriodSeconds: -1 }, says: /stopGracePeriodSeconds must be a non-negative integer, got -1/ },
    { kind: "job", what: "a negative backoffLimit", spec: { ...job, backoffLimit: -1 }, says: /backoffLimit must be a non-negative integer, got -1/ },
    { kind: "job", what: "a zero deadline", spec: { ...job, deadlineSeconds: 0 }, says: /deadlineSeconds must be a positive integer, got 0/ },
    { kind: "schedule", what: "a 4-field cron", spec: { ...schedule, cron: "* * * *" }, says: /cron "\* \* \* \*" must be a 5-field cron expression/ },
    { kind: "schedule", what: "a cron minute out of range", spec: { ...schedule, cron: "61 * * * *" }, says: /cron "61 \* \* \* \*" must be .*minute: 61/ },
    { kind: "schedule", what: "a cron macro", spec: { ...schedule, cron: "@daily" }, says: /cron "@daily" must be a 5-field cron expression/ },
];

/** The message a platform throws for a spec, or undefined when it accepts the spec. */
function refusal(platform: Platform, name: string, c: Case, owner: pulumi.Resource): string | undefined {
    try {
        if (c.kind === "service") platform.service(name, c.spec, { parent: owner });
        else if (c.kind === "job") platform.job(name, c.spec, { parent: owner });
        else platform.schedule(name, c.spec, { parent: owner });
        return undefined;
    } catch (e) {
        return (e as Error).message;
    }
}

describe("validation parity: docker and Kubernetes refuse the same specs alike (mocks)", () => {
    let docker: Platform;
    let kubernetes: Platform;
    let owner: pulumi.Resource;

    before(async () => {
        installMocks("parity-test");
        const d = await import("../../components/platform/docker");
        const k = await import("../../components/platform/kubernetes");
        docker = new d.DockerPlatform("parity-docker", { prefix: "parity" });
        kubernetes = new k.KubernetesPlatform("parity-k8s", { namespace: "parity" });
        owner = new Owner("app");
    });

    it("has at least twelve bad specs, each with its own name", () => {
        assert.ok(CASES.length >= 12, `${CASES.length} cases`);
    });

    it("accepts the good specs on both platforms (the refusals below are not a broken fixture)", () => {
        for (const [i, c] of ([
            { kind: "service", what: "ok", spec: service, says: /^$/ },
            { kind: "job", what: "ok", spec: job, says: /^$/ },
            { kind: "schedule", what: "ok", spec: schedule, says: /^$/ },
        ] as const).entries()) {
            assert.strictEqual(refusal(docker, `good-${i}`, c, owner), undefined, `docker ${c.kind}`);
            assert.strictEqual(refusal(kubernetes, `good-${i}`, c, owner), undefined, `kubernetes ${c.kind}`);
        }
    });

    CASES.forEach((c, i) => {
        it(`refuses ${c.what} on both platforms with the same message`, () => {
            const name = `bad-${i}`;
            const onDocker = refusal(docker, name, c, owner);
            const onKubernetes = refusal(kubernetes, name, c, owner);
            assert.ok(onDocker !== undefined, "docker accepted it");
            assert.ok(onKubernetes !== undefined, "kubernetes accepted it");
            assert.match(onDocker, c.says);
            // The Kubernetes platform prefixes what it was making; the problems themselves are identical.
            assert.strictEqual(onKubernetes, `kubernetes ${c.kind} "${name}" is invalid: ${onDocker}`);
        });
    });
});
