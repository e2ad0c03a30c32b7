/** Start and stop of the whole cluster. */
import { sameName } from '../aks/status.ts';
import { steps, type Plan, type PlanContext } from './step.ts';

export function planPower({ s, cluster, api }: PlanContext): Plan {
  const starting = s.operation === 'start';
  const want = starting ? 'Running' : 'Stopped';
  if (sameName(cluster.powerState, want)) {
    return {
      kind: 'skip',
      reason: `Cluster ${cluster.name} is already ${want}; nothing to ${s.operation}.`,
    };
  }
  return steps([
    {
      describe: `${s.operation} cluster ${cluster.name}`,
      target: {},
      send: () => (starting ? api.start() : api.stop()),
      intent: {
        shows: (c) => {
          if (sameName(c.provisioningState, starting ? 'Starting' : 'Stopping'))
            return 'in-progress';
          return sameName(c.powerState, want) ? 'done' : 'no';
        },
      },
    },
  ]);
}
