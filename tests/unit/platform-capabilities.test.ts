/**
 * The platforms' capabilities: the answers components get instead of branching on a platform's
 * kind. Each answer is checked against what the platform really does (see the component tests
 * for the components that ask).
 */
import { strict as assert } from "node:assert";
import type { PlatformCapabilities } from "../../components/platform/spec";

describe("platform capabilities", () => {
    let docker: PlatformCapabilities;
    let kubernetes: PlatformCapabilities;

    before(async () => {
        docker = (await import("../../components/platform/docker")).DOCKER_CAPABILITIES;
        kubernetes = (await import("../../components/platform/kubernetes")).KUBERNETES_CAPABILITIES;
    });

    it("docker re-resolves through its embedded DNS; Kubernetes Service addresses need no re-resolution", () => {
        assert.equal(docker.runtimeDnsResolver, "127.0.0.11");
        assert.equal(kubernetes.runtimeDnsResolver, undefined);
    });

    it("only Kubernetes shares host (public) ports between replicas and makes fresh volumes writable by the user", () => {
        assert.deepEqual([docker.hostPortsWithReplicas, kubernetes.hostPortsWithReplicas], [false, true]);
        assert.deepEqual([docker.volumesWritableByUser, kubernetes.volumesWritableByUser], [false, true]);
    });

    it("health checks run inside the container on docker only", () => {
        assert.deepEqual([docker.healthChecksRunInContainer, kubernetes.healthChecksRunInContainer], [true, false]);
    });

    it("logs come from docker's json files or the kubelet's pod logs; the edge is reached by address on docker, by public URL on Kubernetes", () => {
        assert.deepEqual([docker.containerLogSource, kubernetes.containerLogSource], ["docker-json-files", "kubernetes-pods"]);
        assert.deepEqual([docker.edgeAccessInside, kubernetes.edgeAccessInside], ["service-address", "public-url"]);
    });

    describe("scrapeTargets", () => {
        const endpoint = { host: "api.ptc.svc.cluster.local", port: 8000, address: "api.ptc.svc.cluster.local:8000" };

        it("docker: the address as one static target", () => {
            assert.deepEqual(docker.scrapeTargets({ ...endpoint, podsHost: "api-pods" }), { static: [endpoint.address] });
        });

        it("Kubernetes: DNS discovery of the name that resolves to every replica, on the service's port", () => {
            assert.deepEqual(kubernetes.scrapeTargets({ ...endpoint, podsHost: "api-pods.ptc.svc.cluster.local" }), {
                dns: { names: ["api-pods.ptc.svc.cluster.local"], port: 8000 },
            });
        });

        it("Kubernetes: the host where there is no separate pods name (a per-node workload's headless Service)", () => {
            assert.deepEqual(kubernetes.scrapeTargets(endpoint), { dns: { names: [endpoint.host], port: 8000 } });
        });
    });
});
