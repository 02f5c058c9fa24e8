import * as assert from "assert";
import { EXEMPTIONS, NON_EXEMPTABLE_RULES } from "../../policy/exemptions";
import { rules } from "../../policy/policies";
import { assertClean, assertOnly, assertViolation, DOCKER_SECRET_OPTS, dockerLabels, dockerService, k8sContainer, k8sLabels, k8sPostgres, mutate, podTemplate, res, run, Fixture } from "./helpers";

const C = "docker:index/container:Container";
const DS = "kubernetes:apps/v1:DaemonSet";
const SS = "kubernetes:apps/v1:StatefulSet";
const EX = "proteamcare.io/policy-exemptions";

function nodeExporter(exemptions?: string, change: (c: Fixture) => void = () => undefined) {
    const c = mutate(dockerService(), (x: Fixture) => {
        x.name = "node-exporter";
        x.image = "prom/node-exporter:v1.8.2";
        x.user = "65534:65534";
        x.envs = [];
        x.pidMode = "host";
        x.volumes = [
            { hostPath: "/proc", containerPath: "/host/proc", readOnly: true },
            { hostPath: "/", containerPath: "/host/root", readOnly: true },
        ];
        x.labels = dockerLabels({ "proteamcare.io/workload": "node-exporter", "proteamcare.io/tier": "ops", "proteamcare.io/kind": "service", ...(exemptions === undefined ? {} : { [EX]: exemptions }) });
        change(x);
    });
    return [res(C, "node-exporter", c, DOCKER_SECRET_OPTS)];
}

function alloyDaemonSet(exemptions?: string, change: (d: Fixture) => void = () => undefined) {
    const labels = k8sLabels("alloy", "ops", { "proteamcare.io/kind": "service" });
    const annotations: Record<string, string> = exemptions === undefined ? {} : { [EX]: exemptions };
    const container = mutate(k8sContainer("alloy"), (c: Fixture) => {
        c.image = "grafana/alloy:v1.9.1";
        c.env = [];
        c.securityContext.runAsUser = 0;
        c.securityContext.runAsNonRoot = false;
        c.volumeMounts = [{ name: "pods", mountPath: "/var/log/pods", readOnly: true }];
    });
    const d = {
        metadata: { name: "alloy", namespace: "ptc", labels, annotations },
        spec: { selector: { matchLabels: { "proteamcare.io/workload": "alloy" } }, template: podTemplate(labels, [container], annotations) },
    };
    (d.spec.template as Fixture).spec.volumes = [{ name: "pods", hostPath: { path: "/var/log/pods" } }];
    return [res(DS, "alloy", mutate(d, change))];
}

