/**
 * A self-signed certificate for the dev stack's edge, made by the `@pulumi/tls` provider: an
 * ECDSA P-256 key (a secret in the state, never logged) and a server certificate signed by it.
 * No shell and no openssl on the machine running Pulumi.
 */
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";

/** Arguments of {@link SelfSignedCertificate}. */
export interface SelfSignedCertificateArgs {
    /** Domain put in the certificate's CN and subjectAltName, e.g. "localhost". */
    readonly domain: string;
    /** Validity in days; the certificate is reissued when this or the domain changes. Defaults to 365. */
    readonly validityDays?: number;
}

/** The key the certificate is made for: EC P-256, small and accepted by every TLS client. */
export const DEV_CERT_KEY = { algorithm: "ECDSA", ecdsaCurve: "P256" } as const;

/**
 * What the certificate may be used for (`tls.SelfSignedCert` `allowedUses`): a TLS server's
 * handshake signature and nothing else. The provider marks keyUsage and basicConstraints
 * (CA:FALSE) critical, as openssl did with `-addext "keyUsage=critical,…"`.
 */
export const DEV_CERT_ALLOWED_USES: readonly string[] = ["digital_signature", "server_auth"];

/** Lowercase DNS name that fits a certificate CN (at most 64 characters). */
const CN_DNS_NAME = /^(?=.{1,64}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

/** True when `name` is a lowercase DNS name that fits a certificate CN (at most 64 characters). */
export function isCertDnsName(name: string): boolean {
    return CN_DNS_NAME.test(name);
}

/**
 * The dev key every dev certificate (the edge's, MinIO's and its CA's) is made with: a
 * `tls.PrivateKey` of {@link DEV_CERT_KEY}, its private outputs marked secret. Returns the
 * resource and its PKCS#8 PEM ("BEGIN PRIVATE KEY", the form nginx and MinIO read) as a secret.
 *
 * @param name Resource name of the key.
 * @param parent The component that owns it.
 */
export function devPrivateKey(name: string, parent: pulumi.Resource): { key: tls.PrivateKey; pem: pulumi.Output<string> } {
    // The provider already marks its private outputs secret; saying so here keeps that true
    // whatever the provider's schema does, and under mocks.
    const key = new tls.PrivateKey(
        name,
        { ...DEV_CERT_KEY },
        { parent, additionalSecretOutputs: ["privateKeyPem", "privateKeyPemPkcs8", "privateKeyOpenssh"] },
    );
    return { key, pem: pulumi.secret(key.privateKeyPemPkcs8) };
}

/**
 * The `tls.SelfSignedCert` arguments for a domain (without the key): CN and the only DNS SAN are
 * the domain, not a CA, valid `validityDays` from issue. Pure, so tests can check the profile.
 *
 * @param domain Domain for the CN and subjectAltName.
 * @param validityDays Validity in days.
 */
export function selfSignedCertProfile(domain: string, validityDays: number): Omit<tls.SelfSignedCertArgs, "privateKeyPem"> {
    return {
        subject: { commonName: domain },
        dnsNames: [domain],
        validityPeriodHours: validityDays * 24,
        allowedUses: [...DEV_CERT_ALLOWED_USES],
        isCaCertificate: false,
        // openssl req -x509 adds a subject key identifier; keep it so clients see the same shape.
        setSubjectKeyId: true,
    };
}

/** A self-signed certificate and key for a domain, made by the tls provider when the stack is deployed. */
export class SelfSignedCertificate extends pulumi.ComponentResource {
    /** PEM certificate (public). */
    public readonly certificate: pulumi.Output<string>;
    /** PEM private key, PKCS#8 (secret). */
    public readonly privateKey: pulumi.Output<string>;

    /**
     * @param name Component name; the children are `${name}-key` (tls.PrivateKey) and `${name}-cert` (tls.SelfSignedCert).
     * @param args Domain and validity.
     * @param opts Component options.
     */
    constructor(name: string, args: SelfSignedCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
        super("proteamcare:edge:SelfSignedCertificate", name, {}, opts);
        const validityDays = args.validityDays ?? 365;

        if (!isCertDnsName(args.domain)) {
            throw new pulumi.ResourceError(
                `domain must be a lowercase DNS name of at most 64 characters such as "localhost" or "app.example.com", got "${args.domain}"`,
                this,
            );
        }
        // 825 days is the longest validity browsers accept for a server certificate.
        if (!Number.isInteger(validityDays) || validityDays < 1 || validityDays > 825) {
            throw new pulumi.ResourceError(`validityDays must be an integer from 1 to 825, got ${validityDays}`, this);
        }

        // PKCS#8 ("BEGIN PRIVATE KEY"), the form openssl genpkey printed and nginx reads.
        this.privateKey = devPrivateKey(`${name}-key`, this).pem;

        const cert = new tls.SelfSignedCert(
            `${name}-cert`,
            { ...selfSignedCertProfile(args.domain, validityDays), privateKeyPem: this.privateKey },
            { parent: this },
        );
        this.certificate = cert.certPem;

        this.registerOutputs({ certificate: this.certificate, privateKey: this.privateKey });
    }
}
