/**
 * Every auth-type through the built Action: OIDC (elsewhere in these suites), service principal,
 * managed identity from the instance metadata service, DefaultAzureCredential from the environment,
 * and the Azure CLI session azure/login leaves behind (when az is installed).
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { FAST, simulator } from '../helpers/simulator.ts';
import { runAction } from '../helpers/action.ts';
import { azInstalled, azLogin } from '../../scripts/lib/az.ts';
import type { Simulator } from '../../src/simulator/index.ts';

jest.setTimeout(120_000);

let sim: Simulator;
beforeAll(async () => {
  sim = await simulator('idle', FAST);
});
afterAll(async () => {
  await sim.stop();
});

const RUNNER_IDENTITY = '6c8e0a2b-4d6f-4b1a-9e3c-5a7b9d1f3e5a';
const noOidc = {
  ACTIONS_ID_TOKEN_REQUEST_URL: undefined,
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined,
};

function principals(since: number): string[] {
  return [
    ...new Set(
      sim.log
        .list(since)
        .filter((e) => e.service === 'arm')
        .map((e) => e.principal ?? ''),
    ),
  ];
}

describe('auth-type', () => {
  test('service-principal signs in with the client secret', async () => {
    const since = sim.log.lastSeq;
    const run = await runAction(
      sim,
      { 'auth-type': 'service-principal', 'client-secret': sim.servicePrincipal.secret },
      { env: noOidc },
    );
    expect(run.code).toBe(0);
    expect(principals(since)).toEqual(['aks-guard-ci']);
  });

  test('service-principal with a wrong secret fails with the Entra error, before any ARM call', async () => {
    const since = sim.log.lastSeq;
    const run = await runAction(
      sim,
      { 'auth-type': 'service-principal', 'client-secret': 'not-the-secret' },
      { env: noOidc },
    );
    expect(run.code).toBe(1);
    expect(run.outputs['error-code']).toBe('AADSTS7000215');
    const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^::error[^:]*::Signing in to Azure failed: AADSTS7000215: Invalid client secret/,
    );
    expect(run.masks).toContain('not-the-secret');
    expect(run.log.join('\n')).not.toContain('not-the-secret');
    expect(sim.log.list(since).filter((e) => e.service === 'arm')).toEqual([]);
  });

  test('managed-identity gets its token from the instance metadata service', async () => {
    const since = sim.log.lastSeq;
    const run = await runAction(
      sim,
      { 'auth-type': 'managed-identity', 'client-id': RUNNER_IDENTITY, 'tenant-id': '' },
      {
        mode: 'proxy',
        env: {
          ...noOidc,
          AZURE_POD_IDENTITY_AUTHORITY_HOST: sim.env().AKS_SIM_IMDS_ENDPOINT!,
          NO_PROXY: '127.0.0.1',
        },
      },
    );
    expect(run.code).toBe(0);
    expect(sim.log.list(since).some((e) => e.operation === 'IMDS_Token')).toBe(true);
    expect(principals(since)).toEqual(['aks-guard-runner']);
  });

  test('default uses the environment (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_CLIENT_SECRET)', async () => {
    const since = sim.log.lastSeq;
    const env = sim.env();
    const run = await runAction(
      sim,
      { 'auth-type': 'default', 'client-id': '', 'tenant-id': '' },
      {
        mode: 'proxy',
        env: {
          ...noOidc,
          AZURE_CLIENT_ID: env.AZURE_CLIENT_ID!,
          AZURE_TENANT_ID: env.AZURE_TENANT_ID!,
          AZURE_CLIENT_SECRET: env.AZURE_CLIENT_SECRET!,
        },
      },
    );
    expect(run.code).toBe(0);
    expect(principals(since)).toEqual(['aks-guard-ci']);
  });
});

const withAz = azInstalled();

(withAz ? describe : describe.skip)(
  `auth-type azure-cli${withAz ? '' : ' (SKIPPED: az is not installed)'}`,
  () => {
    test('uses the session of az login, as after azure/login', async () => {
      const session = await azLogin(sim);
      const { dir } = session;
      try {
        const since = sim.log.lastSeq;
        const run = await runAction(
          sim,
          { 'auth-type': 'azure-cli', 'client-id': '', 'tenant-id': '' },
          {
            mode: 'proxy',
            env: {
              ...noOidc,
              AZURE_CONFIG_DIR: dir,
              REQUESTS_CA_BUNDLE: sim.caFile,
              HOME: dir,
            },
          },
        );
        expect(run.code).toBe(0);
        expect(principals(since)).toEqual(['aks-guard-ci']);
      } finally {
        session.done();
      }
    });
  },
);