describe("policy: exemptions", () => {
    it("host-metrics-agent lifts exactly host PID and read-only host paths for node-exporter, and says so", async () => {
        const vs = await run(nodeExporter("host-metrics-agent"));
        assertClean(vs);
        const notices = vs.filter((v) => v.policy === "exemption-applied");
        assert.strictEqual(notices.length, 1);
        assert.strictEqual(notices[0].level, "advisory");
        assert.match(notices[0].message, /uses exemption "host-metrics-agent", lifting no-host-access\[host-path-read-only, host-pid\]: node-exporter reports host metrics/);
    });
    it("without the annotation node-exporter is flagged", async () => {
        const vs = await run(nodeExporter());
        assertOnly(vs, "no-host-access", /pidMode|read-only/);
        assert.strictEqual(vs.filter((v) => v.policy === "no-host-access").length, 3);
    });
    it("does not lift a writable host path", async () =>
        assertOnly(await run(nodeExporter("host-metrics-agent", (x) => (x.volumes[0].readOnly = false))), "no-host-access", /\/proc writable/));
    it("does not lift host network", async () => assertOnly(await run(nodeExporter("host-metrics-agent", (x) => (x.networkMode = "host"))), "no-host-access", /networkMode/));
    it("does not lift root", async () => assertOnly(await run(nodeExporter("host-metrics-agent", (x) => (x.user = "0"))), "non-root-container", /is root/));
    it("does not lift anything on a workload with another name", async () => {
        const vs = await run(nodeExporter("host-metrics-agent", (x) => (x.labels = x.labels.map((l: Fixture) => (l.label === "proteamcare.io/workload" ? { ...l, value: "api" } : l)))));
        assertViolation(vs, "policy-exemptions", /cannot apply here: workload "api" is not one of the workloads it covers/);
        assertViolation(vs, "no-host-access", /pidMode/);
        assert.ok(!vs.some((v) => v.policy === "exemption-applied"));
    });
    it("does not apply when an image is not the agent's (a renamed workload cannot borrow it)", async () => {
        const vs = await run(nodeExporter("host-metrics-agent", (x) => (x.image = "busybox:1.36")));
        assertViolation(vs, "policy-exemptions", /image "busybox:1.36" is not an image it covers/);
        assertViolation(vs, "no-host-access", /pidMode/);
    });
    it("does not apply outside its tier", async () => {
        const vs = await run(nodeExporter("host-metrics-agent", (x) => (x.labels = x.labels.map((l: Fixture) => (l.label === "proteamcare.io/tier" ? { ...l, value: "app" } : l)))));
        assertViolation(vs, "policy-exemptions", /tier "app"/);
    });
    it("flags an unknown exemption name and lifts nothing", async () => {
        const vs = await run(nodeExporter("host-metrics"));
        assertViolation(vs, "policy-exemptions", /"host-metrics" is not in the pack's registry/);
        assertViolation(vs, "no-host-access", /pidMode/);
    });
    it("flags an exemption on a non-workload resource", async () =>
        assertOnly(await run([res("kubernetes:core/v1:Service", "s", { metadata: { name: "s", annotations: { [EX]: "log-collector" } }, spec: { selector: { a: "b" } } })]), "policy-exemptions", /workloads only/));
    it("log-collector lifts root and read-only pod logs for Alloy on Kubernetes", async () => {
        const vs = await run(alloyDaemonSet("log-collector"));
        assertClean(vs);
        assert.match(vs.find((v) => v.policy === "exemption-applied")!.message, /non-root-container\[run-as-root\]/);
    });
    it("without it Alloy is flagged for root and the host path", async () => {
        const vs = await run(alloyDaemonSet());
        assertViolation(vs, "non-root-container", /runAsUser 0/);
        assertViolation(vs, "no-host-access", /\/var\/log\/pods read-only/);
    });
    it("log-collector does not lift host PID, privilege escalation or the engine socket", async () => {
        assertOnly(await run(alloyDaemonSet("log-collector", (d) => (d.spec.template.spec.hostPID = true))), "no-host-access", /hostPID/);
        assertOnly(await run(alloyDaemonSet("log-collector", (d) => delete d.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation)), "no-privileged-container", /allowPrivilegeEscalation/);
        assertOnly(
            await run(alloyDaemonSet("log-collector", (d) => (d.spec.template.spec.volumes[0].hostPath.path = "/var/run/docker.sock"))),
            "no-host-access",
            /engine socket/,
        );
    });
    it("combining two exemptions lifts no more than their union", async () => {
        const vs = await run(nodeExporter("host-metrics-agent,log-collector", (x) => (x.user = "0")));
        assertViolation(vs, "policy-exemptions", /"log-collector" cannot apply here/);
        assertViolation(vs, "non-root-container", /is root/);
    });
    it("monitoring-history lifts the backup requirement of Prometheus's volume but never of a data store", async () => {
        const prom = (ex: string) =>
            mutate(k8sPostgres(), (s: Fixture) => {
                s.metadata.labels = k8sLabels("prometheus", "ops");
                s.metadata.annotations = { [EX]: ex };
                s.spec.template.metadata.labels = s.metadata.labels;
                s.spec.template.spec.containers[0].image = "prom/prometheus:v3.4.1";
            });
        assertClean(await run([res(SS, "prometheus", prom("monitoring-history"))]));
        const pg = mutate(k8sPostgres(), (s: Fixture) => (s.metadata.annotations = { [EX]: "monitoring-history" }));
        const vs = await run([res(SS, "postgres", pg)]);
        assertViolation(vs, "policy-exemptions", /cannot apply here/);
        assertViolation(vs, "backup-coverage", /postgres store "postgres" is not backed up/);
    });
    it("the registry is well-formed: reasons, known rules and checks, nothing lifts the exemption rules", () => {
        const byName = new Map(rules.map((r) => [r.name, r]));
        const names = new Set<string>();
        for (const e of EXEMPTIONS) {
            assert.match(e.name, /^[a-z]+(-[a-z]+)*$/);
            assert.ok(!names.has(e.name), `duplicate ${e.name}`);
            names.add(e.name);
            assert.ok(e.reason.trim().length > 40, `${e.name} needs a reason`);
            assert.ok(e.tiers.length > 0);
            for (const [rule, checks] of Object.entries(e.lifts)) {
                assert.ok(!NON_EXEMPTABLE_RULES.includes(rule), `${e.name} must not lift ${rule}`);
                const r = byName.get(rule);
                assert.ok(r, `${e.name} lifts unknown rule ${rule}`);
                for (const c of checks) assert.ok(c in r!.rule.checks, `${e.name} lifts unknown check ${rule}/${c}`);
                assert.ok(!checks.includes("host-path-writable") && !checks.includes("engine-socket") && !checks.includes("privileged"), `${e.name} lifts too much`);
            }
        }
        assert.deepStrictEqual([...names].sort(), ["host-metrics-agent", "log-collector", "monitoring-history"]);
        assert.ok(Object.isFrozen(EXEMPTIONS) && EXEMPTIONS.every((e) => Object.isFrozen(e)));
    });
});
