/**
 * What aks-guard knows about each failure category: a title, whether waiting or retrying alone can
 * help, a summary that uses the facts the classifier pulled out of the error, ordered remediation
 * steps with complete commands for this cluster, and the AKS troubleshooting articles behind them.
 *
 * The steps follow the AKS troubleshooting articles aks-guard was designed from (pending
 * operations, aborting operations, clusters and nodes in a failed state, `az aks command invoke`
 * failures) and the per-error articles linked in `docs`. Commands are filled from `names` (real
 * names or `$PLACEHOLDER`s) and from the facts; anything still unknown is a `$PLACEHOLDER` too, so
 * every command stays complete and copyable.
 */
import type { Category, CategoryInfo, Facts, Names } from './types.ts';

// ---------------------------------------------------------------------------------------------
// Small helpers for the commands that recur across categories.
// ---------------------------------------------------------------------------------------------

/** The preview api-version documented for `operations/latest` (any later preview serves it too). */
const OPERATIONS_API_VERSION = '2024-01-02-preview';

/** A fact as one clean line of text, or undefined when it is missing or blank. */
function fact(f: Facts, key: string): string | undefined {
  const v = f[key];
  if (typeof v !== 'string') return undefined;
  // Facts come from Azure and go into copyable shell commands: nothing that the shell would act on.
  const clean = v
    .replace(/[\r\n\t`]+/g, ' ')
    .replace(/[$;&|<>"'\\]/g, '')
    .trim();
  return clean === '' ? undefined : clean;
}

/** The node pool the error is about: the one named in the error wins over the run's pool. */
function poolOf(f: Facts, n: Names): string {
  return fact(f, 'pool') ?? n.nodePool;
}

/** Wraps a command in backticks so reports show it as code. */
function cmd(command: string): string {
  return '`' + command + '`';
}

/** The last segment of an ARM resource ID (or the value itself when it is not an ID). */
function lastSegment(id: string): string {
  const parts = id.split('/').filter((p) => p !== '');
  return parts[parts.length - 1] ?? id;
}

function isResourceId(value: string): boolean {
  return value.toLowerCase().startsWith('/subscriptions/');
}

function clusterId(n: Names): string {
  return `/subscriptions/${n.subscriptionId}/resourceGroups/${n.resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${n.clusterName}`;
}

function poolId(n: Names, pool: string): string {
  return `${clusterId(n)}/agentPools/${pool}`;
}

function azAksShow(n: Names, query = 'provisioningState', output = 'tsv'): string {
  return `az aks show -g ${n.resourceGroup} -n ${n.clusterName} --query ${query} -o ${output}`;
}

function azAksShowTable(n: Names): string {
  return `az aks show -g ${n.resourceGroup} -n ${n.clusterName} -o table`;
}

function azPoolShow(n: Names, pool: string, query = 'provisioningState', output = 'tsv'): string {
  return `az aks nodepool show -g ${n.resourceGroup} --cluster-name ${n.clusterName} -n ${pool} --query ${query} -o ${output}`;
}

function azPoolList(n: Names): string {
  return `az aks nodepool list -g ${n.resourceGroup} --cluster-name ${n.clusterName} --query "[].{name:name,state:provisioningState,power:powerState.code,version:currentOrchestratorVersion,count:count}" -o table`;
}

/** `operations/latest` of the cluster, or of one pool (percentComplete, status, error). */
function latestOperation(n: Names, pool?: string): string {
  const scope = pool === undefined ? clusterId(n) : poolId(n, pool);
  return `az rest --method get --url "${scope}/operations/latest?api-version=${OPERATIONS_API_VERSION}"`;
}

function operationById(n: Names, operationId: string): string {
  return `az rest --method get --url "${clusterId(n)}/operations/${operationId}?api-version=${OPERATIONS_API_VERSION}"`;
}

function abortCluster(n: Names): string {
  return `az aks operation-abort -g ${n.resourceGroup} -n ${n.clusterName}`;
}

function abortPool(n: Names, pool: string): string {
  return `az aks nodepool operation-abort -g ${n.resourceGroup} --cluster-name ${n.clusterName} -n ${pool}`;
}

/** Reconcile: PUT the unchanged cluster (what `az aks update` with no flags does). */
function reconcileCluster(n: Names): string {
  return `az aks update -g ${n.resourceGroup} -n ${n.clusterName}`;
}

/** Reconcile: PUT the unchanged agent pool. */
function reconcilePool(n: Names, pool: string): string {
  return `az aks nodepool update -g ${n.resourceGroup} --cluster-name ${n.clusterName} -n ${pool}`;
}

function resourceUpdate(n: Names): string {
  return `az resource update --ids ${clusterId(n)}`;
}

function activityLog(n: Names, failedOnly = true): string {
  const status = failedOnly ? ' --status Failed' : '';
  return `az monitor activity-log list --resource-group ${n.resourceGroup} --offset 1h${status} -o table`;
}

function getUpgrades(n: Names): string {
  return `az aks get-upgrades -g ${n.resourceGroup} -n ${n.clusterName} -o table`;
}

/** The node resource group (MC_…), as a command substitution. */
function nodeResourceGroup(n: Names): string {
  return `$(${azAksShow(n, 'nodeResourceGroup')})`;
}

/** The cluster's region: the fact when known, else a command substitution. */
function locationOf(f: Facts, n: Names): string {
  return fact(f, 'location') ?? `$(${azAksShow(n, 'location')})`;
}

/** The subnet to inspect: the ID from the error, else the pool's vnetSubnetId. */
function subnetIdOf(f: Facts, n: Names): string {
  const subnet = fact(f, 'subnet');
  if (subnet !== undefined && isResourceId(subnet)) return subnet;
  return `$(${azPoolShow(n, poolOf(f, n), 'vnetSubnetId')})`;
}

/** Resource group and VNet parsed from a subnet ID, or placeholders (see `vnetHint`). */
function vnetOf(f: Facts): { group: string; vnet: string } {
  const subnet = fact(f, 'subnet');
  const m =
    subnet === undefined
      ? null
      : /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/virtualNetworks\/([^/]+)/i.exec(
          subnet,
        );
  return { group: m?.[1] ?? '$VNET_RESOURCE_GROUP', vnet: m?.[2] ?? '$VNET_NAME' };
}

/** Where the VNet placeholders come from when the error did not name the subnet. */
function vnetHint(f: Facts, n: Names): string {
  const subnet = fact(f, 'subnet');
  if (subnet !== undefined && isResourceId(subnet)) return '';
  return ` ($VNET_RESOURCE_GROUP and $VNET_NAME are in the pool's subnet ID: ${cmd(azPoolShow(n, poolOf(f, n), 'vnetSubnetId'))})`;
}

/** Runs a shell snippet on one node of the pool's scale set (no SSH needed). */
function onNode(n: Names, script: string): string {
  return `az vmss run-command invoke -g ${nodeResourceGroup(n)} -n $VMSS_NAME --instance-id $INSTANCE_ID --command-id RunShellScript --scripts "${script}"`;
}

function listScaleSetNames(n: Names): string {
  return `az vmss list -g ${nodeResourceGroup(n)} --query "[].name" -o tsv`;
}

/** Where to find $VMSS_NAME and $INSTANCE_ID for `onNode`. */
function scaleSetHint(n: Names): string {
  return `scale sets: ${cmd(listScaleSetNames(n))}, instances: ${cmd(`az vmss list-instances -g ${nodeResourceGroup(n)} -n $VMSS_NAME -o table`)}`;
}

/** "1.29.7" from "[1.29.7 1.29.6]", "1.29.7, 1.29.6" and the like: the highest version listed. */
function highestVersion(list: string | undefined): string | undefined {
  if (list === undefined) return undefined;
  const versions = list.match(/\d+\.\d+(?:\.\d+)?/g) ?? [];
  const key = (v: string): number[] => v.split('.').map((p) => Number(p));
  return [...versions].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    for (let i = 0; i < 3; i++) {
      const d = (y[i] ?? 0) - (x[i] ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  })[0];
}

/** "Standard DSv5 Family" → "standardDSv5Family", the resource name `az quota` expects. */
function quotaResourceName(vmFamily: string | undefined): string {
  if (vmFamily === undefined) return 'cores';
  const compact = vmFamily.replace(/vCPUs?/gi, '').replace(/\s+/g, '');
  return compact.charAt(0).toLowerCase() + compact.slice(1);
}

/** An Azure role that grants the refused action, by its resource provider. */
function roleFor(action: string | undefined): string {
  const a = (action ?? '').toLowerCase();
  if (a.includes('privatednszones')) return 'Private DNS Zone Contributor';
  if (a.startsWith('microsoft.network/')) return 'Network Contributor';
  if (a.includes('managedclusters/runcommand') || a.includes('commandresults'))
    return 'Azure Kubernetes Service Cluster User Role';
  if (a.startsWith('microsoft.containerservice/'))
    return 'Azure Kubernetes Service Contributor Role';
  if (a.startsWith('microsoft.managedidentity/')) return 'Managed Identity Operator';
  return 'Contributor';
}

/** " (operation 1234, started …)" from the facts, or "". */
function operationNote(f: Facts): string {
  const parts: string[] = [];
  const id = fact(f, 'operationId');
  const start = fact(f, 'startTime');
  if (id !== undefined) parts.push(`operation ${id}`);
  if (start !== undefined) parts.push(`started ${start}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

function onPool(f: Facts): string {
  const pool = fact(f, 'pool');
  return pool === undefined ? '' : ` on node pool ${pool}`;
}

const AKS_TS = 'https://learn.microsoft.com/troubleshoot/azure/azure-kubernetes';
const AKS_DOCS = 'https://learn.microsoft.com/azure/aks';
const ARM_TS = 'https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting';
const FAILED_STATE_DOC = `${AKS_TS}/availability-performance/cluster-node-virtual-machine-failed-state`;
const COMMAND_INVOKE_DOC = `${AKS_TS}/connectivity/resolve-az-aks-command-invoke-failures`;

// ---------------------------------------------------------------------------------------------
// One entry per category.
// ---------------------------------------------------------------------------------------------

export const CATALOG: Record<Category, CategoryInfo> = {
  'operation-in-progress': {
    title: 'Another operation is in progress',
    retryable: true,
    summary(f) {
      const op = fact(f, 'blockingOperation');
      const what = op === undefined ? 'Another operation' : `Another operation (${op})`;
      return `${what} is still running${onPool(f)}${operationNote(f)}; AKS refuses to start a new operation on the cluster or that pool until it finishes.`;
    },
    remediation(f, n) {
      const pool = fact(f, 'pool');
      const abort =
        pool === undefined
          ? `${cmd(abortCluster(n))}, or on a node pool ${cmd(abortPool(n, n.nodePool))}`
          : cmd(abortPool(n, pool));
      return [
        `Check the provisioning state of the cluster and its node pools first: ${cmd(azAksShow(n))} and ${cmd(azPoolList(n))}.`,
        `If it is still updating (Updating, Upgrading, Scaling, Starting, …), wait until the operation finishes; follow its progress (percentComplete) with ${cmd(latestOperation(n, pool))}.`,
        `If the update failed (provisioningState Failed), locate the reason for the failure in the activity log: ${cmd(activityLog(n))}; fix it and reconcile before retrying.`,
        `If the update succeeded, retry the start, scale, upgrade or other operation that was refused.`,
        `If the running operation is stuck or was started by mistake, abort it with ${abort}; it stops where it is (no rollback) and the state goes Canceling, then Canceled.`,
        `With aks-guard, re-run with \`on-pending: wait\` (and a longer \`wait-timeout\`) to wait for it automatically, or \`on-pending: abort\` (optionally \`abort-after: 30m\`) to abort it first.`,
      ];
    },
    docs: [
      'https://aka.ms/aks-pending-operation',
      `${AKS_TS}/create-upgrade-delete/operationnotallowed`,
      `${AKS_DOCS}/manage-abort-operations`,
    ],
  },

  'operation-preempted': {
    title: 'The operation was preempted by a later one',
    retryable: true,
    summary(f) {
      const by = fact(f, 'blockingOperation');
      const id = fact(f, 'operationId');
      if (by !== undefined && /delet/i.test(by))
        return 'The operation was cancelled because a delete of the cluster or node pool was issued before it finished.';
      const other = id === undefined ? 'another operation' : `another operation (ID ${id})`;
      return `The operation was cancelled because ${other} was issued on the same cluster before it finished; AKS runs only the latest one.`;
    },
    remediation(f, n) {
      const id = fact(f, 'operationId');
      const show = id === undefined ? latestOperation(n) : operationById(n, id);
      return [
        `Find the operation that took over and its status: ${cmd(show)}.`,
        `If it was a delete of the cluster or the pool, do not retry: check what is left with ${cmd(azAksShowTable(n))}.`,
        `Otherwise wait for it to finish (watch ${cmd(azAksShow(n))} until Succeeded), or abort it if it was started by mistake: ${cmd(abortCluster(n))}.`,
        `Retry your operation once nothing is running; with aks-guard, \`on-pending: wait\` waits for the other operation before writing.`,
        `Make sure only one pipeline or tool changes the cluster at a time (for example a GitHub Actions concurrency group per cluster).`,
      ];
    },
    docs: [
      `${AKS_TS}/error-codes/aksoperationpreempted-error`,
      `${AKS_DOCS}/manage-abort-operations`,
    ],
  },

  'etag-conflict': {
    title: 'The cluster changed since it was read (ETag mismatch)',
    retryable: true,
    summary(f) {
      const pool = fact(f, 'pool');
      const what = pool === undefined ? 'cluster' : `node pool ${pool}`;
      return `The write carried an If-Match ETag that no longer matches the ${what}: something else changed it between the read and the write.`;
    },
    remediation(f, n) {
      const pool = fact(f, 'pool');
      const etag = pool === undefined ? azAksShow(n, 'eTag') : azPoolShow(n, pool, 'eTag');
      return [
        `Re-read the resource and its current ETag: ${cmd(etag)}.`,
        `See who changed it in the meantime: ${cmd(activityLog(n, false))}.`,
        `Retry with the fresh ETag (\`--if-match <etag>\`) or without If-Match; aks-guard re-reads and retries by itself (up to three rounds), so re-running the step is enough.`,
        `If it keeps happening, serialize the pipelines and tools that write to this cluster.`,
      ];
    },
    docs: [`${AKS_DOCS}/use-etags`],
  },

  'cluster-failed-state': {
    title: 'The cluster or node pool is in the Failed state',
    retryable: false,
    summary(f, n) {
      const pool = fact(f, 'pool');
      const what = pool === undefined ? `Cluster ${n.clusterName}` : `Node pool ${pool}`;
      return `${what} is in the Failed provisioning state after an earlier operation failed; AKS refuses most changes until the cause is fixed and the resource is reconciled.`;
    },
    remediation(f, n) {
      const pool = poolOf(f, n);
      return [
        `Find the operation that failed and its error: ${cmd(latestOperation(n))} and ${cmd(activityLog(n))} (also ${cmd(azPoolList(n))} for failed pools).`,
        `Fix that cause first (quota, subnet size, policy, lock, PodDisruptionBudget, outbound connectivity); a reconcile alone fails again otherwise. For a failed pool also check ${cmd(`az vmss list-instances -g ${nodeResourceGroup(n)} -n $VMSS_NAME -o table`)}, quota ${cmd(`az vm list-usage -l ${locationOf(f, n)} -o table`)} and locks ${cmd(`az lock list -g ${n.resourceGroup} -o table`)}.`,
        `Reconcile each failed node pool (PUT it unchanged): ${cmd(reconcilePool(n, pool))}.`,
        `Reconcile the managed cluster: ${cmd(reconcileCluster(n))} or ${cmd(resourceUpdate(n))}.`,
        `If a single node VM is Failed (for example after a disk detach), update it: ${cmd(`az vmss update-instances -g ${nodeResourceGroup(n)} -n $VMSS_NAME --instance-ids $INSTANCE_ID`)}.`,
        `With aks-guard, \`on-failed: reconcile\` reconciles before the operation, and \`operation: reconcile\` does only that.`,
        `If the reconcile fails with an internal or API server error, open a support request with the operation ID and the output of "Diagnose and solve problems".`,
      ];
    },
    docs: [FAILED_STATE_DOC, `${AKS_TS}/error-codes/aks-error-code-page`],
  },

  'invalid-power-state': {
    title: 'The power state does not allow this operation',
    retryable: false,
    summary(f) {
      const power = fact(f, 'powerState');
      const state = fact(f, 'provisioningState');
      const action = fact(f, 'action');
      if (power !== undefined) {
        const doing = action === undefined ? 'this operation' : `"${action}"`;
        const prov = state === undefined ? '' : ` (provisioning state ${state})`;
        return `The cluster's power state is ${power}${prov}, so AKS cannot run ${doing} now.`;
      }
      return 'AKS refused the operation because of the cluster power state: for example stopping a stopped cluster, starting a running one, or changing a stopped cluster.';
    },
    remediation(f, n) {
      return [
        `Check the power and provisioning state: ${cmd(azAksShow(n, '"{power:powerState.code,state:provisioningState}"', 'table'))}.`,
        `If the cluster is Stopped and you want to change it, start it first: ${cmd(`az aks start -g ${n.resourceGroup} -n ${n.clusterName}`)} (aks-guard: \`operation: start\`), then retry.`,
        `If it is already in the state you asked for (stopping a stopped cluster, starting a running one), there is nothing to do: drop or guard that step.`,
        `If it is Starting or Stopping, wait for that to finish (aks-guard: \`on-pending: wait\`).`,
        `A single node pool has its own power state: ${cmd(`az aks nodepool start -g ${n.resourceGroup} --cluster-name ${n.clusterName} -n ${poolOf(f, n)}`)}.`,
      ];
    },
    docs: [`${AKS_DOCS}/start-stop-cluster`, `${AKS_TS}/create-upgrade-delete/operationnotallowed`],
  },

  'pod-drain-failure': {
    title: 'Node drain blocked (PodDisruptionBudget)',
    retryable: false,
    summary(f) {
      const pod = fact(f, 'pod');
      const ns = fact(f, 'namespace');
      const pdb = fact(f, 'pdb');
      const node = fact(f, 'node');
      const who = pod === undefined ? 'a pod' : `pod ${ns === undefined ? '' : `${ns}/`}${pod}`;
      const on = node === undefined ? 'a node' : `node ${node}`;
      const by = pdb === undefined ? 'a PodDisruptionBudget' : `PodDisruptionBudget ${pdb}`;
      return `Draining ${on} failed: evicting ${who} would violate ${by} (no disruptions allowed), so AKS stopped the operation to protect the workload.`;
    },
    remediation(f, n) {
      const pdb = fact(f, 'pdb') ?? '$PDB';
      const ns = fact(f, 'namespace') ?? '$NAMESPACE';
      const pod = fact(f, 'pod') ?? '$POD';
      const pool = poolOf(f, n);
      return [
        `Find the budgets that allow no disruption (ALLOWED DISRUPTIONS 0): ${cmd('kubectl get pdb -A')}, then ${cmd(`kubectl get pdb ${pdb} -n ${ns} -o yaml`)}.`,
        `Check the pods on the node: ${cmd('kubectl get pods --all-namespaces -o wide')} and ${cmd(`kubectl describe pod ${pod} -n ${ns}`)}; a pod stuck Terminating or Unknown may need ${cmd(`kubectl delete pod ${pod} -n ${ns} --grace-period=0 --force`)}.`,
        `Let at least one pod go: scale the workload up or relax minAvailable/maxUnavailable; or temporarily remove the PDB after saving it: ${cmd(`kubectl get pdb ${pdb} -n ${ns} -o yaml > pdb-backup.yaml && kubectl delete pdb ${pdb} -n ${ns}`)}.`,
        `Reconcile the node pool or retry the upgrade: ${cmd(reconcilePool(n, pool))}.`,
        `Add the PDB back once the operation has finished: ${cmd('kubectl apply -f pdb-backup.yaml')}.`,
        `If cordoned nodes used up all surge nodes or drains are slow, give the pool more room: ${cmd(`az aks nodepool update -g ${n.resourceGroup} --cluster-name ${n.clusterName} -n ${pool} --max-surge 33% --drain-timeout 60`)}.`,
      ];
    },
    docs: [
      'https://aka.ms/aks/debugdrainfailures',
      `${AKS_TS}/error-code-poddrainfailure`,
      `${AKS_TS}/error-codes/unsatisfiablepdb-error`,
    ],
  },

  'quota-exceeded': {
    title: 'vCPU quota exceeded',
    retryable: false,
    summary(f) {
      const limit = fact(f, 'quotaLimit');
      const usage = fact(f, 'quotaUsage');
      const requested = fact(f, 'quotaRequested');
      const family = fact(f, 'vmFamily');
      const loc = fact(f, 'location');
      const quota = family === undefined ? 'regional vCPU quota' : `vCPU quota for ${family}`;
      const where = loc === undefined ? '' : ` in ${loc}`;
      if (limit !== undefined && usage !== undefined && requested !== undefined)
        return `The ${quota}${where} is ${limit} and ${usage} are in use; the operation needed ${requested} more.`;
      if (limit !== undefined)
        return `The operation would exceed the ${quota}${where}, which is ${limit}; new nodes (including upgrade surge nodes) count against it.`;
      return `The operation needs more vCPUs than the subscription's ${quota}${where} allows; new nodes (including upgrade surge nodes) count against it.`;
    },
    remediation(f, n) {
      const loc = locationOf(f, n);
      const usage = Number(fact(f, 'quotaUsage') ?? NaN);
      const requested = Number(fact(f, 'quotaRequested') ?? NaN);
      const needed =
        Number.isFinite(usage) && Number.isFinite(requested)
          ? String(usage + requested)
          : '$NEW_LIMIT';
      const resource = quotaResourceName(fact(f, 'vmFamily'));
      const pool = poolOf(f, n);
      return [
        `Check the current usage and limit for the region and VM family: ${cmd(`az vm list-usage -l ${loc} -o table`)}.`,
        `Request a quota increase (portal: Quotas > Compute, or the quota CLI extension): ${cmd(`az quota update --resource-name ${resource} --scope /subscriptions/${n.subscriptionId}/providers/Microsoft.Compute/locations/${loc} --limit-object value=${needed} --resource-type dedicated`)}.`,
        `Or free quota: delete unused VMs and scale down pools you do not need, for example ${cmd(`az aks nodepool scale -g ${n.resourceGroup} --cluster-name ${n.clusterName} -n $OTHER_POOL --node-count $NODE_COUNT`)}.`,
        `Or need less: upgrade with fewer surge nodes (${cmd(`az aks nodepool update -g ${n.resourceGroup} --cluster-name ${n.clusterName} -n ${pool} --max-surge 1`)}) or use a VM size from a family that has quota left.`,
        `Then retry; if the pool went to Failed, reconcile it first: ${cmd(reconcilePool(n, pool))}.`,
      ];
    },
    docs: [
      `${AKS_TS}/create-upgrade-delete/error-code-quotaexceeded`,
      'https://learn.microsoft.com/azure/azure-resource-manager/templates/error-resource-quota',
    ],
  },

  'public-ip-limit': {
    title: 'Public IP address limit reached',
    retryable: false,
    summary(f) {
      const loc = fact(f, 'location');
      const limit = fact(f, 'quotaLimit');
      const where = loc === undefined ? 'in this region' : `in ${loc}`;
      const max = limit === undefined ? '' : ` (limit ${limit})`;
      return `The subscription reached its limit of public IP addresses ${where}${max}, so AKS could not create the public IP it needs (outbound load balancer or a LoadBalancer service).`;
    },
    remediation(f, n) {
      const loc = locationOf(f, n);
      return [
        `Check the current public IP usage and limit: ${cmd(`az network list-usages -l ${loc} -o table`)}.`,
        `Delete public IPs nobody uses: list them with ${cmd('az network public-ip list --query "[?ipConfiguration==null && natGateway==null].{name:name,group:resourceGroup}" -o table')} and remove them with ${cmd('az network public-ip delete --ids $PUBLIC_IP_ID')}.`,
        `Or request a higher limit (portal: Quotas > Networking); the quota names are listed by ${cmd(`az quota list --scope /subscriptions/${n.subscriptionId}/providers/Microsoft.Network/locations/${loc} -o table`)}.`,
        `Or need fewer IPs: share one ingress instead of many LoadBalancer services, or lower the managed outbound IPs: ${cmd(`az aks update -g ${n.resourceGroup} -n ${n.clusterName} --load-balancer-managed-outbound-ip-count 1`)}.`,
        `Retry the operation (reconcile with ${cmd(reconcileCluster(n))} if the cluster went to Failed).`,
      ];
    },
    docs: [
      `${AKS_TS}/create-upgrade-delete/error-code-publicipcountlimitreached`,
      'https://learn.microsoft.com/azure/azure-resource-manager/templates/error-resource-quota',
    ],
  },

  'subnet-capacity': {
    title: 'Not enough IP addresses in the subnet',
    retryable: false,
    summary(f) {
      const subnet = fact(f, 'subnet');
      const needed = fact(f, 'neededIps');
      const name = subnet === undefined ? 'The node subnet' : `Subnet ${lastSegment(subnet)}`;
      const need = needed === undefined ? '' : ` (${needed} needed)`;
      return `${name} does not have enough free IP addresses for the new nodes${need}; with Azure CNI each node also takes an address per pod (max-pods), and upgrades need addresses for the surge nodes.`;
    },
    remediation(f, n) {
      const pool = poolOf(f, n);
      const { group, vnet } = vnetOf(f);
      return [
        `Check the subnet's address range and what uses it: ${cmd(`az network vnet subnet show --ids ${subnetIdOf(f, n)} -o table`)}.`,
        `For quick relief, need fewer addresses: upgrade with a single surge node (${cmd(`az aks nodepool update -g ${n.resourceGroup} --cluster-name ${n.clusterName} -n ${pool} --max-surge 1`)}) or scale down pools in the same subnet.`,
        `Create a larger subnet in the virtual network${vnetHint(f, n)}: ${cmd(`az network vnet subnet create -g ${group} --vnet-name ${vnet} -n $NEW_SUBNET --address-prefixes $NEW_SUBNET_CIDR`)}.`,
        `Create a new node pool in the larger subnet: ${cmd(`az aks nodepool add -g ${n.resourceGroup} --cluster-name ${n.clusterName} -n $NEW_POOL --vnet-subnet-id /subscriptions/${n.subscriptionId}/resourceGroups/${group}/providers/Microsoft.Network/virtualNetworks/${vnet}/subnets/$NEW_SUBNET --node-count $NODE_COUNT`)}.`,
        `Move the workloads (${cmd('kubectl drain $NODE --ignore-daemonsets --delete-emptydir-data')} for each old node), then delete the old pool: ${cmd(`az aks nodepool delete -g ${n.resourceGroup} --cluster-name ${n.clusterName} -n ${pool}`)}.`,
        `For lasting headroom consider Azure CNI Overlay (pod IPs outside the VNet) or a lower --max-pods on new pools.`,
      ];
    },
    docs: [
      'https://aka.ms/aks/insufficientsubnetsize',
      `${AKS_TS}/connectivity/insufficientsubnetsize-error-advanced-networking`,
      `${AKS_TS}/create-upgrade-delete/error-code-subnetisfull-upgrade`,
    ],
  },

  'allocation-failed': {
    title: 'No VM capacity for the requested size',
    retryable: true,
    summary(f) {
      const size = fact(f, 'vmSize');
      const zone = fact(f, 'zone');
      const loc = fact(f, 'location');
      const what = size === undefined ? 'the requested VM size' : size;
      const where = [zone === undefined ? '' : `zone ${zone}`, loc ?? '']
        .filter((s) => s !== '')
        .join(' of ');
      const at = where === '' ? '' : ` in ${where}`;
      return `Azure had no free capacity for ${what}${at} when the nodes were allocated; this is a capacity shortage, not a quota limit, and capacity often comes back later.`;
    },
    remediation(f, n) {
      const pool = poolOf(f, n);
      const size = fact(f, 'vmSize') ?? '$VM_SIZE';
      return [
        `Retry later, capacity comes back: reconcile or re-run the operation, for example ${cmd(reconcilePool(n, pool))}.`,
        `Check the availability of the VM size in the region and its zones: ${cmd(`az vm list-skus -l ${locationOf(f, n)} --size ${size} --all -o table`)}.`,
        `For upgrades, avoid needing extra nodes: ${cmd(`az aks nodepool update -g ${n.resourceGroup} --cluster-name ${n.clusterName} -n ${pool} --max-surge 0 --max-unavailable 1`)} (see https://aka.ms/aks/maxUnavailable).`,
        `Or choose a different VM size or more zones in a new pool: ${cmd(`az aks nodepool add -g ${n.resourceGroup} --cluster-name ${n.clusterName} -n $NEW_POOL --node-vm-size $OTHER_VM_SIZE --zones 1 2 3 --node-count $NODE_COUNT`)}.`,
        `For capacity you can count on, reserve it (capacity reservation group, \`--crg-id\` on the pool), or deploy in a different region.`,
      ];
    },
    docs: [
      `${AKS_TS}/error-code-zonalallocationfailed-allocationfailed`,
      'https://aka.ms/allocation-guidance',
      'https://aka.ms/akscapacityheavyusage',
    ],
  },

  'sku-not-available': {
    title: 'The VM size is not available here',
    retryable: false,
    summary(f) {
      const size = fact(f, 'vmSize');
      const loc = fact(f, 'location');
      const zone = fact(f, 'zone');
      const what = size === undefined ? 'The requested VM size' : `VM size ${size}`;
      const where = loc === undefined ? 'in this region' : `in ${loc}`;
      const z = zone === undefined ? '' : ` (zone ${zone})`;
      return `${what} is not offered ${where}${z} for this subscription, so AKS cannot create nodes with it.`;
    },
    remediation(f, n) {
      const loc = locationOf(f, n);
      const size = fact(f, 'vmSize') ?? '$VM_SIZE';
      return [
        `See where the size is offered and its restrictions (NotAvailableForSubscription, zones): ${cmd(`az vm list-skus -l ${loc} --size ${size} --all -o table`)}.`,
        `Pick a size that is available in the region and zones: ${cmd(`az vm list-skus -l ${loc} --resource-type virtualMachines -o table`)}.`,
        `Use it for the pool: ${cmd(`az aks nodepool add -g ${n.resourceGroup} --cluster-name ${n.clusterName} -n $NEW_POOL --node-vm-size $OTHER_VM_SIZE --node-count $NODE_COUNT`)}, or drop the zones that do not offer the size.`,
        `If you need this size here, request access to it with an Azure support request (subscription and quota limits).`,
      ];
    },
    docs: [`${ARM_TS}/error-sku-not-available`, 'https://aka.ms/azureregions'],
  },

  'policy-denied': {
    title: 'Blocked by Azure Policy',
    retryable: false,
    summary(f) {
      const assignment = fact(f, 'policyAssignment');
      const definition = fact(f, 'policyDefinition');
      const by =
        assignment !== undefined
          ? `policy assignment ${lastSegment(assignment)}`
          : definition !== undefined
            ? `policy ${lastSegment(definition)}`
            : 'an Azure Policy assignment';
      return `The request was denied by ${by}: a resource AKS tried to create or change (also in the node resource group) does not comply with it.`;
    },
    remediation(f, n) {
      const assignment = fact(f, 'policyAssignment');
      const definition = fact(f, 'policyDefinition');
      const showAssignment =
        assignment !== undefined && isResourceId(assignment)
          ? `az policy assignment show --name ${lastSegment(assignment)} --scope ${assignment.replace(/\/providers\/Microsoft\.Authorization\/policyAssignments\/[^/]+$/i, '')}`
          : `az policy assignment show --name ${assignment ?? '$POLICY_ASSIGNMENT'} --scope /subscriptions/${n.subscriptionId}`;
      const assignmentId =
        assignment !== undefined && isResourceId(assignment)
          ? assignment
          : `/subscriptions/${n.subscriptionId}/providers/Microsoft.Authorization/policyAssignments/${assignment ?? '$POLICY_ASSIGNMENT'}`;
      return [
        `Review the policy assignment and its scope: ${cmd(showAssignment)}.`,
        `Review the policy rule to see what it requires: ${cmd(`az policy definition show --name ${definition === undefined ? '$POLICY_DEFINITION' : lastSegment(definition)}`)}.`,
        `Make the request comply (required tags, allowed locations or VM sizes, …); remember AKS also creates resources in the node resource group (${cmd(azAksShow(n, 'nodeResourceGroup'))}).`,
        `If the operation must be allowed, have the policy owner modify the assignment or exclude the cluster, for example with an exemption: ${cmd(`az policy exemption create --name aks-guard-${n.clusterName} --policy-assignment ${assignmentId} --exemption-category Waiver --scope ${clusterId(n)}`)}.`,
        `Retry; if the cluster went to Failed, reconcile it: ${cmd(reconcileCluster(n))}.`,
      ];
    },
    docs: [
      `${ARM_TS}/error-policy-requestdisallowedbypolicy`,
      `${AKS_TS}/create-upgrade-delete/error-code-requestdisallowedbypolicy`,
    ],
  },

  'authorization-failed': {
    title: 'Missing Azure RBAC permission',
    retryable: false,
    summary(f) {
      const principal = fact(f, 'principal');
      const action = fact(f, 'action');
      const scope = fact(f, 'scope');
      const who =
        principal === undefined ? 'The caller or the cluster identity' : `Principal ${principal}`;
      const what = action === undefined ? 'the requested action' : action;
      const over = scope === undefined ? '' : ` over ${scope}`;
      return `${who} is not authorized to perform ${what}${over}; Azure RBAC refused the request.`;
    },
    remediation(f, n) {
      const principal = fact(f, 'principal') ?? '$PRINCIPAL_ID';
      const scope = fact(f, 'scope') ?? clusterId(n);
      const action = fact(f, 'action');
      return [
        `Identify the principal: the pipeline's identity (${cmd('az account show --query user -o tsv')}) or the cluster's identities (${cmd(azAksShow(n, '"{identity:identity.principalId,kubelet:identityProfile.kubeletidentity.objectId}"', 'table'))}).`,
        `List what it has on the scope: ${cmd(`az role assignment list --assignee ${principal} --scope ${scope} -o table`)}.`,
        `Grant a role that includes ${action ?? 'the refused action'}: ${cmd(`az role assignment create --assignee ${principal} --role "${roleFor(action)}" --scope ${scope}`)} (or a custom role with just that action).`,
        `For LinkedAuthorizationFailed the permission is needed on the linked resource (for example the subnet, public IP or private DNS zone in another resource group), not on the cluster.`,
        `Wait a few minutes for the assignment to propagate, then retry.`,
      ];
    },
    docs: [
      `${AKS_TS}/error-codes/linkedauthorizationfailed-error`,
      'https://learn.microsoft.com/azure/role-based-access-control/troubleshooting',
    ],
  },

  'provider-not-registered': {
    title: 'Resource provider not registered',
    retryable: false,
    summary(f, n) {
      const provider = fact(f, 'provider');
      return `Subscription ${n.subscriptionId} is not registered to use ${provider === undefined ? 'a resource provider the operation needs' : `the ${provider} resource provider`}.`;
    },
    remediation(f, n) {
      const provider = fact(f, 'provider') ?? 'Microsoft.ContainerService';
      return [
        `Check the registration state: ${cmd(`az provider show --namespace ${provider} --subscription ${n.subscriptionId} --query registrationState -o tsv`)}.`,
        `Register it: ${cmd(`az provider register --namespace ${provider} --subscription ${n.subscriptionId} --wait`)}.`,
        `Make sure the providers AKS itself needs are registered too: ${cmd(`az provider register --namespace Microsoft.ContainerService --subscription ${n.subscriptionId}`)} (and Microsoft.Compute, Microsoft.Network, Microsoft.Storage; Microsoft.OperationsManagement and Microsoft.OperationalInsights for monitoring).`,
        `Registering needs the */register/action permission on the subscription (Contributor or Owner); then retry the operation.`,
      ];
    },
    docs: ['https://aka.ms/rps-not-found', `${ARM_TS}/error-register-resource-provider`],
  },

  'subscription-disabled': {
    title: 'The subscription is disabled (read-only)',
    retryable: false,
    summary(_f, n) {
      return `Subscription ${n.subscriptionId} is disabled and read-only, so Azure refuses every create, update or action; this usually comes from billing (expired credit, spending limit, overdue bill), a cancellation or a policy violation.`;
    },
    remediation(_f, n) {
      return [
        `Check the subscription state and that the pipeline targets the right one: ${cmd(`az account show --subscription ${n.subscriptionId} --query "{name:name,state:state}" -o table`)}.`,
        `Review the subscription with its account administrator in Cost Management + Billing: pay an overdue bill, remove the spending limit, or upgrade an expired free trial or credit offer to reactivate it.`,
        `If it was suspended for a policy violation or cancelled, contact Azure support; a disabled subscription is deleted after its retention period.`,
        `Once the state is Enabled again, re-run the operation; if the cluster went to Failed, reconcile it: ${cmd(reconcileCluster(n))}.`,
      ];
    },
    docs: [
      'https://learn.microsoft.com/azure/cost-management-billing/manage/subscription-disabled',
      'https://learn.microsoft.com/azure/cost-management-billing/manage/subscription-states',
    ],
  },

  'resource-locked': {
    title: 'Blocked by a resource lock',
    retryable: false,
    summary(f) {
      const lock = fact(f, 'lock');
      const scope = fact(f, 'scope');
      const which = lock === undefined ? 'A management lock' : `Management lock ${lock}`;
      const on = scope === undefined ? '' : ` on ${scope}`;
      return `${which}${on} blocks the change: a ReadOnly lock refuses every write and a CanNotDelete lock refuses deletes, such as removing nodes on scale-down or upgrade.`;
    },
    remediation(f, n) {
      const lock = fact(f, 'lock') ?? '$LOCK_NAME';
      return [
        `List the locks on the cluster's resource group and on the node resource group: ${cmd(`az lock list -g ${n.resourceGroup} -o table`)} and ${cmd(`az lock list -g ${nodeResourceGroup(n)} -o table`)}.`,
        `Remove the lock for the operation (you need Owner or User Access Administrator): ${cmd(`az lock delete --name ${lock} -g ${n.resourceGroup}`)} (use the node resource group if the lock is there).`,
        `Retry the operation, or reconcile if it left the cluster Failed: ${cmd(reconcileCluster(n))}.`,
        `Put the lock back afterwards, if it is still wanted: ${cmd(`az lock create --name ${lock} -g ${n.resourceGroup} --lock-type CanNotDelete`)}; do not lock the node resource group, AKS must be able to change it.`,
      ];
    },
    docs: [
      'https://learn.microsoft.com/azure/azure-resource-manager/management/lock-resources',
      'https://github.com/Azure/AKS/issues/3291',
    ],
  },

  'service-principal-invalid': {
    title: "The cluster's service principal credentials are invalid",
    retryable: false,
    summary(f) {
      const aadsts = fact(f, 'aadsts');
      const code =
        aadsts === undefined ? '' : ` (${/^aadsts/i.test(aadsts) ? aadsts : `AADSTS${aadsts}`})`;
      return `Microsoft Entra ID rejected the cluster's service principal credentials${code}: the client secret expired or was rotated, or the application no longer exists.`;
    },
    remediation(f, n) {
      const clientId = fact(f, 'principal') ?? '$SP_CLIENT_ID';
      return [
        `See which service principal the cluster uses: ${cmd(azAksShow(n, 'servicePrincipalProfile.clientId'))}.`,
        `Check that it exists and when its secrets expire: ${cmd(`az ad app credential list --id ${clientId} -o table`)} (AADSTS700016 means the application was not found).`,
        `Create a new secret: ${cmd(`SP_SECRET=$(az ad app credential reset --id ${clientId} --append --query password -o tsv)`)}.`,
        `Give it to the cluster: ${cmd(`az aks update-credentials -g ${n.resourceGroup} -n ${n.clusterName} --reset-service-principal --service-principal ${clientId} --client-secret "$SP_SECRET"`)}.`,
        `Better, stop managing secrets: move the cluster to a managed identity with ${cmd(`az aks update -g ${n.resourceGroup} -n ${n.clusterName} --enable-managed-identity`)}; then retry.`,
      ];
    },
    docs: [
      'https://aka.ms/aks-sp-help',
      `${AKS_DOCS}/update-credentials`,
      `${AKS_TS}/create-upgrade-delete/error-code-serviceprincipalvalidationclienterror`,
    ],
  },

  'federated-credential': {
    title: 'Workload identity federation failed',
    retryable: false,
    summary(f) {
      const aadsts = fact(f, 'aadsts') ?? '';
      const issuer = fact(f, 'issuer');
      const subject = fact(f, 'subject');
      if (/700024/.test(aadsts))
        return 'The federated token (client assertion) had expired when it was exchanged (AADSTS700024): the OIDC token was used after its short lifetime.';
      const presented =
        issuer !== undefined || subject !== undefined
          ? ` for issuer ${issuer ?? '(unknown)'} and subject ${subject ?? '(unknown)'}`
          : '';
      return `Microsoft Entra ID found no federated identity credential matching the presented token${presented}, so the token exchange failed.`;
    },
    remediation(f, n) {
      const app = fact(f, 'principal') ?? '$APP_CLIENT_ID';
      const issuer = fact(f, 'issuer') ?? '$ISSUER';
      const subject = fact(f, 'subject') ?? '$SUBJECT';
      return [
        `List the federated credentials of the app registration (${cmd(`az ad app federated-credential list --id ${app} -o table`)}) or of the managed identity (${cmd('az identity federated-credential list --identity-name $IDENTITY_NAME -g $IDENTITY_RESOURCE_GROUP -o table')}).`,
        `Compare issuer, subject and audience exactly with the token: GitHub uses subjects like repo:ORG/REPO:environment:NAME or repo:ORG/REPO:ref:refs/heads/BRANCH; AKS workload identity uses system:serviceaccount:NAMESPACE:SA and the issuer from ${cmd(azAksShow(n, 'oidcIssuerProfile.issuerUrl'))}.`,
        `Add the missing credential: ${cmd(`az identity federated-credential create --name aks-guard --identity-name $IDENTITY_NAME -g $IDENTITY_RESOURCE_GROUP --issuer ${issuer} --subject ${subject} --audiences api://AzureADTokenExchange`)} (or ${cmd(`az ad app federated-credential create --id ${app} --parameters credential.json`)}).`,
        `For an expired assertion (AADSTS700024), fetch the OIDC token right before each exchange: use aks-guard's own \`auth-type: oidc\`, which asks for a fresh token every time, instead of azure/login followed by long az sessions.`,
      ];
    },
    docs: [
      'https://learn.microsoft.com/entra/workload-id/workload-identity-federation',
      'https://azure.github.io/azure-workload-identity/docs/troubleshooting.html',
    ],
  },

  'authentication-failed': {
    title: 'Sign-in failed',
    retryable: false,
    summary(f) {
      const aadsts = fact(f, 'aadsts');
      const code =
        aadsts === undefined ? '' : ` (${/^aadsts/i.test(aadsts) ? aadsts : `AADSTS${aadsts}`})`;
      return `Authentication failed${code}: the credentials in use (kubeconfig token, cached refresh token, or application) are expired, revoked or not valid for this tenant.`;
    },
    remediation(_f, n) {
      return [
        `Sign in again and check the account and tenant: ${cmd('az login')} then ${cmd('az account show -o table')}.`,
        `Refresh the kubeconfig: ${cmd(`az aks get-credentials -g ${n.resourceGroup} -n ${n.clusterName} --overwrite-existing`)}; for Microsoft Entra ID clusters also ${cmd('kubelogin convert-kubeconfig -l azurecli')}.`,
        `Make sure the identity may fetch credentials: ${cmd(`az role assignment create --assignee $PRINCIPAL_ID --role "Azure Kubernetes Service Cluster User Role" --scope ${clusterId(n)}`)}.`,
        `In pipelines, check the aks-guard \`auth-type\`, \`client-id\` and \`tenant-id\` inputs (a secret that expired or an app that was deleted fails the same way).`,
      ];
    },
    docs: ['https://azure.github.io/kubelogin/', `${AKS_DOCS}/control-kubeconfig-access`],
  },

  'outbound-connectivity': {
    title: 'Nodes cannot reach required endpoints',
    retryable: false,
    summary(f) {
      const code = fact(f, 'exitCode');
      const meaning: Record<string, string> = {
        '50': 'the outbound connectivity check failed (OutboundConnFailVMExtensionError)',
        '41': 'downloading the CNI plugins timed out',
        '31': 'downloading the Kubernetes binaries timed out',
        '124': 'the provisioning script timed out',
      };
      const detail = code === undefined ? undefined : meaning[code];
      const what =
        code === undefined
          ? 'Node provisioning failed'
          : `Node provisioning (CSE) failed with exit code ${code}${detail === undefined ? '' : `: ${detail}`}`;
      return `${what}; the nodes cannot make the outbound connections AKS requires (container registry, Azure management and sign-in endpoints), usually because of an NSG, firewall, route or DNS setting.`;
    },
    remediation(f, n) {
      const pool = poolOf(f, n);
      return [
        `Check the network security group (NSG) rules and the firewall/route table of the node subnet: ${cmd(`az network vnet subnet show --ids ${subnetIdOf(f, n)} --query "{nsg:networkSecurityGroup.id,routeTable:routeTable.id}" -o table`)}.`,
        `Allow the node traffic on the firewall: the VM scale set must reach the required endpoints (https://aka.ms/aks-required-ports-and-addresses; the failed-state article lists https://aka.ms/aks/outbound, https://aka.ms/aks/ssh, https://aka.ms/aks/agent and https://aka.ms/aks/containerinsights), such as mcr.microsoft.com, *.data.mcr.microsoft.com, management.azure.com and login.microsoftonline.com on TCP 443.`,
        `Test from a node (${scaleSetHint(n)}): ${cmd(onNode(n, 'curl -sSI https://mcr.microsoft.com/v2/ | head -n 1; nslookup mcr.microsoft.com'))}.`,
        `If the virtual network uses custom DNS servers, make them resolve public names (forward to Azure DNS, 168.63.129.16).`,
        `After fixing the path, reconcile the pool so the nodes provision again: ${cmd(reconcilePool(n, pool))}.`,
      ];
    },
    docs: [
      'https://aka.ms/aks-required-ports-and-addresses',
      `${AKS_TS}/create-upgrade-delete/error-code-outboundconnfailvmextensionerror`,
      FAILED_STATE_DOC,
    ],
  },

  'apiserver-connectivity': {
    title: 'Nodes cannot reach the API server',
    retryable: false,
    summary(f) {
      const code = fact(f, 'exitCode') ?? '51';
      return `Node provisioning (CSE) failed with exit code ${code} (K8SAPIServerConnFailVMExtensionError): the nodes cannot open a connection to the cluster's API server on port 443.`;
    },
    remediation(f, n) {
      const pool = poolOf(f, n);
      return [
        `Get the API server address: ${cmd(azAksShow(n, '"{fqdn:fqdn,privateFqdn:privateFqdn}"', 'table'))}.`,
        `Test the connection from a node (${scaleSetHint(n)}): ${cmd(onNode(n, 'nc -vz -w 5 $API_SERVER_FQDN 443'))}.`,
        `Allow TCP 443 from the node subnet to the API server in the NSG, firewall and route table (https://aka.ms/aks-required-ports-and-addresses); if authorized IP ranges are set, they must include the cluster's egress IPs: ${cmd(azAksShow(n, 'apiServerAccessProfile.authorizedIpRanges'))}.`,
        `For a private cluster, the nodes reach the API server through its private endpoint: check that it exists and that the privatelink name resolves in the node VNet.`,
        `After fixing, reconcile the pool: ${cmd(reconcilePool(n, pool))}; if the API server itself is failing, report it to AKS support with the operation ID.`,
      ];
    },
    docs: [
      `${AKS_TS}/error-codes/vmextensionerror-k8sapiserverconnfail`,
      `${AKS_TS}/create-upgrade-delete/error-code-k8sapiserverconnfailvmextensionerror`,
      'https://aka.ms/aks-required-ports-and-addresses',
    ],
  },

  'apiserver-dns': {
    title: 'Nodes cannot resolve the API server name',
    retryable: false,
    summary(f) {
      const code = fact(f, 'exitCode') ?? '52';
      return `Node provisioning (CSE) failed with exit code ${code} (K8SAPIServerDNSLookupFailVMExtensionError): the nodes cannot resolve the API server name, most often because custom DNS servers do not forward to Azure DNS or the private DNS zone is not linked.`;
    },
    remediation(f, n) {
      const pool = poolOf(f, n);
      const { group, vnet } = vnetOf(f);
      return [
        `See which DNS servers the node VNet uses (empty means Azure DNS)${vnetHint(f, n)}: ${cmd(`az network vnet show -g ${group} -n ${vnet} --query dhcpOptions.dnsServers -o tsv`)}.`,
        `Test resolution from a node (${scaleSetHint(n)}): ${cmd(onNode(n, 'nslookup $API_SERVER_FQDN'))}.`,
        `Set up DNS resolution to Azure: custom DNS servers must forward to Azure DNS (168.63.129.16), with a conditional forwarder for privatelink.<region>.azmk8s.io for private clusters.`,
        `For a private cluster, link its private DNS zone (${cmd(`az network private-dns zone list -g ${nodeResourceGroup(n)} -o table`)}) to the VNet that holds the DNS servers: ${cmd('az network private-dns link vnet create -g $ZONE_RESOURCE_GROUP -z $ZONE_NAME -n $LINK_NAME -v $DNS_VNET_ID -e false')}.`,
        `After fixing, reconcile the pool: ${cmd(reconcilePool(n, pool))}.`,
      ];
    },
    docs: [
      'https://aka.ms/aks/private-cluster#hub-and-spoke-with-custom-dns',
      `${AKS_TS}/create-upgrade-delete/error-code-k8sapiserverdnslookupfailvmextensionerror`,
    ],
  },

  'node-bootstrap-failed': {
    title: 'Node provisioning failed',
    retryable: false,
    summary(f) {
      const code = fact(f, 'exitCode');
      const node = fact(f, 'node');
      const on = node === undefined ? '' : ` on ${node}`;
      const exit = code === undefined ? '' : ` with exit code ${code}`;
      return `The node provisioning script (Custom Script Extension, vmssCSE) failed${on}${exit}, so the node never joined the cluster.`;
    },
    remediation(f, n) {
      const pool = poolOf(f, n);
      return [
        `Look up the exit code in the CSE error table (https://aka.ms/VMExtensionCSELinuxTroubleshoot); for example 212 means the kubelet identity cannot pull from the bootstrap container registry (grant it AcrPull).`,
        `See which instances failed (scale sets: ${cmd(listScaleSetNames(n))}): ${cmd(`az vmss list-instances -g ${nodeResourceGroup(n)} -n $VMSS_NAME --query "[].{id:instanceId,name:name,state:provisioningState}" -o table`)}.`,
        `Read the provisioning log on a node: ${cmd(onNode(n, 'tail -n 50 /var/log/azure/cluster-provision.log'))}.`,
        `Fix the cause, then reconcile the pool so the nodes provision again: ${cmd(reconcilePool(n, pool))}.`,
      ];
    },
    docs: [
      `${AKS_TS}/availability-performance/node-not-ready-custom-script-extension-errors`,
      'https://aka.ms/VMExtensionCSELinuxTroubleshoot',
    ],
  },

  'version-not-supported': {
    title: 'Kubernetes version not supported',
    retryable: false,
    summary(f) {
      const target = fact(f, 'targetVersion');
      const loc = fact(f, 'location');
      const v = target === undefined ? 'The requested Kubernetes version' : `Kubernetes ${target}`;
      const where = loc === undefined ? 'in this region' : `in ${loc}`;
      return `${v} is not supported ${where}: it is out of support or not yet available there.`;
    },
    remediation(f, n) {
      return [
        `List the versions offered in the region: ${cmd(`az aks get-versions -l ${locationOf(f, n)} -o table`)}.`,
        `For an existing cluster, list the upgrades it can take: ${cmd(getUpgrades(n))}.`,
        `Set one of those versions in the pipeline (aks-guard \`kubernetes-version\` input, or \`--kubernetes-version\` for az), then retry.`,
        `If the cluster itself runs an unsupported version, upgrade it one minor version at a time through the versions offered.`,
      ];
    },
    docs: ['https://aka.ms/supported-version-list', `${AKS_DOCS}/supported-kubernetes-versions`],
  },

  'version-upgrade-not-allowed': {
    title: 'This upgrade path is not allowed',
    retryable: false,
    summary(f) {
      const from = fact(f, 'currentVersion');
      const to = fact(f, 'targetVersion');
      const available = fact(f, 'availableUpgrades');
      const path =
        from !== undefined && to !== undefined
          ? `Upgrading from ${from} to ${to} is not allowed`
          : to !== undefined
            ? `Upgrading to ${to} is not allowed`
            : 'The requested upgrade is not allowed';
      const list = available === undefined ? '' : ` Available upgrades: ${available}.`;
      return `${path}: AKS upgrades one minor version at a time and never downgrades.${list}`;
    },
    remediation(f, n) {
      const next = highestVersion(fact(f, 'availableUpgrades')) ?? '$NEXT_VERSION';
      const target = fact(f, 'targetVersion') ?? '$TARGET_VERSION';
      return [
        `List the upgrades the cluster can take: ${cmd(getUpgrades(n))}.`,
        `Upgrade to the next minor version first: ${cmd(`az aks upgrade -g ${n.resourceGroup} -n ${n.clusterName} --kubernetes-version ${next} --yes`)} (with aks-guard: \`kubernetes-version: ${next}\`).`,
        `Then upgrade again to ${target}, one minor version per step.`,
        `A downgrade is not possible: if ${target} is older than the current version, keep the current version (or create a new cluster).`,
      ];
    },
    docs: [
      'https://aka.ms/aks-supported-k8s-ver',
      `${AKS_DOCS}/upgrade-aks-cluster`,
      `${AKS_TS}/error-codes/aks-upgrade-blocked`,
    ],
  },

  'version-skew': {
    title: 'Control plane and node pool versions are incompatible',
    retryable: false,
    summary(f) {
      const pool = fact(f, 'pool');
      const cur = fact(f, 'currentVersion');
      const to = fact(f, 'targetVersion');
      const who = pool === undefined ? 'A node pool' : `Node pool ${pool}`;
      const versions =
        cur !== undefined && to !== undefined
          ? ` (${cur} → ${to})`
          : to !== undefined
            ? ` (${to})`
            : '';
      return `${who} cannot get this version${versions}: a pool may not be newer than the control plane nor too many minor versions behind it, and pool versions must be changed through the agent pool API, not the managed cluster.`;
    },
    remediation(f, n) {
      const pool = poolOf(f, n);
      const target = fact(f, 'targetVersion') ?? '$TARGET_VERSION';
      return [
        `Compare the versions: ${cmd(azAksShow(n, 'currentKubernetesVersion'))} and ${cmd(azPoolList(n))}.`,
        `Upgrade the control plane first: ${cmd(`az aks upgrade -g ${n.resourceGroup} -n ${n.clusterName} --control-plane-only --kubernetes-version ${target} --yes`)}.`,
        `Then upgrade each pool: ${cmd(`az aks nodepool upgrade -g ${n.resourceGroup} --cluster-name ${n.clusterName} -n ${pool} --kubernetes-version ${target}`)}.`,
        `In ARM, Bicep or Terraform, change pool versions on the agent pool resource (https://aka.ms/agent-pool-rest-api), and in a managed cluster PUT either leave every pool's orchestratorVersion unchanged or specify all of them.`,
      ];
    },
    docs: [
      `${AKS_TS}/error-codes/nodepoolmcversionincompatible-error`,
      `${AKS_DOCS}/supported-kubernetes-versions`,
    ],
  },

  'deprecated-api-usage': {
    title: 'Upgrade blocked by use of deprecated Kubernetes APIs',
    retryable: false,
    summary(f) {
      const to = fact(f, 'targetVersion');
      const apis = fact(f, 'deprecatedApis');
      const v = to === undefined ? 'the target version' : to;
      const which = apis === undefined ? '' : `: ${apis}`;
      return `AKS stopped the upgrade because the cluster recently called Kubernetes APIs that ${v} removes${which}; those calls would fail after the upgrade.`;
    },
    remediation(_f, n) {
      return [
        `Find the callers: "Diagnose and solve problems" > "Selected Kubernetes API deprecations" in the portal, or the API server metrics ${cmd('kubectl get --raw /metrics | grep apiserver_requested_deprecated_apis')}.`,
        `Migrate the manifests, Helm charts and controllers to the replacement API versions (https://kubernetes.io/docs/reference/using-api/deprecation-guide/).`,
        `AKS looks at the last 12 hours of usage: retry the upgrade once the old APIs are no longer called.`,
        `Only if you accept that those calls will fail, bypass the check for a while: ${cmd(`az aks update -g ${n.resourceGroup} -n ${n.clusterName} --enable-force-upgrade --upgrade-override-until $UNTIL_UTC`)}, then upgrade.`,
      ];
    },
    docs: [
      `${AKS_DOCS}/stop-cluster-upgrade-api-breaking-changes`,
      'https://aka.ms/aks/UpgradeAndDeprecatedAPIs',
    ],
  },

  'node-image-outdated': {
    title: 'The node image is too old',
    retryable: false,
    summary(f) {
      const pool = fact(f, 'pool');
      const who = pool === undefined ? 'A node pool' : `Node pool ${pool}`;
      return `${who} runs a node image or node configuration that is too old for this operation; AKS requires a node image upgrade first.`;
    },
    remediation(f, n) {
      const pool = poolOf(f, n);
      return [
        `Compare the current and latest node image: ${cmd(azPoolShow(n, pool, 'nodeImageVersion'))} and ${cmd(`az aks nodepool get-upgrades -g ${n.resourceGroup} --cluster-name ${n.clusterName} --nodepool-name ${pool} --query latestNodeImageVersion -o tsv`)}.`,
        `Upgrade the node image of the pool: ${cmd(`az aks nodepool upgrade -g ${n.resourceGroup} --cluster-name ${n.clusterName} -n ${pool} --node-image-only`)} (all pools: ${cmd(`az aks upgrade -g ${n.resourceGroup} -n ${n.clusterName} --node-image-only --yes`)}).`,
        `With aks-guard, run \`operation: upgrade-node-image\` first, then retry the original operation.`,
        `Keep images current automatically: ${cmd(`az aks update -g ${n.resourceGroup} -n ${n.clusterName} --node-os-upgrade-channel NodeImage`)}.`,
      ];
    },
    docs: [`${AKS_DOCS}/node-image-upgrade`],
  },

  throttled: {
    title: 'Requests throttled (429)',
    retryable: true,
    summary(_f, n) {
      return `Azure Resource Manager, AKS or a dependent provider throttled requests for subscription ${n.subscriptionId} (HTTP 429): too many requests in a short window.`;
    },
    remediation(_f, n) {
      return [
        `Wait and retry: aks-guard backs off automatically and honours Retry-After, so re-running the step later is usually enough.`,
        `Find what is calling so often: the activity log (${cmd(activityLog(n, false))}) and "Diagnose and solve problems" > throttling for the cluster.`,
        `Reduce the load: run scripts that list clusters less often, space out deployments and scale operations, and avoid parallel pipelines on one subscription.`,
        `If a dependency (for example Microsoft.Compute or Microsoft.Network) throttles during a large scale-out, scale in smaller steps or spread clusters over subscriptions.`,
      ];
    },
    docs: [
      `${AKS_TS}/error-code-subscriptionrequeststhrottled`,
      `${AKS_TS}/create-upgrade-delete/429-too-many-requests-errors`,
      'https://aka.ms/aks/throttling',
    ],
  },

  'internal-error': {
    title: 'AKS internal error',
    retryable: true,
    summary(f) {
      return `AKS or the Azure platform hit an internal error${operationNote(f)}; it is usually transient, and AKS keeps retrying some operations on its own for a while.`;
    },
    remediation(f, n) {
      const pool = poolOf(f, n);
      return [
        `Check whether AKS is still working on it: ${cmd(latestOperation(n))} and ${cmd(azAksShow(n))}.`,
        `Wait a few minutes and retry the operation (re-run the aks-guard step).`,
        `If the cluster or a pool was left Failed (infrastructure issue), reconcile each node pool and then the cluster: ${cmd(reconcilePool(n, pool))}, then ${cmd(reconcileCluster(n))}.`,
        `Check Azure status and the cluster's Resource health in the portal for an ongoing incident in the region.`,
        `If it keeps failing, report it to AKS support with the operation ID, correlation ID and time, and the logs from "Diagnose and solve problems".`,
      ];
    },
    docs: [FAILED_STATE_DOC, `${AKS_TS}/error-codes/aks-error-code-page`],
  },

  'operation-timeout': {
    title: 'Timed out waiting for the operation',
    retryable: true,
    summary(f) {
      return `The client stopped waiting before the operation finished${operationNote(f)}${onPool(f)}; the operation itself may still be running in AKS.`;
    },
    remediation(f, n) {
      const pool = fact(f, 'pool');
      const abort = pool === undefined ? abortCluster(n) : abortPool(n, pool);
      return [
        `Re-check the state: ${cmd(azAksShow(n))} and the operation's progress (percentComplete) with ${cmd(latestOperation(n, pool))}.`,
        `If it is still running, let it finish: with aks-guard, re-run with \`on-pending: wait\` and a longer \`wait-timeout\`/\`operation-timeout\`.`,
        `If it is stuck, abort it: ${cmd(abort)} (or set \`on-timeout: abort\` so aks-guard aborts what it started).`,
        `If it ended Failed, read its error and fix that; if it Succeeded, there is nothing left to do.`,
      ];
    },
    docs: [
      `${AKS_DOCS}/manage-abort-operations`,
      `${AKS_TS}/create-upgrade-delete/operationnotallowed`,
    ],
  },

  'network-config-invalid': {
    title: 'Invalid network configuration',
    retryable: false,
    summary(f) {
      const subnet = fact(f, 'subnet');
      const on = subnet === undefined ? '' : ` (subnet ${lastSegment(subnet)})`;
      return `The network settings of the request are invalid${on}: for example a service CIDR that overlaps the VNet, a DNS service IP outside the service CIDR, a subnet delegated to another service, or too few outbound ports.`;
    },
    remediation(f, n) {
      return [
        `Show the cluster's network settings: ${cmd(azAksShow(n, 'networkProfile', 'json'))}.`,
        `Check the subnet (address prefix, delegations): ${cmd(`az network vnet subnet show --ids ${subnetIdOf(f, n)} --query "{prefix:addressPrefix,delegations:delegations[].serviceName}" -o json`)}.`,
        `Fix the values: the service CIDR must not overlap the VNet, its subnets or peered networks; --dns-service-ip must be inside the service CIDR (not its first address); the node subnet must not be delegated; allocated outbound ports times nodes must fit the outbound IPs.`,
        `Apply the corrected settings (most can only be set at creation, for example ${cmd(`az aks create -g ${n.resourceGroup} -n ${n.clusterName} --service-cidr 10.2.0.0/16 --dns-service-ip 10.2.0.10`)}) and retry.`,
      ];
    },
    docs: [
      'https://aka.ms/adv-network-prerequest',
      `${AKS_TS}/error-codes/servicecidroverlapexistingsubnetscidr-error`,
      `${AKS_TS}/error-codes/dnsserviceipoutofservicecidr-error`,
    ],
  },

  'invalid-resource-reference': {
    title: 'A referenced resource is missing',
    retryable: false,
    summary(f) {
      const resource = fact(f, 'resource');
      const which =
        resource === undefined ? 'A resource the cluster references' : `Resource ${resource}`;
      return `${which} (subnet, public IP, load balancer or route table) does not exist, was deleted, or is in another region, so AKS cannot use it.`;
    },
    remediation(f, n) {
      const resource = fact(f, 'resource') ?? '$RESOURCE_ID';
      return [
        `Check the resource named in the error: ${cmd(`az resource show --ids ${resource} -o table`)}.`,
        `See what the cluster references for outbound and networking: ${cmd(azAksShow(n, 'networkProfile.loadBalancerProfile', 'json'))}.`,
        `Recreate the resource in the cluster's region, or point the cluster to one that exists, for example ${cmd(`az aks update -g ${n.resourceGroup} -n ${n.clusterName} --load-balancer-outbound-ips $PUBLIC_IP_ID`)}.`,
        `Reconcile the cluster: ${cmd(reconcileCluster(n))}.`,
      ];
    },
    docs: [`${AKS_TS}/create-upgrade-delete/error-code-invalidresourcereference`],
  },

  'missing-dependency': {
    title: 'A resource the cluster depends on was deleted or changed',
    retryable: false,
    summary() {
      return 'A resource the cluster depends on was deleted or changed outside AKS, for example the monitoring add-on Log Analytics workspace or resources in the node resource group.';
    },
    remediation(f, n) {
      const pool = poolOf(f, n);
      return [
        `If the Log Analytics workspace is gone, see which one the add-on uses: ${cmd(azAksShow(n, 'addonProfiles.omsagent.config.logAnalyticsWorkspaceResourceID'))}.`,
        `Re-point monitoring: ${cmd(`az aks disable-addons -a monitoring -g ${n.resourceGroup} -n ${n.clusterName}`)}, then ${cmd(`az aks enable-addons -a monitoring -g ${n.resourceGroup} -n ${n.clusterName} --workspace-resource-id $WORKSPACE_ID`)}.`,
        `If resources in the node resource group were modified (for example the scale set's image reference), undo the change; AKS owns that group. A node image upgrade rebuilds the nodes: ${cmd(`az aks nodepool upgrade -g ${n.resourceGroup} --cluster-name ${n.clusterName} -n ${pool} --node-image-only`)}.`,
        `Reconcile the cluster and retry: ${cmd(reconcileCluster(n))}.`,
      ];
    },
    docs: [
      `${AKS_TS}/create-upgrade-delete/aks-upgrade-scale-fail-log-analytics-workspace-missing`,
      `${AKS_TS}/create-upgrade-delete/changing-property-imagereference-not-allowed`,
    ],
  },

  'unsupported-operation': {
    title: 'Not supported for this cluster configuration',
    retryable: false,
    summary(f) {
      const pool = fact(f, 'pool');
      const on = pool === undefined ? 'this cluster' : `node pool ${pool}`;
      return `The operation is not supported for the configuration of ${on}, for example on availability-set node pools or with node autoprovisioning.`;
    },
    remediation(_f, n) {
      return [
        `Check how the pools are built: ${cmd(`az aks nodepool list -g ${n.resourceGroup} --cluster-name ${n.clusterName} --query "[].{name:name,type:type,autoscaler:enableAutoScaling,mode:mode}" -o table`)}.`,
        `Availability-set pools do not support the autoscaler, stop/start or multiple pools: move to Virtual Machine Scale Sets (a new cluster, since the pool type cannot change).`,
        `Use the supported path for the feature from the AKS docs and change the pipeline step accordingly (for example let node autoprovisioning manage node counts instead of scaling by hand).`,
      ];
    },
    docs: [
      `${AKS_TS}/create-upgrade-delete/error-using-feature-requiring-virtual-machine-scale-set`,
    ],
  },

  'autoscaler-conflict': {
    title: 'Manual scale conflicts with the cluster autoscaler',
    retryable: false,
    summary(f) {
      const pool = fact(f, 'pool');
      const who = pool === undefined ? 'The node pool' : `Node pool ${pool}`;
      return `${who} has the cluster autoscaler enabled, so its node count cannot be set by hand, and enabling the autoscaler and scaling cannot be done in one update.`;
    },
    remediation(f, n) {
      const pool = poolOf(f, n);
      const base = `az aks nodepool update -g ${n.resourceGroup} --cluster-name ${n.clusterName} -n ${pool}`;
      return [
        `Check the pool's autoscaler settings: ${cmd(azPoolShow(n, pool, '"{autoscaler:enableAutoScaling,min:minCount,max:maxCount,count:count}"', 'table'))}.`,
        `To keep the autoscaler, change its bounds instead of the count: ${cmd(`${base} --update-cluster-autoscaler --min-count $MIN_COUNT --max-count $MAX_COUNT`)}.`,
        `To set a fixed count, disable the autoscaler first: ${cmd(`${base} --disable-cluster-autoscaler`)}, then scale: ${cmd(`az aks nodepool scale -g ${n.resourceGroup} --cluster-name ${n.clusterName} -n ${pool} --node-count $NODE_COUNT`)} (aks-guard: \`operation: scale\`).`,
        `Do not enable the autoscaler and change the count in the same request; make them two updates.`,
      ];
    },
    docs: [
      `${AKS_TS}/create-upgrade-delete/cannot-scale-cluster-autoscaler-enabled-node-pool`,
      `${AKS_DOCS}/cluster-autoscaler`,
    ],
  },

  'invalid-parameter': {
    title: 'Invalid request parameter',
    retryable: false,
    summary(f) {
      const parameter = fact(f, 'parameter');
      const which =
        parameter === undefined ? 'a parameter of the request' : `parameter ${parameter}`;
      return `AKS rejected ${which}: the value breaks a naming or validation rule, changes a property that cannot change, or changes agent pools through the managed cluster API.`;
    },
    remediation(_f, n) {
      return [
        `Read which parameter and rule the message names, and compare with the current configuration: ${cmd(`az aks show -g ${n.resourceGroup} -n ${n.clusterName} -o json`)}.`,
        `Check the naming rules (https://aka.ms/aks-naming-rules): cluster names cannot contain "microsoft" or "windows"; Linux pool names are 1-12 lowercase letters and digits (Windows 1-6), starting with a letter.`,
        `Add or change node pools with the agent pool API (${cmd(`az aks nodepool add -g ${n.resourceGroup} --cluster-name ${n.clusterName} -n $NEW_POOL`)}, Terraform azurerm_kubernetes_cluster_node_pool), not through the managed cluster.`,
        `Properties that cannot change after creation (subnet, VM size, …) need a new node pool and a workload move.`,
      ];
    },
    docs: [
      'https://aka.ms/aks-naming-rules',
      `${AKS_TS}/create-upgrade-delete/error-code-invalidparameter`,
      'https://aka.ms/agent-pool-rest-api',
    ],
  },

  'run-command-pod-not-started': {
    title: 'The run-command pod did not start',
    retryable: false,
    summary() {
      return 'The `az aks command invoke` pod (command-<ID> in the aks-command namespace) could not be scheduled or did not reach Running in time (Not Found, KubernetesPerformanceError), typically because of node or resource constraints.';
    },
    remediation(f, n) {
      const pool = poolOf(f, n);
      return [
        `Check the nodes: pools and counts with ${cmd(azPoolList(n))}, and nodes that are NotReady or SchedulingDisabled or carry taints the pod cannot tolerate with ${cmd('kubectl get nodes -o wide')} and ${cmd('kubectl describe nodes | grep -i taints')}.`,
        `See why the command pod stays Pending: ${cmd('kubectl get events -n aks-command --sort-by=.lastTimestamp')}.`,
        `Increase the node pool size and make sure a pool without blocking taints has room: ${cmd(`az aks nodepool scale -g ${n.resourceGroup} --cluster-name ${n.clusterName} -n ${pool} --node-count $NODE_COUNT`)}.`,
        `Adjust resource requests and limits of other workloads so the pod fits, then retry the command (a busy cluster can also just be slow to start it).`,
      ];
    },
    docs: [COMMAND_INVOKE_DOC, `${AKS_DOCS}/access-private-cluster`],
  },

  'run-command-policy-denied': {
    title: 'The run-command pod was denied by Azure Policy',
    retryable: false,
    summary(f) {
      const assignment = fact(f, 'policyAssignment');
      const by = assignment === undefined ? '' : ` (policy ${lastSegment(assignment)})`;
      return `The admission webhook validation.gatekeeper.sh (Azure Policy for AKS) denied the command-<ID> pod in the aks-command namespace${by}, so \`az aks command invoke\` could not run.`;
    },
    remediation(f, n) {
      const assignment = fact(f, 'policyAssignment');
      const assignmentId =
        assignment !== undefined && isResourceId(assignment)
          ? assignment
          : `/subscriptions/${n.subscriptionId}/providers/Microsoft.Authorization/policyAssignments/${assignment ?? '$POLICY_ASSIGNMENT'}`;
      return [
        `Find the assignment that denied the pod: ${cmd(`az policy assignment list --scope ${clusterId(n)} --disable-scope-strict-match -o table`)}.`,
        `Exempt the aks-command namespace: in the portal, Policy > Assignments > Edit assignment > Parameters, add aks-command to "Namespace exclusions".`,
        `Or exempt the cluster from that assignment: ${cmd(`az policy exemption create --name ExemptAksCommand --policy-assignment ${assignmentId} --exemption-category Waiver --scope ${clusterId(n)}`)}.`,
        `For a custom policy, inspect what the pod looks like and adjust the policy: ${cmd('kubectl get pods -n aks-command -o yaml')}.`,
      ];
    },
    docs: [COMMAND_INVOKE_DOC],
  },

  'run-command-forbidden': {
    title: 'The command was refused by Kubernetes RBAC',
    retryable: false,
    summary(f) {
      const principal = fact(f, 'principal');
      const action = fact(f, 'action');
      const who = principal === undefined ? 'the caller' : principal;
      const what = action === undefined ? '' : ` (${action})`;
      return `The command ran, but Kubernetes refused it for ${who}${what}: the identity lacks the required Azure roles or Kubernetes RBAC permissions on the cluster.`;
    },
    remediation(f, n) {
      const principal = fact(f, 'principal') ?? '$PRINCIPAL_ID';
      const action = fact(f, 'action');
      const resource = fact(f, 'resource');
      const canI =
        action !== undefined && resource !== undefined
          ? `${action} ${resource}`
          : action !== undefined && action.includes(' ')
            ? action
            : 'list namespaces';
      return [
        `The caller needs Microsoft.ContainerService/managedClusters/runCommand/action and Microsoft.ContainerService/managedClusters/commandResults/read on the cluster; check: ${cmd(`az role assignment list --assignee ${principal} --scope ${clusterId(n)} -o table`)}.`,
        `Grant them with the cluster user role: ${cmd(`az role assignment create --assignee ${principal} --role "Azure Kubernetes Service Cluster User Role" --scope ${clusterId(n)}`)}.`,
        `Check what Kubernetes allows: ${cmd(`kubectl auth can-i ${canI} --as ${principal}`)}; with Azure RBAC for Kubernetes assign "Azure Kubernetes Service RBAC Reader" (or Writer), otherwise bind a role, for example ${cmd(`kubectl create clusterrolebinding aks-guard-view --clusterrole view --user ${principal}`)}.`,
        `Retry the command once the role assignments have propagated.`,
      ];
    },
    docs: [COMMAND_INVOKE_DOC, `${AKS_DOCS}/manage-azure-rbac`],
  },

  'run-command-msi': {
    title: 'Run command could not get a token from MSI',
    retryable: false,
    summary() {
      return '`az aks command invoke` could not get a token from the managed identity endpoint (Failed to connect to MSI); this is a known issue when it runs directly in Azure Cloud Shell.';
    },
    remediation(_f, n) {
      return [
        `In Cloud Shell, run ${cmd('az login')} first, then the command again: ${cmd(`az aks command invoke -g ${n.resourceGroup} -n ${n.clusterName} --command "kubectl get pods"`)}.`,
        `Or run \`az aks command invoke\` on a local computer or a virtual machine with the Azure CLI installed.`,
        `In pipelines, use an explicit sign-in (aks-guard \`auth-type: oidc\` or \`service-principal\`) rather than a managed identity the runner does not have.`,
      ];
    },
    docs: [COMMAND_INVOKE_DOC],
  },

  unknown: {
    title: 'Unrecognized error',
    retryable: false,
    summary(f) {
      return `aks-guard could not match this error to a known cause${operationNote(f)}; the inner error code and message are the best lead.`;
    },
    remediation(_f, n) {
      return [
        `Read the innermost error code and message (inside details[], not a wrapper like DeploymentFailed or Conflict) and look it up in the AKS error code list (https://learn.microsoft.com/troubleshoot/azure/azure-kubernetes/error-codes/aks-error-code-page).`,
        `Look at the latest operation and its error: ${cmd(latestOperation(n))}.`,
        `Check the state of the cluster and its pools: ${cmd(azAksShowTable(n))} and ${cmd(azPoolList(n))}.`,
        `Look for failed operations in the activity log: ${cmd(activityLog(n))}.`,
        `If the cluster or a pool is Failed, fix the cause and reconcile: ${cmd(reconcileCluster(n))} (aks-guard: \`on-failed: reconcile\`).`,
        `If it is still unclear, use "Diagnose and solve problems" for the cluster or open a support request with the operation and correlation IDs.`,
      ];
    },
    docs: [`${AKS_TS}/error-codes/aks-error-code-page`, FAILED_STATE_DOC],
  },
};
