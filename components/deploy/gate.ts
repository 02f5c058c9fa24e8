/**
 * The post-deploy gate: after the edge and the app have changed, a local command on the machine
 * running `pulumi up` asks the public health URL and `/` and fails the update unless both answer
 * 200 within a budget (components/deploy/scripts/post-deploy-gate.sh, bash + curl). It re-runs
 * when an image reference (api, web, edge) or the edge's rendered config changes, and when its
 * own settings change. Deleting it does nothing.
 *
 * It is not a workload: it runs where Pulumi runs, so it takes plain URLs and a place to connect
 * rather than a platform; the caller (index.ts) decides both per stack.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { GATE_DEFAULTS, GATE_SCRIPT, gateEnvironment, gateSettingsProblems, gateTriggers } from "./gate-options";

/** Arguments of {@link PostDeployGate}. */
export interface PostDeployGateArgs {
    /** URLs that must each answer 200, checked in order (the API health URL, then the public `/`). */
    readonly urls: readonly pulumi.Input<string>[];
    /** Image references by workload (api, web, edge): a change re-runs the gate. */
    readonly images: Readonly<Record<string, pulumi.Input<string>>>;
    /** The edge's rendered config (no secrets): a change re-runs the gate; only its hash is kept. */
    readonly edgeConfig: pulumi.Input<string>;
    /** What the gate checks the result of (the Edge, Api and Web components): the command runs after them. */
    readonly after: readonly pulumi.Resource[];
    /**
     * Where to connect instead of each URL's own host and port, an https origin such as
     * "https://localhost:8443/"; the requests keep the URL's name as Host and SNI. Defaults to
     * none (the URLs' own hosts).
     */
    readonly baseUrl?: string;
    /** PEM certificate to trust (the dev self-signed one); written to a temp file by the script. Defaults to none (the system CAs). */
    readonly caCertificate?: pulumi.Input<string>;
    /** Absolute path of a PEM CA bundle on the machine running `pulumi up` (not with caCertificate). Defaults to none. */
    readonly caFile?: string;
    /** Seconds all the checks together may take. Defaults to 120. */
    readonly budgetSeconds?: number;
    /** Seconds between two attempts at a URL. Defaults to 5. */
    readonly intervalSeconds?: number;
    /** Seconds one attempt may take (never past the budget). Defaults to 10. */
    readonly requestTimeoutSeconds?: number;
}

/** A local command that fails `pulumi up` when the public URLs do not answer 200 after an update. */
export class PostDeployGate extends pulumi.ComponentResource {
    /** What the last run printed: one line per URL that answered 200. */
    public readonly report: pulumi.Output<string>;

    /**
     * @param name Component name (the command's name derives from it).
     * @param args Gate arguments.
     * @param opts Component options.
     */
    constructor(name: string, args: PostDeployGateArgs, opts?: pulumi.ComponentResourceOptions) {
        super("proteamcare:deploy:PostDeployGate", name, {}, opts);

        const budgetSeconds = args.budgetSeconds ?? GATE_DEFAULTS.budgetSeconds;
        const intervalSeconds = args.intervalSeconds ?? GATE_DEFAULTS.intervalSeconds;
        const requestTimeoutSeconds = args.requestTimeoutSeconds ?? GATE_DEFAULTS.requestTimeoutSeconds;

        const problems = gateSettingsProblems({ budgetSeconds, intervalSeconds, requestTimeoutSeconds, baseUrl: args.baseUrl, caFile: args.caFile });
        if (args.urls.length === 0) problems.push("urls must list at least one URL");
        if (Object.keys(args.images).length === 0) problems.push("images must name at least one image reference (api, web, edge)");
        if (args.caCertificate !== undefined && args.caFile !== undefined) problems.push("caCertificate and caFile are exclusive: trust one or the other");
        if (problems.length > 0) throw new pulumi.ResourceError(`post-deploy gate "${name}": ${problems.join("; ")}`, this);

        const imageKeys = Object.keys(args.images).sort();
        const triggers = pulumi
            .all([pulumi.all(imageKeys.map((k) => args.images[k])), args.edgeConfig])
            .apply(([refs, conf]) => gateTriggers(Object.fromEntries(imageKeys.map((k, i) => [k, refs[i]])), conf));

        // Everything the script needs is an environment variable: nothing is interpolated into the
        // command line, so a URL or a path can hold any character. The certificate is public; if a
        // secret ever comes in, pulumi.all keeps the whole environment secret.
        const environment = pulumi
            .all([pulumi.all([...args.urls]), args.caCertificate])
            .apply(([urls, caCertificate]) =>
                gateEnvironment({ urls, budgetSeconds, intervalSeconds, requestTimeoutSeconds, baseUrl: args.baseUrl, caCertificate, caFile: args.caFile }),
            );

        const check = new command.local.Command(
            `${name}-check`,
            {
                // bash reads the script from stdin: the error Pulumi prints on failure is then the
                // command "bash -s" and the script's one line, and the provider's working directory
                // (not the project's) does not matter.
                create: "bash -s",
                update: "bash -s",
                stdin: GATE_SCRIPT,
                environment,
                triggers,
                // The previous report is of no use to the next run.
                addPreviousOutputInEnv: false,
            },
            { parent: this, dependsOn: [...args.after] },
        );

        this.report = check.stdout;
        this.registerOutputs({ report: this.report });
    }
}
