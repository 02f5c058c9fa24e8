/**
 * The project's own images (built and pushed by .github/workflows/images.yml) are named in four
 * places that must agree: the workflow's matrix, the loader's PROJECT_IMAGE_KEYS, the prod pack
 * config's digestRequiredRepositories, and Pulumi.prod.yaml (which references each by digest).
 * An image added to the matrix and forgotten elsewhere would go to prod by tag.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { parseImageRef } from "../../stacks/images";
import { PROJECT_IMAGE_KEYS } from "../../stacks/schema";

const ROOT = path.resolve(__dirname, "..", "..");
const read = (p: string): string => fs.readFileSync(path.join(ROOT, p), "utf8");

interface MatrixEntry {
    readonly name: string;
    readonly "config-key": string;
}

function matrix(): MatrixEntry[] {
    const wf = YAML.parse(read(".github/workflows/images.yml")) as { jobs: Record<string, { strategy?: { matrix?: { image?: MatrixEntry[] } } }> };
    return Object.values(wf.jobs).flatMap((j) => j.strategy?.matrix?.image ?? []);
}

describe("the project's own images", () => {
    const entries = matrix();
    const prodImages = (YAML.parse(read("Pulumi.prod.yaml")) as { config: Record<string, unknown> }).config["pro-team-care:images"] as Record<string, string>;
    const prodPack = JSON.parse(read("policy/config/prod.json")) as { "immutable-image": { digestRequiredRepositories: string[] } };

    it("the images workflow builds at least one", () => assert.ok(entries.length > 0, "no matrix entries found in images.yml"));

    it("are exactly the loader's PROJECT_IMAGE_KEYS", () => {
        assert.deepStrictEqual(entries.map((e) => e["config-key"]).sort(), [...PROJECT_IMAGE_KEYS].sort());
    });

    it("are referenced by digest in Pulumi.prod.yaml, from the repository the workflow pushes", () => {
        for (const e of entries) {
            const ref = prodImages[e["config-key"]];
            assert.ok(ref, `Pulumi.prod.yaml sets no images.${e["config-key"]}`);
            const parsed = parseImageRef(ref);
            assert.ok(parsed.digest, `images.${e["config-key"]} "${ref}" has no digest`);
            assert.strictEqual(parsed.repository, `ghcr.io/proteamcare/${e.name}`);
        }
    });

    it("each need a digest under the prod policy config", () => {
        const wanted = entries.map((e) => `ghcr.io/proteamcare/${e.name}`);
        for (const w of wanted) assert.ok(prodPack["immutable-image"].digestRequiredRepositories.includes(w), `${w} is not in digestRequiredRepositories`);
    });
});
