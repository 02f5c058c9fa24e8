/**
 * s3rver over TLS for pgBackRest, which speaks S3 over HTTPS only and checks the certificate
 * against the endpoint's host name (2.45 matches DNS names, not IP addresses): a self-signed
 * certificate for `localhost`, made by openssl, whose PEM file is also the CA bundle
 * (AWS_CA_BUNDLE) that ptc-backup hands to pgBackRest, the AWS CLI and curl.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

import { makeTempDir, removeTempDir, requireTool, S3Server, startS3 } from "./services";

/** A self-signed certificate for `localhost`. */
export interface LocalhostCert {
    /** PEM certificate; also the CA bundle clients trust. */
    certFile: string;
    /** PEM private key (unencrypted). */
    keyFile: string;
    /** Removes both files. */
    remove(): void;
}

/**
 * Makes a self-signed certificate for `localhost` (SAN DNS:localhost, CA:TRUE so that it can be its
 * own trust anchor), valid for two days, world-readable so that the `postgres` user can read it.
 */
export function makeLocalhostCert(): LocalhostCert {
    const dir = makeTempDir("ptc-s3-tls");
    fs.chmodSync(dir, 0o755);
    const certFile = path.join(dir, "localhost.crt");
    const keyFile = path.join(dir, "localhost.key");
    execFileSync(
        requireTool("openssl"),
        ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost", "-addext", "basicConstraints=critical,CA:TRUE",
            "-keyout", keyFile, "-out", certFile],
        { stdio: ["ignore", "ignore", "pipe"] },
    );
    fs.chmodSync(certFile, 0o644);
    return { certFile, keyFile, remove: () => removeTempDir(dir) };
}

/** s3rver over TLS with its certificate; `env()` adds AWS_CA_BUNDLE. */
export interface TlsS3Server extends S3Server {
    /** The CA bundle (the server's own certificate). */
    caFile: string;
}

/** Starts s3rver on https://localhost:<port> with a fresh self-signed certificate. */
export async function startTlsS3(opts: { bucket?: string } = {}): Promise<TlsS3Server> {
    const cert = makeLocalhostCert();
    const s3 = await startS3({ ...opts, tls: { keyFile: cert.keyFile, certFile: cert.certFile } });
    return {
        ...s3,
        caFile: cert.certFile,
        env: () => ({ ...s3.env(), AWS_CA_BUNDLE: cert.certFile }),
        stop: async () => {
            await s3.stop();
            cert.remove();
        },
    };
}
