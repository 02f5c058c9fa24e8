import { strict as assert } from "node:assert";
import { nginxImageAtLeast, renderNginxConf } from "../../components/edge/nginx";

const BASE = { serverName: "app.example.com", webUpstream: "web:8080", apiUpstream: "api:8000" };
const http2On = (nginxVersion: string): boolean => /^\s*http2 on;/m.test(renderNginxConf({ ...BASE, nginxVersion }));

describe("nginx versions (semver)", () => {
    it("turns the http2 directive on from 1.25.1, comparing numerically, not as text", () => {
        assert.equal(http2On("1.25.0"), false);
        assert.equal(http2On("1.25.1"), true);
        assert.equal(http2On("1.9.15"), false, "1.9 is older than 1.25 although '9' > '2'");
        assert.equal(http2On("2.0.0"), true);
    });

    it("renders a resolver for any nginx version (a variable in proxy_pass works since 1.1.9)", () => {
        for (const nginxVersion of ["1.22.1", "1.27.2", "1.28.0"]) {
            assert.doesNotThrow(() => renderNginxConf({ ...BASE, resolver: "127.0.0.11", nginxVersion }));
        }
    });

    for (const bad of ["latest", "1.28", "v1.28.0", "1.28.0-rc1", "1.28.0+build", " 1.28.0", "01.28.0"]) {
        it(`refuses nginxVersion "${bad}" (only a plain x.y.z)`, () => {
            assert.throws(() => renderNginxConf({ ...BASE, nginxVersion: bad }), /nginxVersion must look like "1\.28\.0"/);
        });
    }

    it("reads an image tag's version: x.y.z, or x.y meaning the newest patch of the line", () => {
        const at = (image: string): boolean | undefined => nginxImageAtLeast(image, "1.27.3");
        assert.equal(at("nginxinc/nginx-unprivileged:1.27.3-alpine"), true);
        assert.equal(at("nginxinc/nginx-unprivileged:1.27.2-alpine"), false);
        assert.equal(at("nginxinc/nginx-unprivileged:1.28.0"), true);
        assert.equal(at("nginxinc/nginx-unprivileged:1.27-alpine"), true, "1.27 may be 1.27.3 or later");
        assert.equal(at("nginxinc/nginx-unprivileged:1.26-alpine@sha256:abc"), false);
        assert.equal(at("nginxinc/nginx-unprivileged:1.9.15"), false);
        assert.equal(at("registry.local:5000/nginx:2.0"), true);
        assert.equal(at("nginxinc/nginx-unprivileged:latest"), undefined);
        assert.equal(at("nginxinc/nginx-unprivileged@sha256:abc"), undefined);
    });
});
