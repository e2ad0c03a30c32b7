/**
 * The task's service connection, read in-process through the real azure-pipelines-task-lib: a bad
 * connection is reported by its name (the azureSubscription input's value) and the field that is
 * wrong, never as a task input (subscriptionId, tenantId, clientSecret) the user cannot set.
 * task-lib moves ENDPOINT_AUTH_* into its vault when it is imported, so every connection is put in
 * the environment first and the modules are imported after.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseSettings } from '../../src/core/settings.ts';
import type * as ServiceConnection from '../../src/platform/service-connection.ts';

// Types only (erased): the module itself is imported once the environment is set.
type ServiceConnectionModule = typeof ServiceConnection;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SUB = '11111111-2222-3333-4444-555555555555';
const TENANT = 'ffffffff-0000-1111-2222-333333333333';
const CLIENT = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const SECRET = 'sp-secret-value-0123456789';

interface Connection {
  url?: string;
  scheme: string;
  parameters?: Record<string, string>;
  data?: Record<string, string>;
}

const wif = (over: Partial<Connection> = {}): Connection => ({
  url: 'https://management.azure.com/',
  scheme: 'WorkloadIdentityFederation',
  parameters: { tenantid: TENANT, serviceprincipalid: CLIENT },
  data: { subscriptionId: SUB, environment: 'AzureCloud' },
  ...over,
});
const sp = (parameters: Record<string, string>, over: Partial<Connection> = {}): Connection => ({
  ...wif(over),
  scheme: 'ServicePrincipal',
  parameters: { tenantid: TENANT, serviceprincipalid: CLIENT, ...parameters },
});

/** The connections the agent would hand over, by id (the azureSubscription input's value). */
const CONNECTIONS: Record<string, Connection> = {
  'wif-ok': wif(),
  'sp-ok': sp({ authenticationType: 'spnKey', serviceprincipalkey: SECRET }),
  'msi-ok': {
    ...wif(),
    scheme: 'ManagedServiceIdentity',
    parameters: { tenantid: TENANT },
    data: { subscriptionId: SUB, environment: 'AzureCloud', msiclientId: CLIENT },
  },
  'stack-ok': sp(
    { authenticationType: 'spnKey', serviceprincipalkey: SECRET },
    {
      url: 'https://management.local.azurestack.external/',
      data: {
        subscriptionId: SUB,
        environment: 'AzureStack',
        activeDirectoryAuthority: 'https://login.local.azurestack.external/',
      },
    },
  ),
  'aks-prod': wif({ data: { subscriptionId: 'abc', environment: 'AzureCloud' } }),
  'bad-tenant': wif({
    parameters: { tenantid: 'contoso.onmicrosoft.com', serviceprincipalid: CLIENT },
  }),
  'bad-client': sp({ serviceprincipalid: 'my-app', serviceprincipalkey: SECRET }),
  'no-tenant': wif({ parameters: { serviceprincipalid: CLIENT } }),
  'no-client': wif({ parameters: { tenantid: TENANT } }),
  'no-secret': sp({ authenticationType: 'spnKey' }),
  'no-certificate': sp({ authenticationType: 'spnCertificate' }),
  'bad-msi': {
    ...wif(),
    scheme: 'ManagedServiceIdentity',
    parameters: { tenantid: TENANT },
    data: { subscriptionId: SUB, environment: 'AzureCloud', msiclientId: 'my-identity' },
  },
  'http-stack': wif({
    url: 'http://management.local.azurestack.external/',
    data: { subscriptionId: SUB, environment: 'AzureStack' },
  }),
  'userinfo-stack': wif({
    url: 'https://management.local.azurestack.external/',
    data: {
      subscriptionId: SUB,
      environment: 'AzureStack',
      activeDirectoryAuthority: 'https://admin:hunter2-pass@login.local.azurestack.external/',
    },
  }),
  'no-url-stack': wif({ url: '', data: { subscriptionId: SUB, environment: 'AzureStack' } }),
  'all-wrong': sp({ tenantid: 'x', serviceprincipalid: 'y' }, { data: { subscriptionId: 'z' } }),
  'no-subscription': wif({ data: { environment: 'AzureCloud' } }),
  'publish-profile': wif({ scheme: 'PublishProfile' }),
};

let dir: string;
let sc: ServiceConnectionModule;
const stdout: string[] = [];
const added: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'aks-guard-connection-'));
  const env: Record<string, string> = { AGENT_TEMPDIRECTORY: dir, SYSTEM_CULTURE: 'en-US' };
  for (const [id, c] of Object.entries(CONNECTIONS)) {
    if (c.url !== undefined) env[`ENDPOINT_URL_${id}`] = c.url;
    env[`ENDPOINT_AUTH_${id}`] = JSON.stringify({
      parameters: c.parameters ?? {},
      scheme: c.scheme,
    });
    env[`ENDPOINT_AUTH_SCHEME_${id}`] = c.scheme;
    for (const [k, v] of Object.entries(c.parameters ?? {}))
      env[`ENDPOINT_AUTH_PARAMETER_${id}_${k.toUpperCase()}`] = v;
    for (const [k, v] of Object.entries(c.data ?? {}))
      env[`ENDPOINT_DATA_${id}_${k.toUpperCase()}`] = v;
  }
  for (const [k, v] of Object.entries(env)) {
    if (process.env[k] === undefined) added.push(k);
    process.env[k] = v;
  }
  // task-lib logs what it loads at import, before its stream can be redirected: kept out of the log.
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk: string | Uint8Array) => {
    stdout.push(chunk.toString());
    return true;
  };
  const tl = await import('azure-pipelines-task-lib/task.js').finally(() => {
    process.stdout.write = write;
  });
  tl.setStdStream(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        stdout.push(chunk.toString());
        done();
      },
    }),
  );
  tl.setResourcePath(path.join(ROOT, 'tasks/AksGuardV1/task.json'));
  sc = await import('../../src/platform/service-connection.ts');
});

