/**
 * Starts a built bundle (the Action, the task) in a fresh Node process, as a runner or agent does,
 * and collects its output; can interrupt it like a cancelled job, and kills it if it hangs.
 */
import { spawn } from 'node:child_process';

export interface SpawnOptions {
  /**
   * Send this signal once `when` returns true for the output so far. With `asRunner`, cancel as
   * GitHub's runner (and the Azure Pipelines agent) do: SIGINT, SIGTERM 7.5 s later, and SIGKILL
   * 2.5 s after that if the process is still there.
   */
  interrupt?: { signal: NodeJS.Signals; when: (stdout: string) => boolean; asRunner?: boolean };
  /** Called with each complete stdout line as it arrives. */
  onLine?: (line: string) => void;
  /** Kill the process after this long (a safety net). */
  killAfterMs?: number;
}

/** actions/runner ProcessInvoker: SIGINT, then SIGTERM after 7.5 s, then kill after 2.5 s more. */
const RUNNER_SIGTERM_AFTER_MS = 7500;
const RUNNER_KILL_AFTER_MS = 2500;

export function spawnBundle(
  bundle: string,
  env: Record<string, string>,
  cwd: string,
  options: SpawnOptions,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle], { env, cwd, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    let pending = '';
    let interrupted = false;
    const escalation: NodeJS.Timeout[] = [];
    const killer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 120_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (options.onLine) {
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop()!;
        for (const line of lines) options.onLine(line);
      }
      if (options.interrupt && !interrupted && options.interrupt.when(stdout)) {
        interrupted = true;
        child.kill(options.interrupt.signal);
        if (options.interrupt.asRunner) {
          escalation.push(setTimeout(() => child.kill('SIGTERM'), RUNNER_SIGTERM_AFTER_MS));
          escalation.push(
            setTimeout(() => child.kill('SIGKILL'), RUNNER_SIGTERM_AFTER_MS + RUNNER_KILL_AFTER_MS),
          );
        }
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      for (const t of escalation) clearTimeout(t);
      if (pending && options.onLine) options.onLine(pending);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
