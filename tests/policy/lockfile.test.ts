/**
 * The policy pack's lockfile: Pulumi Cloud installs policy/ from policy/package.json and
 * policy/package-lock.json, while CI tests the pack with the root's node_modules. The two must
 * name the same versions, or the pack that blocks a preview is not the one that was tested.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

import * as semver from "semver";

const REPO = path.resolve(__dirname, "..", "..");

/** How to bring policy/package-lock.json back in line with the root's. */
const REGENERATE = "regenerate it from the root's: cp package-lock.json policy/ && (cd policy && npm install --package-lock-only)";

/** The parts of a package-lock.json (lockfileVersion 2 or 3) these tests read. */
interface Lockfile {
    readonly lockfileVersion: number;
    readonly packages: Record<string, { readonly version?: string; readonly dependencies?: Record<string, string>; readonly devDependencies?: Record<string, string> }>;
}

/** The parts of a package.json these tests read. */
interface PackageJson {
    readonly dependencies?: Record<string, string>;
    readonly devDependencies?: Record<string, string>;
}

function readJson<T>(file: string): T {
    return JSON.parse(fs.readFileSync(path.join(REPO, file), "utf8")) as T;
}

describe("policy/package-lock.json (what Pulumi Cloud installs for the pack)", () => {
    const lockPath = path.join(REPO, "policy", "package-lock.json");
    let policyLock: Lockfile;
    let rootLock: Lockfile;
    let policyPkg: PackageJson;
    before(() => {
        assert.ok(fs.existsSync(lockPath), `policy/package-lock.json is missing: ${REGENERATE}`);
        policyLock = readJson<Lockfile>("policy/package-lock.json");
        rootLock = readJson<Lockfile>("package-lock.json");
        policyPkg = readJson<PackageJson>("policy/package.json");
    });

    it("is a lockfile npm ci accepts for policy/package.json (v2 or later, same declared dependencies)", () => {
        assert.ok(policyLock.lockfileVersion >= 2, `lockfileVersion ${policyLock.lockfileVersion}: ${REGENERATE}`);
        const root = policyLock.packages[""];
        assert.deepEqual(root.dependencies ?? {}, policyPkg.dependencies ?? {}, `policy/package.json and its lockfile disagree: ${REGENERATE}`);
        assert.deepEqual(root.devDependencies ?? {}, policyPkg.devDependencies ?? {}, `policy/package.json and its lockfile disagree: ${REGENERATE}`);
    });

    it("pins every dependency of policy/package.json exactly, to the version its lockfile installs", () => {
        for (const [name, spec] of Object.entries({ ...policyPkg.dependencies, ...policyPkg.devDependencies })) {
            assert.ok(semver.valid(spec), `policy/package.json: ${name} is "${spec}", not an exact version`);
            assert.equal(policyLock.packages[`node_modules/${name}`]?.version, spec, `policy/package-lock.json does not install ${name}@${spec}: ${REGENERATE}`);
        }
    });

    for (const name of ["@pulumi/policy", "@pulumi/pulumi"]) {
        it(`installs the ${name} the root lockfile (and so CI) tests with`, () => {
            const key = `node_modules/${name}`;
            const tested = rootLock.packages[key]?.version;
            assert.ok(tested, `the root package-lock.json has no ${name}`);
            assert.equal(policyLock.packages[key]?.version, tested, `policy installs ${name}@${policyLock.packages[key]?.version}, CI tests ${tested}: ${REGENERATE}`);
        });
    }

    it("installs every package the root lockfile also has at the version the root has (the SDK's own dependencies too)", () => {
        const differ = Object.entries(policyLock.packages)
            .filter(([key, p]) => key !== "" && rootLock.packages[key] !== undefined && rootLock.packages[key].version !== p.version)
            .map(([key, p]) => `${key.replace(/^node_modules\//, "")}: policy ${p.version}, root ${rootLock.packages[key].version}`);
        assert.deepEqual(differ, [], `policy/package-lock.json differs from the root's: ${REGENERATE}`);
    });
});
