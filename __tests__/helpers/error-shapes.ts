/**
 * The two shapes of an error body on the wire: AKS's resource provider sends its own errors flat,
 * `{ "code", "details", "message", "subcode" }`; ARM's own (auth, throttling, routing, api-version,
 * its 404s) come wrapped, `{ "error": { "code", "message", ... } }`. These read one shape and fail
 * the test when the body has the other, so a test that reads an error also pins its shape.
 */
import { expect } from '@jest/globals';

export interface FlatAksError {
  code: string;
  details: unknown[] | null;
  message: string;
  subcode: string;
  target?: string;
}

export interface WrappedArmError {
  code: string;
  message: string;
  target?: string;
  details?: unknown[];
}

/** AKS's flat error: the body itself, with code, details (an array or null), message and subcode. */
export function flatError(body: unknown): FlatAksError {
  expect(body).not.toHaveProperty('error');
  expect(body).toEqual(
    expect.objectContaining({
      code: expect.any(String),
      message: expect.any(String),
      subcode: expect.any(String),
    }),
  );
  const details = (body as { details?: unknown }).details;
  expect(details === null || Array.isArray(details)).toBe(true);
  return body as FlatAksError;
}

/** ARM's wrapped error: `body.error`, with no flat fields beside it. */
export function wrappedError(body: unknown): WrappedArmError {
  expect(body).toEqual({
    error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }),
  });
  return (body as { error: WrappedArmError }).error;
}

/** "flat CODE" or "wrapped CODE": the shape and the code in one value, for tables of cases. */
export function shapeAndCode(body: unknown): string {
  if (body && typeof body === 'object' && 'error' in body)
    return `wrapped ${wrappedError(body).code}`;
  return `flat ${flatError(body).code}`;
}
