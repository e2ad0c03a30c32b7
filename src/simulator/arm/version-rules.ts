/** The Kubernetes version errors AKS returns for unsupported versions and refused upgrade paths. */
import type { VersionCatalog } from '../aks/versions.ts';
import { aksError } from './errors.ts';

export function versionChecks(catalog: VersionCatalog) {
  return {
    /** Resolves a requested version ("1.34" or "1.34.4"; "" means the default) or answers 400. */
    supported(
      requested: string,
      code: 'K8sVersionNotSupported' | 'AgentPoolK8sVersionNotSupported',
    ): string {
      const resolved = catalog.resolve(requested);
      if (!resolved) {
        throw aksError(
          400,
          code,
          `Version ${requested} is not supported in this region. Please use [az aks get-versions] command to get the supported version list in this region. For more information, please check https://aka.ms/supported-version-list`,
        );
      }
      return resolved;
    },

    /** Refuses downgrades and minor-version skips with AKS's wording and the available upgrades. */
    upgradeAllowed(from: string, to: string): void {
      const refusal = catalog.upgradeRefusal(from, to);
      if (!refusal) return;
      const available = `[${catalog.upgradesFrom(from).reverse().join(' ')}]`;
      const what = refusal === 'downgrade' ? 'Downgrading' : 'Upgrading';
      throw aksError(
        400,
        'OperationNotAllowed',
        `${what} Kubernetes version ${from} to ${to} is not allowed. Available upgrades: ${available}. Please see https://aka.ms/aks-supported-k8s-ver for version details.`,
      );
    },
  };
}
