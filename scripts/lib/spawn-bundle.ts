/**
 * Starts a built bundle (the Action, the task) in a fresh Node process, as a runner or agent does,
 * and collects its output; can interrupt it like a cancelled job, and kills it if it hangs.
 */
import { spawn } from 'node:child_process';

export interface SpawnOptions {
  /** Send this signal once `when` returns true for the output so far. */
  interrupt?: { signal: NodeJS.Signals; when: (stdout: string) => boolean };
  /** Called with each complete stdout line as it arrives. */
  onLine?: (line: string) => void;
  /** Kill the process after this long (a safety net). */
  killAfterMs?: number;
}

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
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      if (pending && options.onLine) options.onLine(pending);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
