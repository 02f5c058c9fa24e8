/**
 * The platform's namespaces and the Pod Security Standard each enforces.
 */
import { sorted } from "./metadata";
import type { NamespaceManifest } from "./types";

/** Pod Security Admission level of the application namespace. */
export const POD_SECURITY_LEVEL = "restricted";

/** Pod Security Admission level of a namespace. */
export type PodSecurityLevel = "restricted" | "baseline" | "privileged";

/**
 * A namespace enforcing a Pod Security Standard; audit and warn are always "restricted" so any
 * relaxation shows up in the API server's warnings and audit log.
 */
export function namespaceManifest(namespace: string, enforce: PodSecurityLevel = POD_SECURITY_LEVEL): NamespaceManifest {
    return {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
            name: namespace,
            labels: sorted({
                "app.kubernetes.io/managed-by": "pulumi",
                "app.kubernetes.io/part-of": "pro-team-care",
                "pod-security.kubernetes.io/enforce": enforce,
                "pod-security.kubernetes.io/enforce-version": "latest",
                "pod-security.kubernetes.io/audit": POD_SECURITY_LEVEL,
                "pod-security.kubernetes.io/audit-version": "latest",
                "pod-security.kubernetes.io/warn": POD_SECURITY_LEVEL,
                "pod-security.kubernetes.io/warn-version": "latest",
            }),
        },
    };
}
