/**
 * The legacy versions API, `…/locations/{location}/orchestrators` (ContainerServices_ListOrchestrators,
 * api-version 2017-09-30 to 2019-08-01, `stable/2019-04-01/location.json`), which `az aks get-versions`
 * of az 2.45 still calls. The answer is an OrchestratorVersionProfileListResult: one entry per
 * Kubernetes patch with the versions it may upgrade to, the default version marked `default`.
 */
import { json, type SimResponse } from '../net/http-kit.ts';
import type { ArmCall } from './call.ts';

export function listOrchestrators(call: ArmCall): SimResponse {
  const { sub, loc } = call.params as { sub: string; loc: string };
  const { catalog } = call.state;
  const preview = (v: string): { isPreview?: true } =>
    catalog.isPreview(v) ? { isPreview: true } : {};
  const byDefault = catalog.defaultVersion();
  const orchestrators = catalog.minors
    .flatMap((m) => m.patches)
    .map((version) => {
      const upgrades = catalog.upgradesFrom(version);
      return {
        orchestratorType: 'Kubernetes',
        orchestratorVersion: version,
        ...(version === byDefault ? { default: true } : {}),
        ...preview(version),
        ...(upgrades.length > 0
          ? {
              upgrades: upgrades.map((u) => ({
                orchestratorType: 'Kubernetes',
                orchestratorVersion: u,
                ...preview(u),
              })),
            }
          : {}),
      };
    });
  return json(200, {
    id: `/subscriptions/${sub}/providers/Microsoft.ContainerService/locations/${loc}/orchestrators`,
    name: 'default',
    type: 'Microsoft.ContainerService/locations/orchestrators',
    properties: { orchestrators },
  });
}
