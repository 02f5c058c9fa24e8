/**
 * Ordering the engine sees in the real program (index.ts): the database migration is a job that
 * runs once per trigger, so it must be registered with a dependency on the stores' running
 * workloads; otherwise a first `pulumi up` runs it while PostgreSQL is still being created, it
 * fails, and it is never retried. The store endpoints are plain host names that carry no
 * dependency, so only an explicit dependsOn orders them.
 */
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";

const ROOT = path.resolve(__dirname, "..", "..");
const TSX_LOADER = pathToFileURL(path.join(path.dirname(require.resolve("tsx/package.json")), "dist", "loader.mjs")).href;

interface Registered {
    urn: string;
    type: string;
    name: string;
    dependencies: string[];
}

/** Plans a stack in a child process (the runtime is process-global) and returns every registration with its dependencies. */
async function registrations(stack: string): Promise<Registered[]> {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ptc-deps-"));
    try {
        const out = path.join(tmp, "deps.json");
        const script = path.join(tmp, "deps.ts");
        fs.writeFileSync(
            script,
            [
                `import * as fs from "node:fs";`,
                `import { runPlan } from ${JSON.stringify(path.join(ROOT, "tools", "plan", "plan.ts"))};`,
                `runPlan({ stack: ${JSON.stringify(stack)}, projectDir: ${JSON.stringify(ROOT)} }).then((r) => {`,
                `    const rows = r.resources.map((x) => ({ urn: x.urn, type: x.type, name: x.name, dependencies: (x as { dependencies?: string[] }).dependencies ?? [] }));`,
                `    fs.writeFileSync(${JSON.stringify(out)}, JSON.stringify(rows));`,
                `    process.exit(0);`,
                `}, (e) => { console.error(e); process.exit(2); });`,
            ].join("\n"),
        );
        const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve, reject) => {
            const child = spawn(process.execPath, ["--import", TSX_LOADER, script], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
            let err = "";
            child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
            child.on("error", reject);
            child.on("close", (c) => resolve({ code: c ?? 1, stderr: err }));
        });
        assert.equal(code, 0, `the ${stack} plan failed:\n${stderr}`);
        return JSON.parse(fs.readFileSync(out, "utf8")) as Registered[];
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

const CASES = [
    { stack: "dev", migrate: ["docker:index/container:Container", "api-migrate"], stores: ["docker:index/container:Container", ["postgres", "redis"]] },
    { stack: "prod", migrate: ["kubernetes:batch/v1:Job", "api-migrate-job"], stores: ["kubernetes:apps/v1:StatefulSet", ["postgres-sts", "redis-sts"]] },
] as const;

for (const c of CASES) {
    describe(`plan: resource ordering of the ${c.stack} stack`, function () {
        this.timeout(300_000);
        let regs: Registered[];
        before(async () => {
            regs = await registrations(c.stack);
        });

        it("registers the migration job after the postgres and redis workloads are up", () => {
            const migrate = regs.find((r) => r.type === c.migrate[0] && r.name === c.migrate[1]);
            assert.ok(migrate, `no ${c.migrate[0]} named ${c.migrate[1]}`);
            for (const store of c.stores[1]) {
                const workload = regs.find((r) => r.type === c.stores[0] && r.name === store);
                assert.ok(workload, `no ${c.stores[0]} named ${store}`);
                assert.ok(migrate.dependencies.includes(workload.urn), `${c.migrate[1]} does not depend on ${workload.urn}; it has ${JSON.stringify(migrate.dependencies)}`);
            }
        });

        it("registers the API after its migration job", () => {
            const migrate = regs.find((r) => r.type === c.migrate[0] && r.name === c.migrate[1]);
            const api = regs.find((r) => ["api", "api-deploy"].includes(r.name) && /Container|Deployment/.test(r.type));
            assert.ok(migrate && api);
            assert.ok(api.dependencies.includes(migrate.urn), `api does not depend on ${migrate.urn}`);
        });
    });
}
