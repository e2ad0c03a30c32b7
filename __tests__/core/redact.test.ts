/** The one redaction everything a run lets out passes through. */
import { describe, expect, test } from '@jest/globals';
import { REDACTED, Secrets } from '../../src/core/redact.ts';

const JWT =
  'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJhcHAudnN0b2tlbi52aXN1YWxzdHVkaW8uY29tIn0.c2lnbmF0dXJlLXZhbHVl';

describe('Secrets.redact', () => {
  test('removes a registered secret in every form it takes: raw, JSON-escaped, URL-encoded', () => {
    const s = new Secrets();
    const secret = 'p@ss"word/with+chars';
    s.add(secret);
    const text = `raw ${secret} json ${JSON.stringify({ v: secret })} url ${encodeURIComponent(secret)}`;
    const out = s.redact(text);
    expect(out).not.toContain(secret);
    expect(out).not.toContain(JSON.stringify(secret).slice(1, -1));
    expect(out).not.toContain(encodeURIComponent(secret));
  });

  test('a multi-line secret (a PEM) is removed line by line too', () => {
    const s = new Secrets();
    const pem =
      '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUYWJj\nZGVmZ2hpamtsbW5vcA==\n-----END CERTIFICATE-----';
    s.add(pem);
    expect(s.redact('line: MIIBszCCAVmgAwIBAgIUYWJj and ZGVmZ2hpamtsbW5vcA==')).toBe(
      `line: ${REDACTED} and ${REDACTED}`,
    );
  });

  test("an SDK error that serialised its request: the Authorization header's value never survives", () => {
    const s = new Secrets();
    const dump = JSON.stringify({
      request: {
        url: 'https://dev.azure.com/contoso/_apis/oidctoken',
        headers: { authorization: `Bearer ${JWT}`, 'content-type': 'application/json' },
      },
      status: 401,
      headers: {},
    });
    const out = s.redact(dump);
    expect(out).not.toContain(JWT);
    expect(out).not.toMatch(/Bearer\s+ey/);
    expect(out).toContain('"authorization":"***"');
  });

  test.each([
    [`Authorization: Bearer ${JWT}`, JWT],
    ['authorization=Basic dXNlcjpwYXNzd29yZA==', 'dXNlcjpwYXNzd29yZA=='],
    [`token ${JWT} in text`, JWT],
    ['https://user:s3cr3tPass@proxy.example:8080/x', 's3cr3tPass'],
    [
      'client_id=abc&client_secret=Xy8Q~verysecret&grant_type=client_credentials',
      'Xy8Q~verysecret',
    ],
    ['client_assertion=abc.def.ghi-secret-part', 'abc.def.ghi-secret-part'],
    ['{"access_token":"opaque-token-value-123","expires_in":3599}', 'opaque-token-value-123'],
    ['{\\"clientSecret\\":\\"escaped-secret-9\\"}', 'escaped-secret-9'],
    [
      'ghs_16C7e42F292c6912E7710c838347Ae178B4a in a URL',
      'ghs_16C7e42F292c6912E7710c838347Ae178B4a',
    ],
    [
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----',
      'MIIEpAIBAAKCAQEA',
    ],
  ])('credential shapes nobody registered: %s', (text, secret) => {
    expect(new Secrets().redact(text)).not.toContain(secret);
  });

  test('ordinary ARM messages pass unchanged', () => {
    const message =
      "The client 'a1b2' with object id 'c3d4' does not have authorization to perform action 'Microsoft.ContainerService/managedClusters/write' over scope '/subscriptions/x'. AuthorizationFailed";
    expect(new Secrets().redact(message)).toBe(message);
  });

  test('redactDeep keeps the shape and redacts every string inside', () => {
    const s = new Secrets();
    s.add('super-secret-value');
    const at = new Date(0);
    const out = s.redactDeep({
      message: 'got super-secret-value',
      error: { code: 'X', details: [{ code: 'Y', message: 'super-secret-value again' }] },
      timeline: [{ at, event: 'ok' }],
      count: 3,
    });
    expect(out).toEqual({
      message: `got ${REDACTED}`,
      error: { code: 'X', details: [{ code: 'Y', message: `${REDACTED} again` }] },
      timeline: [{ at, event: 'ok' }],
      count: 3,
    });
    expect(out.timeline[0]!.at).toBe(at);
  });
});
