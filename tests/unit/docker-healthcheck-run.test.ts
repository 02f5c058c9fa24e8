/**
 * Runs the docker HTTP health check exactly as the engine does (`/bin/sh -c <test>`) against a
 * local HTTP server, with the tools a given image has on its PATH: busybox-style images (wget),
 * curl-only images, and images with bash but neither (grafana/alloy is Ubuntu-based and ships
 * neither wget nor curl, so a wget-or-curl check never passed there and `pulumi up` timed out).
 */
import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { dockerHealthcheck } from "../../components/platform/docker-builders";

/** A PATH directory holding only the named tools (symlinks to this host's binaries). */
function pathWith(tools: readonly string[]): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hc-path-"));
    for (const tool of tools) {
        const found = ["/usr/bin", "/bin"].map((d) => path.join(d, tool)).find((p) => fs.existsSync(p));
        if (!found) throw new Error(`${tool} is not installed on this host; the test needs it`);
        fs.symlinkSync(found, path.join(dir, tool));
    }
    return dir;
}

/** Runs the check as docker's CMD-SHELL does; resolves with the exit status. */
function runCheck(test: readonly string[], pathDir: string): Promise<number> {
    assert.strictEqual(test[0], "CMD-SHELL");
    return new Promise((resolve) => {
        execFile("/bin/sh", ["-c", test[1]], { env: { PATH: pathDir }, timeout: 15_000 }, (err) => {
            if (!err) return resolve(0);
            const code = (err as NodeJS.ErrnoException & { code?: unknown }).code;
            resolve(typeof code === "number" ? code : 255);
        });
    });
}

describe("docker http health check, run by /bin/sh as the engine runs it", function () {
    this.timeout(60_000);
    let server: http.Server;
    let port: number;
    const dirs: string[] = [];

    before(async () => {
        server = http.createServer((req, res) => {
            if (req.url === "/-/ready") {
                res.writeHead(200, { "content-type": "text/plain" }).end("ready\n");
            } else if (req.url === "/moved") {
                res.writeHead(302, { location: "/-/ready" }).end();
            } else {
                res.writeHead(503, { "content-type": "text/plain" }).end("not ready\n");
            }
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        port = (server.address() as AddressInfo).port;
    });
    after(async () => {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    });

    const images: [string, string[]][] = [
        ["busybox-style (wget)", ["wget"]],
        ["curl only", ["curl"]],
        ["bash but neither wget nor curl (grafana/alloy)", ["bash"]],
    ];
    for (const [label, tools] of images) {
        describe(label, () => {
            let dir: string;
            before(() => {
                dir = pathWith(tools);
                dirs.push(dir);
            });

            it("passes on a 200", async () => {
                const hc = dockerHealthcheck({ kind: "http", port, path: "/-/ready", timeoutSeconds: 3, intervalSeconds: 10 });
                assert.strictEqual(await runCheck(hc.tests, dir), 0);
            });

            it("fails on a 503", async () => {
                const hc = dockerHealthcheck({ kind: "http", port, path: "/-/not-ready", timeoutSeconds: 3, intervalSeconds: 10 });
                assert.notStrictEqual(await runCheck(hc.tests, dir), 0);
            });

            it("fails when nothing listens", async () => {
                const closed = await new Promise<number>((resolve) => {
                    const s = http.createServer();
                    s.listen(0, "127.0.0.1", () => {
                        const p = (s.address() as AddressInfo).port;
                        s.close(() => resolve(p));
                    });
                });
                const hc = dockerHealthcheck({ kind: "http", port: closed, path: "/-/ready", timeoutSeconds: 3, intervalSeconds: 10 });
                assert.notStrictEqual(await runCheck(hc.tests, dir), 0);
            });
        });
    }

    it("counts a redirect as healthy with bash alone (2xx/3xx, as the Kubernetes httpGet probe does)", async () => {
        const dir = pathWith(["bash"]);
        dirs.push(dir);
        const hc = dockerHealthcheck({ kind: "http", port, path: "/moved", timeoutSeconds: 3, intervalSeconds: 10 });
        assert.strictEqual(await runCheck(hc.tests, dir), 0);
    });

    it("fails in an image with none of wget, curl or bash", async () => {
        const dir = pathWith([]);
        dirs.push(dir);
        const hc = dockerHealthcheck({ kind: "http", port, path: "/-/ready", timeoutSeconds: 3, intervalSeconds: 10 });
        assert.notStrictEqual(await runCheck(hc.tests, dir), 0);
    });
});
