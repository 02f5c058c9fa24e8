/**
 * A bounded stream of HTTPS requests through the edge's published port, as users would send
 * them while an update runs: a few concurrent clients, each sending one request after another,
 * each on a new connection (see {@link RequestStream}), every outcome recorded.
 */
import * as https from "node:https";

/** One request's outcome. */
export interface Outcome {
    /** ms since the stream started, when the request was sent. */
    readonly start: number;
    /** ms since the stream started, when it ended. */
    readonly end: number;
    /** HTTP status, or 0 when no response came. */
    readonly status: number;
    /** The stub's X-Stub-Version, when it answered. */
    readonly version?: string;
    /** The connection error, when no response came. */
    readonly error?: string;
}

/** What a stream saw. */
export interface StreamReport {
    /** Requests sent. */
    readonly sent: number;
    /** Requests that did not answer 200 (an error status or no response). */
    readonly failed: readonly Outcome[];
    /** Every outcome, in the order they ended. */
    readonly outcomes: readonly Outcome[];
    /** Count of 200 answers by stub version. */
    readonly byVersion: Readonly<Record<string, number>>;
    /** ms the stream ran. */
    readonly durationMs: number;
}

/** Where and how a {@link RequestStream} sends. */
export interface StreamOptions {
    /** Host port on 127.0.0.1 the edge's https listener is published on. */
    readonly port: number;
    /** TLS server name and Host header (the stack's domain). */
    readonly domain: string;
    /** PEM of the certificate to trust (the dev self-signed one). */
    readonly ca: string;
    /** Request path, e.g. "/api/v1/health". */
    readonly path: string;
    /** Concurrent clients. Defaults to 4. */
    readonly concurrency?: number;
    /** Per-request timeout in ms. Defaults to 10 000. */
    readonly timeoutMs?: number;
}

/**
 * Sends GET requests until stopped. A new TCP and TLS connection per request (no keep-alive):
 * a reused connection that the server closes at the moment a request is sent fails in any
 * HTTP/1.1 client — browsers retry such a request, Node's agent does not — and that race is
 * not what these tests measure.
 */
export class RequestStream {
    private readonly outcomes: Outcome[] = [];
    private readonly t0 = Date.now();
    private running = true;
    private readonly loops: Promise<void>[];
    private sent = 0;

    constructor(private readonly o: StreamOptions) {
        const agent = new https.Agent({ keepAlive: false, ca: o.ca, servername: o.domain });
        this.loops = Array.from({ length: o.concurrency ?? 4 }, () => this.loop(agent));
    }

    /** ms since the stream started. */
    now(): number {
        return Date.now() - this.t0;
    }

    /** Outcomes so far (a copy). */
    snapshot(): Outcome[] {
        return [...this.outcomes];
    }

    /** Resolves once `n` more requests have ended (so a phase is known to have carried traffic). */
    async waitForMore(n: number, timeoutMs = 30_000): Promise<void> {
        const target = this.outcomes.length + n;
        const start = Date.now();
        while (this.outcomes.length < target) {
            if (Date.now() - start > timeoutMs) throw new Error(`the request stream ended only ${this.outcomes.length - target + n} of ${n} requests in ${timeoutMs} ms`);
            await new Promise((r) => setTimeout(r, 50));
        }
    }

    /** Stops sending, waits for the requests in flight, and reports. */
    async stop(): Promise<StreamReport> {
        this.running = false;
        await Promise.all(this.loops);
        const byVersion: Record<string, number> = {};
        for (const x of this.outcomes) if (x.status === 200) byVersion[x.version ?? "?"] = (byVersion[x.version ?? "?"] ?? 0) + 1;
        return { sent: this.sent, failed: this.outcomes.filter((x) => x.status !== 200), outcomes: this.outcomes, byVersion, durationMs: this.now() };
    }

    private async loop(agent: https.Agent): Promise<void> {
        while (this.running) {
            this.sent++;
            this.outcomes.push(await this.one(agent));
        }
    }

    private one(agent: https.Agent): Promise<Outcome> {
        const start = this.now();
        return new Promise((resolve) => {
            const req = https.request(
                { host: "127.0.0.1", port: this.o.port, path: this.o.path, method: "GET", agent, headers: { Host: this.o.domain }, timeout: this.o.timeoutMs ?? 10_000 },
                (res) => {
                    res.resume();
                    res.on("end", () =>
                        resolve({ start, end: this.now(), status: res.statusCode ?? 0, version: res.headers["x-stub-version"] as string | undefined }),
                    );
                    res.on("error", (e) => resolve({ start, end: this.now(), status: 0, error: e.message }));
                },
            );
            req.on("timeout", () => req.destroy(new Error("timed out")));
            req.on("error", (e) => resolve({ start, end: this.now(), status: 0, error: (e as NodeJS.ErrnoException).code ?? e.message }));
            req.end();
        });
    }
}

/**
 * The window in which the edge answered nothing: from the start of the first failed request to
 * the start of the first successful one after the last failure (0 when none failed).
 */
export function unavailableWindowMs(outcomes: readonly Outcome[]): number {
    const failed = outcomes.filter((x) => x.status !== 200);
    if (failed.length === 0) return 0;
    const first = Math.min(...failed.map((x) => x.start));
    const lastFailEnd = Math.max(...failed.map((x) => x.end));
    const recovered = outcomes.filter((x) => x.status === 200 && x.start >= lastFailEnd - 1).map((x) => x.start);
    return (recovered.length > 0 ? Math.min(...recovered) : lastFailEnd) - first;
}
