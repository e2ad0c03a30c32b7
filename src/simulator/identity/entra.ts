/**
 * Microsoft Entra ID as the SDKs and the az CLI see it: instance discovery, OpenID configuration,
 * signing keys, and the token endpoint for client credentials with a secret or a federated
 * client assertion. Wrong credentials get the real AADSTS error shapes.
 */
import { randomUUID } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import type { Clock } from '../clock.ts';
import {
  HttpError,
  json,
  parseForm,
  type RequestContext,
  type SimRequest,
  type SimResponse,
} from '../net/http-kit.ts';
import type { Directory, Principal } from './directory.ts';
import type { SigningKey } from './keys.ts';

export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

/** Issuers whose OIDC tokens this tenant can trust through federated credentials. */
export interface FederationIssuer {
  issuer: string;
  key: SigningKey;
}

export interface EntraOptions {
  clock: Clock;
  directory: Directory;
  key: SigningKey;
  /** Resources (audiences) tokens can be issued for, e.g. https://management.azure.com/. */
  resources: (req: SimRequest) => string[];
  federation: FederationIssuer[];
  tokenLifetimeSeconds: () => number;
}

function entraTimestamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

export class EntraService {
  private readonly o: EntraOptions;

  constructor(options: EntraOptions) {
    this.o = options;
  }

  /** Where Entra's own issuer lives for tokens it signs (v1 tokens for ARM). */
  issuerFor(tenantId: string): string {
    return `https://sts.windows.net/${tenantId}/`;
  }

  private error(status: number, error: string, code: number, description: string): HttpError {
    const now = this.o.clock.now();
    const traceId = randomUUID();
    const correlationId = randomUUID();
    return new HttpError(
      json(status, {
        error,
        error_description: `AADSTS${code}: ${description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${entraTimestamp(now)}`,
        error_codes: [code],
        timestamp: entraTimestamp(now),
        trace_id: traceId,
        correlation_id: correlationId,
        error_uri: `https://login.microsoftonline.com/error?code=${code}`,
      }),
    );
  }

  private knownTenant(segment: string): boolean {
    const t = segment.toLowerCase();
    return (
      t === this.o.directory.tenantId.toLowerCase() ||
      t === this.o.directory.tenantDomain.toLowerCase()
    );
  }

