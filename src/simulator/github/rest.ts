/**
 * The slice of the GitHub REST API aks-guard uses for sticky pull-request comments: list, create,
 * get, update and delete issue comments, with token permissions, pagination and the body limit;
 * and `GET /user`, which answers for a user's token (a PAT) and refuses an installation token
 * (GITHUB_TOKEN, a GitHub App's) with 403 "Resource not accessible by integration", as GitHub does.
 */
import {
  header,
  json,
  type RequestContext,
  type SimRequest,
  type SimResponse,
} from '../net/http-kit.ts';
import type { Clock } from '../clock.ts';

export interface GitHubToken {
  token: string;
  /** "write" may comment; "read" is what a fork's pull request gets. */
  permission: 'read' | 'write';
  /** Who the token acts as and comments as: a user, or an app's bot ("github-actions[bot]"). */
  login: string;
  /**
   * An app's installation token (GITHUB_TOKEN is one) or a user's token (a PAT). Default: an
   * installation token when the login is a bot's ("…[bot]"), else a user's.
   */
  kind?: 'installation' | 'user';
}

/** github-actions[bot], the identity of GITHUB_TOKEN, has this user ID on github.com. */
const GITHUB_ACTIONS_BOT_ID = 41898282;

function isInstallationToken(t: GitHubToken): boolean {
  return (t.kind ?? (t.login.endsWith('[bot]') ? 'installation' : 'user')) === 'installation';
}

/** A stable user ID for a login: github-actions[bot]'s real one, a number derived from others. */
function userId(login: string): number {
  if (login === 'github-actions[bot]') return GITHUB_ACTIONS_BOT_ID;
  let h = 2166136261;
  for (const ch of login.toLowerCase()) h = Math.imul(h ^ ch.codePointAt(0)!, 16777619) >>> 0;
  return 1_000_000 + (h % 90_000_000);
}

export interface IssueComment {
  id: number;
  repository: string;
  issue: number;
  body: string;
  login: string;
  createdAt: string;
  updatedAt: string;
}

const DOCS = 'https://docs.github.com/rest/issues/comments';
const MAX_BODY = 65536;

export class GitHubRestService {
  readonly comments: IssueComment[] = [];
  private nextId = 1000001;

  private readonly clock: Clock;
  private readonly tokens: () => GitHubToken[];
  /** Repositories that exist, "owner/name". */
  private readonly repositories: () => string[];
  /** Path prefix on the direct host (GitHub Enterprise style), e.g. "/api/v3". */
  private readonly prefix: string;

  constructor(
    clock: Clock,
    tokens: () => GitHubToken[],
    repositories: () => string[],
    prefix: string,
  ) {
    this.clock = clock;
    this.tokens = tokens;
    this.repositories = repositories;
    this.prefix = prefix;
  }

  private error(status: number, message: string, extra: Record<string, unknown> = {}): SimResponse {
    return json(status, { message, documentation_url: DOCS, status: String(status), ...extra });
  }

  /** A simple user, as GitHub embeds it in a comment (`user`). */
  private userJson(origin: string, login: string): Record<string, unknown> {
    const id = userId(login);
    const bot = login.endsWith('[bot]');
    return {
      login,
      id,
      node_id: Buffer.from(`${bot ? 'BOT' : 'U'}_${id}`).toString('base64'),
      avatar_url: `https://avatars.githubusercontent.com/${bot ? 'in/15368' : `u/${id}`}?v=4`,
      url: `${origin}${this.prefix}/users/${encodeURIComponent(login)}`,
      html_url: bot
        ? `https://github.com/apps/${login.slice(0, -'[bot]'.length)}`
        : `https://github.com/${login}`,
      type: bot ? 'Bot' : 'User',
      site_admin: false,
    };
  }

  private commentJson(origin: string, c: IssueComment): Record<string, unknown> {
    const api = `${origin}${this.prefix}/repos/${c.repository}`;
    return {
      id: c.id,
      node_id: Buffer.from(`IC_${c.id}`).toString('base64'),
      url: `${api}/issues/comments/${c.id}`,
      html_url: `https://github.com/${c.repository}/pull/${c.issue}#issuecomment-${c.id}`,
      issue_url: `${api}/issues/${c.issue}`,
      body: c.body,
      user: this.userJson(origin, c.login),
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      author_association: 'NONE',
    };
  }

