/**
 * The Azure credential for each auth-type. Every token is masked the moment it exists. With OIDC
 * the assertion callback is asked again for every Entra token request, so a fresh GitHub (or Azure
 * DevOps) OIDC token is used each time and long waits never meet an expired assertion (AADSTS700024).
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import {
  AzureCliCredential,
  AzurePipelinesCredential,
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  DefaultAzureCredential,
  ManagedIdentityCredential,
} from '@azure/identity';
import type { Reporter } from './reporter.ts';
import type { Settings } from './settings.ts';

/** Masks every token the wrapped credential hands out. */
export function maskingCredential(inner: TokenCredential, reporter: Reporter): TokenCredential {
  return {
    async getToken(
      scopes: string | string[],
      options?: GetTokenOptions,
    ): Promise<AccessToken | null> {
      const token = await inner.getToken(scopes, options);
      if (token) reporter.mask(token.token);
      return token;
    },
  };
}

export interface CredentialDeps {
  reporter: Reporter;
  /** The runner's OIDC token (GitHub Actions); for auth-type oidc outside Azure Pipelines. */
  oidcAssertion?: () => Promise<string>;
  /**
   * Azure Pipelines workload identity federation: the service connection and the job's access
   * token, with which AzurePipelinesCredential asks Azure DevOps for a fresh OIDC token each time.
   */
  azurePipelines?: { serviceConnectionId: string; systemAccessToken: string };
}

export function buildCredential(s: Settings, deps: CredentialDeps): TokenCredential {
  const custom = s.cloud.name === 'custom';
  // Outside the public clouds (Azure Stack Hub, a simulator) MSAL cannot do instance discovery.
  const authority = {
    authorityHost: s.cloud.authorityHost,
    ...(custom ? { disableInstanceDiscovery: true } : {}),
  };
  const { clientId, tenantId, clientSecret } = s.auth;
  let inner: TokenCredential;
  switch (s.auth.type) {
    case 'oidc': {
      if (deps.azurePipelines) {
        deps.reporter.mask(deps.azurePipelines.systemAccessToken);
        inner = new AzurePipelinesCredential(
          tenantId!,
          clientId!,
          deps.azurePipelines.serviceConnectionId,
          deps.azurePipelines.systemAccessToken,
          authority,
        );
        break;
      }
      const assertion = deps.oidcAssertion;
      if (!assertion)
        throw new Error(
          'auth-type "oidc" needs the runner\'s OIDC token, which this front door does not provide.',
        );
      inner = new ClientAssertionCredential(
        tenantId!,
        clientId!,
        async () => {
          const token = await assertion();
          deps.reporter.mask(token);
          return token;
        },
        authority,
      );
      break;
    }
    case 'service-principal':
      if (s.auth.clientCertificate) {
        deps.reporter.mask(s.auth.clientCertificate);
        inner = new ClientCertificateCredential(
          tenantId!,
          clientId!,
          { certificate: s.auth.clientCertificate },
          authority,
        );
        break;
      }
      deps.reporter.mask(clientSecret!);
      inner = new ClientSecretCredential(tenantId!, clientId!, clientSecret!, authority);
      break;
    case 'managed-identity':
      inner = clientId
        ? new ManagedIdentityCredential({ clientId })
        : new ManagedIdentityCredential();
      break;
    case 'azure-cli':
      inner = new AzureCliCredential(tenantId ? { tenantId } : {});
      break;
    default:
      inner = new DefaultAzureCredential({
        ...authority,
        ...(clientId ? { managedIdentityClientId: clientId } : {}),
        ...(tenantId ? { tenantId } : {}),
      });
  }
  return maskingCredential(inner, deps.reporter);
}
