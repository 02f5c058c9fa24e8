import * as assert from "assert";
import { mutableImageProblem } from "../../policy/security";
import {
    assertClean, assertOnly, assertViolation, awsBucketSet, configFile, DEV_CONFIG, DOCKER_SECRET_OPTS, dockerBackupSchedule, k8sBackupCronJob, dockerPostgres, dockerService, k8sDeployment, k8sPostgres, k8sPostgresService, mutate, res, run, Fixture } from "./helpers";

const C = "docker:index/container:Container";
const D = "kubernetes:apps/v1:Deployment";
const SS = "kubernetes:apps/v1:StatefulSet";
const SVC = "kubernetes:core/v1:Service";
const container = (change: (c: Fixture) => void = () => undefined) => [res(C, "api", mutate(dockerService(), change), DOCKER_SECRET_OPTS)];
const deployment = (change: (d: Fixture) => void = () => undefined) => [res(D, "api", mutate(k8sDeployment(), change))];
const first = (d: Fixture) => d.spec.template.spec.containers[0];

describe("policy: immutable-image", () => {
    it("passes a version tag, a digest and an image id", async () => {
        assertClean(await run(container()));
        assertClean(await run(container((c) => (c.image = `ghcr.io/proteamcare/api@sha256:${"a".repeat(64)}`))));
        assertClean(await run(container((c) => (c.image = `sha256:${"b".repeat(64)}`))));
        assertClean(await run(deployment()));
    });
    it("flags :latest on docker", async () => assertOnly(await run(container((c) => (c.image = "nginx:latest"))), "immutable-image", /moving tag ":latest"/));
    it("flags a missing tag on docker", async () => assertOnly(await run(container((c) => (c.image = "registry:5000/team/api"))), "immutable-image", /has no tag/));
    it("flags :latest in a Kubernetes container", async () => assertOnly(await run(deployment((d) => (first(d).image = "redis:latest"))), "immutable-image", /container "api".*:latest/));
    it("flags an untagged init container", async () =>
        assertOnly(await run(deployment((d) => (d.spec.template.spec.initContainers = [{ ...first(d), name: "init", image: "busybox" }]))), "immutable-image", /container "init".*no tag/));
    it("requires a digest when configured", async () =>
        assertOnly(await run(container(), configFile({ "immutable-image": { enforcementLevel: "mandatory", requireDigest: true } })), "immutable-image", /has no digest/));
    const OWN = { "immutable-image": { enforcementLevel: "mandatory", digestRequiredRepositories: ["ghcr.io/proteamcare/ptc-backup"] } };
    it("requires a digest on the project's own repositories only", async () => {
        assertOnly(
            await run(container((c) => (c.image = "ghcr.io/proteamcare/ptc-backup:1.0.0")), configFile(OWN)),
            "immutable-image",
            /ptc-backup:1.0.0" is one of the project's own images.*@sha256:<digest>/,
        );
        assertClean(await run(container((c) => (c.image = `ghcr.io/proteamcare/ptc-backup:1.0.0@sha256:${"c".repeat(64)}`)), configFile(OWN)));
        // A longer name that merely starts like it is another repository.
        assertClean(await run(container((c) => (c.image = "ghcr.io/proteamcare/ptc-backup-tools:1.0.0")), configFile(OWN)));
        assertClean(await run(container((c) => (c.image = "ghcr.io/proteamcare/backend:1.0.0")), configFile(OWN)));
    });
    it("requires the digest in Kubernetes pods too", async () =>
        assertOnly(await run(deployment((d) => (first(d).image = "ghcr.io/proteamcare/ptc-backup:1.0.0")), configFile(OWN)), "immutable-image", /container "api".*own images/));
    it("parses registry ports, digests and tags", () => {
        const cfg = { forbiddenTags: ["latest"], requireDigest: false, digestRequiredRepositories: [] };
        assert.strictEqual(mutableImageProblem("registry:5000/api:1.2", cfg), undefined);
        assert.match(mutableImageProblem("registry:5000/api", cfg)!, /no tag/);
        assert.match(mutableImageProblem("api@sha256:zz", cfg)!, /malformed digest/);
        assert.match(mutableImageProblem("", cfg)!, /no image/);
    });
});

