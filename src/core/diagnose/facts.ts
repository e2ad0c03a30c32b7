/**
 * The useful facts inside an error message: which operation blocks, on which pool, since when;
 * quota numbers; the subnet and the addresses it lacks; the PDB and the pod; versions on offer;
 * the missing RBAC action and its scope; the policy assignment; the CSE exit code. Each is a small
 * pattern over the unescaped text; a fact that is not there is simply absent.
 */
import type { Facts } from './types.ts';

type Extractor = (text: string, facts: Facts) => void;

const GUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

function set(facts: Facts, key: string, value: string | undefined): void {
  const v = value?.trim();
  if (v && facts[key] === undefined && !/^<.*>$/.test(v)) facts[key] = v;
}

function first(text: string, ...patterns: RegExp[]): RegExpExecArray | undefined {
  for (const p of patterns) {
    const m = p.exec(text);
    if (m) return m;
  }
  return undefined;
}

const EXTRACTORS: Extractor[] = [
  // Operations in the way.
  (t, f) => {
    set(
      f,
      'blockingOperation',
      first(
        t,
        /Another (?:agentpool |agent pool )?operation \(([^)]+)\)/i,
        /there's an in progress (\w+)/i,
        /Unable to perform '(\w+)' operation/i,
      )?.[1],
    );
    set(
      f,
      'operationId',
      first(
        t,
        new RegExp(`operation ID:? (${GUID})`, 'i'),
        new RegExp(`operation with ID (${GUID})`, 'i'),
        new RegExp(`operationId"?\\s*[:=]\\s*"?(${GUID})`, 'i'),
      )?.[1],
    );
    set(
      f,
      'startTime',
      first(t, /started on UTC ([\d-]+[T ][\d:.]+Z?)/i, /operation started at '([^']+)'/i)?.[1],
    );
  },
  // Pools and nodes.
  (t, f) => {
    set(
      f,
      'pool',
      first(
        t,
        /on agent ?pool '?([a-z][a-z0-9]{0,11})\b/i,
        /agent ?pool '([a-z][a-z0-9]{0,11})'/i,
        /Failed to save agent pool '?([a-z][a-z0-9]{0,11})\b/i,
      )?.[1],
    );
    const node = /\b(aks-([a-z0-9]+)-\d+-vmss[0-9a-z]+)\b/i.exec(t);
    set(f, 'node', node?.[1]);
    // AKS names VMSS nodes aks-<pool>-<id>-vmss<n>: the node tells which pool it belongs to.
    set(f, 'pool', node?.[2]);
  },
  // Drains and PDBs.
  (t, f) => {
    set(
      f,
      'pod',
      first(
        t,
        /evicting pod ([a-z0-9][\w.-]*)/i,
        /Cannot evict pod (?:as it would violate the pod's disruption budget\.? )?([a-z0-9][\w.-]*)/i,
        /Too many req(?:uests)? pod ([a-z0-9][\w.-]*)/i,
      )?.[1],
    );
    const pdb = /\bPDB ([a-z0-9][\w.-]*)\/([a-z0-9][\w.-]*)/i.exec(t);
    if (pdb) {
      set(f, 'namespace', pdb[1]);
      set(f, 'pdb', pdb[2]);
    }
  },
  // Quota.
  (t, f) => {
    set(f, 'quotaLimit', /Current Limit:\s*(\d+)/i.exec(t)?.[1]);
    set(f, 'quotaUsage', /Current Usage:\s*(\d+)/i.exec(t)?.[1]);
    set(f, 'quotaRequested', /Additional Required:\s*(\d+)/i.exec(t)?.[1]);
    set(f, 'location', first(t, /Location:\s*([A-Za-z0-9]+)/, /in region ([a-z0-9]+)\b/i)?.[1]);
    set(
      f,
      'vmFamily',
      first(
        t,
        /approved (Standard\w+ Family) Cores quota/i,
        /approved ([\w ]+?) Cores quota/i,
      )?.[1],
    );
  },
  // Subnets.
  (t, f) => {
    const full =
      /Subnet (\S+) with address prefix (\S+) does not have enough capacity for (\d+) IP/i.exec(t);
    if (full) {
      set(f, 'subnet', full[1]);
      set(f, 'subnetPrefix', full[2]);
      set(f, 'neededIps', full[3]);
    }
    const pre =
      /Pre-allocated IPs (\d+) exceeds IPs available (\d+) in Subnet Cidr (\S+?),? Subnet Name (\S+?)[.,]?\s/i.exec(
        t,
      );
    if (pre) {
      set(f, 'neededIps', pre[1]);
      set(f, 'availableIps', pre[2]);
      set(f, 'subnetPrefix', pre[3]);
      set(f, 'subnet', pre[4]);
    }
    set(f, 'subnet', /\/subnets\/([\w.-]+)/i.exec(t)?.[1]);
  },
  // CSE.
  (t, f) => {
    set(f, 'exitCode', first(t, /exit status=(\d+)/i, /"ExitCode"\s*:\s*"(\d+)"/i)?.[1]);
  },
  // RBAC.
  (t, f) => {
    const denied =
      /The client '([^']+)' with object id '([^']+)' (?:does not have|has) (?:authorization|permission) to perform action '([^']+)' (?:over|on) scope '([^']+)'/i.exec(
        t,
      );
    if (denied) {
      set(
        f,
        'principal',
        denied[2] !== denied[1] ? `${denied[1]} (object id ${denied[2]})` : denied[1],
      );
      set(f, 'principalId', denied[2]);
      set(f, 'action', denied[3]);
      set(f, 'scope', denied[4]);
    }
    set(
      f,
      'linkedAction',
      /however, it does not have permission to perform action\(s\) '([^']+)'/i.exec(t)?.[1],
    );
  },
  // Policy.
  (t, f) => {
    set(
      f,
      'policyAssignment',
      first(
        t,
        /"policyAssignment"\s*:\s*\{\s*"name"\s*:\s*"([^"]+)"/i,
        /policyAssignments\/([^"',\]]+)/i,
        /"policyAssignmentDisplayName"\s*:\s*"([^"]+)"/i,
        /"policyAssignmentName"\s*:\s*"([^"]+)"/i,
      )?.[1],
    );
    set(
      f,
      'policyDefinition',
      first(
        t,
        /"policyDefinition"\s*:\s*\{\s*"name"\s*:\s*"([^"]+)"/i,
        /policyDefinitions\/([^"',\]]+)/i,
        /"policyDefinitionDisplayName"\s*:\s*"([^"]+)"/i,
      )?.[1],
    );
    set(f, 'deniedResource', /Resource '([^']+)' was disallowed by policy/i.exec(t)?.[1]);
  },
  // Versions.
  (t, f) => {
    const path =
      /Upgrading Kubernetes version (\S+) to (\S+) is not allowed\. Available upgrades: \[([^\]]*)\]/i.exec(
        t,
      );
    if (path) {
      set(f, 'currentVersion', path[1]);
      set(f, 'targetVersion', path[2]);
      set(
        f,
        'availableUpgrades',
        path[3]!
          .trim()
          .split(/[\s,]+/)
          .join(', '),
      );
    }
    set(
      f,
      'targetVersion',
      first(
        t,
        /Version (\d+\.\d+(?:\.\d+)?) is not supported/i,
        /version (\d+\.\d+(?:\.\d+)?) is not (?:supported|reachable|an upgrade)/i,
      )?.[1],
    );
    set(f, 'availableUpgrades', /Upgrades available: ([\d., ]+\d)/i.exec(t)?.[1]);
    set(f, 'currentVersion', /runs (\d+\.\d+\.\d+);/i.exec(t)?.[1]);
  },
  // Sizes, locks, providers, identities.
  (t, f) => {
    set(
      f,
      'vmSize',
      first(t, /requested VM size (\S+) is not available/i, /VM size '?(Standard_\w+)'?/i)?.[1],
    );
    set(f, 'lock', /following scope\(s\) are locked: '([^']+)'/i.exec(t)?.[1]);
    set(f, 'provider', /not registered to use namespace '([^']+)'/i.exec(t)?.[1]);
    set(f, 'aadsts', /\b(AADSTS\d+)\b/.exec(t)?.[1]);
    set(
      f,
      'deprecatedApis',
      /deprecated APIs?:? ?\[?([\w./, -]+(?:v1beta\d|v\d)[\w./, -]*)\]?/i.exec(t)?.[1],
    );
  },
];

export function extractFacts(text: string): Facts {
  const facts: Facts = {};
  for (const extract of EXTRACTORS) extract(text, facts);
  return facts;
}
