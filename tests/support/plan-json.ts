/**
 * Queries over the offline plan's JSON (tools/plan: `--json FILE`) that several plan tests share:
 * one resource by type and name, and everything a component holds.
 */
import * as assert from "node:assert/strict";

import type { PlanJson } from "../../tools/plan/plan";

/** One resource of the plan's JSON. */
export type PlanResourceJson = PlanJson["resources"][number];

/** The one resource of `type` (named `name` when given); fails the test unless exactly one matches. */
export function onlyResource(json: PlanJson, type: string, name?: string): PlanResourceJson {
    const found = json.resources.filter((r) => r.type === type && (name === undefined || r.name === name));
    assert.equal(found.length, 1, `expected one ${type}${name === undefined ? "" : ` named ${name}`}, found ${found.length}`);
    return found[0];
}

/**
 * Every resource below `roots` at any depth (not the roots themselves), in the plan's order
 * (parents before children, so one pass collects a whole subtree).
 */
export function descendants(json: PlanJson, roots: readonly PlanResourceJson[]): PlanResourceJson[] {
    const urns = new Set(roots.map((r) => r.urn));
    const out: PlanResourceJson[] = [];
    for (const r of json.resources) {
        if (r.parent !== null && urns.has(r.parent)) {
            urns.add(r.urn);
            out.push(r);
        }
    }
    return out;
}

/** The custom resources (not components) below the one component of `type` (named `name` when given). */
export function customResourcesUnder(json: PlanJson, type: string, name?: string): PlanResourceJson[] {
    return descendants(json, [onlyResource(json, type, name)]).filter((r) => r.custom);
}
