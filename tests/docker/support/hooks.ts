/**
 * Root hooks of the docker suite (loaded by .mocharc.docker.json): record each test's duration
 * beside the image builds and print every timing at the end, so a slow build or a slow check is
 * visible in the CI log.
 */
import { printTimings, recordTiming } from "./engine";

/** Mocha root hooks. */
export const mochaHooks = {
    afterEach(this: Mocha.Context): void {
        const t = this.currentTest;
        if (t && t.state !== undefined && t.duration !== undefined) recordTiming(`test: ${t.titlePath().slice(-2).join(": ")}`, t.duration);
    },
    afterAll(): void {
        printTimings();
    },
};
