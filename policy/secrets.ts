/**
 * Secret rules: no secret reaches a container as plaintext environment.
 *
 * What a policy can know about secretness: the engine sends secret inputs to the analyzer still
 * marked secret, but @pulumi/policy's Analyze and AnalyzeStack handlers deserialize them with
 * secrets unwrapped (deserializeProperties(props, false)): a policy sees the plaintext value and
 * no marker. So on docker, where a secret travels as an `envs` entry, no policy can tell a
 * `pulumi.secret` value from a literal. The honest check is on what the analyzer does pass: the
 * resource's `additionalSecretOutputs` option. A container with secret-named env must declare
 * `additionalSecretOutputs: ["envs"]`, which makes Pulumi store and show its env encrypted
 * whatever the value's own marking. (The offline plan, which sees the secret envelopes, can
 * verify the values themselves: runner.ts `secretEnvelopeFindings`.) On Kubernetes the shape
 * itself tells: a secret must come from `valueFrom.secretKeyRef`.
 */
import { DEFAULT_SECRET_NAME_PATTERN } from "./labels";
import { arr, at, K8S_POD_OWNERS, obj, podOf, str, Subject, TYPES } from "./resources";
import { Finding, resourceRule } from "./rule";

/** Resolved config of {@link noPlaintextSecretEnv}. */
export interface SecretEnvConfig {
    /** Case-insensitive regular expression for env names that hold secrets. */
    readonly namePattern: string;
    /** Exact env names that match the pattern but are not secrets. */
    readonly allowedNames: readonly string[];
}

function secretNameMatcher(cfg: SecretEnvConfig): (name: string) => boolean {
    const re = new RegExp(cfg.namePattern, "i");
    const allowed = new Set(cfg.allowedNames);
    return (name) => !allowed.has(name) && re.test(name);
}

function dockerFindings(subject: Subject, isSecretName: (n: string) => boolean): Finding[] {
    if ((subject.additionalSecretOutputs ?? []).includes("envs")) return [];
    const names: string[] = [];
    for (const entry of arr(subject.props.envs)) {
        const text = String(entry);
        const eq = text.indexOf("=");
        const name = eq >= 0 ? text.slice(0, eq) : text;
        const value = eq >= 0 ? text.slice(eq + 1) : "";
        if (!isSecretName(name)) continue;
        // NAME_FILE=/path passes a path to a mounted secret file, not the secret.
        if (/_FILE$/i.test(name) && value.startsWith("/")) continue;
        names.push(name);
    }
    if (names.length === 0) return [];
    return [
        {
            check: "docker-env-undeclared",
            message:
                `env ${names.join(", ")} looks secret, and the analyzer cannot tell whether the value is a Pulumi secret; ` +
                'pass it through the spec\'s secretEnv and declare additionalSecretOutputs: ["envs"] on the container so Pulumi stores its env encrypted',
        },
    ];
}

function k8sFindings(subject: Subject, isSecretName: (n: string) => boolean): Finding[] {
    const out: Finding[] = [];
    for (const c of podOf(subject)?.containers ?? []) {
        for (const e of arr(c.spec.env)) {
            const name = str(at(e, "name")) ?? "";
            if (!isSecretName(name)) continue;
            const valueFrom = obj(at(e, "valueFrom"));
            if (valueFrom && obj(valueFrom.secretKeyRef)) continue;
            if (valueFrom) {
                out.push({ check: "k8s-not-secret-ref", message: `container "${c.name}" env ${name} comes from ${Object.keys(valueFrom).join(", ")}, not a Secret; use valueFrom.secretKeyRef` });
            } else {
                out.push({ check: "k8s-plaintext", message: `container "${c.name}" env ${name} is a plaintext value; move it to a Secret and use valueFrom.secretKeyRef (the spec's secretEnv)` });
            }
        }
    }
    return out;
}

/** `no-plaintext-secret-env`: secret-named env vars come from secrets. */
export const noPlaintextSecretEnv = resourceRule<SecretEnvConfig>({
    name: "no-plaintext-secret-env",
    description:
        "Checks that env vars named like secrets (PASSWORD, SECRET, TOKEN, KEY, …) come from secrets: valueFrom.secretKeyRef on Kubernetes; " +
        'on docker, where the analyzer cannot see secretness, the container declares additionalSecretOutputs ["envs"].',
    checks: {
        "k8s-plaintext": "a secret-named Kubernetes env var has a literal value",
        "k8s-not-secret-ref": "a secret-named Kubernetes env var comes from something other than a Secret",
        "docker-env-undeclared": 'a docker container has secret-named env but does not declare additionalSecretOutputs ["envs"]',
    },
    config: {
        namePattern: { type: "string", minLength: 1, default: DEFAULT_SECRET_NAME_PATTERN, description: "Case-insensitive regular expression for secret env names." },
        allowedNames: { type: "array", items: { type: "string" }, default: [], description: "Exact env names that match the pattern but hold no secret." },
    },
    types: [TYPES.container, ...K8S_POD_OWNERS],
    check(subject, cfg): Finding[] {
        const isSecretName = secretNameMatcher(cfg);
        return subject.type === TYPES.container ? dockerFindings(subject, isSecretName) : k8sFindings(subject, isSecretName);
    },
});

/** The secret rules. */
export const secretPolicies = [noPlaintextSecretEnv];
