/**
 * GitHub Actions OIDC: the runner's ID-token request endpoint (ACTIONS_ID_TOKEN_REQUEST_URL /
 * ACTIONS_ID_TOKEN_REQUEST_TOKEN) and the issuer's discovery documents. Tokens carry the
 * repository's subject, so Entra federated credentials can be matched against them.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import {
  header,
  json,
  type RequestContext,
  type SimRequest,
  type SimResponse,
} from '../net/http-kit.ts';
import type { SigningKey } from '../identity/keys.ts';

export const GITHUB_OIDC_ISSUER = 'https://token.actions.githubusercontent.com';
export const ID_TOKEN_PATH =
  '/_apis/distributedtask/hubs/Actions/plans/7f1c3b1e-5a0e-4d2b-9a57-3c2f8d6e9b10/jobs/2c9d8e7f-1a2b-4c3d-8e9f-0a1b2c3d4e5f/idtoken';

export interface GitHubRun {
  repository: string;
  repositoryId: number;
  ownerId: number;
  ref: string;
  sha: string;
  eventName: string;
  environment?: string;
  pullRequest?: number;
  actor: string;
  workflow: string;
  runId: number;
  /** The job's ACTIONS_ID_TOKEN_REQUEST_TOKEN. */
  requestToken: string;
  tokenLifetimeSeconds: number;
}

/** The `sub` claim GitHub builds for a job (environment, pull request or ref). */
export function githubSubject(run: GitHubRun): string {
  if (run.environment) return `repo:${run.repository}:environment:${run.environment}`;
  if (run.eventName === 'pull_request' || run.eventName === 'pull_request_target')
    return `repo:${run.repository}:pull_request`;
  return `repo:${run.repository}:ref:${run.ref}`;
}

export class GitHubOidcService {
  private readonly clock: Clock;
  private readonly key: SigningKey;
  private readonly run: () => GitHubRun;

  constructor(clock: Clock, key: SigningKey, run: () => GitHubRun) {
    this.clock = clock;
    this.key = key;
    this.run = run;
  }

  handle = async (req: SimRequest, ctx: RequestContext): Promise<SimResponse> => {
    ctx.service = 'github-oidc';
    const path = req.url.pathname;
    if (req.method === 'GET' && path === '/.well-known/openid-configuration') {
      ctx.operation = 'GitHubOidc_Configuration';
      return json(200, {
        issuer: GITHUB_OIDC_ISSUER,
        jwks_uri: `${GITHUB_OIDC_ISSUER}/.well-known/jwks`,
        subject_types_supported: ['public', 'pairwise'],
        response_types_supported: ['id_token'],
        claims_supported: [
          'sub',
          'aud',
          'exp',
          'iat',
          'iss',
          'jti',
          'nbf',
          'ref',
          'repository',
          'repository_id',
          'repository_owner',
          'run_id',
          'actor',
          'workflow',
          'event_name',
          'environment',
        ],
        id_token_signing_alg_values_supported: ['RS256'],
        scopes_supported: ['openid'],
      });
    }
    if (req.method === 'GET' && path === '/.well-known/jwks') {
      ctx.operation = 'GitHubOidc_Jwks';
      return json(200, this.key.jwks());
    }
    if (req.method === 'GET' && path.toLowerCase() === ID_TOKEN_PATH.toLowerCase()) {
      ctx.operation = 'GitHubOidc_IdToken';
      return this.idToken(req);
    }
    return json(404, { message: 'Not Found' });
  };

  private async idToken(req: SimRequest): Promise<SimResponse> {
    const run = this.run();
    const auth = header(req, 'authorization') ?? '';
    if (auth !== `Bearer ${run.requestToken}`) {
      return json(401, {
        message: "Unauthorized: the bearer token is not this job's ACTIONS_ID_TOKEN_REQUEST_TOKEN.",
      });
    }
    const [owner] = run.repository.split('/');
    const now = Math.floor(this.clock.now() / 1000);
    const audience = req.url.searchParams.get('audience') ?? `https://github.com/${owner}`;
    const token = await this.key.sign({
      jti: randomUUID(),
      sub: githubSubject(run),
      aud: audience,
      ref: run.ref,
      sha: run.sha,
      repository: run.repository,
      repository_owner: owner,
      repository_owner_id: String(run.ownerId),
      run_id: String(run.runId),
      run_number: '42',
      run_attempt: '1',
      repository_visibility: 'private',
      repository_id: String(run.repositoryId),
      actor_id: '1000001',
      actor: run.actor,
      workflow: run.workflow,
      head_ref: '',
      base_ref: '',
      event_name: run.eventName,
      ref_type: 'branch',
      workflow_ref: `${run.repository}/.github/workflows/deploy.yml@${run.ref}`,
      workflow_sha: run.sha,
      job_workflow_ref: `${run.repository}/.github/workflows/deploy.yml@${run.ref}`,
      job_workflow_sha: run.sha,
      runner_environment: 'github-hosted',
      ...(run.environment ? { environment: run.environment } : {}),
      iss: GITHUB_OIDC_ISSUER,
      nbf: now - 5,
      exp: now + run.tokenLifetimeSeconds,
      iat: now,
    });
    return json(200, { count: 1, value: token });
  }
}
