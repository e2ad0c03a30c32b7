// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs this polyfill.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { pem, serial } from './encoding.ts';

x509.cryptoProvider.set(crypto);

// ECDSA P-256 keys are generated in milliseconds (RSA would cost seconds at every start) and are
// accepted by Node, OpenSSL-based Python (the az CLI) and every current TLS client.
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface CertificateAuthority {
  /** PEM of the CA certificate: what clients must trust (NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE). */
  certPem: string;
  /** Issues a server certificate for the given DNS names and IP addresses. */
  issueServerCertificate(names: readonly string[]): Promise<{ certPem: string; keyPem: string }>;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Generates a fresh CA for this simulator run; its private key never leaves memory. */
export async function createCertificateAuthority(
  commonName = 'aks-guard simulator CA',
): Promise<CertificateAuthority> {
  const notBefore = new Date(Date.now() - 60 * 60 * 1000);
  const notAfter = new Date(Date.now() + 30 * 24 * 60 * 60 * 1000);
  const caKeys = await crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${commonName}, O=aks-guard`,
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign |
          x509.KeyUsageFlags.cRLSign |
          x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  return {
    certPem: caCert.toString('pem') + '\n',
    async issueServerCertificate(names) {
      const keys = await crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: serial(),
        subject: `CN=${names[0] ?? 'localhost'}`,
        issuer: caCert.subject,
        notBefore,
        notAfter,
        publicKey: keys.publicKey,
        signingKey: caKeys.privateKey,
        signingAlgorithm: ALGORITHM,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
          new x509.SubjectAlternativeNameExtension(
            names.map((n) => ({
              type: IPV4.test(n) ? ('ip' as const) : ('dns' as const),
              value: n,
            })),
          ),
          await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
          await x509.AuthorityKeyIdentifierExtension.create(caCert),
        ],
      });
      const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
      return { certPem: cert.toString('pem') + '\n', keyPem: pem(pkcs8, 'PRIVATE KEY') };
    },
  };
}
