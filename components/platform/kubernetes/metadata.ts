/**
 * Labels, annotations and metadata of a workload's objects. The selector labels are stable for a
 * workload's life (selectors are immutable); keys come out sorted for deterministic output.
 */
import { ContainerSpec, LABELS, workloadLabels } from "../spec";
import type { Kind, ManifestContext, ObjectMeta } from "./types";

/** Sorts an object's keys, for stable output. */
export function sorted<T>(obj: Record<string, T>): Record<string, T> {
    return Object.fromEntries(Object.keys(obj).sort().map((k) => [k, obj[k]]));
}

/**
 * Labels of every object of a workload. The selector labels, tier, kind and component are set
 * last so a spec's own labels cannot change them (that would break selectors or let a workload
 * claim another tier's network access).
 */
export function objectLabels(name: string, spec: ContainerSpec, ctx: ManifestContext, kind: Kind): Record<string, string> {
    return sorted({
        ...workloadLabels(ctx.component, name, spec),
        [LABELS.component]: ctx.component,
        [LABELS.workload]: name,
        [LABELS.tier]: spec.tier,
        [LABELS.kind]: kind,
    });
}

/** Labels that select a workload's pods (stable for the workload's life: selectors are immutable). */
export function selectorLabels(name: string): Record<string, string> {
    return { [LABELS.workload]: name };
}

/** The spec's annotations plus `extra`, sorted; undefined when there are none. */
export function objectAnnotations(spec: ContainerSpec, extra: Record<string, string> = {}): Record<string, string> | undefined {
    const all = { ...(spec.annotations ?? {}), ...extra };
    return Object.keys(all).length > 0 ? sorted(all) : undefined;
}

/** Metadata of a namespaced object of the workload. */
export function meta(name: string, ctx: ManifestContext, labels: Record<string, string>, annotations?: Record<string, string>): ObjectMeta {
    return { name, namespace: ctx.namespace, labels, ...(annotations ? { annotations } : {}) };
}
