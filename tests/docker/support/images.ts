/**
 * The test images under tests/docker/images/, built FROM the local Debian base on first use and
 * cached by content hash (see {@link buildImage}), plus the health-check helpers the tests share.
 */
import * as path from "node:path";
import { postgresSpec } from "../../../components/data/postgres";
import type { WorkloadSpec } from "../../../components/platform/spec";
import { buildImage, CommandResult, DockerSession, HealthcheckSettings } from "./engine";

/** The stores' password in these tests (a fixed test value, never a real secret). */
export const TEST_PASSWORD = "ptc-test-password-not-a-secret";

/** PostgreSQL's spec as the dev stack builds it (the program's own pure builder), with {@link TEST_PASSWORD}. */
export function testPostgresSpec(): WorkloadSpec {
    return postgresSpec({
        image: "postgres",
        database: "pro_team_care",
        user: "pro_team_care",
        password: TEST_PASSWORD,
        volumeSizeGi: 1,
        resources: { cpu: "250m", memory: "512Mi" },
        component: "postgres",
    });
}

/** A spec's plain env as strings (the stores' env values are literals). */
export function plainEnv(spec: WorkloadSpec): Record<string, string> {
    return Object.fromEntries(Object.entries(spec.env ?? {}).map(([k, v]) => [k, String(v)]));
}

const IMAGES_DIR = path.resolve(__dirname, "..", "images");

/** The test images. */
export type TestImage = "edge" | "postgres" | "redis" | "stub";

const built = new Map<TestImage, Promise<string>>();

/** Tag of a test image, building it once per process when needed. */
export function testImage(name: TestImage): Promise<string> {
    let p = built.get(name);
    if (!p) {
        p = buildImage(name, { dir: path.join(IMAGES_DIR, name) });
        built.set(name, p);
    }
    return p;
}

/** Interval the live tests run checks at: the rendered ones are 10-15 s, too slow for a test. */
export const TEST_INTERVAL = "1s";

/**
 * The rendered check with test timing: interval {@link TEST_INTERVAL} and no start period (a
 * start period hides failures, so an unhealthy verdict would take a minute). The command, its
 * timeout and its retries stay exactly as rendered.
 */
export function withTestTiming(hc: HealthcheckSettings): HealthcheckSettings {
    return { tests: [...hc.tests], interval: TEST_INTERVAL, timeout: hc.timeout, retries: hc.retries, startPeriod: "0s" };
}

/**
 * The same check aimed at another port: every whole-number occurrence of `from` in the command
 * becomes `to`. Throws when there is none, so a renderer that moves the port elsewhere breaks
 * the test loudly instead of leaving the negative case vacuous.
 */
export function retargetPort(tests: readonly string[], from: number, to: number): string[] {
    let hits = 0;
    const re = new RegExp(`(?<![0-9])${from}(?![0-9])`, "g");
    const out = tests.map((t, i) =>
        i === 0
            ? t
            : t.replace(re, () => {
                  hits++;
                  return String(to);
              }),
    );
    if (hits === 0) throw new Error(`the check names no port ${from}: ${JSON.stringify(tests)}`);
    return out;
}

/** Runs a check's command inside a running container, as the engine runs it (exec or shell form). */
export function execCheck(session: DockerSession, container: string, tests: readonly string[]): Promise<CommandResult> {
    const [kind, ...rest] = tests;
    if (kind === "CMD") return session.exec(container, rest);
    if (kind === "CMD-SHELL") return session.exec(container, ["/bin/sh", "-c", rest[0]]);
    throw new Error(`unknown health check form ${kind}`);
}

/**
 * Proves a container is unhealthy *because of its check*: waits until `goodTests` (the correct
 * check) passes inside it, so the server is up, then until Docker reports unhealthy, then
 * watches `retries + 1` more intervals: the status stays unhealthy and every check Docker ran
 * after the server was up failed.
 */
export async function expectUnhealthyWhileServing(
    session: DockerSession,
    container: string,
    goodTests: readonly string[],
    retries: number,
    timeoutMs: number,
): Promise<void> {
    const start = Date.now();
    let upAt: number | undefined;
    while (Date.now() - start < timeoutMs) {
        if ((await execCheck(session, container, goodTests)).status === 0) {
            upAt = Date.now();
            break;
        }
        const h = await session.health(container);
        if (h.state !== "running" && h.state !== "created") {
            throw new Error(`${container} stopped (${h.state}) before its server answered the correct check`);
        }
        await new Promise((r) => setTimeout(r, 500));
    }
    if (upAt === undefined) throw new Error(`${container}: the correct check never passed inside it, so the negative case proves nothing`);
    await session.waitForHealth(container, "unhealthy", Math.max(5_000, timeoutMs - (Date.now() - start)));
    await new Promise((r) => setTimeout(r, (retries + 1) * 1000 + 500));
    const h = await session.health(container);
    if (h.status !== "unhealthy") throw new Error(`${container}: health turned ${h.status} after the server was up`);
    const after = h.log.filter((l) => Date.parse(l.Start) >= upAt - 1000);
    if (after.length === 0) throw new Error(`${container}: Docker ran no check after the server was up`);
    const passed = after.filter((l) => l.ExitCode === 0);
    if (passed.length > 0) throw new Error(`${container}: ${passed.length} check(s) passed after the server was up: ${JSON.stringify(passed)}`);
}

/**
 * Starts `fn` now and returns a getter for its result: a `before` hook starts the containers of
 * several tests at once, and a failure to set one up fails only the test that awaits it.
 */
export function startNow<T>(fn: () => Promise<T>): () => Promise<T> {
    const p = (async (): Promise<T> => fn())();
    p.catch(() => undefined);
    return () => p;
}
