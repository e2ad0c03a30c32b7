import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AUTH_TYPES,
  ENVIRONMENTS,
  formatProblems,
  InputError,
  respellInputs,
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
  workspace?: string;
}

function parse(inputs: Record<string, string>, call: Call = {}): ParsedSettings {
  const all: Record<string, string> = { ...BASE, ...inputs };
  return parseSettings({
    get: (name) => all[name] ?? '',
    env: call.env ?? {},
    defaultAuthType: call.defaultAuthType ?? 'azure-cli',
    ...(call.workspace !== undefined ? { workspace: call.workspace } : {}),
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
      from: 'the environment variable AZURE_SUBSCRIPTION_ID',
    });
  });

  test.each([
    ['client-id', 'AZURE_CLIENT_ID'],
    ['tenant-id', 'AZURE_TENANT_ID'],
    ['subscription-id', 'AZURE_SUBSCRIPTION_ID'],
  ])('a bad %s from %s says it came from the environment', (input, variable) => {
    const error = failure(
      { 'subscription-id': '', 'client-id': '', 'tenant-id': '' },
      {
        defaultAuthType: 'oidc',
        env: {
          AZURE_SUBSCRIPTION_ID: SUB,
          AZURE_CLIENT_ID: CLIENT,
          AZURE_TENANT_ID: TENANT,
          [variable]: 'not-a-guid',
        },
      },
    );
    expect(error.problems).toEqual([
      {
        input,
        message: expect.stringContaining('"not-a-guid" is not a GUID'),
        from: `the environment variable ${variable}`,
      },
    ]);
    expect(error.message).toBe(
      `Input "${input} (from the environment variable ${variable})": "not-a-guid" is not a GUID like 00000000-0000-0000-0000-000000000000.`,
    );
  });

  test('a bad id given as the input is not blamed on the environment', () => {
    const [problem] = problems(
      { 'client-id': 'my-app', 'tenant-id': TENANT },
      { defaultAuthType: 'oidc', env: { AZURE_CLIENT_ID: CLIENT } },
    );
    expect(problem).toEqual({ input: 'client-id', message: expect.stringContaining('"my-app"') });
  });

  test('five days is the longest timeout', () => {
    expect(parse({ 'operation-timeout': '5d' }).settings.operationTimeoutSeconds).toBe(432000);
    const [problem] = problems({ 'operation-timeout': '5d1s' });
    expect(problem!.message).toContain('from 1s to 5 days');
  });

  test.each(['1m1m1m', '30m1h', '1h1h', '15s1h30m', '1h30m15s1s'])(
    'a duration that repeats or reorders units (%j) is refused with the allowed forms',
    (value) => {
      const [problem, ...rest] = problems({ 'wait-timeout': value });
      expect(rest).toEqual([]);
      expect(problem!.input).toBe('wait-timeout');
      expect(problem!.message).toContain(JSON.stringify(value));
      for (const form of ['"90s"', '"30m"', '"1h"', '"1h30m"', '"1h30m15s"', 'number of seconds'])
        expect(problem!.message).toContain(form);
      expect(problem!.message).toContain('at most once, in that order');
    },
  );

  test.each([
    ['rg-prüfung', 'a Unicode letter'],
    ['rg-pru\u0308fung', 'a letter typed with a combining mark'],
    ['リソース', 'letters of another script'],
    ['rg-٣', 'a Unicode digit'],
    ['RG_(test).v2-a', 'underscores, parentheses, periods and hyphens'],
    ['-', 'a single hyphen'],
    ['x'.repeat(90), '90 characters'],
  ])('resource-group accepts %j (%s), as Azure does', (name) => {
    expect(parse({ 'resource-group': name }).settings.resourceGroup).toBe(name);
  });

  test.each([
    ['x'.repeat(91), '91 characters'],
    ['rg-prüfung.', 'ending with a period'],
    ['rg/x', 'a slash'],
    ['rg#1', 'a hash'],
    ['rg\u00a0x', 'a no-break space'],
    ['rg-🚀', 'an emoji'],
    ['rg+x', 'a plus'],
  ])('resource-group refuses %j (%s)', (name) => {
    const [problem] = problems({ 'resource-group': name });
    expect(problem).toEqual({
      input: 'resource-group',
      message: expect.stringContaining(JSON.stringify(name)),
    });
    expect(problem!.message).toContain('not ending with "."');
  });

  test('a referenced file must exist', () => {
    const ok = parse({ operation: 'run-command', command: 'ls', files: THIS_FILE });
    expect(ok.settings.files).toEqual([THIS_FILE]);
    const [problem] = problems({ operation: 'run-command', command: 'ls', files: 'no/such.yaml' });
    expect(problem).toEqual({ input: 'files', message: expect.stringContaining('"no/such.yaml"') });
    expect(problem!.message).toContain('does not exist');
  });
});

