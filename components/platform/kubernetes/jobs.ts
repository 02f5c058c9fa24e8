/**
 * Run-once Jobs and CronJobs: the Job body they share, the trigger annotation, and the CronJob's
 * UTC schedule that never overlaps itself.
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { ANNOTATIONS, JobSpec, ScheduleSpec } from "../spec";
import { configMapManifest, secretManifest } from "./config";
import { meta, objectAnnotations, objectLabels, sorted } from "./metadata";
import { podTemplate } from "./pod-template";
import type { ConfigMapManifest, CronJobManifest, JobManifest, Kind, ManifestContext, SecretManifest } from "./types";

/** Job annotation holding the hash of the job's trigger. */
export const TRIGGER_ANNOTATION = "proteamcare.io/trigger";

/** CronJob time zone: cron expressions in the spec are UTC. */
export const CRON_TIME_ZONE = "Etc/UTC";
/** Seconds after its scheduled time a missed CronJob run may still start; later runs are skipped. */
export const CRON_STARTING_DEADLINE_SECONDS = 300;
/** Finished Jobs a CronJob keeps, successful and failed each (for `kubectl logs` after an alert). */
export const CRON_HISTORY_LIMIT = 3;

/** Everything a job becomes. */
export interface JobManifests {
    /** The Job. */
    readonly job: JobManifest;
    /** Plain files. */
    readonly configMap?: ConfigMapManifest;
    /** Secret env and secret files. */
    readonly secret?: SecretManifest;
}

/** Options of a Job beyond its spec. */
export interface JobOptions {
    /** metadata.name of the Job (see {@link jobName}). */
    readonly jobName: pulumi.Input<string>;
    /** Hash of the trigger, recorded as an annotation. */
    readonly triggerHash: pulumi.Input<string>;
    /** Seconds after which Kubernetes deletes the finished Job. Defaults to never. */
    readonly ttlSecondsAfterFinished?: number;
}

function jobSpecBody(name: string, spec: JobSpec, ctx: ManifestContext, kind: Kind, extraAnnotations: Record<string, string> = {}): k8s.types.input.batch.v1.JobSpec {
    return {
        backoffLimit: spec.backoffLimit ?? 2,
        activeDeadlineSeconds: spec.deadlineSeconds ?? 3600,
        template: podTemplate(name, spec, ctx, kind, extraAnnotations),
    };
}

/** The objects of a run-once job. */
export function jobManifests(name: string, spec: JobSpec, ctx: ManifestContext, opts: JobOptions): JobManifests {
    const labels = objectLabels(name, spec, ctx, "job");
    const annotations: Record<string, pulumi.Input<string>> = { ...(spec.annotations ?? {}), [TRIGGER_ANNOTATION]: opts.triggerHash };
    return {
        job: {
            apiVersion: "batch/v1",
            kind: "Job",
            metadata: { name: opts.jobName, namespace: ctx.namespace, labels, annotations: sorted(annotations) },
            spec: {
                ...jobSpecBody(name, spec, ctx, "job"),
                ...(opts.ttlSecondsAfterFinished !== undefined ? { ttlSecondsAfterFinished: opts.ttlSecondsAfterFinished } : {}),
            },
        },
        configMap: configMapManifest(name, spec, ctx, "job"),
        secret: secretManifest(name, spec, ctx, "job"),
    };
}

/** Everything a schedule becomes. */
export interface ScheduleManifests {
    /** The CronJob. */
    readonly cronJob: CronJobManifest;
    /** Plain files. */
    readonly configMap?: ConfigMapManifest;
    /** Secret env and secret files. */
    readonly secret?: SecretManifest;
}

/** The objects of a scheduled job. */
export function scheduleManifests(name: string, spec: ScheduleSpec, ctx: ManifestContext): ScheduleManifests {
    const labels = objectLabels(name, spec, ctx, "schedule");
    const cronAnnotation = { [ANNOTATIONS.schedule]: spec.cron };
    const annotations = objectAnnotations(spec, cronAnnotation);
    return {
        cronJob: {
            apiVersion: "batch/v1",
            kind: "CronJob",
            metadata: meta(name, ctx, labels, annotations),
            spec: {
                schedule: spec.cron,
                timeZone: CRON_TIME_ZONE,
                // A backup still running when the next one is due is not doubled up.
                concurrencyPolicy: "Forbid",
                startingDeadlineSeconds: CRON_STARTING_DEADLINE_SECONDS,
                successfulJobsHistoryLimit: CRON_HISTORY_LIMIT,
                failedJobsHistoryLimit: CRON_HISTORY_LIMIT,
                suspend: false,
                jobTemplate: {
                    metadata: { labels, ...(annotations ? { annotations } : {}) },
                    spec: jobSpecBody(name, spec, ctx, "schedule", cronAnnotation),
                },
            },
        },
        configMap: configMapManifest(name, spec, ctx, "schedule"),
        secret: secretManifest(name, spec, ctx, "schedule"),
    };
}
