/**
 * A fault-injecting HTTP proxy in front of an S3-compatible server (s3rver), for tests of what a
 * client does when the store misbehaves in ways a real bucket can: an object that changes between
 * two reads, a PUT refused with 500 or 503, a download cut off midway.
 *
 * Clients (curl with SigV4, the AWS CLI) point their endpoint at {@link S3FaultProxy.endpoint}; the
 * proxy forwards every request unchanged unless a rule matches it. Path-style addressing only
 * (`/<bucket>/<key>`), which is what both clients use against a custom endpoint on an IP address.
 * s3rver does not verify SigV4 signatures, so a forwarded request still authenticates; answers the
 * proxy makes up itself are unsigned, as a server's answers are.
 */
import { createHash } from "node:crypto";
import * as http from "node:http";

import { freePort } from "./services";

/** Which requests a rule applies to: the bucket-relative object key, matched exactly or by a pattern. */
export type KeyMatch = string | RegExp;

/**
 * The object changes after it was read: once `afterGets` GETs of the key were answered with the
 * stored bytes, every later GET and HEAD of it sees `body` instead (new length, new ETag), as if
 * someone had overwritten it in the bucket. Ranged GETs are honoured.
 */
export interface ReplaceRule {
    /** Rule kind. */
    readonly kind: "replace";
    /** Object key (bucket-relative). */
    readonly key: KeyMatch;
    /** How many GETs still see the stored object before it changes. Defaults to 0 (changed from the start). */
    readonly afterGets?: number;
    /** The object's new content. */
    readonly body: Buffer;
}

/** A request refused with an S3 error: 500 InternalError or 503 SlowDown, never forwarded. */
export interface FailRule {
    /** Rule kind. */
    readonly kind: "fail";
    /** HTTP method refused (PUT for a single-part upload). */
    readonly method: string;
    /** Object key (bucket-relative). */
    readonly key: KeyMatch;
    /** Status answered. */
    readonly status: 500 | 503;
}

/** The response of a GET is cut after `afterBytes` bytes of its body (the full Content-Length announced). */
export interface CutRule {
    /** Rule kind. */
    readonly kind: "cut";
    /** Object key (bucket-relative). */
    readonly key: KeyMatch;
    /** Body bytes sent before the connection is destroyed. */
    readonly afterBytes: number;
    /** The first GET that is cut (1-based); it and every later one (retries too) are. Defaults to 1. */
    readonly fromGet?: number;
}

/** One fault. */
export type FaultRule = ReplaceRule | FailRule | CutRule;

/** One request the proxy saw. */
export interface SeenRequest {
    /** HTTP method. */
    readonly method: string;
    /** Bucket-relative object key, "" for bucket-level requests (listings, multipart uploads' parts keep their key). */
    readonly key: string;
    /** The client's User-Agent (tells curl from the AWS CLI). */
    readonly userAgent: string;
    /** What the proxy did: forwarded it, or the kind of the rule that answered it. */
    readonly action: "forwarded" | FaultRule["kind"];
}

/** A running proxy. */
export interface S3FaultProxy {
    /** Endpoint URL for clients (S3_ENDPOINT_URL). */
    readonly endpoint: string;
    /** Requests seen since the last {@link S3FaultProxy.reset}, in arrival order. */
    readonly requests: readonly SeenRequest[];
    /** Adds a rule; rules are tried in the order they were added. */
    add(rule: FaultRule): void;
    /** Drops every rule, its counters and the request log. */
    reset(): void;
    /** Stops listening. */
    close(): Promise<void>;
}

function matches(match: KeyMatch, key: string): boolean {
    return typeof match === "string" ? match === key : match.test(key);
}

function s3Error(res: http.ServerResponse, status: number, code: string, message: string): void {
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
    res.writeHead(status, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) });
    res.end(body);
}

