/**
 * The seam's guards (eslint.config.mjs): outside components/platform no file imports a provider
 * SDK (or any subpath of one) or reads which platform it runs on. The lint half runs ESLint on
 * snippets as if they were files at the given paths; the type half compiles a snippet to show that
 * a read the selectors cannot see (through an alias) does not compile either.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { ESLint } from "eslint";
import * as ts from "typescript";

const repoRoot = path.resolve(__dirname, "..", "..");

/** Snippets that must be refused outside the platform layer, each with the rule that refuses it. */
const FORBIDDEN: [string, string, string][] = [
    ["the Kubernetes SDK", `import * as k8s from "@pulumi/kubernetes";\nexport const x = k8s;\n`, "@typescript-eslint/no-restricted-imports"],
    ["a Kubernetes SDK subpath", `import { input } from "@pulumi/kubernetes/types";\nexport type X = input.core.v1.Pod;\n`, "@typescript-eslint/no-restricted-imports"],
    ["the docker SDK", `import * as docker from "@pulumi/docker";\nexport const x = docker;\n`, "@typescript-eslint/no-restricted-imports"],
    ["a docker SDK subpath", `import { Container } from "@pulumi/docker/container";\nexport const x = Container;\n`, "@typescript-eslint/no-restricted-imports"],
    ["a type-only import", `import type { Provider } from "@pulumi/kubernetes";\nexport type X = Provider;\n`, "@typescript-eslint/no-restricted-imports"],
    ["a dynamic import", `export const m = import("@pulumi/docker");\n`, "no-restricted-syntax"],
    ["an import type", `export type P = import("@pulumi/kubernetes/provider").Provider;\n`, "no-restricted-syntax"],
    ["args.platform.kind", `declare const args: { platform: { kind: string } };\nexport const d = args.platform.kind === "docker";\n`, "no-restricted-syntax"],
    ["args.platform?.kind", `declare const args: { platform?: { kind: string } };\nexport const d = args.platform?.kind === "kubernetes";\n`, "no-restricted-syntax"],
    ["platform.kind", `declare const platform: { kind: string };\nexport const d = platform.kind === "docker";\n`, "no-restricted-syntax"],
    ['platform["kind"]', `declare const platform: { kind: string };\nexport const d = platform["kind"];\n`, "no-restricted-syntax"],
    ["this.platform.kind", `export class C {\n    constructor(private readonly platform: { kind: string }) {}\n    k(): string {\n        return this.platform.kind;\n    }\n}\n`, "no-restricted-syntax"],
    ["destructuring kind", `declare const platform: { kind: string };\nconst { kind } = platform;\nexport const d = kind;\n`, "no-restricted-syntax"],
];

/** Snippets that stay allowed everywhere: another `kind`, another package, the seam itself. */
const ALLOWED: [string, string][] = [
    ["a health check's kind", `declare const hc: { kind: "http" | "exec" };\nexport const d = hc.kind === "http";\n`],
    ["a platform capability", `import type { Platform } from "../platform/spec";\ndeclare const platform: Platform;\nexport const r = platform.capabilities.runtimeDnsResolver;\n`],
    ["a package whose name only starts like a provider's", `import * as b from "@pulumi/dockerbuild";\nexport const x = b;\n`],
    ["the pulumi SDK", `import * as pulumi from "@pulumi/pulumi";\nexport const x = pulumi.output(1);\n`],
];

describe("lint rules that guard the platform seam", function () {
    this.timeout(120_000);
    let eslint: ESLint;

    before(() => {
        eslint = new ESLint({ cwd: repoRoot });
    });

    async function ruleIds(code: string, filePath: string): Promise<string[]> {
        const [result] = await eslint.lintText(code, { filePath });
        const fatal = result.messages.filter((m) => m.fatal);
        assert.deepEqual(fatal, [], `${filePath}: the snippet must parse`);
        return result.messages.map((m) => String(m.ruleId));
    }

    for (const filePath of ["components/edge/x.ts", "components/monitoring/x.ts", "index.ts", "stacks/x.ts", "tools/plan/x.ts", "tests/components/x.test.ts"]) {
        describe(`in ${filePath}`, () => {
            for (const [label, code, rule] of FORBIDDEN) {
                it(`refuses ${label}`, async () => {
                    assert.ok((await ruleIds(code, filePath)).includes(rule), `${label} must be reported by ${rule}`);
                });
            }
            for (const [label, code] of ALLOWED) {
                it(`allows ${label}`, async () => {
                    const ids = await ruleIds(code, filePath);
                    assert.ok(!ids.some((id) => /no-restricted/.test(id)), `${label}: ${ids.join(", ")}`);
                });
            }
        });
    }

    for (const filePath of ["components/platform/x.ts", "components/platform/kubernetes/x.ts", "tests/components/kubernetes-platform.test.ts", "tests/fixtures/plan-basic/index.ts"]) {
        it(`allows the SDKs and the kind in ${filePath} (the platform layer and its own tests)`, async () => {
            for (const [label, code] of FORBIDDEN) {
                const ids = await ruleIds(code, filePath);
                assert.ok(!ids.some((id) => /no-restricted/.test(id)), `${label}: ${ids.join(", ")}`);
            }
        });
    }

    it("a read of a Platform's kind through an alias does not compile: the interface has none", () => {
        const probe = path.join(repoRoot, "components", "edge", "__kind-probe.ts");
        const source = [
            `import type { Platform } from "../platform/spec";`,
            `declare const args: { platform: Platform };`,
            `const p = args.platform;`,
            `export const kind = p.kind;`,
            ``,
        ].join("\n");
        const config = ts.readConfigFile(path.join(repoRoot, "tsconfig.json"), (f) => ts.sys.readFile(f));
        const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, repoRoot);
        const host = ts.createCompilerHost({ ...options, noEmit: true });
        const getSourceFile = host.getSourceFile.bind(host);
        const fileExists = host.fileExists.bind(host);
        host.fileExists = (f) => path.resolve(f) === probe || fileExists(f);
        host.getSourceFile = (f, lang, onError, create) =>
            path.resolve(f) === probe ? ts.createSourceFile(f, source, lang) : getSourceFile(f, lang, onError, create);
        const program = ts.createProgram([probe], { ...options, noEmit: true }, host);
        const messages = ts.getPreEmitDiagnostics(program, program.getSourceFile(probe)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
        assert.deepEqual(messages, ["Property 'kind' does not exist on type 'Platform'."]);
    });

    it("no Platform implementation declares a kind a component could read", () => {
        const dir = path.join(repoRoot, "components", "platform");
        const files = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith(".ts")).map((f) => path.join(dir, f));
        const implementations: string[] = [];
        for (const file of files) {
            const sf = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
            sf.forEachChild((node) => {
                if (!ts.isClassDeclaration(node)) return;
                const implementsPlatform = (node.heritageClauses ?? []).some((h) => h.types.some((t) => t.expression.getText(sf) === "Platform"));
                if (!implementsPlatform) return;
                implementations.push(node.name?.text ?? "(anonymous)");
                const kind = node.members.find((m) => m.name !== undefined && ts.isIdentifier(m.name) && m.name.text === "kind");
                assert.equal(kind, undefined, `${node.name?.text} in ${path.relative(repoRoot, file)} declares kind`);
            });
        }
        assert.deepEqual(implementations.sort(), ["DockerPlatform", "KubernetesPlatform"]);
    });
});