describe("policy: non-root-container", () => {
    it("passes a numeric non-root user and runAsNonRoot", async () => {
        assertClean(await run(container()));
        assertClean(await run(deployment()));
    });
    it("flags an unset docker user", async () => assertOnly(await run(container((c) => delete c.user)), "non-root-container", /user is not set/));
    it("flags docker user 0", async () => assertOnly(await run(container((c) => (c.user = "0:0"))), "non-root-container", /is root/));
    it("flags docker user root", async () => assertOnly(await run(container((c) => (c.user = "root"))), "non-root-container", /is root/));
    it("flags a pod without runAsNonRoot", async () => assertOnly(await run(deployment((d) => delete d.spec.template.spec.securityContext.runAsNonRoot)), "non-root-container", /runAsNonRoot: true/));
    it("flags runAsUser 0 on a container", async () => assertOnly(await run(deployment((d) => (first(d).securityContext.runAsUser = 0))), "non-root-container", /runAsUser 0/));
    it("lets a container-level runAsNonRoot stand in for the pod's", async () =>
        assertClean(await run(deployment((d) => { delete d.spec.template.spec.securityContext.runAsNonRoot; first(d).securityContext.runAsNonRoot = true; }))));
});

describe("policy: no-privileged-container", () => {
    it("flags a privileged docker container", async () => assertOnly(await run(container((c) => (c.privileged = true))), "no-privileged-container", /is privileged/));
    it("flags a docker container without no-new-privileges", async () => assertOnly(await run(container((c) => (c.securityOpts = []))), "no-privileged-container", /no-new-privileges/));
    it("flags an added docker capability", async () => assertOnly(await run(container((c) => (c.capabilities = { adds: ["SYS_ADMIN"], drops: ["ALL"] }))), "no-privileged-container", /adds SYS_ADMIN/));
    it("allows a configured capability", async () => assertClean(await run(container((c) => (c.capabilities = { adds: ["CAP_NET_BIND_SERVICE"], drops: ["ALL"] })))));
    it("flags a privileged Kubernetes container", async () => assertOnly(await run(deployment((d) => (first(d).securityContext.privileged = true))), "no-privileged-container", /is privileged/));
    it("flags a missing allowPrivilegeEscalation: false", async () =>
        assertOnly(await run(deployment((d) => delete first(d).securityContext.allowPrivilegeEscalation)), "no-privileged-container", /allowPrivilegeEscalation: false/));
    it("flags an added Kubernetes capability", async () =>
        assertOnly(await run(deployment((d) => (first(d).securityContext.capabilities.add = ["NET_ADMIN"]))), "no-privileged-container", /adds NET_ADMIN/));
});

