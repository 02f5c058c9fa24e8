/**
 * Fixtures and helpers for the policy tests: compliant resources in the shapes the platforms emit,
 * and runners that evaluate them through runner.ts (the analyzer server's own handlers).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PlanResource, runPolicyPack, Violation } from "../../policy/runner";
import { SECRET_SIG, SIG_KEY, UNKNOWN_VALUE } from "../../policy/sdk-analyzer";

/** A JSON fixture that tests mutate freely (resource inputs are untyped JSON to the analyzer). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Fixture = any;

/** Pulumi's secret envelope, as the engine sends secret values to the analyzer. */
export function secret(value: unknown): Record<string, unknown> {
    return { [SIG_KEY]: SECRET_SIG, value };
}

/** The engine's sentinel for an unknown value during preview. */
export const UNKNOWN = UNKNOWN_VALUE;

/** Path of a pack config file. */
export const PROD_CONFIG = path.join(__dirname, "..", "..", "policy", "config", "prod.json");
/** Path of the dev pack config file. */
export const DEV_CONFIG = path.join(__dirname, "..", "..", "policy", "config", "dev.json");

/** Writes a pack config to a temp file and returns its path. */
export function configFile(config: object): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ptc-policy-"));
    const file = path.join(dir, "config.json");
    fs.writeFileSync(file, JSON.stringify(config));
    return file;
}

/** Deep copy, then apply one change. */
export function mutate<T>(base: T, change: (copy: T) => void): T {
    const copy = JSON.parse(JSON.stringify(base)) as T;
    change(copy);
    return copy;
}

/** A plan resource. */
export function res(type: string, name: string, inputs: Record<string, unknown>, extra: Partial<PlanResource> = {}): PlanResource {
    return { urn: `urn:pulumi:test::ptc::${type}::${name}`, type, name, parent: null, custom: true, inputs, ...extra };
}

/** Runs the pack over `resources` with the prod config (every rule mandatory but the notices). */
export async function run(resources: PlanResource[], configPath: string = PROD_CONFIG): Promise<Violation[]> {
    return runPolicyPack(resources, { project: "ptc", stack: "test", configFile: configPath });
}

/** Violations other than the exemption notices. */
export function problems(vs: Violation[]): Violation[] {
    return vs.filter((v) => v.policy !== "exemption-applied");
}

/** Asserts there is no violation at all (other than exemption notices). */
export function assertClean(vs: Violation[]): void {
    assert.deepStrictEqual(problems(vs).map((v) => `${v.policy}: ${v.message}`), []);
}

/** Asserts exactly the violations of `policy` match `pattern` (at least one), at `level`. */
export function assertViolation(vs: Violation[], policy: string, pattern: RegExp, level: Violation["level"] = "mandatory"): void {
    const hits = vs.filter((v) => v.policy === policy && pattern.test(v.message));
    assert.ok(hits.length > 0, `expected a ${policy} violation matching ${pattern}; got:\n${vs.map((v) => `  ${v.level} ${v.policy}: ${v.message}`).join("\n") || "  (none)"}`);
    for (const h of hits) assert.strictEqual(h.level, level, `${policy}: ${h.message}`);
}

/** Asserts the only problems are violations of `policy` matching `pattern`. */
export function assertOnly(vs: Violation[], policy: string, pattern: RegExp, level: Violation["level"] = "mandatory"): void {
    assertViolation(vs, policy, pattern, level);
    const others = problems(vs).filter((v) => !(v.policy === policy && pattern.test(v.message)));
    assert.deepStrictEqual(others.map((v) => `${v.policy}: ${v.message}`), [], "unexpected other violations");
}

// ---------------------------------------------------------------------------------------------
// Docker (shapes from components/platform/docker.ts)

/** Container labels in docker's `[{ label, value }]` form. */
export function dockerLabels(map: Record<string, string>): { label: string; value: string }[] {
    return Object.keys(map).sort().map((label) => ({ label, value: map[label] }));
}

/** A compliant docker service container (the API). */
export function dockerService(): Record<string, unknown> {
    return {
        name: "api",
        image: "ghcr.io/proteamcare/api:1.4.2",
        restart: "unless-stopped",
        healthcheck: { tests: ["CMD", "curl", "-fsS", "http://127.0.0.1:8000/health"], interval: "15s", timeout: "5s", retries: 3, startPeriod: "10s" },
        envs: ["LOG_LEVEL=info", secret("DATABASE_PASSWORD=s3cr3t")],
        labels: dockerLabels({ "proteamcare.io/workload": "api", "proteamcare.io/tier": "app", "proteamcare.io/kind": "service", "proteamcare.io/component": "api" }),
        user: "1000:1000",
        capabilities: { drops: ["ALL"] },
        securityOpts: ["no-new-privileges:true"],
        memory: 512,
        cpuShares: 256,
        networksAdvanced: [{ name: "ptc-app" }],
        logDriver: "json-file",
        logOpts: { "max-size": "10m", "max-file": "5" },
        wait: true,
    };
}

