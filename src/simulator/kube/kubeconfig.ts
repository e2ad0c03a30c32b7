/**
 * The kubeconfigs AKS hands out from listCluster{User,Admin,MonitoringUser}Credential, in the YAML
 * layout AKS writes: the cluster (its FQDN on 443 and its CA), one context named after the cluster,
 * and a user `clusterUser_{rg}_{name}` (clusterAdmin_…, clusterMonitoringUser_…) holding a client
 * certificate and token (local accounts) or, on Entra ID clusters, the kubelogin exec plugin.
 */
import { AKS_CLIENT_APP_ID, AKS_SERVER_APP_ID } from './apiserver.ts';
import type { LocalAccount } from './pki.ts';

export type KubeUser =
  | { kind: 'local'; account: LocalAccount }
  | { kind: 'exec'; tenantId: string; environment: string }
  | { kind: 'azure'; tenantId: string; environment: string };

export interface KubeconfigSpec {
  clusterName: string;
  resourceGroup: string;
  server: string;
  caCertPem: string;
  userPrefix: LocalAccount['kind'];
  user: KubeUser;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** A YAML scalar as Go's yaml.v2 writes it: plain when it can be, single-quoted otherwise. */
function scalar(v: string): string {
  if (
    /^[A-Za-z0-9_./:=+-][A-Za-z0-9_./:=+@ -]*$/.test(v) &&
    !/^(true|false|null|yes|no|on|off|~|[-+]?\d[\d.]*)$/i.test(v) &&
    !v.endsWith(' ')
  )
    return v;
  return `'${v.replace(/'/g, "''")}'`;
}

const INSTALL_HINT = [
  '',
  'kubelogin is not installed which is required to connect to AAD enabled cluster.',
  '',
  'To learn more, please go to https://aka.ms/aks/kubelogin',
];

function userLines(u: KubeUser): string[] {
  if (u.kind === 'local') {
    return [
      `    client-certificate-data: ${b64(u.account.certificate.certPem)}`,
      `    client-key-data: ${b64(u.account.certificate.keyPem)}`,
      `    token: ${u.account.token}`,
    ];
  }
  if (u.kind === 'azure') {
    return [
      '    auth-provider:',
      '      config:',
      `        apiserver-id: ${AKS_SERVER_APP_ID}`,
      `        client-id: ${AKS_CLIENT_APP_ID}`,
      `        config-mode: '1'`,
      `        environment: ${u.environment}`,
      `        tenant-id: ${u.tenantId}`,
      '      name: azure',
    ];
  }
  const args = [
    'get-token',
    '--environment',
    u.environment,
    '--server-id',
    AKS_SERVER_APP_ID,
    '--client-id',
    AKS_CLIENT_APP_ID,
    '--tenant-id',
    u.tenantId,
    '--login',
    'devicecode',
  ];
  return [
    '    exec:',
    '      apiVersion: client.authentication.k8s.io/v1beta1',
    '      args:',
    ...args.map((a) => `      - ${scalar(a)}`),
    '      command: kubelogin',
    '      env: null',
    '      installHint: |2',
    ...INSTALL_HINT.map((l) => (l ? `        ${l}` : '')),
    '      provideClusterInfo: false',
  ];
}

export function kubeconfigYaml(k: KubeconfigSpec): string {
  const user = `${k.userPrefix}_${k.resourceGroup}_${k.clusterName}`;
  return [
    'apiVersion: v1',
    'clusters:',
    '- cluster:',
    `    certificate-authority-data: ${b64(k.caCertPem)}`,
    `    server: ${k.server}`,
    `  name: ${scalar(k.clusterName)}`,
    'contexts:',
    '- context:',
    `    cluster: ${scalar(k.clusterName)}`,
    `    user: ${scalar(user)}`,
    `  name: ${scalar(k.clusterName)}`,
    `current-context: ${scalar(k.clusterName)}`,
    'kind: Config',
    'preferences: {}',
    'users:',
    `- name: ${scalar(user)}`,
    '  user:',
    ...userLines(k.user),
    '',
  ].join('\n');
}
