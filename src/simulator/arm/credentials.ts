/**
 * listClusterUserCredential, listClusterAdminCredential and listClusterMonitoringUserCredential:
 * `{ kubeconfigs: [{ name, value }] }` with a base64 kubeconfig for the cluster's simulated API
 * server, as in the official examples. On a cluster with local accounts disabled every static
 * credential (admin, monitoring user, and the user credential of a cluster without Entra ID) is
 * refused with AKS's 400, in the flat shape of AKS's own errors.
 */
import { json, type SimResponse } from '../net/http-kit.ts';
import { aadProfile, localAccountsDisabled } from '../kube/apiserver.ts';
import type { CredentialKind } from '../kube/service.ts';
import { getCluster, type ArmCall } from './call.ts';
import { aksError } from './errors.ts';

/** kubelogin's --environment for the cloud the request came in through. */
function environmentOf(host: string): string {
  if (host.endsWith('usgovcloudapi.net')) return 'AzureUSGovernmentCloud';
  if (host.endsWith('chinacloudapi.cn')) return 'AzureChinaCloud';
  return 'AzurePublicCloud';
}

async function credential(call: ArmCall, kind: CredentialKind): Promise<SimResponse> {
  const cluster = getCluster(call);
  const kube = call.state.kubernetes;
  if (!kube) throw new Error('the Kubernetes API servers are not running');
  const query = call.req.url.searchParams;
  const formatRaw = query.get('format');
  const format = formatRaw?.toLowerCase();
  if (format !== undefined && format !== 'azure' && format !== 'exec') {
    throw aksError(
      400,
      'InvalidParameter',
      `The value of parameter format is invalid. Error details: format must be one of 'azure' or 'exec', got '${formatRaw}'.`,
      { target: 'format' },
    );
  }
  const fqdnType = query.get('server-fqdn');
  if (fqdnType !== null && !['public', 'private'].includes(fqdnType.toLowerCase())) {
    throw aksError(
      400,
      'InvalidParameter',
      `The value of parameter server-fqdn is invalid. Error details: server-fqdn must be one of 'public' or 'private', got '${fqdnType}'.`,
      { target: 'server-fqdn' },
    );
  }
  const staticCredential = kind !== 'clusterUser' || !aadProfile(cluster);
  if (staticCredential && localAccountsDisabled(cluster)) {
    throw aksError(
      400,
      'BadRequest',
      'Getting static credential is not allowed because this cluster is set to disable local accounts.',
    );
  }
  const yaml = await kube.kubeconfig(cluster, kind, {
    ...(format === 'azure' || format === 'exec' ? { format } : {}),
    environment: environmentOf(call.req.host),
  });
  return json(200, {
    kubeconfigs: [{ name: kind, value: Buffer.from(yaml, 'utf8').toString('base64') }],
  });
}

export const listClusterUserCredential = (call: ArmCall): Promise<SimResponse> =>
  credential(call, 'clusterUser');
export const listClusterAdminCredential = (call: ArmCall): Promise<SimResponse> =>
  credential(call, 'clusterAdmin');
export const listClusterMonitoringUserCredential = (call: ArmCall): Promise<SimResponse> =>
  credential(call, 'clusterMonitoringUser');
