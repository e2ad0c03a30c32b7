/**
 * The sticky pull-request comment: one comment per cluster, found again among the run's own
 * comments (those of the identity the token comments as) by the hidden marker that opens it, and
 * updated in place, never duplicated. Writing it is best effort: a fork's read-only token, a
 * missing token or any GitHub error gives `{ action: 'skipped', reason }`, never an exception.
 */
import { readFileSync } from 'node:fs';
import { getOctokit } from '@actions/github';
import { fitMarkdown } from '../core/report/markdown.ts';
import { markedBody, opensWithMarker } from '../core/report/marker.ts';

/** GitHub's limit for an issue or pull-request comment body, in characters. */
export const MAX_COMMENT_CHARS = 65536;

const DEFAULT_API_URL = 'https://api.github.com';
/** Each GitHub request gets this long; a hung API must not hold up the run. */
const REQUEST_TIMEOUT_MS = 30_000;

export { commentMarker } from '../core/report/marker.ts';

function cutNote(left: number): string {
  return (
    `\n\n> [!NOTE]\n> This comment was cut to fit GitHub's limit of ` +
    `${MAX_COMMENT_CHARS.toLocaleString('en-US')} characters per comment ` +
    `(${left.toLocaleString('en-US')} characters left out). ` +
    `The workflow run's job summary and log have the full report.`
  );
}

/**
 * Fits marker + newline + body under MAX_COMMENT_CHARS (fitMarkdown: cut on a line boundary when
 * possible, open code fences and <details> closed) with a note that it was cut.
 */
export function fitComment(marker: string, body: string): { body: string; truncated: boolean } {
  // The comment is markedBody(marker, body): `${marker}\n${body}`.
  return fitMarkdown(body, { max: MAX_COMMENT_CHARS - marker.length - 1, note: cutNote });
}

export interface StickyCommentOptions {
  token: string;
  /** GitHub API base URL (GITHUB_API_URL); default https://api.github.com */
  apiUrl?: string;
  owner: string;
  repo: string;
  issueNumber: number;
  marker: string;
  body: string;
  /**
   * The login the token comments as, when the caller knows it (e.g. `my-app[bot]` for a GitHub
   * App's installation token). Default: `GET /user` for a user's token (a PAT); for an
   * installation token, which GitHub refuses there, github-actions[bot] (GITHUB_TOKEN's).
   */
  identity?: string;
}

export type StickyResult =
  | {
      action: 'created' | 'updated';
      id: number;
      url: string;
      truncated: boolean;
      /** Said when comments by others that carry the marker were left alone. */
      note?: string;
    }
  | { action: 'skipped'; reason: string };

/** Who GITHUB_TOKEN (the Actions app's installation token) comments as. */
export const GITHUB_ACTIONS_BOT = 'github-actions[bot]';

/** What Octokit throws: a RequestError with the HTTP status, and the response when there was one. */
interface OctokitError {
  status?: unknown;
  message?: unknown;
  response?: { data?: unknown; headers?: Record<string, unknown> };
}

/** The status GitHub answered with, or undefined when no answer came (network error, timeout). */
function statusOf(err: unknown): number | undefined {
  const e = err as OctokitError | null | undefined;
  return e && typeof e.status === 'number' && e.response ? e.status : undefined;
}

/** GitHub's own message ("Resource not accessible by integration"), else the error's. */
function messageOf(err: unknown): string {
  const e = err as OctokitError | null | undefined;
  const data = e?.response?.data;
  if (data && typeof data === 'object' && 'message' in data) {
    const m = (data as { message?: unknown }).message;
    if (typeof m === 'string' && m) return m.split('\n')[0]!.trim();
  }
  if (typeof data === 'string' && data.trim()) return data.trim().slice(0, 300);
  if (e && typeof e.message === 'string' && e.message) return e.message;
  return String(err);
}

type Phase = 'identity' | 'list' | 'update' | 'create';

function reasonFor(err: unknown, phase: Phase, o: StickyCommentOptions, apiUrl: string): string {
  const status = statusOf(err);
  const message = messageOf(err);
  const where = `${o.owner}/${o.repo}#${o.issueNumber}`;
  const doing =
    phase === 'identity'
      ? 'finding who the token comments as (GET /user)'
      : phase === 'list'
        ? `listing the comments of ${where}`
        : phase === 'update'
          ? `updating the aks-guard comment on ${where}`
          : `commenting on ${where}`;
  if (status === undefined) return `could not reach the GitHub API at ${apiUrl} (${message})`;
  const answer = `${status} ${message}`;
  if (status === 429 || /rate limit/i.test(message))
    return `GitHub rate-limited the request while ${doing} (${answer}); the comment is written on the next run`;
  if (status === 401)
    return `the GitHub token was refused (${answer}): it is invalid or expired, so no comment was written`;
  if (status === 403 && (phase === 'update' || phase === 'create'))
    return `the token cannot write comments (${answer}): pull requests from forks get a read-only GITHUB_TOKEN; otherwise give the job \`permissions: pull-requests: write\``;
  if (status === 403 && phase === 'list')
    return `the token cannot read the comments of ${where} (${answer}): give the job \`permissions: pull-requests: write\``;
  if (status === 404)
    return `GitHub answered ${answer} while ${doing}: the repository or pull request does not exist at ${apiUrl}, or the token cannot see it`;
  return `GitHub answered ${answer} while ${doing}`;
}

/** Replaces the token wherever it might appear; a reason is logged and must never leak it. */
function redact(text: string, token: string): string {
  return token ? text.split(token).join('***') : text;
}

