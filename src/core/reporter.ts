/** How the core talks to whoever runs it (a runner's log, a terminal), without knowing which. */
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
