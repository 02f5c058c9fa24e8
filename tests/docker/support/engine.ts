/**
 * The real Docker engine for the live tests: finding it, the local Debian base image, cached
 * image builds, and a {@link DockerSession} that creates containers and networks under a unique
 * `ptc-test-<random>` prefix and removes all of them afterwards, even when a test fails.
 *
 * No registry is reachable, so every image is built `FROM` a local base made by debootstrap.
 * Containers are created through the Engine API (the docker provider does the same), because the
 * CLI's `--health-cmd` can only express a shell-form check and the program renders exec-form
 * (`CMD`) checks too. Tests only ever contact loopback and their own docker networks.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";

/**
 * True under CI (env CI set to anything but "", "0" or "false"): there an unreachable engine or a
 * missing tool fails the suite, never skips it.
 */
export const IN_CI = !["", "0", "false"].includes((process.env.CI ?? "").trim().toLowerCase());

/** The local Debian base every test image builds FROM (override with PTC_TEST_BASE_IMAGE). */
export const BASE_IMAGE = process.env.PTC_TEST_BASE_IMAGE ?? "ptc-test/debian-base:bookworm";

/** Label put on everything a session creates, valued with the session's prefix. */
export const SESSION_LABEL = "io.proteamcare.test.session";

// ---------------------------------------------------------------------------------------------
// Timings

interface Timing {
    readonly label: string;
    readonly ms: number;
}
const timings: Timing[] = [];

/** Records how long something took, for the summary {@link printTimings} prints. */
export function recordTiming(label: string, ms: number): void {
    timings.push({ label, ms });
}

/** Runs `fn` and records its duration under `label`. */
export async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
    const start = Date.now();
    try {
        return await fn();
    } finally {
        recordTiming(label, Date.now() - start);
    }
}

/** The recorded timings, in order. */
export function recordedTimings(): readonly Timing[] {
    return timings;
}

/** Prints every recorded timing, in order, as a small table. */
export function printTimings(): void {
    if (timings.length === 0) return;
    const width = Math.max(...timings.map((t) => t.label.length));
    console.log("\n  timings (docker tests)");
    for (const t of timings) console.log(`    ${t.label.padEnd(width)}  ${(t.ms / 1000).toFixed(1).padStart(6)} s`);
}

// ---------------------------------------------------------------------------------------------
// Commands

/** A docker (or other) command that exited non-zero; the message carries its stderr. */
export class CommandError extends Error {
    /**
     * @param command The command line, for the message.
     * @param status Exit status (null when killed).
     * @param stdout What it printed.
     * @param stderr What it printed on stderr.
     */
    constructor(
        readonly command: string,
        readonly status: number | null,
        readonly stdout: string,
        readonly stderr: string,
    ) {
        super(`\`${command}\` exited ${status ?? "by a signal"}: ${(stderr.trim() || stdout.trim()).slice(-2000)}`);
    }
}

/** Output of a finished command. */
export interface CommandResult {
    /** Exit status (null when killed by the timeout). */
    readonly status: number | null;
    /** Standard output. */
    readonly stdout: string;
    /** Standard error. */
    readonly stderr: string;
}

/** Runs a command to completion; never throws for a non-zero status (see {@link run}). */
export function runCommand(
    file: string,
    args: readonly string[],
    opts: { input?: string | Buffer; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(file, [...args], { stdio: ["pipe", "pipe", "pipe"], env: opts.env ?? process.env });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on("data", (d: Buffer) => out.push(d));
        child.stderr.on("data", (d: Buffer) => err.push(d));
        const timer = opts.timeoutMs ? setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs) : undefined;
        child.on("error", (e) => {
            if (timer) clearTimeout(timer);
            reject(e);
        });
        child.on("close", (status) => {
            if (timer) clearTimeout(timer);
            resolve({ status, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
        });
        child.stdin.on("error", () => undefined);
        child.stdin.end(opts.input);
    });
}

