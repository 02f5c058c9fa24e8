import * as assert from "assert";
import { CONFIG_CHECKSUM_ANNOTATION, contentChecksum, jobManifests, scheduleManifests, SECRET_CHECKSUM_ANNOTATION, serviceManifests } from "../../../components/platform/kubernetes";
import { all, api, arr, backup, BACKUP_KEY, checksums, container, ctx, DB_PASSWORD, edge, get, migrate, postgres, TLS_KEY } from "./fixtures";

describe("kubernetes config", () => {
    describe("files, env and secrets", () => {
        it("puts plain files in a ConfigMap and secret files in the Secret, each mounted at its path", () => {
            const m = serviceManifests("edge", edge, ctx);
            assert.deepStrictEqual(Object.keys(m.configMap?.data ?? {}), ["docker-entrypoint.d-99-check.sh", "etc-nginx-nginx.conf"]);
            assert.deepStrictEqual(m.secret?.stringData, { "file.etc-nginx-tls-tls.key": TLS_KEY });
            const mounts = arr(get(container(m.workload), "volumeMounts"));
            const conf = mounts.find((x) => x.mountPath === "/etc/nginx/nginx.conf");
            assert.deepStrictEqual(conf, { name: "files", mountPath: "/etc/nginx/nginx.conf", subPath: "etc-nginx-nginx.conf", readOnly: true });
            const key = mounts.find((x) => x.mountPath === "/etc/nginx/tls/tls.key");
            assert.strictEqual(key?.name, "secret-files");
            const vols = arr(get(m.workload, "spec.template.spec.volumes"));
            const items = arr(get(vols.find((v) => v.name === "files"), "configMap.items"));
            assert.deepStrictEqual(items.map((i) => [i.key, i.mode]), [["docker-entrypoint.d-99-check.sh", 0o555], ["etc-nginx-nginx.conf", 0o444]]);
            assert.strictEqual(get(vols.find((v) => v.name === "secret-files"), "secret.secretName"), "edge-secrets");
            assert.strictEqual(arr(get(vols.find((v) => v.name === "secret-files"), "secret.items"))[0].mode, 0o440);
        });


        it("keeps secret values out of every object but the Secret", () => {
            const objs = [
                ...all(serviceManifests("api", api, checksums)),
                ...all(serviceManifests("postgres", postgres, checksums)),
                ...all(serviceManifests("edge", edge, checksums)),
                ...Object.values(scheduleManifests("backup", backup, checksums)),
                ...Object.values(jobManifests("migrate", migrate, checksums, { jobName: "migrate-1", triggerHash: "1" })),
            ].filter((o) => o !== undefined && o.kind !== "Secret");
            assert.ok(objs.length > 10);
            for (const o of objs) {
                const text = JSON.stringify(o);
                for (const s of [DB_PASSWORD, "not-a-real-key", BACKUP_KEY]) {
                    assert.ok(!text.includes(s), `${o.kind} ${String(get(o, "metadata.name"))} contains a secret value`);
                }
            }
        });

        it("annotates the pod template with checksums so a changed file or secret rolls the pods", () => {
            const w = serviceManifests("edge", edge, checksums).workload;
            const annotations = get(w, "spec.template.metadata.annotations") as Record<string, string>;
            assert.strictEqual(annotations[CONFIG_CHECKSUM_ANNOTATION], "f".repeat(64));
            assert.strictEqual(annotations[SECRET_CHECKSUM_ANNOTATION], "s".repeat(64));
            // No files: no file checksum even when one is offered; the secret env still gets one.
            const pg = get(serviceManifests("postgres", postgres, checksums).workload, "spec.template.metadata.annotations") as Record<string, string>;
            assert.strictEqual(pg[CONFIG_CHECKSUM_ANNOTATION], undefined);
            assert.strictEqual(pg[SECRET_CHECKSUM_ANNOTATION], "s".repeat(64));
            assert.notStrictEqual(contentChecksum({ a: "1" }), contentChecksum({ a: "2" }));
            assert.strictEqual(contentChecksum({ a: "1", b: "2" }), contentChecksum({ b: "2", a: "1" }));
            assert.notStrictEqual(contentChecksum({ a: "1", b: "" }), contentChecksum({ a: "", b: "1" }));
            assert.notStrictEqual(contentChecksum({ a: "1" }, "key-1"), contentChecksum({ a: "1" }, "key-2"));
        });
    });
});