  handle = async (req: SimRequest, ctx: RequestContext): Promise<SimResponse> => {
    ctx.service = 'entra';
    const segments = req.url.pathname.split('/').filter(Boolean);
    const [tenant, ...rest] = segments;
    const tail = rest.join('/').toLowerCase();
    const origin = req.origin;
    if (!tenant)
      return json(404, { error: 'not_found', error_description: 'No tenant in the path.' });

    if (req.method === 'GET' && tail === 'discovery/instance') {
      ctx.operation = 'Entra_InstanceDiscovery';
      const host = new URL(origin).host;
      return json(200, {
        tenant_discovery_endpoint: `${origin}/${tenant}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
      });
    }
    if (
      req.method === 'GET' &&
      (tail === 'v2.0/.well-known/openid-configuration' ||
        tail === '.well-known/openid-configuration')
    ) {
      ctx.operation = 'Entra_OpenIdConfiguration';
      const t =
        tenant === 'common' || tenant === 'organizations'
          ? '{tenantid}'
          : this.o.directory.tenantId;
      if (!['common', 'organizations'].includes(tenant) && !this.knownTenant(tenant)) {
        throw this.error(
          400,
          'invalid_tenant',
          90002,
          `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
        );
      }
      const v2 = tail.startsWith('v2.0');
      return json(200, {
        token_endpoint: `${origin}/${t}/oauth2/${v2 ? 'v2.0/' : ''}token`,
        token_endpoint_auth_methods_supported: [
          'client_secret_post',
          'private_key_jwt',
          'client_secret_basic',
        ],
        jwks_uri: `${origin}/${t}/discovery/${v2 ? 'v2.0/' : ''}keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: v2 ? `${origin}/${t}/v2.0` : this.issuerFor(t),
        request_uri_parameter_supported: false,
        tenant_region_scope: 'NA',
        cloud_instance_name: new URL(origin).hostname.replace(/^login\./, ''),
        authorization_endpoint: `${origin}/${t}/oauth2/${v2 ? 'v2.0/' : ''}authorize`,
        device_authorization_endpoint: `${origin}/${t}/oauth2/${v2 ? 'v2.0/' : ''}devicecode`,
        end_session_endpoint: `${origin}/${t}/oauth2/${v2 ? 'v2.0/' : ''}logout`,
      });
    }
    if (req.method === 'GET' && (tail === 'discovery/v2.0/keys' || tail === 'discovery/keys')) {
      ctx.operation = 'Entra_Keys';
      return json(200, this.o.key.jwks());
    }
    if (req.method === 'POST' && (tail === 'oauth2/v2.0/token' || tail === 'oauth2/token')) {
      ctx.operation = tail === 'oauth2/token' ? 'Entra_TokenV1' : 'Entra_Token';
      return this.token(req, ctx, tenant, tail === 'oauth2/token');
    }
    return json(404, {
      error: 'not_found',
      error_description: `Unknown Entra endpoint ${req.method} ${req.url.pathname}`,
    });
  };

  private async token(
    req: SimRequest,
    ctx: RequestContext,
    tenant: string,
    v1: boolean,
  ): Promise<SimResponse> {
    const form = parseForm(req);
    const dir = this.o.directory;
    if (!this.knownTenant(tenant)) {
      throw this.error(
        400,
        'invalid_request',
        90002,
        `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
      );
    }
    const grant = form.get('grant_type');
    if (grant !== 'client_credentials') {
      throw this.error(
        400,
        'unsupported_grant_type',
        70003,
        `The app requested an unsupported grant type '${grant ?? ''}'.`,
      );
    }
    const clientId = form.get('client_id');
    if (!clientId) {
      throw this.error(
        400,
        'invalid_request',
        900144,
        "The request body must contain the following parameter: 'client_id'.",
      );
    }
    const principal = dir.byAppId(clientId);
    if (!principal || principal.managedIdentity) {
      throw this.error(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${dir.tenantDomain}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      );
    }
    ctx.principal = principal.displayName;

    const resource = this.resourceFor(req, form, v1);
    const secret = form.get('client_secret');
    const assertion = form.get('client_assertion');
    let appidacr = '1';
    if (assertion) {
      if (
        form.get('client_assertion_type') !==
        'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
      ) {
        throw this.error(400, 'invalid_request', 50027, 'JWT token is invalid or malformed.');
      }
      await this.verifyAssertion(principal, assertion);
      appidacr = '2';
    } else if (secret) {
      if (!principal.secrets.includes(secret)) {
        throw this.error(
          401,
          'invalid_client',
          7000215,
          `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${principal.appId}'.`,
        );
      }
    } else {
      throw this.error(
        401,
        'invalid_client',
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
    }
    return this.issue(principal, resource, appidacr, v1);
  }

  /** Issues an ARM-style v1 access token for a principal (also used by the managed identity endpoint). */
  async issue(
    principal: Principal,
    resource: string,
    appidacr: string,
    v1 = false,
  ): Promise<SimResponse> {
    const now = Math.floor(this.o.clock.now() / 1000);
    const lifetime = this.o.tokenLifetimeSeconds();
    const tid = this.o.directory.tenantId;
    const accessToken = await this.o.key.sign({
      aud: resource,
      iss: this.issuerFor(tid),
      iat: now,
      nbf: now,
      exp: now + lifetime,
      aio: randomUUID(),
      appid: principal.appId,
      appidacr,
      idp: this.issuerFor(tid),
      idtyp: 'app',
      oid: principal.objectId,
      rh: randomUUID(),
      sub: principal.objectId,
      tid,
      uti: randomUUID().replace(/-/g, ''),
      ver: '1.0',
    });
    if (v1) {
      return json(200, {
        token_type: 'Bearer',
        expires_in: String(lifetime),
        ext_expires_in: String(lifetime),
        expires_on: String(now + lifetime),
        not_before: String(now),
        resource,
        access_token: accessToken,
      });
    }
    return json(200, {
      token_type: 'Bearer',
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: accessToken,
    });
  }

  /** The resource's identifier as Entra knows it, or undefined when the tenant has no such resource. */
  knownResource(req: SimRequest, resource: string): string | undefined {
    const normal = (r: string): string => r.replace(/\/+$/, '').toLowerCase();
    return this.o.resources(req).some((k) => normal(k) === normal(resource))
      ? resource.replace(/\/+$/, '/')
      : undefined;
  }

  private resourceFor(req: SimRequest, form: URLSearchParams, v1: boolean): string {
    const known = this.o.resources(req);
    const normal = (r: string): string => r.replace(/\/+$/, '').toLowerCase();
    if (v1) {
      const resource = form.get('resource') ?? '';
      if (!known.some((k) => normal(k) === normal(resource))) {
        throw this.error(
          400,
          'invalid_resource',
          500011,
          `The resource principal named ${resource} was not found in the tenant named ${this.o.directory.tenantDomain}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
        );
      }
      return resource;
    }
    const scope = (form.get('scope') ?? '').split(' ').find((s) => s.endsWith('/.default'));
    if (!scope) {
      throw this.error(
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${form.get('scope') ?? ''} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    }
    const resource = scope.slice(0, -'.default'.length);
    const match = known.find((k) => normal(k) === normal(resource));
    if (!match) {
      throw this.error(
        400,
        'invalid_resource',
        500011,
        `The resource principal named ${resource} was not found in the tenant named ${this.o.directory.tenantDomain}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
      );
    }
    // "https://management.core.windows.net//.default" (the az CLI's scope) names the resource
    // "https://management.core.windows.net/": Entra puts that identifier URI in `aud`. An
    // application named by its ID ("6dae42f8-…/.default", the AKS server app) gets the bare ID.
    const bare = resource.replace(/\/+$/, '');
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(bare)) return bare;
    return resource.replace(/\/+$/, '/');
  }

  /** A client assertion signed with one of the app's certificates (x5t or x5t#S256 names which). */
  private async verifyCertificateAssertion(
    principal: Principal,
    assertion: string,
    auds: string[],
  ): Promise<void> {
    const header = decodeProtectedHeader(assertion) as { x5t?: string; 'x5t#S256'?: string };
    const thumbprint = header['x5t#S256'] ?? header.x5t ?? '';
    const cert = (principal.certificates ?? []).find(
      (c) => c.x5tS256 === header['x5t#S256'] || c.x5t === header.x5t,
    );
    if (!cert)
      throw this.error(
        401,
        'invalid_client',
        700027,
        `Client assertion failed signature validation. Trace ID: ${randomUUID()} [Reason - The key was not found., Thumbprint of key used by client: '${thumbprint}'. Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${principal.appId}'.]`,
      );
    if (!auds.some((a) => /\/oauth2\/(?:v2\.0\/)?token$/.test(a)))
      throw this.error(
        401,
        'invalid_client',
        700025,
        `Client assertion audience claim does not match Realm issuer.`,
      );
    try {
      // Entra tolerates five minutes of clock skew; MSAL rounds nbf to the nearest second.
      await jwtVerify(assertion, cert.publicKey, {
        currentDate: new Date(this.o.clock.now()),
        clockTolerance: 300,
      });
    } catch {
      throw this.error(
        401,
        'invalid_client',
        700027,
        `Client assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value., Thumbprint of key used by client: '${thumbprint}'.]`,
      );
    }
  }

  private async verifyAssertion(principal: Principal, assertion: string): Promise<void> {
    let claims: JWTPayload;
    try {
      decodeProtectedHeader(assertion);
      claims = decodeJwt(assertion);
    } catch {
      throw this.error(400, 'invalid_request', 50027, 'JWT token is invalid or malformed.');
    }
    const iss = String(claims.iss ?? '');
    const sub = String(claims.sub ?? '');
    const auds = Array.isArray(claims.aud) ? claims.aud : [String(claims.aud ?? '')];
    // Issued by the app itself: a certificate credential, not federation.
    if (iss === principal.appId && sub === principal.appId)
      return this.verifyCertificateAssertion(principal, assertion, auds);
    const noMatch = (): HttpError =>
      this.error(
        401,
        'invalid_client',
        70021,
        `No matching federated identity record found for presented assertion. Assertion Issuer: '${iss}'. Assertion Subject: '${sub}'. Assertion Audience: '${auds.join(',')}'. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`,
      );

    const credentials = principal.federatedCredentials.filter((f) => f.issuer === iss);
    if (credentials.length === 0) {
      throw this.error(
        401,
        'invalid_client',
        700211,
        `No matching federated identity record found for presented assertion issuer '${iss}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`,
      );
    }
    const issuer = this.o.federation.find((f) => f.issuer === iss);
    if (!issuer) throw noMatch();
    const now = this.o.clock.now();
    try {
      await jwtVerify(assertion, issuer.key.publicKey, {
        currentDate: new Date(now),
        clockTolerance: 0,
      });
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (
        code === 'ERR_JWT_EXPIRED' ||
        (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && (err as { claim?: string }).claim === 'nbf')
      ) {
        const fmt = (s: unknown): string =>
          typeof s === 'number'
            ? new Date(s * 1000).toISOString().replace('Z', '0000Z')
            : 'unknown';
        throw this.error(
          400,
          'invalid_client',
          700024,
          `Client assertion is not within its valid time range. Current time: ${new Date(now).toISOString().replace('Z', '0000Z')}, assertion valid from ${fmt(claims.nbf ?? claims.iat)}, expiry time of assertion ${fmt(claims.exp)}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .`,
        );
      }
      throw this.error(
        401,
        'invalid_client',
        50013,
        `Assertion failed signature validation. [Reason - The key was not found., Thumbprint of key used by client: '${decodeProtectedHeader(assertion).kid ?? ''}'. Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${principal.appId}'.]`,
      );
    }
    const match = credentials.find(
      (f) => f.subject === sub && f.audiences.some((a) => auds.includes(a)),
    );
    if (!match) throw noMatch();
  }
}
