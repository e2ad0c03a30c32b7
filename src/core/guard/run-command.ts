/** operation: run-command — runs a command in the cluster and returns its exit code and logs. */
import type { CommandResult } from '../aks/api.ts';
import { resourcePhase } from '../aks/status.ts';
import { waitForOperation, type Observation } from '../lro/wait.ts';
import { buildContext } from '../run-command-context.ts';
import { Stop, type RunContext } from './context.ts';

export async function runCommand(ctx: RunContext): Promise<string> {
  const { s } = ctx;
  const context = buildContext(s.files);
  const planned = `run "${s.command!}" in the cluster${s.files.length ? ` with ${s.files.length} file(s)` : ''}`;
  if (s.dryRun) {
    ctx.journal.planned(planned);
    return 'Dry run: nothing was run.';
  }
  ctx.journal.did(planned);
  const accepted = await ctx.api.runCommand(s.command!, context);
  const id = accepted.operationId;
  ctx.journal.note('write', `Started the command (command ${id ?? 'unknown'}).`);
  if (!id)
    throw new Stop('failed', 'AKS did not say where to find the command result.', {
      code: 'NoCommandResult',
      message: 'No command result location.',
    });
  const r = await awaitResult(ctx, id);
  ctx.journal.command = {
    ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
    ...(r.logs !== undefined ? { logs: r.logs } : {}),
    ...(r.reason !== undefined ? { reason: r.reason } : {}),
  };
  if (r.logs) ctx.r.info(r.logs.trimEnd());
  if (resourcePhase(r.provisioningState) !== 'succeeded') {
    throw new Stop('failed', `AKS could not run the command: ${r.reason ?? r.provisioningState}.`, {
      code: 'CommandFailed',
      message: r.reason ?? r.provisioningState,
    });
  }
  if (r.exitCode !== 0) {
    throw new Stop('failed', `The command exited with code ${r.exitCode ?? '?'}.`, {
      code: 'CommandExitCode',
      message: `exit code ${r.exitCode ?? '?'}`,
    });
  }
  return 'The command succeeded (exit code 0).';
}

/** Polls the command's result (a result resource, not an operation status) until it is there. */
async function awaitResult(ctx: RunContext, id: string): Promise<CommandResult> {
  let result: CommandResult | undefined;
  const end = await waitForOperation<Observation>({
    observe: async () => {
      result = await ctx.api.commandResult(id);
      if (!result) return { status: 'InProgress' };
      return {
        status: resourcePhase(result.provisioningState) === 'succeeded' ? 'Succeeded' : 'Failed',
      };
    },
    timeoutSeconds: ctx.s.operationTimeoutSeconds,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    describe: `command "${ctx.s.command!}"`,
    log: (line) => ctx.r.debug(line),
    clock: ctx.clock,
  });
  if (end.kind !== 'finished' || !result) {
    throw new Stop(
      end.kind === 'timed-out' ? 'timed-out' : 'failed',
      `The command did not finish (${end.kind}).`,
      { code: 'CommandTimeout', message: 'The command did not finish.' },
    );
  }
  return result;
}
