/**
 * What a scenario's cluster carries besides its state and operations: ARM's systemData (created
 * by the tenant's administrator) and its planned maintenance configurations, validated as AKS
 * validates a PUT of them, so a scenario cannot hold a configuration AKS would refuse.
 */
import type { ClusterState } from '../aks/model.ts';
import { MaintenanceConfigError, scenarioMaintenanceConfigs } from '../arm/maintenance.ts';
import { seedSystemData } from '../arm/system-data.ts';
import type { SimState } from '../state.ts';
import { ScenarioError } from './load.ts';
import type { Scenario } from './schema.ts';

export function seedClusterExtras(
  state: SimState,
  cluster: ClusterState,
  spec: Scenario['clusters'][number],
): void {
  const { clock, directory } = state;
  seedSystemData(cluster, clock.now(), (ms) => clock.iso(ms), `admin@${directory.tenantDomain}`);
  if (!spec.maintenanceConfigurations) return;
  try {
    cluster.maintenanceConfigurations = scenarioMaintenanceConfigs(
      spec.maintenanceConfigurations,
      clock.iso().slice(0, 10),
    );
  } catch (err) {
    if (err instanceof MaintenanceConfigError)
      throw new ScenarioError(`Cluster ${cluster.name}, maintenanceConfigurations: ${err.message}`);
    throw err;
  }
}
