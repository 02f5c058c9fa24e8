/**
 * TLS for the dev backup store: a dev CA and MinIO's server certificate signed by it, made by the
 * `@pulumi/tls` provider with the edge's dev key (components/edge/self-signed.ts). pgBackRest
 * speaks S3 over TLS only, so the MinIO that dev archives WAL into must serve https; its clients
 * (the bucket-init job, the backup schedules, PostgreSQL and its pitr sidecar) trust the CA
 * through a file, never by turning verification off.
 */
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { DEV_CERT_ALLOWED_USES, devPrivateKey, isCertDnsName } from "../edge/self-signed";

/** MinIO's `--certs-dir`: it reads `public.crt` and `private.key` here and trusts `CAs/*`. */
export const MINIO_CERTS_DIR = "/etc/minio/certs";
/** The files MinIO's certs dir holds. The CA goes into `CAs/` too: MinIO creates that directory when missing, which a read-only root refuses. */
export const MINIO_TLS_FILES = {
    certificate: `${MINIO_CERTS_DIR}/public.crt`,
    privateKey: `${MINIO_CERTS_DIR}/private.key`,
    ca: `${MINIO_CERTS_DIR}/CAs/ptc-dev-ca.crt`,
} as const;
/** Common name of the dev CA. */
export const DEV_CA_COMMON_NAME = "Pro Team Care dev backup CA";
/** Validity of the dev CA in days (ten years: reissuing it means every client's file changes). */
export const DEV_CA_VALIDITY_DAYS = 3650;
/** Validity of MinIO's certificate in days; it is reissued by `pulumi up` in its last 30 days. */
export const MINIO_CERT_VALIDITY_DAYS = 365;
/** Hours before expiry from which `pulumi up` reissues MinIO's certificate. */
export const MINIO_CERT_EARLY_RENEWAL_HOURS = 30 * 24;
/** What the CA may do: sign certificates (and CRLs), nothing else. The provider marks basicConstraints CA:TRUE critical. */
export const DEV_CA_ALLOWED_USES: readonly string[] = ["cert_signing", "crl_signing"];

/** The `tls.SelfSignedCert` arguments of the dev CA (without the key). Pure, so tests can issue the same profile with openssl. */
export function devCaProfile(commonName: string = DEV_CA_COMMON_NAME, validityDays: number = DEV_CA_VALIDITY_DAYS): Omit<tls.SelfSignedCertArgs, "privateKeyPem"> {
    return {
        subject: { commonName },
        validityPeriodHours: validityDays * 24,
        allowedUses: [...DEV_CA_ALLOWED_USES],
        isCaCertificate: true,
        setSubjectKeyId: true,
    };
}

/** The profile of MinIO's certificate for a set of host names: the request's subject and SANs, and the signed certificate's uses. */
export interface ServerCertProfile {
    /** `tls.CertRequest` arguments (without the key). */
    readonly request: { readonly subject: { readonly commonName: string }; readonly dnsNames: string[] };
    /** `tls.LocallySignedCert` arguments (without the request and the CA). */
    readonly cert: { readonly validityPeriodHours: number; readonly earlyRenewalHours: number; readonly allowedUses: string[]; readonly isCaCertificate: false; readonly setSubjectKeyId: true };
}

/**
 * MinIO's certificate profile: CN the first name, one DNS SAN per distinct name (in order), a
 * server certificate (the edge's uses), not a CA. Pure.
 *
 * @throws Error naming the bad host name (one line) when a name is not a lowercase DNS name.
 */
export function minioCertProfile(dnsNames: readonly string[], validityDays: number = MINIO_CERT_VALIDITY_DAYS): ServerCertProfile {
    const names = [...new Set(dnsNames)];
    if (names.length === 0) throw new Error(`MinIO's certificate needs at least one host name`);
    const bad = names.filter((n) => !isCertDnsName(n));
    if (bad.length > 0) throw new Error(`MinIO's certificate host names must be lowercase DNS names of at most 64 characters, got ${bad.map((b) => `"${b}"`).join(", ")}`);
    return {
        request: { subject: { commonName: names[0] }, dnsNames: names },
        cert: {
            validityPeriodHours: validityDays * 24,
            earlyRenewalHours: Math.min(MINIO_CERT_EARLY_RENEWAL_HOURS, (validityDays * 24) / 2),
            allowedUses: [...DEV_CERT_ALLOWED_USES],
            isCaCertificate: false,
            setSubjectKeyId: true,
        },
    };
}

/** Arguments of {@link MinioTls}. */
export interface MinioTlsArgs {
    /** Host names clients reach MinIO by (the SANs), e.g. the workload name and the platform's service host. */
    readonly dnsNames: readonly pulumi.Input<string>[];
}

/** A dev CA and MinIO's certificate for its host names, made when the stack is deployed. */
export class MinioTls extends pulumi.ComponentResource {
    /** PEM certificate of the dev CA (public): what clients trust. */
    public readonly caCertificate: pulumi.Output<string>;
    /** PEM server certificate (public). */
    public readonly certificate: pulumi.Output<string>;
    /** PEM private key of the server certificate, PKCS#8 (secret). */
    public readonly privateKey: pulumi.Output<string>;

    /**
     * @param name Component name; the children are `${name}-ca-key`, `${name}-ca` (the CA),
     * `${name}-key`, `${name}-csr` and `${name}-cert` (MinIO's certificate).
     * @param args Host names.
     * @param opts Component options.
     */
    constructor(name: string, args: MinioTlsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("proteamcare:backup:MinioTls", name, {}, opts);

        const caKey = devPrivateKey(`${name}-ca-key`, this);
        const ca = new tls.SelfSignedCert(`${name}-ca`, { ...devCaProfile(), privateKeyPem: caKey.pem }, { parent: this });

        const profile = pulumi.all([...args.dnsNames]).apply((names) => {
            try {
                return minioCertProfile(names);
            } catch (e) {
                throw new pulumi.ResourceError((e as Error).message, this);
            }
        });
        const key = devPrivateKey(`${name}-key`, this);
        const csr = new tls.CertRequest(
            `${name}-csr`,
            { privateKeyPem: key.pem, subject: profile.apply((p) => p.request.subject), dnsNames: profile.apply((p) => p.request.dnsNames) },
            { parent: this },
        );
        const c = profile.apply((p) => p.cert);
        const cert = new tls.LocallySignedCert(
            `${name}-cert`,
            {
                certRequestPem: csr.certRequestPem,
                caPrivateKeyPem: caKey.pem,
                caCertPem: ca.certPem,
                validityPeriodHours: c.apply((x) => x.validityPeriodHours),
                earlyRenewalHours: c.apply((x) => x.earlyRenewalHours),
                allowedUses: c.apply((x) => x.allowedUses),
                isCaCertificate: false,
                setSubjectKeyId: true,
            },
            { parent: this },
        );

        this.caCertificate = ca.certPem;
        this.certificate = cert.certPem;
        this.privateKey = key.pem;
        this.registerOutputs({ caCertificate: this.caCertificate, certificate: this.certificate, privateKey: this.privateKey });
    }
}