/** Options of the compliant docker service: env is declared secret. */
export const DOCKER_SECRET_OPTS: Partial<PlanResource> = { additionalSecretOutputs: ["envs"] };

/** A compliant docker job (migrations): no healthcheck. */
export function dockerJob(): Record<string, unknown> {
    return mutate(dockerService(), (c) => {
        c.name = "api-migrate";
        c.restart = "no";
        delete c.healthcheck;
        delete c.wait;
        c.labels = dockerLabels({ "proteamcare.io/workload": "api-migrate", "proteamcare.io/tier": "app", "proteamcare.io/kind": "job", "proteamcare.io/role": "migration" });
    });
}

/** A compliant docker postgres store. */
export function dockerPostgres(): Record<string, unknown> {
    return mutate(dockerService(), (c) => {
        c.name = "postgres";
        c.image = "postgres:16.4-alpine";
        c.healthcheck = { tests: ["CMD", "pg_isready", "-U", "app"], interval: "10s", timeout: "5s", retries: 5, startPeriod: "30s" };
        // WAL archiving through pgBackRest into the hardened bucket of awsBucketSet (wal-archiving).
        c.entrypoints = ["bash", "-c", 'eval "$(ptc-backup pitr-env)"; exec docker-entrypoint.sh "$@"', "ptc-postgres"];
        c.command = ["postgres", "-c", "archive_mode=on", "-c", "archive_command=pgbackrest archive-push %p", "-c", "archive_timeout=60"];
        c.envs = [secret("POSTGRES_PASSWORD=pw"), "POSTGRES_USER=app", "BACKUP_S3_URI=s3://ptc-backups/pro-team-care"];
        c.user = "70:70";
        c.volumes = [{ volumeName: "postgres-data", containerPath: "/var/lib/postgresql/data" }];
        c.labels = dockerLabels({ "proteamcare.io/workload": "postgres", "proteamcare.io/tier": "data", "proteamcare.io/kind": "service", "proteamcare.io/store": "postgres" });
    });
}

/** A compliant docker backup schedule covering postgres hourly. */
export function dockerBackupSchedule(): Record<string, unknown> {
    return mutate(dockerService(), (c) => {
        c.name = "backup-postgres";
        c.image = "ghcr.io/proteamcare/backup:1.0.0";
        c.healthcheck = { tests: ["CMD-SHELL", "test $(( $(date +%s) - $(stat -c %Y /tmp/heartbeat) )) -lt 7200"], interval: "60s", timeout: "5s", retries: 3, startPeriod: "0s" };
        c.labels = dockerLabels({
            "proteamcare.io/workload": "backup-postgres",
            "proteamcare.io/tier": "ops",
            "proteamcare.io/kind": "schedule",
            "proteamcare.io/role": "backup",
            "proteamcare.io/backup-of": "postgres",
            "proteamcare.io/schedule": "0 * * * *",
        });
    });
}

// ---------------------------------------------------------------------------------------------
// Kubernetes (shapes from components/platform/kubernetes.ts)

/** A compliant container spec. */
export function k8sContainer(name = "api"): Record<string, unknown> {
    const probe = { httpGet: { path: "/health", port: 8000 }, periodSeconds: 15, timeoutSeconds: 5, failureThreshold: 3 };
    return {
        name,
        image: "ghcr.io/proteamcare/api:1.4.2",
        ports: [{ name: "http", containerPort: 8000 }],
        env: [
            { name: "LOG_LEVEL", value: "info" },
            { name: "DATABASE_PASSWORD", valueFrom: { secretKeyRef: { name: "api-env", key: "DATABASE_PASSWORD" } } },
        ],
        readinessProbe: probe,
        livenessProbe: probe,
        startupProbe: { ...probe, periodSeconds: 5, failureThreshold: 24 },
        resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "256Mi" } },
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
    };
}

/** Labels of a workload. */
export function k8sLabels(workload: string, tier: string, extra: Record<string, string> = {}): Record<string, string> {
    return { "app.kubernetes.io/name": workload, "proteamcare.io/workload": workload, "proteamcare.io/tier": tier, ...extra };
}

/** A compliant pod template. */
export function podTemplate(labels: Record<string, string>, containers: Record<string, unknown>[], annotations: Record<string, string> = {}): Record<string, unknown> {
    return {
        metadata: { labels, annotations },
        spec: { securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 }, containers },
    };
}

/** A compliant Deployment. */
export function k8sDeployment(): Record<string, unknown> {
    const labels = k8sLabels("api", "app", { "proteamcare.io/kind": "service" });
    return {
        metadata: { name: "api", namespace: "ptc", labels, annotations: {} },
        spec: { replicas: 2, selector: { matchLabels: { "proteamcare.io/workload": "api" } }, template: podTemplate(labels, [k8sContainer()]) },
    };
}

