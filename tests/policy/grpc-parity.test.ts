/**
 * Parity with the real pack: starts policy/index.ts as the Pulumi CLI does (the PolicyPack serves
 * the analyzer over gRPC on 127.0.0.1 and prints its port), configures it with the prod pack config
 * and sends it the same requests; its answers must equal runner.ts's.
 */
import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import * as analyzerproto from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { policies } from "../../policy/policies";
import { PlanResource, resolvePackConfig, runPolicyPack, Violation } from "../../policy/runner";
import { awsBucketSet, DOCKER_SECRET_OPTS, dockerService, k8sDeployment, mutate, PROD_CONFIG, res, UNKNOWN, withInputs, Fixture } from "./helpers";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AnalyzerClient } = require("@pulumi/pulumi/proto/analyzer_grpc_pb") as { AnalyzerClient: new (addr: string, creds: grpc.ChannelCredentials) => grpc.Client };

type Call<Req, Resp> = (req: Req, cb: (err: grpc.ServiceError | null, resp: Resp) => void) => void;
function call<Req, Resp>(client: grpc.Client, method: string, req: Req): Promise<Resp> {
    return new Promise((resolve, reject) =>
        ((client as unknown as Record<string, Call<Req, Resp>>)[method]).call(client, req, (err, resp) => (err ? reject(err) : resolve(resp))),
    );
}

const LEVEL: Record<number, Violation["level"]> = { 0: "advisory", 1: "mandatory", 2: "disabled", 3: "remediate" };
function decode(resp: analyzerproto.AnalyzeResponse, urn: string | null): string[] {
    return resp.getDiagnosticsList().map((d) => {
        const prefix = `${d.getDescription()}\n`;
        const message = d.getMessage().startsWith(prefix) ? d.getMessage().slice(prefix.length) : d.getMessage();
        return `${LEVEL[d.getEnforcementlevel()]} ${d.getPolicyname()} ${d.getUrn() || urn} ${message}`;
    });
}

describe("policy pack over gRPC (policy/index.ts) vs runner.ts", function () {
    this.timeout(60000);
    let child: ChildProcess | undefined;
    let client: grpc.Client | undefined;

    before(async () => {
        const root = path.join(__dirname, "..", "..");
        child = spawn(process.execPath, ["--require", "tsx/cjs", path.join(root, "policy", "index.ts")], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
        let stderr = "";
        child.stderr!.on("data", (b) => (stderr += String(b)));
        const port = await new Promise<number>((resolve, reject) => {
            let out = "";
            child!.stdout!.on("data", (b) => {
                out += String(b);
                const m = /^(\d+)\s*$/m.exec(out);
                if (m) resolve(Number(m[1]));
            });
            child!.on("exit", (code) => reject(new Error(`policy pack exited with ${code}: ${stderr}`)));
        });
        client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        const configure = new analyzerproto.ConfigureAnalyzerRequest();
        const map = configure.getPolicyconfigMap();
        const levels: Record<string, analyzerproto.EnforcementLevel> = {
            advisory: analyzerproto.EnforcementLevel.ADVISORY,
            mandatory: analyzerproto.EnforcementLevel.MANDATORY,
            disabled: analyzerproto.EnforcementLevel.DISABLED,
            remediate: analyzerproto.EnforcementLevel.REMEDIATE,
        };
        for (const [name, c] of resolvePackConfig(PROD_CONFIG)) {
            const pc = new analyzerproto.PolicyConfig();
            pc.setEnforcementlevel(levels[c.enforcementLevel]);
            pc.setProperties(Struct.fromJavaScript(c.properties as Parameters<typeof Struct.fromJavaScript>[0]));
            map.set(name, pc);
        }
        await call(client, "configure", configure);
    });

    after(() => {
        client?.close();
        if (child && child.exitCode === null) child.kill("SIGTERM");
    });

    it("serves every policy of policies.ts with its type and the advisory default", async () => {
        const info = await call<Empty, analyzerproto.AnalyzerInfo>(client!, "getAnalyzerInfo", new Empty());
        assert.strictEqual(info.getName(), "proteamcare-policy");
        assert.deepStrictEqual(info.getPoliciesList().map((p) => p.getName()), policies.map((p) => p.name));
        for (const p of info.getPoliciesList()) assert.strictEqual(p.getEnforcementlevel(), analyzerproto.EnforcementLevel.ADVISORY, p.getName());
    });

    it("answers Analyze and AnalyzeStack exactly as the runner does", async () => {
        const resources: PlanResource[] = [
            res("docker:index/container:Container", "api", mutate(dockerService(), (c: Fixture) => { c.image = "api:latest"; delete c.user; }), DOCKER_SECRET_OPTS),
            res("docker:index/container:Container", "web", mutate(dockerService(), (c: Fixture) => (c.image = UNKNOWN))),
            res("kubernetes:apps/v1:Deployment", "k", mutate(k8sDeployment(), (d: Fixture) => delete d.spec.template.spec.containers[0].livenessProbe)),
            ...withInputs(awsBucketSet(), "backups-pab", (i: Fixture) => (i.ignorePublicAcls = false)),
        ];
        const viaRunner = (await runPolicyPack(resources, { project: "ptc", stack: "prod", configFile: PROD_CONFIG })).map((v) => `${v.level} ${v.policy} ${v.urn} ${v.message}`);

        const viaGrpc: string[] = [];
        const options = (r: PlanResource) => {
            const o = new analyzerproto.AnalyzerResourceOptions();
            o.setAdditionalsecretoutputsList([...(r.additionalSecretOutputs ?? [])]);
            if (r.parent) o.setParent(r.parent);
            return o;
        };
        for (const r of resources) {
            const req = new analyzerproto.AnalyzeRequest();
            req.setType(r.type);
            req.setUrn(r.urn);
            req.setName(r.name);
            req.setProperties(Struct.fromJavaScript(r.inputs as Parameters<typeof Struct.fromJavaScript>[0]));
            req.setOptions(options(r));
            viaGrpc.push(...decode(await call(client!, "analyze", req), r.urn));
        }
        const stack = new analyzerproto.AnalyzeStackRequest();
        stack.setResourcesList(
            resources.map((r) => {
                const a = new analyzerproto.AnalyzerResource();
                a.setType(r.type);
                a.setUrn(r.urn);
                a.setName(r.name);
                a.setProperties(Struct.fromJavaScript(r.inputs as Parameters<typeof Struct.fromJavaScript>[0]));
                a.setOptions(options(r));
                if (r.parent) a.setParent(r.parent);
                return a;
            }),
        );
        viaGrpc.push(...decode(await call(client!, "analyzeStack", stack), null));

        assert.ok(viaRunner.some((v) => v.startsWith("mandatory immutable-image")), "the fixture must produce violations");
        assert.ok(viaRunner.some((v) => v.startsWith("advisory immutable-image") && v.includes("can't run policy")), "and an unknown");
        assert.ok(viaRunner.some((v) => v.startsWith("mandatory backup-bucket-public-access-block")), "and a stack violation");
        assert.deepStrictEqual(viaRunner, viaGrpc);
    });
});
