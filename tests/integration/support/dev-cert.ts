/**
 * A real certificate shaped like the dev stack's SelfSignedCertificate, for integration tests
 * that need nginx or blackbox_exporter to handle one. The stack's pair comes from the tls
 * provider, which needs the Pulumi engine; here openssl issues the same profile, read from
 * `selfSignedCertProfile` and `DEV_CERT_KEY`, so a change there either shows up here or fails.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEV_CERT_KEY, selfSignedCertProfile } from "../../../components/edge/self-signed";
import { makeTempDir, removeTempDir, requireTool } from "./services";

/** openssl `-addext` value for each tls-provider use the profile may name. */
const KEY_USAGE: Readonly<Record<string, string>> = { digital_signature: "digitalSignature", key_encipherment: "keyEncipherment" };
const EXT_KEY_USAGE: Readonly<Record<string, string>> = { server_auth: "serverAuth", client_auth: "clientAuth" };

/** The openssl `req -x509` arguments for the profile of a domain (without the key and output). */
export function opensslCertArgs(domain: string, validityDays: number): string[] {
    const profile = selfSignedCertProfile(domain, validityDays);
    const uses = profile.allowedUses as string[];
    const keyUsage = uses.filter((u) => u in KEY_USAGE).map((u) => KEY_USAGE[u]);
    const extKeyUsage = uses.filter((u) => u in EXT_KEY_USAGE).map((u) => EXT_KEY_USAGE[u]);
    const unknown = uses.filter((u) => !(u in KEY_USAGE) && !(u in EXT_KEY_USAGE));
    if (unknown.length > 0) throw new Error(`dev-cert: no openssl mapping for allowedUses ${unknown.join(", ")}; add one`);
    const subject = profile.subject as { commonName: string };
    const dnsNames = profile.dnsNames as string[];
    const hours = profile.validityPeriodHours as number;
    return [
        "-days",
        String(Math.ceil(hours / 24)),
        "-subj",
        `/CN=${subject.commonName}`,
        "-addext",
        `subjectAltName=${dnsNames.map((d) => `DNS:${d}`).join(",")}`,
        "-addext",
        `basicConstraints=critical,CA:${profile.isCaCertificate ? "TRUE" : "FALSE"}`,
        ...(keyUsage.length > 0 ? ["-addext", `keyUsage=critical,${keyUsage.join(",")}`] : []),
        ...(extKeyUsage.length > 0 ? ["-addext", `extendedKeyUsage=${extKeyUsage.join(",")}`] : []),
    ];
}

/**
 * A PKCS#8 PEM key and a PEM certificate for `domain`, issued by openssl with the dev profile.
 *
 * @throws Error naming the Debian package when openssl is missing.
 */
export function makeDevCertificate(domain: string, validityDays = 30): { key: string; cert: string } {
    const openssl = requireTool("openssl");
    if (DEV_CERT_KEY.algorithm !== "ECDSA" || DEV_CERT_KEY.ecdsaCurve !== "P256") {
        throw new Error(`dev-cert: no openssl mapping for ${JSON.stringify(DEV_CERT_KEY)}; add one`);
    }
    const dir = makeTempDir("dev-cert");
    try {
        const keyFile = path.join(dir, "tls.key");
        execFileSync(openssl, ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", keyFile], { stdio: ["ignore", "ignore", "pipe"] });
        const cert = execFileSync(openssl, ["req", "-new", "-x509", "-key", keyFile, ...opensslCertArgs(domain, validityDays)], {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
        });
        return { key: fs.readFileSync(keyFile, "utf8"), cert };
    } finally {
        removeTempDir(dir);
    }
}