/** Runs a command and returns its stdout; throws {@link CommandError} on a non-zero status. */
export async function run(file: string, args: readonly string[], opts: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<string> {
    const r = await runCommand(file, args, opts);
    if (r.status !== 0) throw new CommandError([file, ...args].join(" "), r.status, r.stdout, r.stderr);
    return r.stdout;
}

/** `docker <args>`; returns stdout, throws {@link CommandError} on failure. */
export function docker(args: readonly string[], opts: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<string> {
    return run("docker", args, opts);
}

// ---------------------------------------------------------------------------------------------
// The engine

/** Whether an engine answers, and why not. */
export type EngineStatus = { readonly available: true; readonly serverVersion: string } | { readonly available: false; readonly reason: string };

let engineStatus: Promise<EngineStatus> | undefined;

/** Asks `docker info` (once per process) whether a daemon answers. */
export function findEngine(): Promise<EngineStatus> {
    engineStatus ??= (async (): Promise<EngineStatus> => {
        let r: CommandResult;
        try {
            r = await runCommand("docker", ["info", "--format", "{{.ServerVersion}}"], { timeoutMs: 20_000 });
        } catch (e) {
            return { available: false, reason: `the docker CLI is not installed (${(e as Error).message}); install docker.io` };
        }
        const version = r.stdout.trim();
        if (r.status !== 0 || version === "" || version === "<no value>") {
            return {
                available: false,
                reason: `no Docker daemon answers \`docker info\` (${(r.stderr.trim() || `exit ${r.status}`).split("\n")[0]}); start dockerd`,
            };
        }
        return { available: true, serverVersion: version };
    })();
    return engineStatus;
}

/**
 * For a `before` hook: resolves when the engine answers. Without one, the suite is skipped with
 * the reason outside CI and fails under CI (a skip there would hide that nothing ran).
 */
export async function requireEngine(ctx: Mocha.Context): Promise<void> {
    const status = await findEngine();
    if (status.available) return;
    if (IN_CI) throw new Error(`CI: the live docker tests cannot run: ${status.reason}`);
    console.log(`      skipped: ${status.reason}`);
    ctx.skip();
}

/** Engine API socket, from DOCKER_HOST (unix:// only) or the default. */
function engineSocket(): string {
    const host = process.env.DOCKER_HOST;
    if (!host) return "/var/run/docker.sock";
    if (host.startsWith("unix://")) return host.slice("unix://".length);
    throw new Error(`DOCKER_HOST=${host}: the docker tests talk to the Engine API over a unix socket only`);
}

/** One Engine API call (API 1.41, what Debian's docker.io 20.10 speaks); resolves with the parsed JSON body. */
export function engineApi(method: string, apiPath: string, body?: unknown): Promise<unknown> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
        const req = http.request(
            {
                socketPath: engineSocket(),
                path: `/v1.41${apiPath}`,
                method,
                headers: payload ? { "content-type": "application/json", "content-length": payload.length } : {},
            },
            (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () => {
                    const text = Buffer.concat(chunks).toString();
                    if ((res.statusCode ?? 500) >= 300) {
                        reject(new Error(`Engine API ${method} ${apiPath}: ${res.statusCode} ${text.trim()}`));
                        return;
                    }
                    resolve(text ? (JSON.parse(text) as unknown) : undefined);
                });
            },
        );
        req.on("error", reject);
        req.end(payload);
    });
}

// ---------------------------------------------------------------------------------------------
// Images

/** True when the image exists locally. */
export async function imageExists(ref: string): Promise<boolean> {
    return (await runCommand("docker", ["image", "inspect", "--format", "{{.Id}}", ref])).status === 0;
}

/** The local image ID of a reference. */
export async function imageId(ref: string): Promise<string> {
    return (await docker(["image", "inspect", "--format", "{{.Id}}", ref])).trim();
}

/**
 * Makes {@link BASE_IMAGE} when it is missing: `debootstrap --variant=minbase bookworm` into a
 * temp dir, then `tar | docker import`. Needs root and debootstrap (Debian package
 * `debootstrap`) and reaches deb.debian.org; the error says which is missing.
 */
