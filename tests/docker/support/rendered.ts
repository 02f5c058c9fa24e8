/**
 * What the program renders for the docker platform, read from the offline plan
 * (`tools/plan/cli.ts <stack> --json FILE --out DIR`): the docker networks from the plan's JSON,
 * one container definition per file under `DIR/docker/`, and the uploaded files under
 * `DIR/files/`. The live tests run these definitions, so they test what `pulumi up` would create.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ContainerOptions, HealthcheckSettings, run, timed } from "./engine";

/** The repository root. */
export const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");

/** A docker network as the docker platform renders it. */
export interface RenderedNetwork {
    /** Docker network name, e.g. "ptc-dev-data". */
    readonly name: string;
    /** No route outside the host. */
    readonly internal: boolean;
    /** Driver ("bridge"). */
    readonly driver?: string;
}

/** The fields of a rendered docker container definition the live tests use. */
export interface ContainerDefinition {
    /** Container name, e.g. "ptc-dev-postgres". */
    readonly name: string;
    /** Image reference (a registry image; tests substitute a local build). */
    readonly image: string;
    /** Entrypoint, when the definition overrides the image's. */
    readonly entrypoints?: readonly string[];
    /** Command, when the definition overrides the image's. */
    readonly command?: readonly string[];
    /** Environment as KEY=value (absent from the file when any value is secret). */
    readonly envs?: readonly string[];
    /** "none" for a container without networks (the edge's config writer). */
    readonly networkMode?: string;
    /** "uid:gid". */
    readonly user?: string;
    /** Read-only root filesystem. */
    readonly readOnly?: boolean;
    /** tmpfs mounts. */
    readonly tmpfs?: Readonly<Record<string, string>>;
    /** docker-init. */
    readonly init?: boolean;
    /** Capabilities. */
    readonly capabilities?: { readonly drops?: readonly string[]; readonly adds?: readonly string[] };
    /** Security options. */
    readonly securityOpts?: readonly string[];
    /** The rendered health check. */
    readonly healthcheck?: HealthcheckSettings & { readonly startInterval?: string };
    /** Networks and aliases. */
    readonly networksAdvanced?: readonly { readonly name: string; readonly aliases?: readonly string[] }[];
    /** Published ports. */
    readonly ports?: readonly { readonly internal: number; readonly external?: number; readonly protocol?: string }[];
    /** Named volumes. */
    readonly volumes?: readonly { readonly containerPath: string; readonly volumeName?: string }[];
    /** Seconds docker stop waits. */
    readonly stopTimeout?: number;
}

/** The rendered docker platform of one stack. */
export interface RenderedStack {
    /** Networks, by docker name. */
    readonly networks: readonly RenderedNetwork[];
    /** Container definitions, by container name. */
    readonly containers: ReadonlyMap<string, ContainerDefinition>;
    /** Reads an uploaded file of a workload (e.g. "edge", "/etc/nginx/nginx.conf"). */
    file(workload: string, containerPath: string): string;
}

const cache = new Map<string, Promise<RenderedStack>>();

/** Runs the offline plan of a stack once per process and reads what it rendered. */
export function renderedStack(stack: string): Promise<RenderedStack> {
    let p = cache.get(stack);
    if (!p) {
        p = timed(`plan ${stack} (tools/plan/cli.ts --json --out)`, () => plan(stack));
        cache.set(stack, p);
    }
    return p;
}

async function plan(stack: string): Promise<RenderedStack> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ptc-test-plan-${stack}-`));
    const json = path.join(dir, "plan.json");
    const out = path.join(dir, "out");
    try {
        await run(process.execPath, ["--import", "tsx", path.join(REPO_ROOT, "tools", "plan", "cli.ts"), stack, "--json", json, "--out", out], {
            timeoutMs: 300_000,
        });
        const planJson = JSON.parse(fs.readFileSync(json, "utf8")) as { resources: { type: string; inputs: Record<string, unknown> }[] };
        const networks = planJson.resources
            .filter((r) => r.type === "docker:index/network:Network")
            .map((r) => ({ name: String(r.inputs.name), internal: r.inputs.internal === true, driver: r.inputs.driver as string | undefined }));
        const containers = new Map<string, ContainerDefinition>();
        const dockerDir = path.join(out, "docker");
        for (const f of fs.readdirSync(dockerDir).sort()) {
            if (!f.endsWith(".json")) continue;
            const def = JSON.parse(fs.readFileSync(path.join(dockerDir, f), "utf8")) as ContainerDefinition;
            containers.set(def.name, def);
        }
        const files = new Map<string, string>();
        const filesDir = path.join(out, "files");
        const walk = (rel: string): void => {
            for (const e of fs.readdirSync(path.join(filesDir, rel), { withFileTypes: true })) {
                const p = path.join(rel, e.name);
                if (e.isDirectory()) walk(p);
                else files.set(p, fs.readFileSync(path.join(filesDir, p), "utf8"));
            }
        };
        if (fs.existsSync(filesDir)) walk("");
        return {
            networks,
            containers,
            file(workload: string, containerPath: string): string {
                const key = path.join(workload, containerPath);
                const content = files.get(key);
                if (content === undefined) throw new Error(`the ${stack} plan rendered no file ${containerPath} for ${workload}`);
                return content;
            },
        };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** The container definition whose network alias (the workload's host name) is `workload`. */
export function definitionOf(stack: RenderedStack, workload: string): ContainerDefinition {
    const found = [...stack.containers.values()].filter((d) => (d.networksAdvanced ?? []).some((n) => (n.aliases ?? []).includes(workload)));
    if (found.length !== 1) throw new Error(`expected one rendered container with alias "${workload}", found ${found.map((d) => d.name).join(", ") || "none"}`);
    return found[0];
}

/**
 * The hardening of a rendered definition as container options: user, read-only root, tmpfs,
 * init, capabilities, security options, stop timeout, and each named volume as an anonymous
 * one (removed with the container). Image, command, env, networks, ports and health check are
 * the caller's, since the test substitutes local images, test networks and short intervals.
 */
export function hardeningOf(def: ContainerDefinition): Omit<ContainerOptions, "role" | "image"> {
    return {
        user: def.user,
        readOnly: def.readOnly ?? false,
        tmpfs: def.tmpfs ?? {},
        init: def.init ?? false,
        capDrop: def.capabilities?.drops ?? [],
        capAdd: def.capabilities?.adds ?? [],
        securityOpts: def.securityOpts ?? [],
        volumes: (def.volumes ?? []).map((v) => v.containerPath),
        stopTimeout: def.stopTimeout,
    };
}
