/**
 * The AzureRM service connection the task's `azureSubscription` input names: read through
 * azure-pipelines-task-lib (so bundled only into the task) and checked before any request. A bad
 * connection is reported by its name and the field that is wrong, never as a task input the user
 * cannot set (subscriptionId, tenantId, clientSecret, armEndpoint ...).
 */
import * as tl from 'azure-pipelines-task-lib/task.js';
import { CLOUDS, type AuthType } from '../core/settings.ts';

/** A problem with the service connection: what is wrong and what to do. */
export class ServiceConnectionError extends Error {}

export interface Connection {
  id: string;
  scheme: string;
  authType: AuthType;
  subscriptionId: string;
  clientId?: string;
  tenantId?: string;
  clientSecret?: string;
  clientCertificate?: string;
  armEndpoint: string;
  authorityHost?: string;
  environment: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HTTPS_URL = /^https:\/\/[^\s/@]+(\/[^\s]*)?$/;
/** The user name and password of a URL, which must never be echoed. */
const USERINFO = /^((?:[a-z][a-z0-9+.-]*:)?\/\/)?[^/?#]*@/i;
const DEFAULT_AUTHORITY = 'https://login.microsoftonline.com';

/**
 * Reads the AzureRM service connection `id` (the azureSubscription input's value) and checks it;
 * `mask` registers its secrets before anything could print them.
 */
export function readConnection(id: string, mask: (secret: string) => void): Connection {
  // The whole authorization at once: task-lib's per-parameter getter logs each value in debug.
  const auth = tl.getEndpointAuthorization(id, true);
  const scheme = auth?.scheme ?? tl.getEndpointAuthorizationScheme(id, true);
  if (!scheme) throw new ServiceConnectionError(tl.loc('MissingServiceConnection', id));
  const parameters = auth?.parameters ?? {};
  const param = (key: string): string | undefined => {
    const found = Object.keys(parameters).find((k) => k.toLowerCase() === key.toLowerCase());
    return (found !== undefined ? parameters[found]?.trim() : undefined) || undefined;
  };
  for (const secret of ['serviceprincipalkey', 'servicePrincipalCertificate']) {
    const value = param(secret);
    if (value) mask(value);
  }
  const data = (key: string): string | undefined =>
    tl.getEndpointDataParameter(id, key, true)?.trim() || undefined;
  const subscriptionId = data('subscriptionId');
  if (!subscriptionId) throw new ServiceConnectionError(tl.loc('MissingSubscription', id));
  const base = {
    id,
    scheme,
    subscriptionId,
    armEndpoint: (tl.getEndpointUrl(id, true) ?? '').trim().replace(/\/+$/, ''),
    environment: data('environment') ?? 'AzureCloud',
    ...(data('activeDirectoryAuthority') || data('environmentAuthorityUrl')
      ? { authorityHost: (data('activeDirectoryAuthority') ?? data('environmentAuthorityUrl'))! }
      : {}),
  };
  const tenantId = param('tenantid');
  const clientId = param('serviceprincipalid');
  let connection: Connection;
  switch (scheme.toLowerCase()) {
    case 'workloadidentityfederation':
      connection = {
        ...base,
        authType: 'oidc',
        ...(tenantId ? { tenantId } : {}),
        ...(clientId ? { clientId } : {}),
      };
      break;
    case 'serviceprincipal': {
      const certificate = param('servicePrincipalCertificate');
      const secret = param('serviceprincipalkey');
      const kind = (param('authenticationType') ?? 'spnKey').toLowerCase();
      connection = {
        ...base,
        authType: 'service-principal',
        ...(tenantId ? { tenantId } : {}),
        ...(clientId ? { clientId } : {}),
        ...(kind === 'spncertificate' && certificate
          ? { clientCertificate: certificate }
          : secret
            ? { clientSecret: secret }
            : {}),
      };
      break;
    }
    case 'managedserviceidentity': {
      const msiClientId = data('msiclientId');
      connection = {
        ...base,
        authType: 'managed-identity',
        ...(msiClientId ? { clientId: msiClientId } : {}),
      };
      break;
    }
    default:
      throw new ServiceConnectionError(tl.loc('UnsupportedScheme', id, scheme));
  }
  checkConnection(connection);
  return connection;
}

/** Every problem of a connection at once, each naming the connection and its field. */
function checkConnection(c: Connection): void {
  const problems: string[] = [];
  const guid = (field: string, value: string | undefined, required: boolean): void => {
    if (value === undefined) {
      if (required) problems.push(tl.loc('ConnectionMissingField', c.id, field));
    } else if (!GUID.test(value)) problems.push(tl.loc('ConnectionNotGuid', c.id, field, value));
  };
  guid('subscription ID', c.subscriptionId, true);
  const signsInAsApp = c.authType === 'oidc' || c.authType === 'service-principal';
  guid('tenant ID', c.tenantId, signsInAsApp);
  guid(
    c.authType === 'managed-identity' ? 'managed identity client ID' : 'service principal ID',
    c.clientId,
    signsInAsApp,
  );
  if (c.authType === 'service-principal' && !c.clientSecret && !c.clientCertificate)
    problems.push(tl.loc('ConnectionMissingCredential', c.id));
  const cloud = cloudInputs(c);
  if (cloud.environment === 'custom') {
    for (const [field, url] of [
      ['server URL', cloud['arm-endpoint']!],
      ['authority URL', cloud['authority-host']!],
    ] as const) {
      if (url === '') problems.push(tl.loc('ConnectionMissingField', c.id, field));
      else if (USERINFO.test(url) || !HTTPS_URL.test(url))
        problems.push(tl.loc('ConnectionBadUrl', c.id, field, url.replace(USERINFO, '$1***@')));
    }
  }
  if (problems.length > 0) throw new ServiceConnectionError(problems.join('\n'));
}

/** The cloud of a service connection: a public cloud by name, anything else as custom endpoints. */
export function cloudInputs(c: Connection): Record<string, string> {
  const known = Object.values(CLOUDS).find(
    (cloud) => cloud.armEndpoint === c.armEndpoint || cloud.name === c.environment,
  );
  if (known && (c.armEndpoint === '' || known.armEndpoint === c.armEndpoint))
    return { environment: known.name };
  return {
    environment: 'custom',
    'arm-endpoint': c.armEndpoint,
    'authority-host': (c.authorityHost ?? DEFAULT_AUTHORITY).trim().replace(/\/+$/, ''),
  };
}
