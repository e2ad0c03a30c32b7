/**
 * What each AKS error means, as rules over the codes and the text of an error. The first rule that
 * matches decides, so the order is the knowledge: specific causes (a CSE exit code, a drain blocked
 * by a PDB, a policy) come before the generic codes they are often wrapped in (OperationNotAllowed,
 * InvalidParameter, VMExtensionProvisioningError, "internal error").
 *
 * Rules are built from what the errors mean: their codes, the stable phrases AKS and ARM use, and
 * CSE exit codes, as the troubleshooting articles document them.
 */
import type { Category } from './types.ts';

export interface Rule {
  category: Category;
  /** Matches one of the error codes found (case-insensitive, whole code). */
  codes?: RegExp;
  /** Matches the text. */
  text?: RegExp;
  /** With both: a code must match AND the text must match (a code whose meaning depends on it). */
  requireBoth?: boolean;
}

// CSE exit codes (Custom Script Extension, node provisioning): what the node could not reach.
const exit = (codes: string): RegExp =>
  new RegExp(`exit (?:status|code)[=: "]*(?:${codes})\\b|"ExitCode"\\s*:\\s*"(?:${codes})"`, 'i');

export const RULES: Rule[] = [
  // --- az aks command invoke / runCommand -------------------------------------------------------
  {
    category: 'run-command-msi',
    text: /Failed to connect to MSI|MSI endpoint|(?:get|acquire|retriev)\w* (?:a |an )?(?:access )?token from (?:the )?(?:MSI|managed identity)|ManagedIdentityCredential authentication failed/i,
  },
  {
    category: 'run-command-policy-denied',
    text: /validation\.gatekeeper\.sh|admission webhook "[^"]*" denied the request|\[azurepolicy-[\w-]+\]/i,
  },
  {
    category: 'run-command-forbidden',
    text: /Error from server \(Forbidden\)|\bis forbidden: User "[^"]+" cannot/i,
  },
  {
    category: 'run-command-pod-not-started',
    codes: /^(KubernetesPerformanceError|KubernetesOperationError|CommandResultNotFound)$/i,
    text: /aks-command namespace did not start|command pod .*(?:not|never) (?:start|scheduled)|Failed to run command due to cluster perf issue|command ?result .*not found/i,
  },

  // --- signing in -------------------------------------------------------------------------------
  {
    // aks-guard's own sign-in (the pipeline's identity, not the cluster's service principal).
    category: 'authentication-failed',
    text: /Signing in to Azure failed: AADSTS(?!70021:|700211:|700024:)\d+/,
  },
  {
    category: 'federated-credential',
    codes: /^AADSTS(70021|700211|700212|700213|700024|700027|7002[0-9]{2})$/i,
    text: /No matching federated identity record|Client assertion is not within its valid time range|federated (?:identity )?credential|assertion (?:issuer|subject|audience) .*(?:does not|doesn't) match/i,
  },
  {
    category: 'service-principal-invalid',
    codes:
      /^(AADSTS7000215|AADSTS7000222|AADSTS700016|AADSTS7000112|ServicePrincipalValidationClientError|ServicePrincipalNotFound|InvalidServicePrincipalProfile)$/i,
    text: /credentials in ServicePrincipalProfile were invalid|service ?principal (?:credentials? )?(?:has |have )?(?:expired|is invalid|was not found|not found)|client secret (?:keys )?(?:has |have )?expired|Invalid client secret provided/i,
  },

  // --- node provisioning (CSE): decided by the exit code, whatever wraps it ----------------------
  {
    category: 'apiserver-dns',
    codes: /^K8SAPIServerDNSLookupFailVMExtensionError$/i,
    text: new RegExp(
      `${exit('52').source}|unable to resolve Kubernetes API server name|API server (?:name|FQDN) .*(?:resolve|DNS)`,
      'i',
    ),
  },
  {
    category: 'apiserver-connectivity',
    codes: /^K8SAPIServerConnFailVMExtensionError$/i,
    text: new RegExp(
      `${exit('51').source}|Unable to establish connection from agents to (?:the )?Kubernetes API server`,
      'i',
    ),
  },
  {
    category: 'outbound-connectivity',
    codes:
      /^(OutboundConnFailVMExtensionError|CniDownloadTimeoutVMExtensionError|K8SDownloadTimeoutVMExtensionError|K8sDownloadTimeoutVMExtensionError|VMExtensionProvisioningTimeout|ImageDownloadTimeoutVMExtensionError)$/i,
    text: new RegExp(
      `${exit('50|41|31|124').source}|Unable to establish outbound connection|outbound connectivity|required (?:ports|endpoints) .*(?:reach|blocked)`,
      'i',
    ),
  },
  {
    category: 'node-bootstrap-failed',
    codes:
      /^(VMExtensionProvisioningError|VMExtensionHandlerNonTransientError|\w+VMExtensionError)$/i,
    text: /processing extension '(?:vmssCSE|cse-agent-\d+|CustomScript)'|\bCSE\b.*(?:fail|error)|exit status=\d+/i,
  },

  // --- the workload and the customer's guard rails ---------------------------------------------
  {
    category: 'pod-drain-failure',
    codes: /^(PodDrainFailure|UnsatisfiablePDB|DrainNodeFailed|PodDrainTimeout)$/i,
    text: /\bdrain(?:ing)? (?:of |node )?.*(?:fail|did not complete|timed out|blocked)|PodDisruptionBudget|\bPDBs?\b|failed when evicting pod|Cannot evict pod|Cordoned nodes have used all surge nodes/i,
  },
  {
    category: 'policy-denied',
    codes: /^RequestDisallowedByPolicy$/i,
    text: /disallowed by policy|RequestDisallowedByPolicy|policyAssignment|denied by (?:Azure )?policy/i,
  },
  {
    category: 'resource-locked',
    codes: /^(ScopeLocked|ResourceLocked)$/i,
    text: /scope\(s\) are locked|is locked[,.;]? (?:please )?remove (?:the )?lock|cannot perform (?:write|delete) operation because .*locked|management lock/i,
  },

  // --- concurrency ------------------------------------------------------------------------------
  {
    category: 'throttled',
    codes:
      /^(TooManyRequests|SubscriptionRequestsThrottled|TenantRequestsThrottled|ResourceRequestsThrottled|Throttled|OperationNotAllowed_TooManyRequests|RequestThrottled)$/i,
    text: /\bthrottl(?:ed|ing)\b|\b429\b.{0,40}Too Many Requests|Too Many Requests.{0,40}\b429\b|rate limit(?:ed| exceeded)/i,
  },
  {
    category: 'etag-conflict',
    codes: /^(OriginalEtagNotExpect|ETagMismatch_Precondition)$/i,
    text: /Original etag not expected/i,
  },
  {
    category: 'operation-in-progress',
    codes:
      /^(VirtualNetworkNotInSucceededState|AnotherOperationInProgress|OperationInProgress|OperationNotAllowedInProgress)$/i,
    text: /Another (?:agentpool |agent pool )?operation(?: \([^)]*\))? is in progress|there's an in progress .*operation|in progress on agent ?pool|mutually exclusive (?:operations|with)|deletion (?:was|has been) issued|since deletion|is not in succeeded state/i,
  },
  {
    category: 'operation-preempted',
    codes: /^(AKSOperationPreempted|AKSOperationPreemptedByDelete|NotLatestOperation)$/i,
    text: /\bpreempted by\b|not the latest operation|superseded by (?:a |another )?(?:later |newer )?operation/i,
  },
  {
    category: 'etag-conflict',
    codes: /^(PreconditionFailed|EtagMismatch|InvalidIfMatch|IfMatchPreconditionFailed)$/i,
    text: /\bE?[Tt]ag (?:mismatch|precondition)|If-Match|precondition failed/i,
  },

  // --- versions ---------------------------------------------------------------------------------
  {
    category: 'deprecated-api-usage',
    codes: /^(UpgradeBlockedOnDeprecatedAPIUsage|DeprecatedAPIUsage)$/i,
    text: /usage of (?:a )?Kubernetes APIs? deprecated|deprecated API(?:s)? (?:usage|in use|were used)|API(?:s)? deprecated in the (?:specified|target) version|breaking changes? .*deprecat/i,
  },
  {
    category: 'version-upgrade-not-allowed',
    codes:
      /^(MinorVersionSkip|DowngradeNotAllowed|KubernetesVersionNotAvailable|UpgradeNotAllowed|InvalidUpgradePath)$/i,
    text: /Upgrading Kubernetes version \S+ to \S+ is not allowed|(?:skip|skipping)(?: a| one)? minor version|one minor version at a time|cannot be downgraded|downgrad(?:e|ing) .*not (?:allowed|supported)|not an upgrade available/i,
  },
  {
    category: 'version-skew',
    codes:
      /^(NodePoolMcVersionIncompatible|NotAllAgentPoolOrchestratorVersionSpecifiedAndUnchanged|AgentPoolVersionSkew|ControlPlaneVersionSkew|NodePoolAheadOfControlPlane)$/i,
    text: /OrchestratorVersion (?:is invalid|must)|parameter agentpool\.Properties\.OrchestratorVersion|(?:node ?pool|agent ?pool) version .*(?:greater|newer|higher) than .*control plane|version skew|must be (?:within|no more than) \d+ minor versions?/i,
  },
  {
    category: 'version-not-supported',
    codes:
      /^(K8sVersionNotSupported|AgentPoolK8sVersionNotSupported|KubernetesVersionNotSupported|VersionNotSupported)$/i,
    text: /Version \S+ is not supported in this region|version \S+ (?:is )?not supported|get-versions/i,
  },
  {
    category: 'node-image-outdated',
    codes: /^(NodeImageVersionOutdated|NodeImageTooOld|AgentPoolNodeImageTooOld)$/i,
    text: /node ?image(?: version)? .*(?:too old|outdated|out of date|no longer supported)|upgrade (?:the )?node ?image (?:first|before)|configuration version .*too old/i,
  },

  // --- capacity ---------------------------------------------------------------------------------
  {
    category: 'public-ip-limit',
    codes: /^PublicIPCountLimitReached$/i,
    text: /public IP (?:address(?:es)? )?(?:count )?limit|PublicIPCountLimitReached/i,
  },
  {
    category: 'quota-exceeded',
    codes:
      /^(QuotaExceeded|OperationNotAllowedQuota|InsufficientQuota|ErrCode_InsufficientVCPUQuota)$/i,
    text: /exceeding approved .*quota|(?:Cores|vCPU|vcpu) quota|Insufficient (?:regional )?vcpu quota|quota (?:limit|exceeded)/i,
  },
  {
    category: 'subnet-capacity',
    codes: /^(SubnetIsFull|InsufficientSubnetSize|SubnetFull)$/i,
    text: /does not have enough capacity for \d+ IP|Pre-allocated IPs \d+ exceeds IPs available|subnet is full|not enough (?:free )?IP addresses/i,
  },
  {
    category: 'allocation-failed',
    codes:
      /^(AllocationFailed|ZonalAllocationFailed|OverconstrainedAllocationRequest|OverconstrainedZonalAllocationRequest|AksCapacityHeavyUsage|AllocationFailure|SkuCapacityLimit)$/i,
    text: /Allocation failed|heavy usage in region|not enough capacity|capacity (?:is )?(?:not available|constrained)/i,
  },
  {
    category: 'sku-not-available',
    codes:
      /^(SkuNotAvailable|VMSizeNotSupported|ZonesNotSupported|InvalidZone|VMSizeNotAvailable)$/i,
    text: /VM size \S+ is not available|requested (?:VM )?size .*not available|SKU .*(?:not available|restricted|not supported)|not available in (?:the )?(?:current )?(?:region|location|zone)|currently not available in location/i,
  },

  // --- the subscription and its permissions -----------------------------------------------------
  {
    category: 'subscription-disabled',
    codes:
      /^(ReadOnlyDisabledSubscription|SubscriptionDisabled|DisabledSubscription|SubscriptionWarned)$/i,
    text: /subscription .*(?:is disabled|read-?only|is not (?:in )?(?:an )?enabled|warned state)/i,
  },
  {
    category: 'provider-not-registered',
    codes:
      /^(MissingSubscriptionRegistration|SubscriptionNotRegistered|NoRegisteredProviderFound)$/i,
    text: /not registered to use namespace|did not have a subscription or a valid tenant level resource provider|resource provider .*not registered|register the (?:resource )?provider/i,
  },
  {
    category: 'authorization-failed',
    codes:
      /^(AuthorizationFailed|LinkedAuthorizationFailed|InvalidAuthorization|RoleAssignmentFailed|InsufficientPermissions)$/i,
    text: /does not have (?:authorization|permission) to perform action|LinkedAuthorizationFailed|has permission to perform action .* however|private DNS zone .*(?:permission|authorization)|is not authorized to perform/i,
  },
  {
    category: 'authentication-failed',
    codes:
      /^(AADSTS\d+|InvalidAuthenticationToken|ExpiredAuthenticationToken|AuthenticationFailed|InvalidAuthenticationTokenTenant|Unauthorized)$/i,
    text: /You must be logged in to the server|\(Unauthorized\)|invalid_grant|refresh(?:ing)? (?:the )?(?:expired )?token|token (?:has )?expired|Signing in to Azure failed|authentication failed/i,
  },

  // --- configuration ----------------------------------------------------------------------------
  {
    category: 'network-config-invalid',
    codes:
      /^(SubnetIsDelegated|ServiceCidrOverlapExistingSubnetsCidr|InvalidServiceCidr|DnsServiceIPOutOfServiceCidr|InvalidLoadBalancerProfileAllocatedOutboundPorts|VnetSubnetIdNotAllowed|InvalidNetworkProfile|PodCidrOverlap)$/i,
    text: /delegated subnet|CIDR .*overlap|overlap.*CIDR|dnsServiceIP .*(?:within|outside|not in)|custom subnet because agent pool \S+ is using a managed subnet|allocatedOutboundPorts|outbound ports/i,
  },
  {
    category: 'invalid-resource-reference',
    codes: /^InvalidResourceReference$/i,
    text: /referenced by resource .*(?:not found|was not found|does not exist)/i,
  },
  {
    category: 'missing-dependency',
    codes: /^(WorkspaceNotFound|LogAnalyticsWorkspaceNotFound|NodeResourceGroupNotFound)$/i,
    text: /Unable to get log analytics workspace|workspace .*(?:not found|could not be found|was deleted)|Changing property '(?:imageReference|osProfile|storageProfile|virtualMachineProfile)[\w.]*' is not allowed|node resource group .*(?:not found|deleted)|(?:was|were|has been) (?:deleted|modified|removed) (?:outside|manually)/i,
  },
  {
    category: 'invalid-power-state',
    codes:
      /^(InvalidPowerState|ClusterStopped|PowerStateInvalid|ManagedClusterStopped|AlreadyStopped|AlreadyRunning)$/i,
    text: /cluster (?:is )?(?:already )?(?:stopped|running|in stopped state)|is (?:already )?in (?:a )?(?:stopped|running) state|already (?:stopped|started)|power ?state|Start the cluster/i,
  },
  {
    category: 'unsupported-operation',
    codes:
      /^(AvailabilitySetsNotSupported|OperationNotSupported|NotSupported|UnsupportedOperation|FeatureNotSupported)$/i,
    text: /not on Virtual Machine Scale Sets|Availability Sets? (?:are )?Not Supported|is not supported (?:for|on|with|when) (?:this|the|clusters?|node ?pools?|agent ?pools?)|not supported for (?:this|the) cluster/i,
  },
  {
    category: 'autoscaler-conflict',
    codes: /^(AutoscalerEnabled|CannotScaleWithAutoscaler)$/i,
    text: /manually scale .*cluster autoscaler|cluster autoscaler .*(?:manual|owns its node count)|scale .* autoscal(?:er|ing) (?:is )?enabled|enable cluster autoscaler in the same update/i,
  },
  {
    category: 'cluster-failed-state',
    codes: /^(ResourceFailed|ClusterFailed|AgentPoolFailed|ResourceInFailedState)$/i,
    text: /(?:cluster|agent ?pool|node ?pool|resource) (?:\S+ )?is (?:in )?(?:the |a )?Failed (?:provisioning )?state|in (?:a |the )?failed state|reconcile (?:it|the cluster)/i,
  },

  // --- transient and generic --------------------------------------------------------------------
  {
    category: 'internal-error',
    codes:
      /^(InternalOperationError|InternalServerError|ProvisioningControlPlaneError|ControlPlaneProvisioningInternalError|InternalError|ServiceUnavailable|GatewayTimeout|ControlPlaneAddOnsNotReady)$/i,
    text: /internal (?:server )?error|encountered an internal error/i,
  },
  {
    category: 'operation-timeout',
    codes: /^(OperationTimeout|WaitTimeout|PollingTimeout|OperationTimedOut|CommandTimeout)$/i,
    text: /Timeout while polling|context deadline exceeded|polling .*timed out|timed out waiting|did not finish within/i,
  },
  {
    category: 'operation-in-progress',
    codes: /^(OperationNotAllowed|EtagMismatch)$/i,
    text: /Operation is not allowed: Another operation/i,
  },
  {
    category: 'invalid-parameter',
    codes:
      /^(InvalidParameter|InvalidParameterValue|PropertyChangeNotAllowed|InvalidName|ReservedResourceName|InvalidAgentPoolName|InvalidRequestFormat|NodePoolNotFound|InvalidInput|InvalidNodeCount|PreviewVersion)$/i,
    text: /(?:value of )?parameter \S+ is invalid|is not a valid|can't be used as either a whole word|cannot be changed|Changing property '[\w.]+' is not allowed|A new agent pool was introduced|Adding agent pools to an existing cluster/i,
  },
];
