/**
 * A self-signed certificate for the dev stack's edge, made by openssl on the machine running
 * Pulumi (`@pulumi/command`'s local.Command). Two commands, so nothing has to be parsed: one
 * prints a private key (a secret output, never logged), the other reads that key on stdin and
 * prints the certificate (public).
 */
import * as pulumi from "@pulumi/pulumi";
import { local } from "@pulumi/command";

/** Arguments of {@link SelfSignedCertificate}. */
export interface SelfSignedCertificateArgs {
    /** Domain put in the certificate's CN and subjectAltName, e.g. "localhost". */
    readonly domain: string;
    /** Validity in days; the certificate is reissued when this or the domain changes. Defaults to 365. */
    readonly validityDays?: number;
}

/** POSIX shell script that prints a new EC P-256 private key (PKCS#8 PEM) on stdout. */
export const PRIVATE_KEY_SCRIPT = [
    "set -eu",
    "umask 077",
    // openssl's progress output would be harmless, but keep stderr for real errors only.
    "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256",
    "",
].join("\n");

/**
 * POSIX shell script that reads a PEM private key on stdin and prints a self-signed server
 * certificate on stdout. CERT_DOMAIN and CERT_DAYS come from the environment, never from the
 * script text, so no value is ever parsed by the shell. The key only touches a private temp
 * dir that is removed on exit.
 */
export const CERTIFICATE_SCRIPT = [
    "set -eu",
    "umask 077",
    'dir="$(mktemp -d)"',
    "trap 'rm -rf \"$dir\"' EXIT",
    'cat > "$dir/tls.key"',
    'openssl req -new -x509 -key "$dir/tls.key" -days "$CERT_DAYS" \\',
    '  -subj "/CN=$CERT_DOMAIN" -addext "subjectAltName=DNS:$CERT_DOMAIN" \\',
    '  -addext "basicConstraints=critical,CA:FALSE" -addext "keyUsage=critical,digitalSignature" \\',
    '  -addext "extendedKeyUsage=serverAuth"',
    "",
].join("\n");

/** Lowercase DNS name that fits a certificate CN (at most 64 characters). */
const CN_DNS_NAME = /^(?=.{1,64}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

/** A self-signed certificate and key for a domain, made with openssl when the stack is deployed. */
export class SelfSignedCertificate extends pulumi.ComponentResource {
    /** PEM certificate (public). */
    public readonly certificate: pulumi.Output<string>;
    /** PEM private key (secret). */
    public readonly privateKey: pulumi.Output<string>;

    /**
     * @param name Component name; the commands are `${name}-key` and `${name}-cert`.
     * @param args Domain and validity.
     * @param opts Component options.
     */
    constructor(name: string, args: SelfSignedCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
        super("proteamcare:edge:SelfSignedCertificate", name, {}, opts);
        const validityDays = args.validityDays ?? 365;

        if (!CN_DNS_NAME.test(args.domain)) {
            throw new pulumi.ResourceError(
                `domain must be a lowercase DNS name of at most 64 characters such as "localhost" or "app.example.com", got "${args.domain}"`,
                this,
            );
        }
        // 825 days is the longest validity browsers accept for a server certificate.
        if (!Number.isInteger(validityDays) || validityDays < 1 || validityDays > 825) {
            throw new pulumi.ResourceError(`validityDays must be an integer from 1 to 825, got ${validityDays}`, this);
        }

        const key = new local.Command(
            `${name}-key`,
            {
                create: PRIVATE_KEY_SCRIPT,
                interpreter: ["/bin/sh", "-c"],
                // stdout is the key: log stderr only, and keep it out of the next run's environment.
                logging: local.Logging.Stderr,
                addPreviousOutputInEnv: false,
            },
            { parent: this, additionalSecretOutputs: ["stdout"] },
        );
        this.privateKey = pulumi.secret(key.stdout);

        const cert = new local.Command(
            `${name}-cert`,
            {
                create: CERTIFICATE_SCRIPT,
                interpreter: ["/bin/sh", "-c"],
                // A secret input: Pulumi stores it encrypted. A new key re-issues the certificate.
                stdin: this.privateKey,
                environment: { CERT_DOMAIN: args.domain, CERT_DAYS: String(validityDays) },
                logging: local.Logging.Stderr,
                addPreviousOutputInEnv: false,
            },
            { parent: this },
        );
        this.certificate = cert.stdout;

        this.registerOutputs({ certificate: this.certificate, privateKey: this.privateKey });
    }
}