/** A compliant postgres StatefulSet with a volume claim. */
export function k8sPostgres(): Record<string, unknown> {
    const labels = k8sLabels("postgres", "data", { "proteamcare.io/kind": "service", "proteamcare.io/store": "postgres" });
    const c = mutate(k8sContainer("postgres"), (x) => {
        x.image = "postgres:16.4-alpine";
        x.ports = [{ name: "postgres", containerPort: 5432 }];
        x.env = [
            { name: "BACKUP_S3_URI", value: "s3://ptc-backups/pro-team-care" },
            { name: "POSTGRES_PASSWORD", valueFrom: { secretKeyRef: { name: "postgres-env", key: "POSTGRES_PASSWORD" } } },
        ];
        // WAL archiving through pgBackRest into the hardened bucket of awsBucketSet (wal-archiving).
        x.command = ["bash", "-c", 'eval "$(ptc-backup pitr-env)"; exec docker-entrypoint.sh "$@"', "ptc-postgres"];
        x.args = ["postgres", "-c", "archive_mode=on", "-c", "archive_command=pgbackrest archive-push %p", "-c", "archive_timeout=60"];
        const probe = { exec: { command: ["pg_isready", "-U", "app"] }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 5 };
        x.readinessProbe = probe;
        x.livenessProbe = probe;
        x.startupProbe = { ...probe, periodSeconds: 5, failureThreshold: 60 };
    });
    return {
        metadata: { name: "postgres", namespace: "ptc", labels, annotations: {} },
        spec: {
            serviceName: "postgres",
            replicas: 1,
            selector: { matchLabels: { "proteamcare.io/workload": "postgres" } },
            template: podTemplate(labels, [c]),
            volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "20Gi" } } } }],
        },
    };
}

/** A compliant backup CronJob covering postgres hourly. */
export function k8sBackupCronJob(): Record<string, unknown> {
    const labels = k8sLabels("backup-postgres", "ops", { "proteamcare.io/kind": "schedule", "proteamcare.io/role": "backup" });
    const annotations = { "proteamcare.io/backup-of": "postgres", "proteamcare.io/schedule": "0 * * * *" };
    const c = mutate(k8sContainer("backup"), (x) => {
        x.image = "ghcr.io/proteamcare/backup:1.0.0";
        delete x.readinessProbe;
        delete x.livenessProbe;
        delete x.startupProbe;
        delete x.ports;
    });
    return {
        metadata: { name: "backup-postgres", namespace: "ptc", labels, annotations },
        spec: { schedule: "0 * * * *", concurrencyPolicy: "Forbid", jobTemplate: { spec: { backoffLimit: 2, template: podTemplate(labels, [c], annotations) } } },
    };
}

/** A compliant ClusterIP Service for postgres. */
export function k8sPostgresService(): Record<string, unknown> {
    return {
        metadata: { name: "postgres", namespace: "ptc", labels: k8sLabels("postgres", "data") },
        spec: { type: "ClusterIP", selector: { "proteamcare.io/workload": "postgres" }, ports: [{ name: "postgres", port: 5432, targetPort: 5432 }] },
    };
}

// ---------------------------------------------------------------------------------------------
// AWS backup bucket (shapes from components/backup/)

/** URN of the component that owns the bucket resources. */
export const BUCKET_PARENT = "urn:pulumi:test::ptc::proteamcare:backup:BackupBucket::backups";

/** A compliant hardened bucket: the bucket and its five settings resources. */
export function awsBucketSet(): PlanResource[] {
    const p = { parent: BUCKET_PARENT };
    const arn = "arn:aws:s3:::ptc-backups";
    return [
        res("aws:s3/bucket:Bucket", "backups-bucket", { bucket: "ptc-backups", forceDestroy: false }, p),
        res("aws:s3/bucketVersioning:BucketVersioning", "backups-versioning", { bucket: "ptc-backups", versioningConfiguration: { status: "Enabled" } }, p),
        res(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "backups-sse",
            { bucket: "ptc-backups", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:aws:kms:sa-east-1:1:key/k" }, bucketKeyEnabled: true }] },
            p,
        ),
        res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "backups-pab", { bucket: "ptc-backups", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, p),
        res(
            "aws:s3/bucketPolicy:BucketPolicy",
            "backups-policy",
            {
                bucket: "ptc-backups",
                policy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [arn, `${arn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } }],
                }),
            },
            p,
        ),
        res(
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            "backups-lifecycle",
            {
                bucket: "ptc-backups",
                rules: [
                    // The logical backups only: pgBackRest expires its repository (pro-team-care/pgbackrest/) itself.
                    { id: "retention", status: "Enabled", filter: { prefix: "pro-team-care/backups/" }, expiration: { days: 35 }, noncurrentVersionExpiration: { noncurrentDays: 30 } },
                ],
            },
            p,
        ),
    ];
}

/** Replaces the inputs of the resource named `name` in a list. */
export function withInputs(list: PlanResource[], name: string, change: (inputs: Record<string, unknown>) => void): PlanResource[] {
    return list.map((r) => (r.name === name ? { ...r, inputs: mutate(r.inputs, change) } : r));
}