describe("policy: no-host-access", () => {
    it("flags a read-only docker host path", async () =>
        assertOnly(await run(container((c) => (c.volumes = [{ hostPath: "/proc", containerPath: "/host/proc", readOnly: true }]))), "no-host-access", /host path \/proc read-only/));
    it("flags a writable docker host path", async () =>
        assertOnly(await run(container((c) => (c.volumes = [{ hostPath: "/var/data", containerPath: "/data" }]))), "no-host-access", /host path \/var\/data writable/));
    it("flags a bind mount", async () =>
        assertOnly(await run(container((c) => (c.mounts = [{ type: "bind", source: "/etc", target: "/host/etc", readOnly: true }]))), "no-host-access", /\/etc read-only/));
    it("flags the docker socket even read-only", async () =>
        assertOnly(await run(container((c) => (c.volumes = [{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock", readOnly: true }]))), "no-host-access", /engine socket/));
    it("flags pidMode host", async () => assertOnly(await run(container((c) => (c.pidMode = "host"))), "no-host-access", /pidMode/));
    it("flags networkMode host", async () => assertOnly(await run(container((c) => (c.networkMode = "host"))), "no-host-access", /networkMode/));
    it("flags ipcMode host", async () => assertOnly(await run(container((c) => (c.ipcMode = "host"))), "no-host-access", /ipcMode/));
    it("flags devices", async () => assertOnly(await run(container((c) => (c.devices = [{ hostPath: "/dev/fuse" }]))), "no-host-access", /devices/));
    it("flags hostPID, hostNetwork and hostIPC", async () => {
        assertOnly(await run(deployment((d) => (d.spec.template.spec.hostPID = true))), "no-host-access", /hostPID/);
        assertOnly(await run(deployment((d) => (d.spec.template.spec.hostNetwork = true))), "no-host-access", /hostNetwork/);
        assertOnly(await run(deployment((d) => (d.spec.template.spec.hostIPC = true))), "no-host-access", /hostIPC/);
    });
    it("tells a read-only hostPath mount from a writable one", async () => {
        const withHostPath = (readOnly: boolean) =>
            deployment((d) => {
                d.spec.template.spec.volumes = [{ name: "proc", hostPath: { path: "/proc" } }];
                first(d).volumeMounts = [{ name: "proc", mountPath: "/host/proc", readOnly }];
            });
        assertOnly(await run(withHostPath(true)), "no-host-access", /host path \/proc read-only/);
        assertOnly(await run(withHostPath(false)), "no-host-access", /host path \/proc writable/);
    });
});

describe("policy: no-data-tier-exposure", () => {
    it("passes an unpublished data store and a ClusterIP service", async () => {
        assertClean(await run([res(C, "postgres", dockerPostgres(), DOCKER_SECRET_OPTS), res(C, "backup-postgres", dockerBackupSchedule(), DOCKER_SECRET_OPTS), ...awsBucketSet()]));
    });
    it("flags a published port on a data-tier container", async () => {
        const pg = mutate(dockerPostgres(), (c: Fixture) => (c.ports = [{ internal: 5432, external: 5432 }]));
        assertOnly(await run([res(C, "postgres", pg, DOCKER_SECRET_OPTS), res(C, "backup-postgres", dockerBackupSchedule(), DOCKER_SECRET_OPTS), ...awsBucketSet()]), "no-data-tier-exposure", /publishes 5432->5432/);
    });
    it("allows the edge tier to publish", async () => assertClean(await run(container((c) => (c.ports = [{ internal: 8080, external: 80 }])))));
    const stack = async (svcChange: (s: Fixture) => void, pgChange: (p: Fixture) => void = () => undefined) => {
        return run([
            res(SS, "postgres", mutate(k8sPostgres(), pgChange)),
            res("kubernetes:batch/v1:CronJob", "backup-postgres", k8sBackupCronJob()),
            res(SVC, "postgres", mutate(k8sPostgresService(), svcChange)),
            ...awsBucketSet(),
        ]);
    };
    it("passes the compliant Kubernetes stack", async () => assertClean(await stack(() => undefined)));
    it("flags a LoadBalancer selecting data pods", async () => assertOnly(await stack((s) => (s.spec.type = "LoadBalancer")), "no-data-tier-exposure", /type LoadBalancer selects data-tier pods of "postgres"/));
    it("flags a NodePort selecting data pods", async () => assertOnly(await stack((s) => (s.spec.type = "NodePort")), "no-data-tier-exposure", /type NodePort/));
    it("flags externalIPs on a ClusterIP service", async () => assertOnly(await stack((s) => (s.spec.externalIPs = ["203.0.113.5"])), "no-data-tier-exposure", /with externalIPs/));
    it("ignores a LoadBalancer selecting other pods", async () => assertClean(await stack((s) => { s.spec.type = "LoadBalancer"; s.spec.selector = { "proteamcare.io/workload": "web" }; })));
    it("flags a hostPort on a data-tier pod", async () =>
        assertOnly(await stack(() => undefined, (p) => (p.spec.template.spec.containers[0].ports[0].hostPort = 5432)), "no-data-tier-exposure", /sets hostPort/));
    it("reports at the configured level", async () => {
        assertViolation(await run([res(SS, "postgres", k8sPostgres()), res(SVC, "postgres", mutate(k8sPostgresService(), (s: Fixture) => (s.spec.type = "LoadBalancer")))], DEV_CONFIG), "no-data-tier-exposure", /LoadBalancer/, "advisory");
    });
});
