import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import type { JobHandle, Platform, PlatformCapabilities, ServiceHandle, WorkloadOptions, WorkloadSpec } from "../../components/platform/spec";
import { installMocks, isSecret, isSecretInput, plaintextStrings, settle, unwrapSecret, valueOf } from "../support/pulumi";

type EdgeModule = typeof import("../../components/edge/index");
type DockerModule = typeof import("../../components/platform/docker");
type SpecModule = typeof import("../../components/platform/spec");

/** PEM-looking values the command mock prints, so the wiring can be followed end to end. */
const MOCK_KEY = "-----BEGIN PRIVATE KEY-----\nTU9DSy1LRVktTUFURVJJQUw=\n-----END PRIVATE KEY-----\n";
const MOCK_CERT = "-----BEGIN CERTIFICATE-----\nTU9DSy1DRVJU\n-----END CERTIFICATE-----\n";

interface Recorded {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

/** The real platforms' capabilities, loaded in `before` (after the mocks). */
const CAPABILITIES = {} as Record<"docker" | "kubernetes", PlatformCapabilities>;

/** The tls mocks: the key answers MOCK_KEY in PKCS#8 (and another form elsewhere), the certificate MOCK_CERT. */
function tlsOutputs(args: pulumi.runtime.MockResourceArgs): { state: Record<string, unknown> } | undefined {
    if (args.type === "tls:index/privateKey:PrivateKey") {
        return { state: { privateKeyPem: "-----BEGIN EC PRIVATE KEY-----\nU0VDMQ==\n-----END EC PRIVATE KEY-----\n", privateKeyPemPkcs8: MOCK_KEY } };
    }
    return args.type === "tls:index/selfSignedCert:SelfSignedCert" ? { state: { certPem: MOCK_CERT } } : undefined;
}

/** A platform that records the specs it is given (the seam contract), with either platform's capabilities. */
class RecordingPlatform implements Platform {
    public readonly services: { name: string; spec: WorkloadSpec; opts: WorkloadOptions }[] = [];
    constructor(public readonly kind: "docker" | "kubernetes") {}
    get capabilities(): PlatformCapabilities {
        return CAPABILITIES[this.kind];
    }
    service(name: string, spec: WorkloadSpec, opts: WorkloadOptions): ServiceHandle {
        this.services.push({ name, spec, opts });
        const host = pulumi.output(name);
        const port = spec.ports[0].port;
        return { endpoint: { host, port, address: pulumi.interpolate`${host}:${port}` }, resources: [] };
    }
    job(): JobHandle {
        throw new Error("the edge runs no jobs");
    }
    schedule(): JobHandle {
        throw new Error("the edge runs no schedules");
    }
}

describe("Edge (mocks)", () => {
    let recorded: readonly Recorded[] = [];
    let edgeMod: EdgeModule;
    let dockerMod: DockerModule;
    let specMod: SpecModule;

    before(async () => {
        recorded = installMocks({ stack: "edge-test", outputs: tlsOutputs, call: (args) => args.inputs }).resources;
        edgeMod = await import("../../components/edge/index");
        dockerMod = await import("../../components/platform/docker");
        specMod = await import("../../components/platform/spec");
        CAPABILITIES.docker = dockerMod.DOCKER_CAPABILITIES;
        CAPABILITIES.kubernetes = (await import("../../components/platform/kubernetes")).KUBERNETES_CAPABILITIES;
    });

    const tls = { certificate: MOCK_CERT, privateKey: MOCK_KEY };

    function makeEdge(name: string, platform: Platform, extra: Partial<import("../../components/edge/index").EdgeArgs> = {}) {
        return new edgeMod.Edge(name, {
            platform,
            image: "nginxinc/nginx-unprivileged:1.28.0-alpine",
            domain: "app.example.com",
            webAddress: pulumi.output("web:8080"),
            apiAddress: pulumi.output("api:8000"),
            tls,
            ...extra,
        });
    }

    describe("workload spec", () => {
        const platform = new RecordingPlatform("docker");
        let edge: InstanceType<EdgeModule["Edge"]>;
        let spec: WorkloadSpec;

        before(() => {
            edge = makeEdge("edge", platform, { workloadName: "proxy" });
            assert.equal(platform.services.length, 1);
            spec = platform.services[0].spec;
        });

        it("is one edge-tier service that passes the seam's own validation", () => {
            assert.equal(platform.services[0].name, "proxy");
            assert.equal(spec.tier, "edge");
            assert.deepEqual(specMod.validateSpec("proxy", spec), []);
            assert.equal(platform.services[0].opts.parent, edge);
            assert.equal(spec.labels?.[specMod.LABELS.component], "edge");
        });

        it("publishes http and https on 80/443 and keeps stub_status internal", () => {
            assert.deepEqual(spec.ports, [
                { name: "http", port: 8080, hostPort: 80 },
                { name: "https", port: 8443, hostPort: 443 },
                { name: "status", port: 8081 },
            ]);
        });

        it("checks health with GET /healthz on the http port", () => {
            assert.deepEqual(
                { kind: spec.healthCheck.kind, path: (spec.healthCheck as { path: string }).path, port: (spec.healthCheck as { port: number }).port },
                { kind: "http", path: "/healthz", port: 8080 },
            );
        });

        it("runs as uid 101 on a read-only root with /tmp as scratch", () => {
            assert.equal(spec.user, "101:101");
            assert.equal(spec.readOnlyRootFilesystem, true);
            assert.deepEqual(spec.scratch?.map((s) => s.mountPath), ["/tmp"]);
        });

        it("ships nginx.conf and the certificate as plain files and the key as a secret file", async () => {
            const files = Object.fromEntries((spec.files ?? []).map((f) => [f.path, f]));
            assert.deepEqual(Object.keys(files).sort(), ["/etc/nginx/live/nginx.conf", "/etc/nginx/live/tls.crt", "/etc/nginx/live/tls.key"]);
            const key = files["/etc/nginx/live/tls.key"];
            assert.equal(key.secret, true);
            assert.equal(await isSecret(pulumi.output(key.content)), true, "the key content is a secret Output even when given as plain text");
            assert.equal(await valueOf(key.content), MOCK_KEY);
            assert.ok(!files["/etc/nginx/live/tls.crt"].secret);
            const conf = files["/etc/nginx/live/nginx.conf"];
            assert.ok(!conf.secret);
            assert.equal(await isSecret(pulumi.output(conf.content)), false);
        });

        it("renders the config from the upstream addresses, the domain and docker's resolver", async () => {
            const conf = await valueOf(edge.nginxConf);
            assert.match(conf, /set \$web_upstream web:8080;\s+proxy_pass http:\/\/\$web_upstream;/);
            assert.match(conf, /set \$api_upstream api:8000;\s+proxy_pass http:\/\/\$api_upstream;/);
            assert.match(conf, /resolver 127\.0\.0\.11 /);
            assert.match(conf, /server_name app\.example\.com;/);
            assert.match(conf, /return 301 https:\/\/app\.example\.com\$request_uri;/);
            assert.ok(!conf.includes("PRIVATE KEY"));
        });

        it("exposes the public, health, status and internal endpoints", async () => {
            assert.equal(await valueOf(edge.publicUrl), "https://app.example.com/");
            assert.equal(await valueOf(edge.apiHealthUrl), "https://app.example.com/api/v1/health");
            assert.equal(await valueOf(edge.statusUrl), "http://proxy:8081/stub_status");
            assert.deepEqual(await valueOf(edge.endpoint), { host: "proxy", port: 8080, address: "proxy:8080" });
        });
    });

    describe("on kubernetes", () => {
        it("runs several replicas and resolves upstreams once (stable Service addresses)", async () => {
            const platform = new RecordingPlatform("kubernetes");
            const edge = makeEdge("edge-k8s", platform, { replicas: 2, workloadName: "edge-k8s" });
            assert.equal(platform.services[0].spec.replicas, 2);
            const conf = await valueOf(edge.nginxConf);
            assert.ok(!/\bresolver\b/.test(conf));
            assert.match(conf, /server web:8080;/);
        });
    });

    describe("non-default ports and limits", () => {
        it("put the https host port in the URLs and the redirect, and the body limit in the config", async () => {
            const platform = new RecordingPlatform("docker");
            const edge = makeEdge("edge-local", platform, {
                workloadName: "edge-local",
                domain: "localhost",
                hostPorts: { http: 8000, https: 8443 },
                clientMaxBodySizeMb: 50,
                resolver: null,
            });
            assert.deepEqual(
                platform.services[0].spec.ports.map((p) => p.hostPort),
                [8000, 8443, undefined],
            );
            assert.equal(await valueOf(edge.publicUrl), "https://localhost:8443/");
            const conf = await valueOf(edge.nginxConf);
            assert.match(conf, /return 301 https:\/\/localhost:8443\$request_uri;/);
            assert.match(conf, /client_max_body_size 50m;/);
            assert.ok(!/\bresolver\b/.test(conf), "resolver: null turns re-resolution off");
        });
    });

    describe("validation, before any child exists", () => {
        const cases: [string, Partial<import("../../components/edge/index").EdgeArgs>, "docker" | "kubernetes", RegExp][] = [
            ["two replicas on docker", { replicas: 2 }, "docker", /replicas must be 1 on this platform/],
            ["zero replicas", { replicas: 0 }, "kubernetes", /replicas must be a positive integer/],
            ["a bad domain", { domain: "App.Example.com" }, "docker", /domain must be a lowercase DNS name/],
            ["equal host ports", { hostPorts: { http: 443, https: 443 } }, "docker", /hostPorts.http and hostPorts.https must differ/],
            ["a host port out of range", { hostPorts: { http: 80, https: 70000 } }, "docker", /hostPorts.https must be a port number/],
            ["a zero body limit", { clientMaxBodySizeMb: 0 }, "docker", /clientMaxBodySizeMb must be a positive integer/],
            ["an empty stub_status allow list", { statusAllow: [] }, "kubernetes", /statusAllow must name at least one/],
            ["an injected header value", { permissionsPolicy: 'x"; add_header' }, "docker", /permissionsPolicy must be/],
        ];
        for (const [label, extra, kind, message] of cases) {
            it(`refuses ${label}`, () => {
                const platform = new RecordingPlatform(kind);
                assert.throws(() => makeEdge(`edge-bad-${label.replace(/\W+/g, "-")}`, platform, extra), message);
                assert.equal(platform.services.length, 0, "no workload was created");
            });
        }
    });

    describe("image version and resolver", () => {
        it("accepts any nginx image, with run-time re-resolution on or off (a variable in proxy_pass needs no new nginx)", () => {
            makeEdge("edge-old", new RecordingPlatform("docker"), { workloadName: "edge-old", image: "nginxinc/nginx-unprivileged:1.22.1-alpine" });
            makeEdge("edge-off", new RecordingPlatform("docker"), { workloadName: "edge-off", image: "nginxinc/nginx-unprivileged:1.26.2-alpine", resolver: null });
            makeEdge("edge-new", new RecordingPlatform("docker"), { workloadName: "edge-new", image: "nginxinc/nginx-unprivileged:1.27.3-alpine" });
            makeEdge("edge-k8s-old", new RecordingPlatform("kubernetes"), { workloadName: "edge-k8s-old", image: "nginxinc/nginx-unprivileged:1.26.2-alpine" });
        });
    });

    describe("on the docker platform", () => {
        let inputs: Record<string, unknown>;

        before(async () => {
            const platform = new dockerMod.DockerPlatform("plat", { prefix: "ptc-edge" });
            makeEdge("edge-docker", platform, { workloadName: "edge" });
            await settle();
            const containers = recorded.filter((r) => r.type === "docker:index/container:Container" && r.name === "edge");
            assert.equal(containers.length, 1);
            inputs = containers[0].inputs;
        });

        it("publishes only 80 and 443 on the host", () => {
            assert.deepEqual(
                (inputs.ports as { internal: number; external: number }[]).map((p) => [p.internal, p.external]),
                [
                    [8080, 80],
                    [8443, 443],
                ],
            );
        });

        it("checks /healthz and runs as 101 with /tmp as tmpfs", () => {
            assert.match(JSON.stringify(inputs.healthcheck), /127\.0\.0\.1:8080\/healthz/);
            assert.equal(inputs.user, "101:101");
            assert.ok(Object.keys(inputs.tmpfs as Record<string, string>).includes("/tmp"));
        });

        it("uploads only the watcher: the config, the certificate and the key are live files", () => {
            const uploads = unwrapSecret(inputs.uploads) as { file: unknown; content: unknown }[];
            assert.deepEqual(uploads.map((u) => unwrapSecret(u.file)), [dockerMod.LIVE_FILES_SCRIPT_PATH]);
            assert.deepEqual(inputs.volumes, [{ volumeName: "ptc-edge-edge-live", containerPath: "/etc/nginx/live" }]);
            assert.deepEqual(inputs.entrypoints, ["sh", dockerMod.LIVE_FILES_SCRIPT_PATH, "watch", "--"]);
            assert.deepEqual(inputs.command, ["nginx", "-c", "/etc/nginx/live/nginx.conf", "-g", "daemon off;"]);
            assert.ok((unwrapSecret(inputs.envs) as string[]).includes("LIVE_RELOAD=nginx -s reload -c /etc/nginx/live/nginx.conf"));
        });

        it("hands them to a config-writer job that checks them with nginx -t, the key never in plain text", () => {
            const writers = recorded.filter((r) => r.type === "docker:index/container:Container" && r.name === "edge-live-files");
            assert.equal(writers.length, 1);
            const w = writers[0].inputs;
            assert.ok(!plaintextStrings(w).some((s) => s.includes("TU9DSy1LRVktTUFURVJJQUw=")), "the private key must only travel as a secret");
            const uploads = unwrapSecret(w.uploads) as { file: unknown; content: unknown }[];
            const byPath = Object.fromEntries(uploads.map((u) => [unwrapSecret(u.file) as string, unwrapSecret(u.content) as string]));
            assert.deepEqual(Object.keys(byPath).sort(), ["/etc/nginx/live/nginx.conf", "/etc/nginx/live/tls.crt", "/etc/nginx/live/tls.key", dockerMod.LIVE_FILES_SCRIPT_PATH]);
            assert.match(byPath["/etc/nginx/live/nginx.conf"], /server_name app\.example\.com;/);
            assert.equal(byPath["/etc/nginx/live/tls.key"], MOCK_KEY);
            const envs = unwrapSecret(w.envs) as string[];
            assert.ok(envs.includes("LIVE_CHECK=nginx -t -q -c /etc/nginx/live/nginx.conf"));
            assert.ok(envs.includes("LIVE_OWNER=101:101"));
            assert.ok(envs.some((e) => /^LIVE_GENERATION=[0-9a-f]{12}$/.test(e)));
            assert.equal(w.networkMode, "none");
            assert.equal(w.restart, "no");
            assert.deepEqual(w.volumes, [{ volumeName: "ptc-edge-edge-live", containerPath: dockerMod.LIVE_VOLUME_PATH }]);
        });
    });
});

describe("SelfSignedCertificate (mocks)", () => {
    let recorded: readonly Recorded[] = [];
    let edgeMod: EdgeModule;
    let cert: InstanceType<EdgeModule["SelfSignedCertificate"]>;
    const KEY_TYPE = "tls:index/privateKey:PrivateKey";
    const CERT_TYPE = "tls:index/selfSignedCert:SelfSignedCert";

    before(async () => {
        recorded = installMocks({ stack: "cert-test", outputs: tlsOutputs, call: (args) => args.inputs }).resources;
        edgeMod = await import("../../components/edge/index");
        cert = new edgeMod.SelfSignedCertificate("dev-tls", { domain: "localhost", validityDays: 30 });
        await settle();
    });

    const child = (type: string, name: string): Recorded => {
        const found = recorded.filter((r) => r.type === type && r.name === name);
        assert.equal(found.length, 1, `one ${type} ${name}`);
        return found[0];
    };

    it("returns the PKCS#8 key as a secret and the certificate in the clear", async () => {
        assert.equal(await isSecret(cert.privateKey), true);
        assert.equal(await valueOf(cert.privateKey), MOCK_KEY);
        assert.equal(await isSecret(cert.certificate), false);
        assert.equal(await valueOf(cert.certificate), MOCK_CERT);
    });

    it("makes an EC P-256 key and a server certificate for the domain only, valid for the given days", () => {
        assert.deepEqual(child(KEY_TYPE, "dev-tls-key").inputs, { algorithm: "ECDSA", ecdsaCurve: "P256" });
        const crt = child(CERT_TYPE, "dev-tls-cert").inputs;
        assert.deepEqual(crt.subject, { commonName: "localhost" });
        assert.deepEqual(crt.dnsNames, ["localhost"]);
        assert.equal(crt.validityPeriodHours, 30 * 24);
        assert.deepEqual(crt.allowedUses, ["digital_signature", "server_auth"]);
        assert.equal(crt.isCaCertificate, false);
    });

    it("signs with the key only as a secret input; no key material is in plaintext anywhere", () => {
        const crt = child(CERT_TYPE, "dev-tls-cert").inputs;
        assert.ok(isSecretInput(crt.privateKeyPem), "the key reaches the certificate only as a secret");
        assert.equal(unwrapSecret(crt.privateKeyPem), MOCK_KEY);
        assert.ok(!plaintextStrings(recorded.map((r) => r.inputs)).some((s) => s.includes("TU9DSy1LRVktTUFURVJJQUw=")));
    });

    it("wires into the edge with the key still secret", async () => {
        const platform = new RecordingPlatform("docker");
        new edgeMod.Edge("edge-dev", {
            platform,
            domain: "localhost",
            webAddress: "web:8080",
            apiAddress: "api:8000",
            tls: { certificate: cert.certificate, privateKey: cert.privateKey },
        });
        const key = platform.services[0].spec.files?.find((f) => f.path.endsWith("tls.key"));
        assert.ok(key?.secret);
        assert.equal(await isSecret(pulumi.output(key.content)), true);
        assert.equal(await valueOf(key.content), MOCK_KEY);
    });

    it("refuses a bad domain or validity before creating anything", () => {
        const count = (): number => recorded.filter((r) => r.type.startsWith("tls:")).length;
        const before = count();
        assert.throws(() => new edgeMod.SelfSignedCertificate("bad-a", { domain: "-bad-.example" }), /domain must be a lowercase DNS name/);
        assert.throws(() => new edgeMod.SelfSignedCertificate("bad-b", { domain: "localhost", validityDays: 0 }), /validityDays must be an integer from 1 to 825/);
        assert.equal(count(), before);
    });
});
