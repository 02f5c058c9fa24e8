/**
 * The object helpers exist twice, on purpose: stacks/objects.ts for the program and the tools,
 * policy/objects.ts for the pack (which must stand alone). This keeps the two in step.
 */
import * as assert from "node:assert/strict";

import * as pack from "../../policy/objects";
import * as program from "../../stacks/objects";

const SAMPLES: unknown[] = [undefined, null, 0, 1.5, Number.NaN, Infinity, "", "x", true, [], [1], {}, { a: 1 }, new Date(0)];

describe("object helpers: the program's and the pack's copies agree", () => {
    for (const name of ["isPlainObject", "obj", "record", "arr", "str", "num"] as const) {
        it(`${name} gives the same answer in both`, () => {
            for (const v of SAMPLES) assert.deepEqual(pack[name](v), program[name](v), `${name}(${String(v)})`);
        });
    }

    it("reads what the rules and the plan rely on", () => {
        assert.equal(program.isPlainObject([]), false);
        assert.equal(program.obj("x"), undefined);
        assert.deepEqual(program.record(null), {});
        assert.equal(program.num(Number.NaN), undefined);
        assert.equal(pack.at({ a: { b: 2 } }, "a", "b"), 2);
    });
});
