import * as assert from "assert";
import { shortHash } from "../../components/platform/hash";

describe("shortHash", () => {
    it("is the first hex characters of SHA-256, as long as asked", () => {
        // sha256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
        assert.strictEqual(shortHash("abc", 12), "ba7816bf8f01");
        assert.strictEqual(shortHash("abc", 10), "ba7816bf8f");
        assert.strictEqual(shortHash("abc", 6), "ba7816");
        assert.notStrictEqual(shortHash("abd", 12), shortHash("abc", 12));
    });
});
