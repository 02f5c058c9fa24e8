import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";

import { type ArtifactSource, INDEX_FILE, manifestPath, REDACTED_BASE64, renderArtifacts, writeArtifacts } from "../../tools/plan/artifacts";
import { REDACTED, secretEnvelope } from "../../tools/plan/secrets";

const urn = (type: string, name: string): string => `urn:pulumi:test::p::${type}::${name}`;

function k8s(type: string, name: string, inputs: Record<string, unknown>): ArtifactSource {
    return { urn: urn(type, name), type, name, custom: true, inputs, state: {} };
}

const NS = "team";
const labels = { "proteamcare.io/workload": "edge" };

/** A compliant little Kubernetes workload: a ConfigMap and a Secret mounted into a Deployment. */
function kubernetesResources(): ArtifactSource[] {
    return [
        k8s("kubernetes:core/v1:Namespace", "ns", { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } }),
        k8s("kubernetes:core/v1:ConfigMap", "edge-files", {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "edge-files", namespace: NS, labels },
            data: { "nginx.conf": "events {}\n", "mime.types": "types {}\n", extra: "x" },
        }),
        k8s("kubernetes:core/v1:Secret", "edge-secret", {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: "edge-secret", namespace: NS },
            stringData: secretEnvelope({ "tls.key": "KEY-MATERIAL" }),
            data: secretEnvelope({ other: Buffer.from("OTHER").toString("base64") }),
        }),
        k8s("kubernetes:apps/v1:Deployment", "edge-deploy", {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "edge", namespace: NS, labels },
            spec: {
                selector: { matchLabels: labels },
                template: {
                    metadata: { labels },
                    spec: {
                        containers: [
                            {
                                name: "nginx",
                                image: "nginx:1.27.3",
                                volumeMounts: [
                                    { name: "files", mountPath: "/etc/nginx/nginx.conf", subPath: "nginx.conf" },
                                    { name: "mime", mountPath: "/etc/nginx/mime" },
                                    { name: "tls", mountPath: "/etc/nginx/tls" },
                                ],
                            },
                        ],
                        volumes: [
                            { name: "files", configMap: { name: "edge-files" } },
                            { name: "mime", configMap: { name: "edge-files", items: [{ key: "mime.types", path: "types/mime.types" }] } },
                            { name: "tls", secret: { secretName: "edge-secret" } },
                        ],
                    },
                },
            },
        }),
        // Metadata name comes from the mock's state when the program leaves it to auto-naming.
        { ...k8s("kubernetes:core/v1:ConfigMap", "lonely", { apiVersion: "v1", kind: "ConfigMap", metadata: {}, data: { "a.txt": "A" } }), state: { metadata: { name: "lonely-cm", namespace: "default" } } },
    ];
}

function files(a: ReturnType<typeof renderArtifacts>): Map<string, string> {
    return new Map(a.files.map((f) => [f.path, Buffer.from(f.content).toString("utf8")]));
}

