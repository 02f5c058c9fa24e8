/**
 * The ptc-backup contract every integration test checks on a failure: exactly one
 * `ptc-backup: error:` line, the last line of stderr, saying what failed; and the exit status.
 */
import * as assert from "node:assert/strict";

/** What a finished run of the script left (structurally each test's own result type). */
export interface ScriptRun {
    /** Exit status; null when a signal ended it. */
    readonly code: number | null;
    /** Everything it wrote to stderr. */
    readonly stderr: string;
}

/** Lines of stderr that report an error. */
export function errorLines(stderr: string): string[] {
    return stderr.split("\n").filter((l) => l.startsWith("ptc-backup: error:"));
}

/** Asserts a failure with exactly one error line, the last one, matching `pattern`, and exit `code` when given. */
export function assertOneLineFailure(r: ScriptRun, pattern: RegExp, code?: number): void {
    assert.notEqual(r.code, 0, `expected a failure, got exit 0\n${r.stderr}`);
    const errors = errorLines(r.stderr);
    assert.equal(errors.length, 1, `expected exactly one error line (exit ${r.code}):\n${r.stderr}`);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines[lines.length - 1], errors[0], `the error line must be the last line:\n${r.stderr}`);
    assert.match(errors[0], pattern);
    if (code !== undefined) assert.equal(r.code, code, r.stderr);
}
