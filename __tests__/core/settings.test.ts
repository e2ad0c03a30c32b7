import { describe, expect, test } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import {
  AUTH_TYPES,
  ENVIRONMENTS,
  InputError,
  ON_CANCEL,
  ON_FAILED,
  ON_PENDING,
  ON_TIMEOUT,
  OPERATIONS,
  parseSettings,
  type AuthType,
  type InputProblem,
  type ParsedSettings,
} from '../../src/core/settings.ts';

const SUB = '11111111-2222-3333-4444-555555555555';
const CLIENT = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const TENANT = 'ffffffff-0000-1111-2222-333333333333';
const THIS_FILE = fileURLToPath(import.meta.url);

const BASE = { 'subscription-id': SUB, 'resource-group': 'rg-demo', 'cluster-name': 'aks-demo' };

interface Call {
  env?: Record<string, string | undefined>;
  defaultAuthType?: AuthType;
}

function parse(inputs: Record<string, string>, call: Call = {}): ParsedSettings {
  const all: Record<string, string> = { ...BASE, ...inputs };
  return parseSettings({
    get: (name) => all[name] ?? '',
    env: call.env ?? {},
    defaultAuthType: call.defaultAuthType ?? 'azure-cli',
  });
}

function failure(inputs: Record<string, string>, call: Call = {}): InputError {
  try {
    parse(inputs, call);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('parseSettings accepted the inputs');
}

function problems(inputs: Record<string, string>, call: Call = {}): InputProblem[] {
  return failure(inputs, call).problems;
}

describe('defaults', () => {
  test('only subscription, resource group and cluster name give a read-only check', () => {
    const { settings, warnings } = parse({});
    expect(warnings).toEqual([]);
    expect(settings).toEqual({
      operation: 'check',
      subscriptionId: SUB,
      resourceGroup: 'rg-demo',
      clusterName: 'aks-demo',
      controlPlaneOnly: false,
      files: [],
      onPending: 'wait',
      waitTimeoutSeconds: 3600,
      onFailed: 'fail',
      operationTimeoutSeconds: 5400,
      onTimeout: 'fail',
      onCancel: 'leave',
      dryRun: false,
      comment: { onPr: false },
      auth: { type: 'azure-cli' },
      cloud: {
        name: 'AzureCloud',
        armEndpoint: 'https://management.azure.com',
        authorityHost: 'https://login.microsoftonline.com',
        armScope: 'https://management.azure.com/.default',
      },
    });
  });

  test('subscription-id falls back to AZURE_SUBSCRIPTION_ID, and the input wins over it', () => {
    const fromEnv = parse({ 'subscription-id': '' }, { env: { AZURE_SUBSCRIPTION_ID: SUB } });
    expect(fromEnv.settings.subscriptionId).toBe(SUB);
    const other = '99999999-2222-3333-4444-555555555555';
    const fromInput = parse({ 'subscription-id': other }, { env: { AZURE_SUBSCRIPTION_ID: SUB } });
    expect(fromInput.settings.subscriptionId).toBe(other);
  });

  test('trims inputs and accepts enumerated values in any case', () => {
    const { settings } = parse({
      operation: ' UPGRADE ',
      'kubernetes-version': ' 1.35 ',
      'on-pending': 'Fail',
      'dry-run': 'TRUE',
    });
    expect(settings).toMatchObject({
      operation: 'upgrade',
      kubernetesVersion: '1.35',
      onPending: 'fail',
      dryRun: true,
    });
  });

  test('durations accept units, combinations and plain seconds', () => {
    const { settings } = parse({
      'wait-timeout': '1h30m',
      'operation-timeout': '600',
      'on-pending': 'abort',
      operation: 'reconcile',
      'abort-after': '45m',
    });
    expect(settings.waitTimeoutSeconds).toBe(5400);
    expect(settings.operationTimeoutSeconds).toBe(600);
    expect(settings.abortAfterSeconds).toBe(2700);
  });
});

describe('required inputs', () => {
  test('a missing subscription, resource group and cluster name are reported together', () => {
    const error = failure({ 'subscription-id': '', 'resource-group': '', 'cluster-name': '' });
    expect(error.problems.map((p) => p.input)).toEqual([
      'subscription-id',
      'resource-group',
      'cluster-name',
    ]);
    expect(error.message).toMatch(/^3 inputs are invalid:\n- "subscription-id": is required/);
    expect(error.message).toContain('AZURE_SUBSCRIPTION_ID');
  });

  test('a single problem gives a one-line message naming the input', () => {
    const error = failure({ 'cluster-name': '' });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('InputError');
    expect(error.message).toBe('Input "cluster-name": is required: the name of the AKS cluster.');
  });

  test.each([
    ['subscription-id', 'not-a-guid'],
    ['resource-group', 'ends-with-dot.'],
    ['resource-group', 'has space'],
    ['cluster-name', '-leading-dash'],
    ['cluster-name', 'x'.repeat(64)],
    ['kubernetes-version', 'v1.35'],
    ['node-pool', 'UpperCase'],
    ['node-pool', 'toolongpoolname'],
    ['node-count', '-1'],
    ['node-count', '1001'],
    ['node-count', '2.5'],
    ['wait-timeout', 'forever'],
    ['wait-timeout', '0'],
    ['wait-timeout', '6d'],
    ['operation-timeout', '-5m'],
    ['dry-run', 'yes'],
    ['control-plane-only', '1'],
  ])('%s rejects %j and shows it', (input, value) => {
    const [problem, ...rest] = problems({ [input]: value });
    expect(rest).toEqual([]);
    expect(problem!.input).toBe(input);
    expect(problem!.message).toContain(JSON.stringify(value));
  });

  test('an invalid subscription id from the environment is reported against the input', () => {
    const [problem] = problems(
      { 'subscription-id': '' },
      { env: { AZURE_SUBSCRIPTION_ID: 'my-sub' } },
    );
    expect(problem).toEqual({
      input: 'subscription-id',
      message: expect.stringContaining('"my-sub"'),
    });
  });

  test('five days is the longest timeout', () => {
    expect(parse({ 'operation-timeout': '5d' }).settings.operationTimeoutSeconds).toBe(432000);
  });

  test('a referenced file must exist', () => {
    const ok = parse({ operation: 'run-command', command: 'ls', files: THIS_FILE });
    expect(ok.settings.files).toEqual([THIS_FILE]);
    const [problem] = problems({ operation: 'run-command', command: 'ls', files: 'no/such.yaml' });
    expect(problem).toEqual({ input: 'files', message: expect.stringContaining('"no/such.yaml"') });
  });
});

describe('enumerated inputs', () => {
  test.each([
    ['operation', OPERATIONS],
    ['on-pending', ON_PENDING],
    ['on-failed', ON_FAILED],
    ['on-timeout', ON_TIMEOUT],
    ['on-cancel', ON_CANCEL],
    ['auth-type', AUTH_TYPES],
    ['environment', ENVIRONMENTS],
  ] as const)(
    '%s rejects a bad value, shows it and lists every allowed value',
    (input, allowed) => {
      const [problem] = problems({ [input]: 'bogus-value' });
      expect(problem!.input).toBe(input);
      expect(problem!.message).toContain('"bogus-value"');
      for (const value of allowed) expect(problem!.message).toContain(`"${value}"`);
    },
  );

  test('several bad inputs are reported in one error', () => {
    const error = failure({
      operation: 'upgrad',
      'on-timeout': 'retry',
      'on-cancel': 'ignore',
      'wait-timeout': 'soon',
    });
    expect(error.problems.map((p) => p.input).sort()).toEqual([
      'on-cancel',
      'on-timeout',
      'operation',
      'wait-timeout',
    ]);
    expect(error.message).toMatch(/^4 inputs are invalid:/);
    for (const bad of ['"upgrad"', '"retry"', '"ignore"', '"soon"'])
      expect(error.message).toContain(bad);
  });
});

describe('what each operation needs', () => {
  test('upgrade needs kubernetes-version', () => {
    expect(problems({ operation: 'upgrade' })).toEqual([
      { input: 'kubernetes-version', message: expect.stringContaining('"upgrade"') },
    ]);
    expect(parse({ operation: 'upgrade', 'kubernetes-version': '1.35.3' }).settings).toMatchObject({
      operation: 'upgrade',
      kubernetesVersion: '1.35.3',
    });
  });

  test('upgrade takes control-plane-only or node-pool, not both', () => {
    const upgrade = { operation: 'upgrade', 'kubernetes-version': '1.35' };
    expect(parse({ ...upgrade, 'control-plane-only': 'true' }).settings.controlPlaneOnly).toBe(
      true,
    );
    expect(parse({ ...upgrade, 'node-pool': 'np1' }).settings.nodePool).toBe('np1');
    const [problem] = problems({ ...upgrade, 'control-plane-only': 'true', 'node-pool': 'np1' });
    expect(problem!.input).toBe('control-plane-only');
    expect(problem!.message).toContain('node-pool');
  });

  test('scale needs node-pool and node-count', () => {
    const missing = problems({ operation: 'scale' });
    expect(missing.map((p) => p.input)).toEqual(['node-pool', 'node-count']);
    for (const p of missing) expect(p.message).toContain('is required with operation "scale"');
    const { settings } = parse({ operation: 'scale', 'node-pool': 'np1', 'node-count': '0' });
    expect(settings).toMatchObject({ nodePool: 'np1', nodeCount: 0 });
  });

  test('run-command needs command', () => {
    expect(problems({ operation: 'run-command' })).toEqual([
      { input: 'command', message: expect.stringContaining('"run-command"') },
    ]);
    const { settings } = parse({ operation: 'run-command', command: 'kubectl get nodes' });
    expect(settings.command).toBe('kubectl get nodes');
  });

  test.each(['check', 'upgrade-node-image', 'start', 'stop', 'reconcile', 'abort'])(
    '%s needs nothing beyond the cluster',
    (operation) => {
      expect(parse({ operation }).settings.operation).toBe(operation);
    },
  );

  test('check only reads: on-pending abort and on-failed reconcile are refused', () => {
    const found = problems({ 'on-pending': 'abort', 'on-failed': 'reconcile' });
    expect(found.map((p) => p.input)).toEqual(['on-pending', 'on-failed']);
    expect(
      parse({ operation: 'stop', 'on-pending': 'abort', 'on-failed': 'reconcile' }).settings,
    ).toMatchObject({ onPending: 'abort', onFailed: 'reconcile' });
  });

  test('abort-after applies only with on-pending abort', () => {
    const [problem] = problems({ operation: 'start', 'abort-after': '10m' });
    expect(problem!.input).toBe('abort-after');
    expect(problem!.message).toContain('"wait"');
  });
});

describe('warnings for inputs the operation ignores', () => {
  test('inputs of other operations are named in warnings, not errors', () => {
    const { warnings } = parse({
      operation: 'start',
      'kubernetes-version': '1.35',
      'control-plane-only': 'true',
      'node-pool': 'np1',
      'node-count': '3',
      command: 'ls',
      files: THIS_FILE,
    });
    for (const input of [
      'kubernetes-version',
      'control-plane-only',
      'node-pool',
      'node-count',
      'command',
      'files',
    ])
      expect(warnings).toContainEqual(expect.stringContaining(`Input "${input}" is ignored`));
    expect(warnings).toHaveLength(6);
    for (const w of warnings) expect(w).toContain('"start"');
  });

  test('node-count 0 counts as given, control-plane-only false does not', () => {
    const { warnings } = parse({ 'node-count': '0', 'control-plane-only': 'false' });
    expect(warnings).toEqual([expect.stringContaining('Input "node-count" is ignored')]);
  });

  test('node-pool is used by upgrade-node-image, reconcile and abort', () => {
    for (const operation of ['upgrade-node-image', 'reconcile', 'abort'])
      expect(parse({ operation, 'node-pool': 'np1' }).warnings).toEqual([]);
  });
});

describe('authentication', () => {
  test('oidc needs client-id and tenant-id', () => {
    const found = problems({}, { defaultAuthType: 'oidc' });
    expect(found.map((p) => p.input)).toEqual(['client-id', 'tenant-id']);
    for (const p of found) expect(p.message).toContain('"oidc"');
  });

  test('client and tenant ids fall back to AZURE_CLIENT_ID and AZURE_TENANT_ID', () => {
    const { settings } = parse(
      {},
      { defaultAuthType: 'oidc', env: { AZURE_CLIENT_ID: CLIENT, AZURE_TENANT_ID: TENANT } },
    );
    expect(settings.auth).toEqual({ type: 'oidc', clientId: CLIENT, tenantId: TENANT });
  });

  test('auth-type overrides the default of the front door', () => {
    const { settings } = parse({ 'auth-type': 'managed-identity' }, { defaultAuthType: 'oidc' });
    expect(settings.auth).toEqual({ type: 'managed-identity' });
  });

  test('service-principal needs a client secret', () => {
    const sp = { 'auth-type': 'service-principal', 'client-id': CLIENT, 'tenant-id': TENANT };
    const [problem, ...rest] = problems(sp);
    expect(rest).toEqual([]);
    expect(problem!.input).toBe('client-secret');
    expect(problem!.message).toContain('secrets.');
    const { settings } = parse({ ...sp, 'client-secret': 's3cret' });
    expect(settings.auth).toEqual({
      type: 'service-principal',
      clientId: CLIENT,
      tenantId: TENANT,
      clientSecret: 's3cret',
    });
  });

  test('a client secret with another auth type is ignored with a warning', () => {
    const { settings, warnings } = parse({ 'client-secret': 's3cret' });
    expect(warnings).toEqual([expect.stringContaining('Input "client-secret" is ignored')]);
    expect(warnings.join('\n')).not.toContain('s3cret');
    expect(settings.auth.type).toBe('azure-cli');
  });

  test('a malformed client id is reported once, not also as missing', () => {
    const found = problems({ 'auth-type': 'oidc', 'client-id': 'my-app', 'tenant-id': TENANT });
    expect(found).toEqual([{ input: 'client-id', message: expect.stringContaining('"my-app"') }]);
  });
});

describe('environment', () => {
  test.each(['AzureUSGovernment', 'AzureChinaCloud'] as const)(
    '%s uses its own endpoints and scope',
    (environment) => {
      const { cloud } = parse({ environment }).settings;
      expect(cloud.name).toBe(environment);
      expect(cloud.armEndpoint).not.toBe('https://management.azure.com');
      expect(cloud.armScope).toBe(`${cloud.armEndpoint}/.default`);
    },
  );

  test('custom takes https endpoints and builds the scope from the ARM endpoint', () => {
    const { cloud } = parse({
      environment: 'custom',
      'arm-endpoint': 'https://management.local.azurestack.external/',
      'authority-host': 'https://login.local.azurestack.external',
    }).settings;
    expect(cloud).toEqual({
      name: 'custom',
      armEndpoint: 'https://management.local.azurestack.external',
      authorityHost: 'https://login.local.azurestack.external',
      armScope: 'https://management.local.azurestack.external/.default',
    });
  });

  test('custom requires both endpoints', () => {
    const found = problems({ environment: 'custom' });
    expect(found.map((p) => p.input)).toEqual(['arm-endpoint', 'authority-host']);
    for (const p of found) expect(p.message).toContain('environment "custom"');
  });

  test('custom refuses endpoints that are not https URLs', () => {
    const found = problems({
      environment: 'custom',
      'arm-endpoint': 'http://127.0.0.1:8443',
      'authority-host': 'login.example.com',
    });
    expect(found).toEqual([
      { input: 'arm-endpoint', message: expect.stringContaining('"http://127.0.0.1:8443"') },
      { input: 'authority-host', message: expect.stringContaining('"login.example.com"') },
    ]);
  });

  test('endpoints given without environment custom are ignored with warnings', () => {
    const { settings, warnings } = parse({
      'arm-endpoint': 'https://example.test',
      'authority-host': 'https://login.example.test',
    });
    expect(settings.cloud.armEndpoint).toBe('https://management.azure.com');
    expect(warnings).toEqual([
      expect.stringContaining('Input "arm-endpoint" is ignored'),
      expect.stringContaining('Input "authority-host" is ignored'),
    ]);
  });
});
