import * as assert from "node:assert/strict";
import { skipOrFail, underCi } from "../support/ci";

describe('"under CI" (tests/support/ci.ts)', () => {
    const table: [string | undefined, boolean][] = [
        [undefined, false],
        ["", false],
        ["0", false],
        ["false", false],
        ["FALSE", false],
        [" False ", false],
        ["true", true],
        ["TRUE", true],
        ["1", true],
        ["yes", true],
        ["woodpecker", true],
    ];
    for (const [value, want] of table) {
        it(`CI=${JSON.stringify(value)} is ${want ? "" : "not "}CI`, () => assert.equal(underCi(value === undefined ? {} : { CI: value }), want));
    }

    it("fails instead of skipping under CI, naming the reason", () => {
        let skipped = false;
        const ctx = {
            skip(): never {
                skipped = true;
                throw new Error("skipped");
            },
        };
        assert.throws(() => skipOrFail(ctx, "nginx is missing", true), /under CI a suite may not skip: nginx is missing/);
        assert.equal(skipped, false);
        assert.throws(() => skipOrFail(ctx, "nginx is missing", false), /^Error: skipped$/);
        assert.equal(skipped, true);
    });
});
