/**
 * Overlapping (create-before-delete) updates on docker, under the mock runtime: revision names,
 * the per-revision alias the edge is given, and which workloads may overlap at all.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import type { WorkloadSpec } from "../../components/platform/spec";
import { installMocks, MockRecorder, settle, valueOf } from "../support/pulumi";

type Mod = typeof import("../../components/platform/docker");

class Owner extends pulumi.ComponentResource {
    /** Each variant has its own owner type, so the same workload name gives distinct URNs. */
    constructor(name: string, type = "Owner") {
        super(`test:index:${type}`, name, {}, {});
    }
}

const CONTAINER = "docker:index/container:Container";

function apiSpec(image: string, password: string, extra: Partial<WorkloadSpec> = {}): WorkloadSpec {
    return {
        image,
        tier: "app",
        ports: [{ name: "http", port: 8000 }],
        env: { ENVIRONMENT: "dev" },
        secretEnv: { DATABASE_URL: pulumi.secret(`postgresql://api:${password}@postgres/app`) },
        healthCheck: { kind: "http", path: "/api/v1/health", port: 8000 },
        resources: { cpu: "250m", memory: "256Mi" },
        user: "10001:10001",
        overlapUpdates: true,
        ...extra,
    };
}

describe("DockerPlatform: overlapping updates (mocks)", () => {
    let mocks: MockRecorder;
    let mod: Mod;
    const serving: Record<string, pulumi.Output<string> | undefined> = {};
    const inputsByVariant: Record<string, Record<string, Record<string, unknown>>> = {};

    before(async () => {
        mocks = installMocks("docker-overlap");
        mod = await import("../../components/platform/docker");
        // The same stack four times over (same prefix, so the same network names): the
        // platforms and owners differ only in their Pulumi names and types.
        const variants: [string, WorkloadSpec][] = [
            ["a", apiSpec("api:1", "pw-one", { replicas: 2 })],
            ["same", apiSpec("api:1", "pw-one", { replicas: 2 })],
            ["image", apiSpec("api:2", "pw-one", { replicas: 2 })],
            ["secret", apiSpec("api:1", "pw-two", { replicas: 2 })],
        ];
        for (const [variant, spec] of variants) {
            const platform = new mod.DockerPlatform(`plat-${variant}`, { prefix: "ptc-v" });
            const handle = platform.service("api", spec, { parent: new Owner(`owner-${variant}`, `Owner${variant}`) });
            serving[variant] = handle.endpoint.servingAddress;
        }
        const plain = new mod.DockerPlatform("plat-plain", { prefix: "ptc-plain" });
        serving.plain = plain.service("worker", apiSpec("api:1", "pw-one", { overlapUpdates: false }), { parent: new Owner("owner-plain") }).endpoint.servingAddress;
        await settle();
        // Recorded in registration order: each variant registers api, then api-r2.
        const apis = mocks.ofType(CONTAINER).filter((r) => r.name === "api" || r.name === "api-r2");
        assert.equal(apis.length, 8);
        ["a", "same", "image", "secret"].forEach((v, i) => {
            inputsByVariant[v] = { api: apis[2 * i].inputs, "api-r2": apis[2 * i + 1].inputs };
        });
    });

    const containerOf = (variant: string, key = "api"): Record<string, unknown> => {
        if (variant === "plain") return mocks.get(CONTAINER, "worker").inputs;
        return inputsByVariant[variant][key];
    };
    const revisionOf = (variant: string): string => {
        const m = /^ptc-v-api-([0-9a-f]{8})$/.exec(String(containerOf(variant).name));
        assert.ok(m, `container name ${String(containerOf(variant).name)} ends with an 8-hex revision`);
        return m[1];
    };

    it("names each revision's containers after a hash of their inputs, replicas alike", () => {
        const rev = revisionOf("a");
        assert.equal(containerOf("a", "api-r2").name, `ptc-v-api-r2-${rev}`);
        assert.equal(containerOf("plain").name, "ptc-plain-worker", "a stop-first workload keeps its plain name");
    });

    it("keeps the revision while nothing changes, and changes it with the image or a secret value", () => {
        assert.equal(revisionOf("same"), revisionOf("a"));
        assert.notEqual(revisionOf("image"), revisionOf("a"));
        assert.notEqual(revisionOf("secret"), revisionOf("a"), "a rotated password must start a new revision (else the name would clash)");
    });

    it("does not leak the secret into the name: the name is plain text, and only a short hash", () => {
        const name = String(containerOf("secret").name);
        assert.ok(!name.includes("pw-two"));
        assert.equal(typeof containerOf("secret").name, "string", "the name is not a secret Output");
    });

    it("gives every replica the service alias and the revision's own alias", () => {
        const rev = revisionOf("a");
        for (const key of ["api", "api-r2"]) {
            for (const n of containerOf("a", key).networksAdvanced as { aliases: string[] }[]) assert.deepEqual(n.aliases, ["api", `api-${rev}`]);
        }
    });

    it("serves user traffic through the revision alias", async () => {
        assert.equal(await valueOf(serving.a as pulumi.Output<string>), `api-${revisionOf("a")}:8000`);
        assert.equal(serving.plain, undefined, "a stop-first workload has no separate serving address");
    });

    for (const [what, extra, message] of [
        ["volumes", { volumes: [{ name: "data", mountPath: "/data", sizeGi: 1 }] }, /overlapUpdates runs two revisions at once, which a workload with volumes must never do/],
        ["host ports", { tier: "edge", ports: [{ name: "https", port: 8443, hostPort: 443 }] }, /overlapUpdates runs two revisions at once, but a host port binds once/],
    ] as const) {
        it(`refuses overlapUpdates with ${what}`, () => {
            const platform = new mod.DockerPlatform(`plat-bad-${what.replace(/\W/g, "")}`, { prefix: `ptc-bad-${what.replace(/\W/g, "")}` });
            assert.throws(
                () => platform.service("bad", apiSpec("api:1", "x", extra as Partial<WorkloadSpec>), { parent: new Owner(`owner-bad-${what.replace(/\W/g, "")}`) }),
                message,
            );
        });
    }
});