function skipped(reason: string, token: string): StickyResult {
  return { action: 'skipped', reason: redact(reason, token) };
}

/** GitHub logins are case-insensitive. */
function sameLogin(a: string | undefined, b: string): boolean {
  return a !== undefined && a.toLowerCase() === b.toLowerCase();
}

/**
 * Who the token comments as. A user's token (a PAT, an OAuth app's) answers `GET /user` with its
 * user; an installation token (GITHUB_TOKEN, a GitHub App's) gets 403 "Resource not accessible by
 * integration" there, and comments as the app's bot: github-actions[bot] for GITHUB_TOKEN.
 */
async function identityOf(
  octokit: ReturnType<typeof getOctokit>,
  signal: AbortSignal,
): Promise<string> {
  try {
    const { data } = await octokit.rest.users.getAuthenticated({ request: { signal } });
    return data.login;
  } catch (err) {
    // A secondary rate limit is a 403 too: that one is no answer about the token.
    if (statusOf(err) === 403 && !/rate limit/i.test(messageOf(err))) return GITHUB_ACTIONS_BOT;
    throw err;
  }
}

/** What the result says about marked comments by others that were left alone. */
function othersNote(others: { id: number; author: string }[], identity: string): string {
  const authors = [...new Set(others.map((c) => c.author))].join(', ');
  const which =
    others.length === 1
      ? `comment ${others[0]!.id} by ${authors} carries`
      : `${others.length} comments by ${authors} carry`;
  return `${which} this cluster's aks-guard marker but ${others.length === 1 ? 'was' : 'were'} not written by ${identity}, the identity this run comments as, so ${others.length === 1 ? 'it was' : 'they were'} left alone`;
}

/**
 * Creates or updates the run's sticky comment for `o.marker` on the pull request (or issue). Only
 * the run's own comments count, those by the identity the token comments as, whose body opens
 * with the marker: the first one is updated, others (from some earlier bug) are left alone. A
 * comment by anyone else that carries the marker is never touched (the result's note says so);
 * a comment that only quotes the marker further on is not this cluster's.
 */
export async function upsertStickyComment(o: StickyCommentOptions): Promise<StickyResult> {
  const token = o.token?.trim() ?? '';
  if (!token)
    return skipped('no GitHub token was given, so no pull-request comment was written', '');
  if (!o.owner || !o.repo || !Number.isInteger(o.issueNumber) || o.issueNumber <= 0) {
    return skipped(
      `no pull request to comment on (repository "${o.owner}/${o.repo}", number ${o.issueNumber})`,
      token,
    );
  }
  if (!o.marker) return skipped('no comment marker was given', token);
  const apiUrl = (o.apiUrl?.trim() || DEFAULT_API_URL).replace(/\/+$/, '');
  const { body, truncated } = fitComment(o.marker, o.body);
  const full = markedBody(o.marker, body);
  const signal = (): AbortSignal => AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  const where = { owner: o.owner, repo: o.repo };

  let phase: Phase = 'identity';
  try {
    const octokit = getOctokit(token, { baseUrl: apiUrl });
    const identity = o.identity?.trim() || (await identityOf(octokit, signal()));

    phase = 'list';
    let existing: { id: number } | undefined;
    const others: { id: number; author: string }[] = [];
    for await (const response of octokit.paginate.iterator(octokit.rest.issues.listComments, {
      ...where,
      issue_number: o.issueNumber,
      per_page: 100,
      request: { signal: signal() },
    })) {
      for (const c of response.data) {
        if (!c.body?.includes(o.marker)) continue;
        const author = c.user?.login;
        if (!sameLogin(author, identity))
          others.push({ id: c.id, author: author ?? 'a deleted user' });
        else if (opensWithMarker(c.body, o.marker)) existing ??= c;
      }
      if (existing) break;
    }
    const note = others.length > 0 ? { note: othersNote(others, identity) } : {};

    if (existing) {
      phase = 'update';
      try {
        const { data } = await octokit.rest.issues.updateComment({
          ...where,
          comment_id: existing.id,
          body: full,
          request: { signal: signal() },
        });
        return { action: 'updated', id: data.id, url: data.html_url, truncated, ...note };
      } catch (err) {
        // Deleted between listing and updating: write a new one instead.
        if (statusOf(err) !== 404) throw err;
      }
    }
    phase = 'create';
    const { data } = await octokit.rest.issues.createComment({
      ...where,
      issue_number: o.issueNumber,
      body: full,
      request: { signal: signal() },
    });
    return { action: 'created', id: data.id, url: data.html_url, truncated, ...note };
  } catch (err) {
    return skipped(reasonFor(err, phase, o, apiUrl), token);
  }
}

const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target']);

/** From the GitHub Actions environment: the PR number of a pull_request / pull_request_target event (from GITHUB_EVENT_PATH's payload), owner/repo from GITHUB_REPOSITORY; undefined for other events. */
export function pullRequestOf(
  env: Record<string, string | undefined>,
): { owner: string; repo: string; issueNumber: number } | undefined {
  if (!PULL_REQUEST_EVENTS.has(env.GITHUB_EVENT_NAME ?? '')) return undefined;
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(env.GITHUB_REPOSITORY?.trim() ?? '');
  if (!m || !env.GITHUB_EVENT_PATH) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8'));
  } catch {
    return undefined;
  }
  const p = payload as { pull_request?: { number?: unknown }; number?: unknown } | null;
  const n = p?.pull_request?.number ?? p?.number;
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) return undefined;
  return { owner: m[1]!, repo: m[2]!, issueNumber: n };
}