afterAll(() => {
  for (const k of added) delete process.env[k];
  rmSync(dir, { recursive: true, force: true });
});

function refusal(id: string): string {
  try {
    sc.readConnection(id, () => undefined);
  } catch (e) {
    if (e instanceof sc.ServiceConnectionError) return e.message;
    throw e;
  }
  throw new Error(`service connection ${id} was accepted`);
}

describe('good connections', () => {
  test.each(['wif-ok', 'sp-ok', 'msi-ok', 'stack-ok'])(
    '%s is read, and its values pass the input checks',
    (id) => {
      const masked: string[] = [];
      const c = sc.readConnection(id, (s) => void masked.push(s));
      expect(c.subscriptionId).toBe(SUB);
      if (c.authType === 'service-principal') expect(masked).toEqual([SECRET]);
      expect(stdout.join('')).not.toContain(SECRET);
      // What the task hands to the core from the connection cannot be refused there.
      const inputs: Record<string, string> = {
        'subscription-id': c.subscriptionId,
        'resource-group': 'rg',
        'cluster-name': 'aks',
        'auth-type': c.authType,
        ...(c.clientId ? { 'client-id': c.clientId } : {}),
        ...(c.tenantId ? { 'tenant-id': c.tenantId } : {}),
        ...(c.clientSecret ? { 'client-secret': c.clientSecret } : {}),
        ...sc.cloudInputs(c),
      };
      expect(() =>
        parseSettings({ get: (n) => inputs[n] ?? '', env: {}, defaultAuthType: c.authType }),
      ).not.toThrow();
    },
  );

  test('Azure Stack Hub becomes custom endpoints', () => {
    expect(sc.cloudInputs(sc.readConnection('stack-ok', () => undefined))).toEqual({
      environment: 'custom',
      'arm-endpoint': 'https://management.local.azurestack.external',
      'authority-host': 'https://login.local.azurestack.external',
    });
  });
});

describe('bad connections name the connection and its field', () => {
  test.each([
    ['aks-prod', 'its subscription ID "abc" is not a GUID'],
    ['bad-tenant', 'its tenant ID "contoso.onmicrosoft.com" is not a GUID'],
    ['bad-client', 'its service principal ID "my-app" is not a GUID'],
    ['bad-msi', 'its managed identity client ID "my-identity" is not a GUID'],
    ['no-tenant', 'has no tenant ID'],
    ['no-client', 'has no service principal ID'],
    ['no-secret', 'has neither a client secret nor a certificate'],
    ['no-certificate', 'has neither a client secret nor a certificate'],
    [
      'http-stack',
      'its server URL "http://management.local.azurestack.external" is not an https:// URL',
    ],
    ['no-url-stack', 'has no server URL'],
  ])('%s: %s', (id, what) => {
    const message = refusal(id);
    expect(message).toMatch(new RegExp(`^Service connection "${id}"`));
    expect(message).toContain(what);
    expect(message).toContain('Project settings > Service connections');
    // Not the core's input names, which are no task inputs.
    expect(message).not.toMatch(
      /subscriptionId|tenantId|clientId|clientSecret|armEndpoint|authorityHost/,
    );
  });

  test('the connection is named as the azureSubscription input gives it', () => {
    expect(refusal('aks-prod')).toMatch(
      /^Service connection "aks-prod": its subscription ID "abc" is not a GUID/,
    );
  });

  test('a URL with a user name and password is refused without showing the password', () => {
    const message = refusal('userinfo-stack');
    expect(message).toContain(
      'its authority URL "https://***@login.local.azurestack.external" is not an https:// URL',
    );
    expect(message).not.toContain('hunter2');
  });

  test('every problem of a connection is reported at once', () => {
    expect(refusal('all-wrong').split('\n')).toEqual([
      expect.stringContaining('its subscription ID "z" is not a GUID'),
      expect.stringContaining('its tenant ID "x" is not a GUID'),
      expect.stringContaining('its service principal ID "y" is not a GUID'),
      expect.stringContaining('has neither a client secret nor a certificate'),
    ]);
  });

  test('the earlier checks keep their messages', () => {
    expect(refusal('no-subscription')).toMatch(/"no-subscription" does not name a subscription/);
    expect(refusal('publish-profile')).toMatch(/PublishProfile.*not support/);
    expect(refusal('not-there')).toMatch(/"not-there" is not available to this job/);
  });
});
