/**
 * Reads raw inputs for parseSettings and collects every problem and warning on the way, so all of
 * them are reported at once. Each reader names the input it reads.
 */
import { DURATION_FORMS, parseDuration } from '../duration.ts';
import type { InputProblem, OperationName, RawInputs } from './model.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_TIMEOUT_SECONDS = 5 * 24 * 3600;

export const show = (v: string): string => JSON.stringify(v);
export const oneOf = (values: readonly string[]): string => values.map((v) => `"${v}"`).join(', ');

export class InputReader {
  readonly problems: InputProblem[] = [];
  readonly warnings: string[] = [];
  readonly raw: RawInputs;
  /** The operation, once read: what `need` and `unused` talk about. */
  operation: OperationName = 'check';

  constructor(raw: RawInputs) {
    this.raw = raw;
  }

  text(name: string): string {
    return this.raw.get(name).trim();
  }

  bad(input: string, message: string): void {
    this.problems.push({ input, message });
  }

  /** Whether this input already has a problem (so it is not reported twice). */
  reported(input: string): boolean {
    return this.problems.some((p) => p.input === input);
  }

  choice<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const v = this.text(name);
    if (v === '') return fallback;
    const found = allowed.find((a) => a.toLowerCase() === v.toLowerCase());
    if (!found) this.bad(name, `${show(v)} is not allowed; use one of ${oneOf(allowed)}.`);
    return found ?? fallback;
  }

  flag(name: string): boolean {
    const v = this.text(name);
    if (v === '') return false;
    if (['true', 'True', 'TRUE'].includes(v)) return true;
    if (['false', 'False', 'FALSE'].includes(v)) return false;
    this.bad(name, `${show(v)} is not a boolean; use "true" or "false".`);
    return false;
  }

  duration(name: string, fallback: string | undefined): number | undefined {
    const v = this.text(name) || fallback;
    if (v === undefined) return undefined;
    const seconds = parseDuration(v);
    if (seconds === undefined) {
      this.bad(name, `${show(v)} is not a duration; write it as ${DURATION_FORMS}.`);
      return undefined;
    }
    if (seconds < 1 || seconds > MAX_TIMEOUT_SECONDS) {
      this.bad(name, `${show(v)} is out of range: use a duration from 1s to 5 days (5d).`);
      return undefined;
    }
    return seconds;
  }

  /** A GUID from the input, else from the environment variable (and then said so). */
  guid(name: string, envName?: string): string | undefined {
    const given = this.text(name);
    const v = given || (envName ? (this.raw.env[envName] ?? '').trim() : '');
    if (v === '') return undefined;
    if (!GUID.test(v)) {
      this.problems.push({
        input: name,
        message: `${show(v)} is not a GUID like 00000000-0000-0000-0000-000000000000.`,
        ...(given === '' ? { from: `the environment variable ${envName}` } : {}),
      });
    }
    return v;
  }

  /** An input the operation needs; one already reported as malformed is not reported again. */
  need(name: string, value: unknown, why: string): void {
    if (value === undefined && !this.reported(name))
      this.bad(name, `is required with operation "${this.operation}": ${why}`);
  }

  /** An input given that this operation does not use: a warning, not a failure. */
  unused(name: string, value: unknown, usedBy: string): void {
    if (value !== undefined && value !== false && !(Array.isArray(value) && value.length === 0)) {
      this.warnings.push(
        `Input "${name}" is ignored: it is used only by ${usedBy}, and the operation is "${this.operation}".`,
      );
    }
  }
}
