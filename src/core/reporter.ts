/** How the core talks to whoever runs it (a runner's log, a terminal), without knowing which. */
import type { Secrets } from './redact.ts';
export interface Reporter {
  info(line: string): void;
  warning(line: string): void;
  error(line: string): void;
  debug(line: string): void;
  startGroup(name: string): void;
  endGroup(): void;
  /** Hides a secret from everything the runner prints from now on. */
  mask(secret: string): void;
}

/** A reporter that keeps lines in memory (tests, and the CLI's quiet mode). */
export class MemoryReporter implements Reporter {
  readonly lines: { level: string; text: string }[] = [];
  readonly masked: string[] = [];
  info(text: string): void {
    this.lines.push({ level: 'info', text });
  }
  warning(text: string): void {
    this.lines.push({ level: 'warning', text });
  }
  error(text: string): void {
    this.lines.push({ level: 'error', text });
  }
  debug(text: string): void {
    this.lines.push({ level: 'debug', text });
  }
  startGroup(name: string): void {
    this.lines.push({ level: 'group', text: name });
  }
  endGroup(): void {
    this.lines.push({ level: 'endgroup', text: '' });
  }
  mask(secret: string): void {
    this.masked.push(secret);
  }
  text(): string {
    return this.lines.map((l) => l.text).join('\n');
  }
}

/**
 * The reporter the core is given: every line passes through the run's redaction before the
 * platform prints it, and every mask is both registered with the platform (its own log masking)
 * and remembered for the places the platform does not mask (summary, comment, outputs).
 */
export function redactingReporter(inner: Reporter, secrets: Secrets): Reporter {
  return {
    info: (line) => inner.info(secrets.redact(line)),
    warning: (line) => inner.warning(secrets.redact(line)),
    error: (line) => inner.error(secrets.redact(line)),
    debug: (line) => inner.debug(secrets.redact(line)),
    startGroup: (name) => inner.startGroup(secrets.redact(name)),
    endGroup: () => inner.endGroup(),
    mask: (secret) => {
      secrets.add(secret);
      inner.mask(secret);
    },
  };
}
