/** A job's cancellation: the runner or agent sends SIGINT (then SIGTERM); the run winds down. */
export interface Cancellation {
  signal: AbortSignal;
  /** Stops listening (for a process that goes on after the run, like tests or the CLI). */
  dispose(): void;
}

export function cancelOnSignals(onCancel: (signal: NodeJS.Signals) => void): Cancellation {
  const controller = new AbortController();
  const handler = (signal: NodeJS.Signals): void => {
    onCancel(signal);
    controller.abort();
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose: () => {
      process.removeListener('SIGINT', handler);
      process.removeListener('SIGTERM', handler);
    },
  };
}