export async function ensureBaseImage(): Promise<void> {
    if (await imageExists(BASE_IMAGE)) return;
    const missing: string[] = [];
    if (process.getuid?.() !== 0) missing.push("root (debootstrap chroots and creates device nodes)");
    if (!["/usr/sbin/debootstrap", "/usr/bin/debootstrap"].some((p) => fs.existsSync(p))) missing.push("debootstrap (apt-get install debootstrap)");
    if (missing.length > 0) {
        throw new Error(`the base image ${BASE_IMAGE} is missing, and building it needs ${missing.join(" and ")}`);
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ptc-test-rootfs-"));
    try {
        await timed(`base image ${BASE_IMAGE} (debootstrap + import)`, async () => {
            await run("debootstrap", ["--variant=minbase", "bookworm", dir, "http://deb.debian.org/debian"], { timeoutMs: 900_000 });
            await run("bash", ["-o", "pipefail", "-c", 'tar -C "$1" -c . | docker import - "$2"', "bash", dir, BASE_IMAGE], { timeoutMs: 300_000 });
        });
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** Files of a build context, sorted, as relative paths. */
function contextFiles(dir: string, rel = ""): string[] {
    const out: string[] = [];
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        const p = path.join(rel, entry.name);
        if (entry.isDirectory()) out.push(...contextFiles(dir, p));
        else if (entry.isFile()) out.push(p);
    }
    return out;
}

/** A build context: a directory holding a Dockerfile, or the Dockerfile's text alone. */
export type BuildSource = { readonly dir: string } | { readonly dockerfile: string };

/**
 * Builds an image FROM {@link BASE_IMAGE} (passed as build arg BASE) and returns its tag,
 * `ptc-test/<name>:<hash>`. The hash covers every file of the context (path, exec bit,
 * content), the build args and the base image's ID, so an unchanged image is not rebuilt and a
 * changed one never reuses a stale tag.
 */
export async function buildImage(name: string, source: BuildSource, buildArgs: Readonly<Record<string, string>> = {}): Promise<string> {
    await ensureBaseImage();
    let dir: string;
    let temp: string | undefined;
    if ("dir" in source) {
        dir = source.dir;
    } else {
        temp = fs.mkdtempSync(path.join(os.tmpdir(), "ptc-test-build-"));
        fs.writeFileSync(path.join(temp, "Dockerfile"), source.dockerfile);
        dir = temp;
    }
    try {
        const args = { BASE: BASE_IMAGE, ...buildArgs };
        const hash = createHash("sha256");
        hash.update(`base ${await imageId(BASE_IMAGE)}\n`);
        for (const k of Object.keys(args).sort()) hash.update(`arg ${k}=${args[k as keyof typeof args]}\n`);
        for (const f of contextFiles(dir)) {
            const full = path.join(dir, f);
            hash.update(`file ${f} ${fs.statSync(full).mode & 0o111 ? "x" : "-"} ${fs.statSync(full).size}\n`);
            hash.update(fs.readFileSync(full));
        }
        const tag = `ptc-test/${name}:${hash.digest("hex").slice(0, 16)}`;
        if (await imageExists(tag)) {
            recordTiming(`image ${name} (cached)`, 0);
            return tag;
        }
        await timed(`image ${name} (docker build)`, async () => {
            const flags = Object.entries(args).flatMap(([k, v]) => ["--build-arg", `${k}=${v}`]);
            await docker(["build", "-q", ...flags, "-t", tag, dir], { timeoutMs: 900_000 });
        });
        return tag;
    } finally {
        if (temp) fs.rmSync(temp, { recursive: true, force: true });
    }
}

// ---------------------------------------------------------------------------------------------
// Containers and networks

/** Docker's health-check settings, as the Engine API takes them (durations as strings like "10s"). */
export interface HealthcheckSettings {
    /** ["CMD", ...] or ["CMD-SHELL", "..."]. */
    readonly tests: readonly string[];
    /** Between checks. */
    readonly interval: string;
    /** For one check. */
    readonly timeout: string;
    /** Consecutive failures before unhealthy. */
    readonly retries: number;
    /** Grace during which failures do not count. */
    readonly startPeriod: string;
}

/** What a session container is created with. */
export interface ContainerOptions {
    /** Role in the test, part of the container's name. */
    readonly role: string;
    /** Image reference. */
    readonly image: string;
    /** Command (the image's CMD when absent). */
    readonly command?: readonly string[];
    /** Environment, as KEY=value. */
    readonly env?: Readonly<Record<string, string>>;
    /** "uid:gid". */
    readonly user?: string;
    /** Read-only root filesystem. */
    readonly readOnly?: boolean;
    /** tmpfs mounts: path → options. */
    readonly tmpfs?: Readonly<Record<string, string>>;
    /** Anonymous volumes (container paths); removed with the container. */
    readonly volumes?: readonly string[];
    /** docker-init as PID 1. */
    readonly init?: boolean;
    /** Capabilities dropped. */
    readonly capDrop?: readonly string[];
    /** Capabilities added. */
    readonly capAdd?: readonly string[];
    /** Security options, e.g. "no-new-privileges:true". */
    readonly securityOpts?: readonly string[];
    /** Health check. */
    readonly healthcheck?: HealthcheckSettings;
    /** Networks (full names) with the aliases the container has on each. */
    readonly networks?: readonly { readonly name: string; readonly aliases?: readonly string[] }[];
    /** /etc/hosts entries "name:ip". */
    readonly extraHosts?: readonly string[];
    /** Container ports published on 127.0.0.1 (on a free host port; read it back with {@link DockerSession.hostPort}). */
    readonly publishLoopback?: readonly number[];
    /** Container ports published on given 127.0.0.1 ports (container port → host port), as a replacement takes over its predecessor's. */
    readonly publishFixed?: Readonly<Record<number, number>>;
    /** Named volumes (made with {@link DockerSession.createVolume}) mounted at container paths. */
    readonly mounts?: readonly { readonly volume: string; readonly target: string }[];
    /** Files put into the container before it starts (as the docker provider's uploads). */
    readonly files?: readonly { readonly path: string; readonly content: string; readonly mode?: number }[];
    /** Seconds `docker stop` waits before SIGKILL. */
    readonly stopTimeout?: number;
}

/** Go duration ("10s", "1m30s", "500ms") into nanoseconds, as the Engine API takes it. */
export function durationNs(d: string): number {
    let total = 0;
    const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
    let matched = "";
    for (const m of d.matchAll(re)) {
        total += Number(m[1]) * { ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 }[m[2] as "ms" | "s" | "m" | "h"];
        matched += m[0];
    }
    if (matched !== d || d === "") throw new Error(`"${d}" is not a duration such as 10s or 1m30s`);
    return Math.round(total);
}

/** Writes files into a tar stream (ustar, root-owned) for `docker cp -`. */
function tarOf(files: readonly { path: string; content: string; mode?: number }[]): Buffer {
    const blocks: Buffer[] = [];
    const octal = (n: number, len: number): string => n.toString(8).padStart(len - 1, "0") + "\0";
    for (const f of files) {
        const name = f.path.replace(/^\/+/, "");
        if (Buffer.byteLength(name) > 100) throw new Error(`path too long for a plain tar header: ${f.path}`);
        const data = Buffer.from(f.content);
        const header = Buffer.alloc(512);
        header.write(name, 0, 100);
        header.write(octal(f.mode ?? 0o644, 8), 100);
        header.write(octal(0, 8), 108);
        header.write(octal(0, 8), 116);
        header.write(octal(data.length, 12), 124);
        header.write(octal(Math.floor(Date.now() / 1000), 12), 136);
        header.write("        ", 148);
        header.write("0", 156);
        header.write("ustar\0", 257);
        header.write("00", 263);
        let sum = 0;
        for (const b of header) sum += b;
        header.write(octal(sum, 7) + " ", 148);
        blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
    }
    blocks.push(Buffer.alloc(1024));
    return Buffer.concat(blocks);
}

/** State of a container's health check, from `docker inspect`. */
export interface HealthState {
    /** "starting", "healthy", "unhealthy", or "none" without a check. */
    readonly status: string;
    /** Container state ("running", "exited", …). */
    readonly state: string;
    /** The last checks (docker keeps five). */
    readonly log: readonly { readonly ExitCode: number; readonly Output: string; readonly Start: string }[];
}

/**
 * Everything one test file creates on the engine. Names are `<prefix>-<role>` with a random
 * prefix, everything carries {@link SESSION_LABEL}, and {@link cleanup} (or, if the process dies
 * first, an exit hook) removes containers, their anonymous volumes and networks by that label.
 */
export class DockerSession {
    /** `ptc-test-<random>`, unique per session. */
    readonly prefix = `ptc-test-${randomBytes(4).toString("hex")}`;
    private readonly exitHook = (): void => {
        // Synchronous: the process is exiting. Best effort, a second cleanup() is harmless.
        const ids = spawnSync("docker", ["ps", "-aq", "--filter", `label=${SESSION_LABEL}=${this.prefix}`], { encoding: "utf8" }).stdout.trim();
        if (ids) spawnSync("docker", ["rm", "-f", "-v", ...ids.split("\n")]);
        const nets = spawnSync("docker", ["network", "ls", "-q", "--filter", `label=${SESSION_LABEL}=${this.prefix}`], { encoding: "utf8" }).stdout.trim();
        if (nets) spawnSync("docker", ["network", "rm", ...nets.split("\n")]);
        const vols = spawnSync("docker", ["volume", "ls", "-q", "--filter", `label=${SESSION_LABEL}=${this.prefix}`], { encoding: "utf8" }).stdout.trim();
        if (vols) spawnSync("docker", ["volume", "rm", ...vols.split("\n")]);
    };

    constructor() {
        process.once("exit", this.exitHook);
    }

    /** Full name of a role's container or network. */
    name(role: string): string {
        return `${this.prefix}-${role}`;
    }

    /** Creates a bridge network named `<prefix>-<role>`; returns its full name. */
    async createNetwork(role: string, opts: { internal?: boolean } = {}): Promise<string> {
        const name = this.name(role);
        await docker(["network", "create", "--driver", "bridge", ...(opts.internal ? ["--internal"] : []), "--label", `${SESSION_LABEL}=${this.prefix}`, name]);
        return name;
    }

    /** Creates a named volume `<prefix>-<role>` (removed by {@link cleanup}); returns its name. */
    async createVolume(role: string): Promise<string> {
        const name = this.name(role);
        await docker(["volume", "create", "--label", `${SESSION_LABEL}=${this.prefix}`, name]);
        return name;
    }

    /** Stops a container as `docker stop` does (its stop signal, then SIGKILL after `timeoutSeconds`), then removes it. */
    async stopAndRemove(container: string, timeoutSeconds: number): Promise<void> {
        await docker(["stop", "-t", String(timeoutSeconds), container], { timeoutMs: (timeoutSeconds + 30) * 1000 });
        await docker(["rm", "-v", container]);
    }

    /** Creates and starts a container; returns its full name. */
    async startContainer(o: ContainerOptions): Promise<string> {
        const name = this.name(o.role);
        await this.createContainer(name, o);
        await docker(["start", name]);
        return name;
    }

    /** Creates (not starts) a container, connects its networks and uploads its files. */
    async createContainer(name: string, o: ContainerOptions): Promise<void> {
        const [first, ...more] = o.networks ?? [];
        const fixed = Object.entries(o.publishFixed ?? {}).map(([c, h]) => [Number(c), h] as const);
        const exposed = Object.fromEntries([...(o.publishLoopback ?? []), ...fixed.map(([c]) => c)].map((p) => [`${p}/tcp`, {}]));
        const body = {
            Image: o.image,
            ...(o.command ? { Cmd: o.command } : {}),
            Env: Object.entries(o.env ?? {}).map(([k, v]) => `${k}=${v}`),
            ...(o.user ? { User: o.user } : {}),
            Labels: { [SESSION_LABEL]: this.prefix },
            ExposedPorts: exposed,
            ...(o.stopTimeout !== undefined ? { StopTimeout: o.stopTimeout } : {}),
            ...(o.healthcheck
                ? {
                      Healthcheck: {
                          Test: o.healthcheck.tests,
                          Interval: durationNs(o.healthcheck.interval),
                          Timeout: durationNs(o.healthcheck.timeout),
                          Retries: o.healthcheck.retries,
                          StartPeriod: durationNs(o.healthcheck.startPeriod),
                      },
                  }
                : {}),
            Volumes: Object.fromEntries((o.volumes ?? []).map((v) => [v, {}])),
            HostConfig: {
                ReadonlyRootfs: o.readOnly ?? false,
                Tmpfs: o.tmpfs ?? {},
                Init: o.init ?? false,
                CapDrop: o.capDrop ?? [],
                CapAdd: o.capAdd ?? [],
                SecurityOpt: o.securityOpts ?? [],
                ExtraHosts: o.extraHosts ?? [],
                PortBindings: Object.fromEntries([
                    ...(o.publishLoopback ?? []).map((p) => [`${p}/tcp`, [{ HostIp: "127.0.0.1", HostPort: "" }]]),
                    ...fixed.map(([c, h]) => [`${c}/tcp`, [{ HostIp: "127.0.0.1", HostPort: String(h) }]]),
                ]),
                Binds: (o.mounts ?? []).map((m) => `${m.volume}:${m.target}`),
                NetworkMode: first ? first.name : "none",
            },
            NetworkingConfig: first ? { EndpointsConfig: { [first.name]: { Aliases: first.aliases ?? [] } } } : {},
        };
        await engineApi("POST", `/containers/create?name=${encodeURIComponent(name)}`, body);
        for (const n of more) {
            await docker(["network", "connect", ...(n.aliases ?? []).flatMap((a) => ["--alias", a]), n.name, name]);
        }
        if (o.files && o.files.length > 0) await docker(["cp", "-", `${name}:/`], { input: tarOf(o.files) });
    }

    /** The host port a published container port landed on (127.0.0.1 only). */
    async hostPort(container: string, port: number): Promise<number> {
        const out = (await docker(["port", container, `${port}/tcp`])).trim().split("\n");
        const m = out.map((l) => /^127\.0\.0\.1:(\d+)$/.exec(l.trim())).find((x) => x !== null);
        if (!m) throw new Error(`${container}: port ${port} is not published on 127.0.0.1 (${out.join(", ")})`);
        return Number(m[1]);
    }

    /** Health status, container state and the last checks. */
    async health(container: string): Promise<HealthState> {
        const out = await docker(["inspect", "--format", "{{json .State}}", container]);
        const s = JSON.parse(out) as { Status: string; Health?: { Status: string; Log?: HealthState["log"] } };
        return { status: s.Health?.Status ?? "none", state: s.Status, log: s.Health?.Log ?? [] };
    }

    /**
     * Waits until Docker reports `want` for the container's health
     * (`docker inspect --format '{{.State.Health.Status}}'`); resolves with the wait in ms.
     * Fails early when the container stops, and on timeout with the last checks and the logs.
     */
    async waitForHealth(container: string, want: "healthy" | "unhealthy", timeoutMs: number): Promise<number> {
        const start = Date.now();
        let last: HealthState | undefined;
        while (Date.now() - start < timeoutMs) {
            last = await this.health(container);
            if (last.status === want) return Date.now() - start;
            if (last.state !== "running" && last.state !== "created") break;
            await new Promise((r) => setTimeout(r, 250));
        }
        const logs = await runCommand("docker", ["logs", "--tail", "30", container]);
        throw new Error(
            `${container} is not ${want} after ${((Date.now() - start) / 1000).toFixed(1)} s ` +
                `(health ${last?.status}, state ${last?.state}); last checks: ` +
                `${JSON.stringify((last?.log ?? []).map((l) => ({ exit: l.ExitCode, output: l.Output.trim().slice(0, 200) })))}; ` +
                `logs: ${(logs.stdout + logs.stderr).trim().slice(-1500)}`,
        );
    }

    /** Runs a command in a running container; never throws for a non-zero status. */
    exec(container: string, command: readonly string[], timeoutMs = 30_000): Promise<CommandResult> {
        return runCommand("docker", ["exec", container, ...command], { timeoutMs });
    }

    /**
     * Runs a one-off container to completion (created, networks connected, started attached)
     * and removes it; resolves with its exit status and output.
     */
    async runToCompletion(o: ContainerOptions, timeoutMs = 60_000): Promise<CommandResult> {
        const name = this.name(o.role);
        await this.createContainer(name, o);
        try {
            return await runCommand("docker", ["start", "-a", name], { timeoutMs });
        } finally {
            await runCommand("docker", ["rm", "-f", "-v", name]);
        }
    }

    /** Stops (with its grace period) and removes one container. */
    async remove(container: string): Promise<void> {
        await runCommand("docker", ["rm", "-f", "-v", container]);
    }

    /** Removes every container (with its anonymous volumes) and network of this session. */
    async cleanup(): Promise<void> {
        const filter = `label=${SESSION_LABEL}=${this.prefix}`;
        const ids = (await docker(["ps", "-aq", "--filter", filter])).trim();
        if (ids) await docker(["rm", "-f", "-v", ...ids.split("\n")]);
        const nets = (await docker(["network", "ls", "-q", "--filter", filter])).trim();
        if (nets) await docker(["network", "rm", ...nets.split("\n")]);
        const vols = (await docker(["volume", "ls", "-q", "--filter", filter])).trim();
        if (vols) await docker(["volume", "rm", ...vols.split("\n")]);
        process.removeListener("exit", this.exitHook);
    }
}
