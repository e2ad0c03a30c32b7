/** Reading fields of a request body: ARM answers 400 InvalidParameter naming the field. */
import { invalidParameter } from './errors.ts';

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function intField(
  value: unknown,
  parameter: string,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidParameter(
      parameter,
      `${JSON.stringify(value)} must be an integer from ${min} to ${max}`,
    );
  }
  return value;
}

export function stringField(value: unknown, parameter: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw invalidParameter(parameter, `${JSON.stringify(value)} must be a string`);
  return value;
}