describe('run-command files stay inside the workspace', () => {
  let tmp: string;
  let workspace: string;
  let outside: string;
  const run = { operation: 'run-command', command: 'kubectl apply -f .' };
  const inWorkspace = (files: string): ParsedSettings => parse({ ...run, files }, { workspace });
  const refusal = (files: string): InputProblem[] => problems({ ...run, files }, { workspace });

  beforeAll(() => {
    tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'aks-guard-settings-')));
    workspace = path.join(tmp, 'repo');
    outside = path.join(tmp, 'outside');
    mkdirSync(path.join(workspace, 'manifests'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(path.join(workspace, 'manifests', 'deploy.yaml'), 'kind: Namespace\n');
    writeFileSync(path.join(outside, 'secret.txt'), 'not for the cluster\n');
    symlinkSync(path.join(outside, 'secret.txt'), path.join(workspace, 'leak.txt'));
    symlinkSync(outside, path.join(workspace, 'leak-dir'));
    symlinkSync(path.join(workspace, 'manifests'), path.join(workspace, 'alias'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  test('relative paths resolve against the workspace, not the working directory', () => {
    const { settings } = inWorkspace('manifests/deploy.yaml, manifests');
    expect(settings.files).toEqual([
      path.join(workspace, 'manifests', 'deploy.yaml'),
      path.join(workspace, 'manifests'),
    ]);
  });

  test('absolute paths and links that stay inside the workspace are accepted', () => {
    const deploy = path.join(workspace, 'manifests', 'deploy.yaml');
    expect(inWorkspace(`${deploy}\nalias/deploy.yaml`).settings.files).toEqual([
      deploy,
      path.join(workspace, 'alias', 'deploy.yaml'),
    ]);
  });

  test.each(['/etc/shadow', '/etc/passwd', '../../../../etc/passwd', '../outside/secret.txt'])(
    '%j is refused, naming the input, the path and what is allowed',
    (file) => {
      const found = refusal(file);
      expect(found).toEqual([{ input: 'files', message: expect.any(String) }]);
      expect(found[0]!.message).toContain(`${JSON.stringify(file)} is outside the workspace`);
      expect(found[0]!.message).toContain(
        `only files and directories inside the workspace ${JSON.stringify(workspace)}`,
      );
    },
  );

  test.each(['leak.txt', 'leak-dir', 'leak-dir/secret.txt'])(
    'a symbolic link inside the workspace to outside it (%j) is refused',
    (file) => {
      const found = refusal(file);
      expect(found).toEqual([{ input: 'files', message: expect.any(String) }]);
      expect(found[0]!.message).toContain(JSON.stringify(file));
      expect(found[0]!.message).toContain('symbolic link');
      expect(found[0]!.message).toContain('inside the workspace');
    },
  );

  test('every bad path is reported, the good ones are not', () => {
    const found = refusal('manifests/deploy.yaml,/etc/shadow,leak.txt,missing.yaml');
    expect(found.map((p) => p.input)).toEqual(['files', 'files', 'files']);
    expect(found.map((p) => p.message.split(' ')[0])).toEqual([
      '"/etc/shadow"',
      '"leak.txt"',
      '"missing.yaml"',
    ]);
    expect(found[2]!.message).toContain('does not exist in the workspace');
  });

  test('the workspace defaults to the working directory', () => {
    const ok = parse({ ...run, files: path.relative(process.cwd(), THIS_FILE) });
    expect(ok.settings.files).toEqual([THIS_FILE]);
    expect(problems({ ...run, files: '/etc/passwd' })[0]!.message).toContain(
      JSON.stringify(process.cwd()),
    );
  });

  test('a workspace that does not exist refuses every file', () => {
    const [problem, ...rest] = problems(
      { ...run, files: 'a.yaml' },
      { workspace: path.join(tmp, 'nowhere') },
    );
    expect(rest).toEqual([]);
    expect(problem).toEqual({ input: 'files', message: expect.stringContaining('nowhere') });
  });

  test('files are not checked for other operations (they are ignored, with a warning)', () => {
    const { warnings } = parse({ operation: 'start', files: '/etc/shadow' }, { workspace });
    expect(warnings).toEqual([expect.stringContaining('Input "files" is ignored')]);
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

describe('messages in the spelling of each front door', () => {
  test('the CLI names inputs as flags, values stay as they were given', () => {
    const error = failure({
      'resource-group': 'rg-dry-run/',
      'wait-timeout': 'soon',
      operation: 'start',
      'abort-after': '10m',
    });
    const text = formatProblems(error.problems, (n) => `--${n}`);
    expect(text).toContain('- "--resource-group": "rg-dry-run/" is not a resource group name');
    expect(text).toContain('- "--wait-timeout": "soon" is not a duration');
    expect(text).toContain('- "--abort-after": applies only with --on-pending "abort"');
    expect(text).not.toMatch(/(?<!-)-(on-pending|resource-group|wait-timeout)/);
    expect(formatProblems(error.problems)).toBe(error.message);
  });

  test('the task renames inputs in text and quoted names, not inside quoted values', () => {
    const camel = (n: string): string => n.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const error = failure({
      'cluster-name': '-aks-dry-run',
      operation: 'upgrade',
      'control-plane-only': 'true',
      'node-pool': 'np1',
      'kubernetes-version': '1.35',
    });
    const text = respellInputs(error.message, camel);
    expect(text).toContain('- "clusterName": "-aks-dry-run" is not an AKS cluster name');
    expect(text).toContain('- "controlPlaneOnly": cannot be combined with "nodePool"');
    expect(respellInputs('"/work/dry-run/on-pending.yaml" with on-pending', camel)).toBe(
      '"/work/dry-run/on-pending.yaml" with onPending',
    );
  });

  test('an input from the environment keeps its source in any spelling', () => {
    const error = failure({ 'subscription-id': '' }, { env: { AZURE_SUBSCRIPTION_ID: 'x' } });
    expect(formatProblems(error.problems, (n) => `--${n}`)).toMatch(
      /^Input "--subscription-id \(from the environment variable AZURE_SUBSCRIPTION_ID\)": "x"/,
    );
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

  test.each(['arm-endpoint', 'authority-host'])(
    '%s with a user name and password is refused without showing the password',
    (input) => {
      const custom = {
        environment: 'custom',
        'arm-endpoint': 'https://management.local.azurestack.external',
        'authority-host': 'https://login.local.azurestack.external',
      };
      for (const [url, shown] of [
        ['https://admin:s3cr3t-P4ss@management.example', '"https://***@management.example"'],
        ['https://s3cr3t-P4ss@management.example/', '"https://***@management.example"'],
        ['http://admin:s3cr3t-P4ss@127.0.0.1:8443', '"http://***@127.0.0.1:8443"'],
        ['admin:s3cr3t-P4ss@login.example.com', '"***@login.example.com"'],
        ['https://admin:s3cr3t-P4ss@h@st.example/p', '"https://***@st.example/p"'],
      ] as const) {
        const error = failure({ ...custom, [input]: url });
        expect(error.problems).toEqual([{ input, message: expect.stringContaining(shown) }]);
        expect(error.message).toContain('user name or password');
        expect(error.message).not.toContain('s3cr3t');
        expect(error.message).not.toContain('admin');
      }
    },
  );

  test('an @ in the path of an endpoint is not user info', () => {
    const { cloud } = parse({
      environment: 'custom',
      'arm-endpoint': 'https://management.example/tenants/@me',
      'authority-host': 'https://login.example',
    }).settings;
    expect(cloud.armEndpoint).toBe('https://management.example/tenants/@me');
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
