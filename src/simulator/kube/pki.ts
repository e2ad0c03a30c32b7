/**
 * A simulated cluster's own PKI, as AKS gives each cluster: a cluster CA (CN=ca), the API server's
 * serving certificate (the cluster's FQDN, the in-cluster names, 127.0.0.1 for direct access) and
 * client certificates for the local accounts (CN=masterclient, O=system:masters for the admin),
 * plus the static token AKS also writes into local-account kubeconfigs.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { pem, serial } from '../tls/encoding.ts';

x509.cryptoProvider.set(crypto);

// ECDSA P-256, as the simulator's own CA: milliseconds to generate, accepted by Go (kubectl),
// Node (@kubernetes/client-node) and OpenSSL. AKS itself uses RSA keys.
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

export interface KeyPairPem {
  certPem: string;
  keyPem: string;
}

/** A local account: who the API server takes a holder of its certificate or token for. */
export interface LocalAccount {
  /** The kubeconfig's user entry prefix: clusterAdmin, clusterUser, clusterMonitoringUser. */
  kind: 'clusterAdmin' | 'clusterUser' | 'clusterMonitoringUser';
  username: string;
  groups: string[];
  /** The static bearer token that stands for the same identity. */
  token: string;
  certificate: KeyPairPem;
}

export interface ClusterPki {
  /** The cluster CA: kubeconfigs trust it, and client certificates are checked against it. */
  caCertPem: string;
  /** The API server's serving certificate and key. */
  server: KeyPairPem;
  accounts: LocalAccount[];
  account(kind: LocalAccount['kind']): LocalAccount;
  byToken(token: string): LocalAccount | undefined;
}

/** The identities AKS's local accounts carry (admin and, on non-Entra clusters, user alike). */
const ACCOUNTS: { kind: LocalAccount['kind']; cn: string; groups: string[] }[] = [
  { kind: 'clusterAdmin', cn: 'masterclient', groups: ['system:masters'] },
  { kind: 'clusterUser', cn: 'masterclient', groups: ['system:masters'] },
  { kind: 'clusterMonitoringUser', cn: 'clusterMonitoringUser', groups: [] },
];

export async function createClusterPki(serverNames: readonly string[]): Promise<ClusterPki> {
  const notBefore = new Date(Date.now() - 60 * 60 * 1000);
  // AKS issues two-year client certificates and a thirty-year cluster CA.
  const notAfter = new Date(Date.now() + 2 * 365 * 24 * 60 * 60 * 1000);
  const caKeys = await crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=ca',
    notBefore,
    notAfter: new Date(Date.now() + 30 * 365 * 24 * 60 * 60 * 1000),
    keys: caKeys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign |
          x509.KeyUsageFlags.cRLSign |
          x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  const issue = async (
    subject: string,
    usage: 'server' | 'client',
    names: readonly string[] = [],
  ): Promise<KeyPairPem> => {
    const keys = await crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
    const extensions: x509.Extension[] = [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([
        usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth,
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
    ];
    if (names.length > 0) {
      extensions.push(
        new x509.SubjectAlternativeNameExtension(
          names.map((n) => ({ type: IPV4.test(n) ? ('ip' as const) : ('dns' as const), value: n })),
        ),
      );
    }
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject,
      issuer: ca.subject,
      notBefore,
      notAfter,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: ALGORITHM,
      extensions,
    });
    const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
    return { certPem: cert.toString('pem') + '\n', keyPem: pem(pkcs8, 'PRIVATE KEY') };
  };

  const [server, ...certificates] = await Promise.all([
    issue('CN=apiserver', 'server', serverNames),
    ...ACCOUNTS.map((a) =>
      issue([...a.groups.map((g) => `O=${g}`), `CN=${a.cn}`].join(', '), 'client'),
    ),
  ]);
  const accounts: LocalAccount[] = ACCOUNTS.map((a, i) => ({
    kind: a.kind,
    username: a.cn,
    groups: a.groups,
    // 64 hex characters, as the token in an AKS local-account kubeconfig.
    token: randomBytes(32).toString('hex'),
    certificate: certificates[i]!,
  }));
  return {
    caCertPem: ca.toString('pem') + '\n',
    server,
    accounts,
    account: (kind) => accounts.find((a) => a.kind === kind)!,
    byToken: (token) => accounts.find((a) => a.token === token),
  };
}
