/**
 * Certificate credentials of app registrations: a self-signed RSA certificate is made for a
 * principal on request (as `az ad sp credential reset --create-cert` would), its thumbprints kept
 * so Entra can check a client assertion signed with the key (header x5t or x5t#S256).
 */
import 'reflect-metadata';
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { pem } from '../tls/encoding.ts';

x509.cryptoProvider.set(crypto);

export interface CertificateCredential {
  /** base64url SHA-1 and SHA-256 of the certificate's DER, as in the JWT header. */
  x5t: string;
  x5tS256: string;
  publicKey: KeyObject;
}

const RSA = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: 'SHA-256',
} as const;

/** A new certificate credential: what Entra keeps, and the PEM (certificate + key) the client holds. */
export async function createCertificateCredential(
  name: string,
): Promise<{ credential: CertificateCredential; pem: string }> {
  const keys = await crypto.subtle.generateKey(RSA, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(crypto.getRandomValues(new Uint8Array(8))).toString('hex'),
    name: `CN=${name}`,
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + 365 * 24 * 3600_000),
    keys,
    signingAlgorithm: RSA,
  });
  const der = Buffer.from(cert.rawData);
  const certPem = pem(cert.rawData, 'CERTIFICATE');
  const keyPem = pem(await crypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
  return {
    credential: {
      x5t: createHash('sha1').update(der).digest('base64url'),
      x5tS256: createHash('sha256').update(der).digest('base64url'),
      publicKey: createPublicKey(certPem),
    },
    pem: `${certPem}${keyPem}`,
  };
}