  handle = async (req: SimRequest, ctx: RequestContext): Promise<SimResponse> => {
    ctx.service = 'github-api';
    let path = req.url.pathname;
    if (this.prefix && req.host !== 'api.github.com') {
      if (!path.startsWith(this.prefix)) return this.error(404, 'Not Found');
      path = path.slice(this.prefix.length);
    }
    const auth = header(req, 'authorization') ?? '';
    const m = /^(?:token|bearer)\s+(\S+)$/i.exec(auth);
    const token = m ? this.tokens().find((t) => t.token === m[1]) : undefined;
    if (!token) return this.error(401, 'Bad credentials');
    ctx.principal = token.login;

    if (path === '/user') {
      if (req.method !== 'GET') return this.error(404, 'Not Found');
      ctx.operation = 'Users_GetAuthenticated';
      if (isInstallationToken(token)) {
        return this.error(403, 'Resource not accessible by integration', {
          documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user',
        });
      }
      const now = this.clock.iso().replace(/\.\d+Z$/, 'Z');
      return json(200, {
        ...this.userJson(req.origin, token.login),
        name: null,
        company: null,
        blog: '',
        location: null,
        email: null,
        hireable: null,
        bio: null,
        twitter_username: null,
        public_repos: 1,
        public_gists: 0,
        followers: 0,
        following: 0,
        created_at: '2020-01-01T00:00:00Z',
        updated_at: now,
      });
    }

    const list = /^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)\/comments$/.exec(path);
    const one = /^\/repos\/([^/]+\/[^/]+)\/issues\/comments\/(\d+)$/.exec(path);
    const repo = (list?.[1] ?? one?.[1])?.toLowerCase();
    if (!repo || !this.repositories().some((r) => r.toLowerCase() === repo))
      return this.error(404, 'Not Found');

    if (list) {
      const issue = Number(list[2]);
      if (req.method === 'GET') {
        ctx.operation = 'Issues_ListComments';
        const perPage = Math.min(
          100,
          Math.max(1, Number(req.url.searchParams.get('per_page') ?? 30) || 30),
        );
        const page = Math.max(1, Number(req.url.searchParams.get('page') ?? 1) || 1);
        const all = this.comments.filter(
          (c) => c.repository.toLowerCase() === repo && c.issue === issue,
        );
        const slice = all.slice((page - 1) * perPage, page * perPage);
        const headers: Record<string, string> = {};
        const last = Math.max(1, Math.ceil(all.length / perPage));
        if (page < last) {
          const u = new URL(req.url.href);
          u.searchParams.set('per_page', String(perPage));
          u.searchParams.set('page', String(page + 1));
          const l = new URL(req.url.href);
          l.searchParams.set('per_page', String(perPage));
          l.searchParams.set('page', String(last));
          headers.Link = `<${u.href}>; rel="next", <${l.href}>; rel="last"`;
        }
        return json(
          200,
          slice.map((c) => this.commentJson(req.origin, c)),
          headers,
        );
      }
      if (req.method === 'POST') {
        ctx.operation = 'Issues_CreateComment';
        if (token.permission !== 'write') {
          return this.error(403, 'Resource not accessible by integration', {
            documentation_url: `${DOCS}#create-an-issue-comment`,
          });
        }
        const body = this.bodyOf(req);
        if (typeof body !== 'string') return body;
        const now = this.clock.iso().replace(/\.\d+Z$/, 'Z');
        const c: IssueComment = {
          id: this.nextId++,
          repository: list[1]!,
          issue,
          body,
          login: token.login,
          createdAt: now,
          updatedAt: now,
        };
        this.comments.push(c);
        return json(201, this.commentJson(req.origin, c), {
          Location: `${req.origin}${this.prefix}/repos/${c.repository}/issues/comments/${c.id}`,
        });
      }
      return this.error(404, 'Not Found');
    }

    const id = Number(one![2]);
    const c = this.comments.find((x) => x.id === id && x.repository.toLowerCase() === repo);
    if (!c) return this.error(404, 'Not Found');
    if (req.method === 'GET') {
      ctx.operation = 'Issues_GetComment';
      return json(200, this.commentJson(req.origin, c));
    }
    if (req.method === 'PATCH' || req.method === 'DELETE') {
      ctx.operation = req.method === 'PATCH' ? 'Issues_UpdateComment' : 'Issues_DeleteComment';
      if (token.permission !== 'write') {
        return this.error(403, 'Resource not accessible by integration', {
          documentation_url: `${DOCS}#${req.method === 'PATCH' ? 'update' : 'delete'}-an-issue-comment`,
        });
      }
      if (req.method === 'DELETE') {
        this.comments.splice(this.comments.indexOf(c), 1);
        return { status: 204, headers: {} };
      }
      const body = this.bodyOf(req);
      if (typeof body !== 'string') return body;
      c.body = body;
      c.updatedAt = this.clock.iso().replace(/\.\d+Z$/, 'Z');
      return json(200, this.commentJson(req.origin, c));
    }
    return this.error(404, 'Not Found');
  };

  private bodyOf(req: SimRequest): string | SimResponse {
    let parsed: unknown;
    try {
      parsed = JSON.parse(req.body.toString('utf8'));
    } catch {
      return this.error(400, 'Problems parsing JSON');
    }
    const body = (parsed as { body?: unknown } | null)?.body;
    if (typeof body !== 'string') {
      return this.error(422, 'Invalid request.\n\n"body" wasn\'t supplied.');
    }
    if (body.length > MAX_BODY) {
      return this.error(422, 'Validation Failed', {
        errors: [
          {
            resource: 'IssueComment',
            code: 'custom',
            field: 'body',
            message: `body is too long (maximum is ${MAX_BODY} characters)`,
          },
        ],
      });
    }
    return body;
  }
}
