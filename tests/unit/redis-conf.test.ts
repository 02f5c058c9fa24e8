import * as assert from "node:assert/strict";
import { renderRedisConf } from "../../components/data/redis";

/** redis.conf as directive → arguments (the last occurrence wins, as in Redis). */
function settings(conf: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const line of conf.split("\n")) {
        const t = line.trim();
        if (t === "" || t.startsWith("#")) continue;
        const [key, ...rest] = t.split(/\s+/);
        out.set(key.toLowerCase(), rest.join(" "));
    }
    return out;
}

describe("redis.conf (renderRedisConf)", () => {
    const s = settings(renderRedisConf("pw-123"));

    it("requires the password", () => assert.equal(s.get("requirepass"), "pw-123"));

    it("never evicts keys: sessions and queues are data, not cache", () => assert.equal(s.get("maxmemory-policy"), "noeviction"));

    it("persists every write to the append-only file, fsynced every second, and snapshots for the backup", () => {
        assert.equal(s.get("appendonly"), "yes");
        assert.equal(s.get("appendfsync"), "everysec");
        assert.equal(s.get("dir"), "/data", "the volume");
        assert.ok((s.get("save") ?? "") !== "", "RDB snapshots on");
    });
});