/** Serves `body` as the object, with a 206 for a `bytes=a-b` / `bytes=a-` range. */
function serveObject(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void {
    const headers: http.OutgoingHttpHeaders = {
        "content-type": "application/octet-stream",
        etag: `"${createHash("md5").update(body).digest("hex")}"`,
        "last-modified": new Date().toUTCString(),
        "accept-ranges": "bytes",
    };
    let start = 0;
    let end = body.length - 1;
    let status = 200;
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
    if (range) {
        start = Number(range[1]);
        end = range[2] === "" ? end : Math.min(Number(range[2]), end);
        if (start > end) {
            s3Error(res, 416, "InvalidRange", "The requested range is not satisfiable");
            return;
        }
        status = 206;
        headers["content-range"] = `bytes ${start}-${end}/${body.length}`;
    }
    headers["content-length"] = end - start + 1;
    res.writeHead(status, headers);
    res.end(req.method === "HEAD" ? undefined : body.subarray(start, end + 1));
}

/**
 * Starts the proxy on 127.0.0.1 on a free port in front of `upstream` (an s3rver endpoint such as
 * `http://127.0.0.1:4568`) for bucket `bucket`.
 */
export async function startS3FaultProxy(upstream: string, bucket: string): Promise<S3FaultProxy> {
    const target = new URL(upstream);
    let rules: FaultRule[] = [];
    /** Per rule: GETs of a matching key answered so far (replace: with the stored bytes; cut: all). */
    let gets = new Map<FaultRule, number>();
    let requests: SeenRequest[] = [];

    const forward = (req: http.IncomingMessage, res: http.ServerResponse, cutAfter?: number): void => {
        const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
            res.writeHead(upRes.statusCode ?? 502, upRes.headers);
            if (cutAfter === undefined) {
                upRes.pipe(res);
                return;
            }
            let sent = 0;
            upRes.on("data", (chunk: Buffer) => {
                if (sent >= cutAfter) return;
                const part = chunk.subarray(0, cutAfter - sent);
                sent += part.length;
                res.write(part);
                if (sent >= cutAfter) {
                    upRes.destroy();
                    // Flush what was written, then drop the connection mid-body.
                    setTimeout(() => res.socket?.destroy(), 50);
                }
            });
            upRes.on("end", () => res.end());
        });
        up.on("error", () => {
            if (!res.headersSent) s3Error(res, 502, "BadGateway", "upstream unreachable");
            else res.socket?.destroy();
        });
        req.pipe(up);
    };

    const server = http.createServer((req, res) => {
        const urlPath = decodeURIComponent((req.url ?? "/").split("?")[0]);
        const prefix = `/${bucket}/`;
        const key = urlPath.startsWith(prefix) ? urlPath.slice(prefix.length) : "";
        const method = req.method ?? "";
        const seen = (action: SeenRequest["action"]): void => {
            requests.push({ method, key, userAgent: String(req.headers["user-agent"] ?? ""), action });
        };
        for (const rule of rules) {
            if (key === "" || !matches(rule.key, key)) continue;
            if (rule.kind === "fail" && method === rule.method) {
                seen("fail");
                req.resume();
                req.on("end", () =>
                    rule.status === 503
                        ? s3Error(res, 503, "SlowDown", "Please reduce your request rate.")
                        : s3Error(res, 500, "InternalError", "We encountered an internal error. Please try again."),
                );
                return;
            }
            if (rule.kind === "replace" && (method === "GET" || method === "HEAD")) {
                const served = gets.get(rule) ?? 0;
                if (served >= (rule.afterGets ?? 0)) {
                    seen("replace");
                    req.resume();
                    serveObject(req, res, rule.body);
                    return;
                }
                if (method === "GET") res.on("finish", () => gets.set(rule, (gets.get(rule) ?? 0) + 1));
                break;
            }
            if (rule.kind === "cut" && method === "GET") {
                const n = (gets.get(rule) ?? 0) + 1;
                gets.set(rule, n);
                if (n >= (rule.fromGet ?? 1)) {
                    seen("cut");
                    forward(req, res, rule.afterBytes);
                    return;
                }
                break;
            }
        }
        seen("forwarded");
        forward(req, res);
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    return {
        endpoint: `http://127.0.0.1:${port}`,
        get requests() {
            return requests;
        },
        add: (rule) => {
            rules.push(rule);
        },
        reset: () => {
            rules = [];
            gets = new Map();
            requests = [];
        },
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}

/**
 * `compressed` (a zstd stream) padded with a zstd skippable frame to exactly `length` bytes: zstd
 * decompresses it to the same content, so the padded object is as valid as the original but has
 * another length-neutral SHA-256. Tests use it to make "same size, still a valid stream, different
 * content" objects that only a checksum can tell apart.
 *
 * @throws Error when `compressed` plus the 8-byte frame header does not fit in `length`.
 */
export function padZstd(compressed: Buffer, length: number): Buffer {
    const pad = length - compressed.length - 8;
    if (pad < 0) throw new Error(`a ${compressed.length}-byte zstd stream plus an 8-byte skippable frame does not fit in ${length} bytes`);
    const header = Buffer.alloc(8);
    header.writeUInt32LE(0x184d2a50, 0); // skippable frame magic (0x184D2A5?)
    header.writeUInt32LE(pad, 4);
    return Buffer.concat([compressed, header, Buffer.alloc(pad, 0x5a)]);
}