describe("plan: artifacts", () => {
    it("writes one manifest per Kubernetes object, named <kind>-<namespace>-<name>.yaml", () => {
        const out = files(renderArtifacts(kubernetesResources()));
        assert.ok(out.has("kubernetes/namespace-team.yaml"), "cluster-scoped kinds have no namespace part");
        assert.ok(out.has("kubernetes/configmap-team-edge-files.yaml"));
        assert.ok(out.has("kubernetes/secret-team-edge-secret.yaml"));
        assert.ok(out.has("kubernetes/deployment-team-edge.yaml"));
        assert.ok(out.has("kubernetes/configmap-default-lonely-cm.yaml"), "the mock's name fills an auto-named object");
        const deploy = YAML.parse(out.get("kubernetes/deployment-team-edge.yaml") ?? "") as Record<string, unknown>;
        assert.equal(deploy.apiVersion, "apps/v1");
        assert.equal(deploy.kind, "Deployment");
        assert.deepEqual(Object.keys(deploy).slice(0, 3), ["apiVersion", "kind", "metadata"]);
        assert.equal(manifestPath({ kind: "Service", namespace: "a", name: "b" }), "kubernetes/service-a-b.yaml");
    });

    it("keeps a Secret's keys but no value: [secret] in stringData, base64 of [secret] in data", () => {
        const out = files(renderArtifacts(kubernetesResources()));
        const text = out.get("kubernetes/secret-team-edge-secret.yaml") ?? "";
        const secret = YAML.parse(text) as { stringData: Record<string, string>; data: Record<string, string> };
        assert.deepEqual(secret.stringData, { "tls.key": REDACTED });
        assert.deepEqual(secret.data, { other: REDACTED_BASE64 });
        assert.equal(Buffer.from(REDACTED_BASE64, "base64").toString(), REDACTED);
        for (const [p, content] of out) {
            assert.ok(!content.includes("KEY-MATERIAL"), `${p} leaks a secret`);
            assert.ok(!content.includes(Buffer.from("OTHER").toString("base64")), `${p} leaks a base64 secret`);
        }
    });

    it("writes ConfigMap files where pods mount them (subPath, directory, items) and lists secret volumes as skipped", () => {
        const a = renderArtifacts(kubernetesResources());
        const out = files(a);
        assert.equal(out.get("files/edge/etc/nginx/nginx.conf"), "events {}\n");
        assert.equal(out.get("files/edge/etc/nginx/mime/types/mime.types"), "types {}\n");
        assert.ok(!out.has("files/edge/etc/nginx/mime/extra"), "items restrict the keys");
        assert.equal(out.get("files/_unmounted/default-lonely-cm/a.txt"), "A");
        assert.deepEqual(
            a.skipped.map((s) => [s.path, s.reason]),
            [["files/edge/etc/nginx/tls/other", "Kubernetes Secret volume"], ["files/edge/etc/nginx/tls/tls.key", "Kubernetes Secret volume"]],
        );
        assert.ok(![...out.keys()].some((p) => p.startsWith("files/edge/etc/nginx/tls/")));
    });

    it("writes one JSON definition per docker container and its plain uploads, never the secret ones", () => {
        const c: ArtifactSource = {
            urn: urn("docker:index/container:Container", "ptc-edge"),
            type: "docker:index/container:Container",
            name: "edge",
            custom: true,
            inputs: {
                name: "ptc-edge",
                image: "nginx:1.27.3",
                envs: ["A=1", secretEnvelope("PASSWORD=hunter2")],
                labels: [{ label: "proteamcare.io/workload", value: "edge" }],
                uploads: [
                    { file: "/etc/nginx/nginx.conf", content: "events {}\n" },
                    { file: "/etc/nginx/bin/run", contentBase64: Buffer.from("#!/bin/sh\n").toString("base64"), executable: true },
                    { file: "/etc/nginx/tls/tls.key", content: secretEnvelope("PRIVATE") },
                    secretEnvelope({ file: "/etc/whole", content: "WHOLE" }),
                    { file: "/../../escape", content: "x" },
                ],
            },
        };
        const a = renderArtifacts([c]);
        const out = files(a);
        const def = JSON.parse(out.get("docker/ptc-edge.json") ?? "{}") as { envs: string[]; uploads: { content?: string }[] };
        assert.deepEqual(def.envs, ["A=1", REDACTED]);
        assert.equal(def.uploads[2].content, REDACTED);
        assert.equal(out.get("files/edge/etc/nginx/nginx.conf"), "events {}\n", "files go under the workload label, not the container name");
        assert.equal(out.get("files/edge/etc/nginx/bin/run"), "#!/bin/sh\n");
        assert.deepEqual(a.skipped.map((s) => s.path), ["files/edge/etc/nginx/tls/tls.key", "files/edge/etc/whole"]);
        assert.equal(out.get("files/edge/escape"), "x", "a path climbing out of / stays under the workload's directory");
        assert.ok([...out.keys()].every((p) => !p.split("/").includes("..")));
        for (const [p, content] of out) {
            for (const s of ["hunter2", "PRIVATE", "WHOLE"]) assert.ok(!content.includes(s), `${p} leaks ${s}`);
        }
    });

    describe("writeArtifacts", () => {
        let dir: string;
        beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-out-"))));
        afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

        it("writes the files and an index listing the skipped secret files", () => {
            const a = renderArtifacts(kubernetesResources());
            writeArtifacts(path.join(dir, "out"), a);
            const index = JSON.parse(fs.readFileSync(path.join(dir, "out", INDEX_FILE), "utf8")) as { files: string[]; skippedSecretFiles: { path: string }[] };
            assert.equal(index.files.length, a.files.length);
            assert.equal(index.skippedSecretFiles.length, 2);
            assert.equal(fs.readFileSync(path.join(dir, "out", "files/edge/etc/nginx/nginx.conf"), "utf8"), "events {}\n");
        });

        it("replaces its own earlier output but refuses a foreign non-empty directory", () => {
            const out = path.join(dir, "out");
            writeArtifacts(out, renderArtifacts(kubernetesResources()));
            writeArtifacts(out, renderArtifacts([]));
            assert.ok(!fs.existsSync(path.join(out, "kubernetes")), "stale manifests are gone");
            fs.writeFileSync(path.join(dir, "precious.txt"), "keep");
            assert.throws(() => writeArtifacts(dir, renderArtifacts([])), /not empty and was not written by the plan/);
            assert.equal(fs.readFileSync(path.join(dir, "precious.txt"), "utf8"), "keep");
        });
    });
});
