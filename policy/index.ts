/**
 * The Pro Team Care CrossGuard policy pack. This is the only module that constructs the
 * PolicyPack (doing so starts the analyzer's gRPC server; a second pack in one process exits it):
 * everything else imports `policies` from ./policies.
 *
 *   pulumi preview --policy-pack policy --policy-pack-config policy/config/prod.json
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_ENFORCEMENT_LEVEL, PACK_NAME, policies } from "./policies";

new PolicyPack(PACK_NAME, {
    policies,
    enforcementLevel: PACK_ENFORCEMENT_LEVEL,
    description: "Pro Team Care: health checks, backups, bucket hardening, image pinning, secrets, least privilege and network exposure.",
});
