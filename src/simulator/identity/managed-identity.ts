/**
 * Managed identity token endpoints, plain HTTP as on real machines: the Azure Instance Metadata
 * Service (IMDS, what a self-hosted runner VM uses), the App Service endpoint (IDENTITY_ENDPOINT
 * with IDENTITY_HEADER) and the Cloud Shell style MSI_ENDPOINT the az CLI posts to.
 */
import {
  header,
  json,
  parseForm,
  type RequestContext,
  type SimRequest,
  type SimResponse,
} from '../net/http-kit.ts';
import type { Directory, Principal } from './directory.ts';
import type { EntraService } from './entra.ts';

export const IMDS_PATH = '/metadata/identity/oauth2/token';
export const MSI_PATH = '/msi/token';

function bad(description: string, status = 400): SimResponse {
  return json(status, { error: 'invalid_request', error_description: description });
}

export class ManagedIdentityService {
  private readonly directory: () => Directory;
  private readonly entra: EntraService;
  /** The secret an App Service hands its apps in IDENTITY_HEADER. */
  readonly identityHeader: string;

  constructor(directory: () => Directory, entra: EntraService, identityHeader: string) {
    this.directory = directory;
    this.entra = entra;
    this.identityHeader = identityHeader;
  }

  /** The identity a request names (client id, object id or resource id), or the only one assigned. */
  private pick(ids: {
    clientId?: string | null;
    objectId?: string | null;
    resourceId?: string | null;
  }): Principal | SimResponse {
    const assigned = this.directory().principals.filter((p) => p.managedIdentity);
    const wanted = ids.clientId ?? ids.objectId ?? ids.resourceId;
    if (wanted) {
      const w = wanted.toLowerCase();
      const match = assigned.find(
        (p) =>
          p.appId.toLowerCase() === w ||
          p.objectId.toLowerCase() === w ||
          p.displayName.toLowerCase() === w.split('/').pop(),
      );
      return match ?? bad('Identity not found');
    }
    if (assigned.length === 0) return bad('Identity not found');
    if (assigned.length > 1) {
      return bad(
        'Multiple user assigned identities exist, please specify the clientId / resourceId of the identity in the token request',
      );
    }
    return assigned[0]!;
  }

  private async token(
    req: SimRequest,
    principal: Principal | SimResponse,
    requested: string | null,
    flavour: 'imds' | 'app-service' | 'cloud-shell',
  ): Promise<SimResponse> {
    if ('status' in principal) return principal;
    if (!requested) return bad("Required query variable 'resource' is missing");
    const resource = this.entra.knownResource(req, requested);
    if (!resource) {
      return json(400, {
        error: 'invalid_resource',
        error_description: `AADSTS500011: The resource principal named ${requested} was not found in the tenant.`,
      });
    }
    const issued = await this.entra.issue(principal, resource, '2', true);
    const b = issued.body as Record<string, string>;
    if (issued.status !== 200) return issued;
    if (flavour === 'app-service') {
      return json(200, {
        access_token: b.access_token,
        expires_on: b.expires_on,
        resource: b.resource,
        token_type: 'Bearer',
        client_id: principal.appId,
      });
    }
    return json(200, {
      access_token: b.access_token,
      client_id: principal.appId,
      expires_in: b.expires_in,
      expires_on: b.expires_on,
      ext_expires_in: b.ext_expires_in,
      not_before: b.not_before,
      resource: b.resource,
      token_type: 'Bearer',
    });
  }

  handle = async (req: SimRequest, ctx: RequestContext): Promise<SimResponse> => {
    ctx.service = 'managed-identity';
    const q = req.url.searchParams;
    const path = req.url.pathname.replace(/\/+$/, '');
    if (path === IMDS_PATH && req.method === 'GET') {
      ctx.operation = 'IMDS_Token';
      if (header(req, 'metadata')?.toLowerCase() !== 'true')
        return bad('Required metadata header not specified');
      if (!q.get('api-version')) return bad("Required query variable 'api-version' is missing");
      return this.token(
        req,
        this.pick({
          clientId: q.get('client_id'),
          objectId: q.get('object_id'),
          resourceId: q.get('msi_res_id') ?? q.get('mi_res_id'),
        }),
        q.get('resource'),
        'imds',
      );
    }
    if (path === MSI_PATH && req.method === 'GET') {
      ctx.operation = 'AppServiceIdentity_Token';
      if (header(req, 'x-identity-header') !== this.identityHeader)
        return bad('The X-IDENTITY-HEADER header is missing or wrong.', 401);
      return this.token(
        req,
        this.pick({
          clientId: q.get('client_id'),
          objectId: q.get('principal_id'),
          resourceId: q.get('mi_res_id'),
        }),
        q.get('resource'),
        'app-service',
      );
    }
    if (path === MSI_PATH && req.method === 'POST') {
      ctx.operation = 'MsiEndpoint_Token';
      if (header(req, 'metadata')?.toLowerCase() !== 'true')
        return bad('Required metadata header not specified');
      const form = parseForm(req);
      return this.token(
        req,
        this.pick({
          clientId: form.get('client_id'),
          objectId: form.get('object_id'),
          resourceId: form.get('msi_res_id'),
        }),
        form.get('resource'),
        'cloud-shell',
      );
    }
    return json(404, {
      error: 'not_found',
      error_description: `No managed identity endpoint ${req.method} ${path}`,
    });
  };
}
