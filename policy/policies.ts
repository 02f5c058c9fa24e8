/**
 * The pack's rules: the exact array policy/index.ts builds the PolicyPack from, exported on its
 * own so that the offline plan (runner.ts) and the tests run the same rules without starting the
 * pack's gRPC server.
 */
import type { Policies } from "@pulumi/policy";
import { backupPolicies } from "./backup";
import { governancePolicies } from "./governance";
import { pitrPolicies } from "./pitr";
import { Rule } from "./rule";
import { secretPolicies } from "./secrets";
import { securityPolicies } from "./security";
import { storagePolicies } from "./storage";
import { workloadPolicies } from "./workloads";

/** Name of the pack (PulumiPolicy packs are addressed by it). */
export const PACK_NAME = "proteamcare-policy";

/** Default enforcement level of every rule; the stacks' pack config raises them. */
export const PACK_ENFORCEMENT_LEVEL = "advisory" as const;

/** Every rule with its metadata, in report order. */
export const rules: readonly Rule[] = [
    ...workloadPolicies,
    ...backupPolicies,
    ...storagePolicies,
    ...pitrPolicies,
    ...securityPolicies,
    ...secretPolicies,
    ...governancePolicies,
];

/** The pack's policies: the array the PolicyPack is built from. */
export const policies: Policies = [...rules];
