import { assertClean, assertOnly, DOCKER_SECRET_OPTS, dockerService, mutate, res, run, Fixture } from "./helpers";

const C = "docker:index/container:Container";
const container = (change: (c: Fixture) => void) => [res(C, "api", mutate(dockerService(), change), DOCKER_SECRET_OPTS)];

describe("policy: health-check-timing at the bounds of retries", () => {
    it("flags zero retries (the lower bound is 1)", async () => assertOnly(await run(container((c) => (c.healthcheck.retries = 0))), "health-check-timing", /retries 0 is outside 1-10/, "mandatory"));
    it("passes one retry and ten retries", async () => {
        assertClean(await run(container((c) => (c.healthcheck.retries = 1))));
        assertClean(await run(container((c) => { c.healthcheck.interval = "10s"; c.healthcheck.timeout = "3s"; c.healthcheck.retries = 10; })));
    });
});
