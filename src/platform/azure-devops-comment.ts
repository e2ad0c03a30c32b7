/**
 * The sticky pull-request comment on Azure Repos: one thread per cluster, found again by a hidden
 * marker opening its first comment, among the build identity's own threads, and updated in place,
 * never duplicated. Through the Azure DevOps REST API (connection data for who the job's access
 * token stands for; pull-request threads, api-version 7.1) with that token. The official
 * azure-devops-node-api client discovers routes through the location service first; for these
 * few documented calls a direct request is simpler and needs no discovery round trip.
 * A comment never fails the run: every problem comes back as a reason to log.
 */

import { fitMarkdown } from '../core/report/markdown.ts';
import { markedBody, opensWithMarker } from '../core/report/marker.ts';

/** Azure DevOps refuses longer comments (400 "cannot be longer than 150000 characters"). */
export const MAX_THREAD_COMMENT_CHARS = 150_000;

export interface PullRequestRef {
  /** System.CollectionUri, ending with '/'. */
  collectionUri: string;
  /** System.TeamProjectId or System.TeamProject. */
  project: string;
  /** Build.Repository.ID. */
  repositoryId: string;
  pullRequestId: number;
}

/** From the pipeline's variables: the pull request this build belongs to, if any. */
export function pullRequestFromVariables(
  get: (name: string) => string | undefined,
): PullRequestRef | undefined {
  const id = Number(get('System.PullRequest.PullRequestId'));
  const collectionUri = get('System.CollectionUri') ?? get('System.TeamFoundationCollectionUri');
  const project = get('System.TeamProjectId') ?? get('System.TeamProject');
  const repositoryId = get('Build.Repository.ID');
  if (!Number.isInteger(id) || id <= 0 || !collectionUri || !project || !repositoryId)
    return undefined;
  return {
    collectionUri: collectionUri.endsWith('/') ? collectionUri : `${collectionUri}/`,
    project,
    repositoryId,
    pullRequestId: id,
  };
}

export type ThreadResult =
  | {
      action: 'created' | 'updated';
      threadId: number;
      truncated: boolean;
      /** Said when threads by others that carry the marker were left alone. */
      note?: string;
    }
  | { action: 'skipped'; reason: string };

interface Thread {
  id: number;
  isDeleted?: boolean;
  comments?: {
    id: number;
    content?: string;
    isDeleted?: boolean;
    author?: { id?: string; displayName?: string };
  }[];
}

/** What `_apis/connectionData` says about the caller. */
interface ConnectionData {
  authenticatedUser?: { id?: string; providerDisplayName?: string };
}

/**
 * Fits marker + newline + body under MAX_THREAD_COMMENT_CHARS (fitMarkdown: cut on a line
 * boundary when possible, open code fences and <details> closed) with a note that it was cut.
 */
export function fitThreadComment(
  marker: string,
  body: string,
): { body: string; truncated: boolean } {
  return fitMarkdown(body, {
    max: MAX_THREAD_COMMENT_CHARS - marker.length - 1,
    note: (left) =>
      `\n\n_(Cut to fit Azure DevOps’ limit of ${MAX_THREAD_COMMENT_CHARS.toLocaleString('en-US')} characters per comment, ${left.toLocaleString('en-US')} characters left out; the build summary has everything.)_`,
  });
}

/** Identity IDs are GUIDs: compared without regard to case. */
function sameId(a: string | undefined, b: string): boolean {
  return a !== undefined && a.toLowerCase() === b.toLowerCase();
}

/** What the result says about marked threads by others that were left alone. */
function othersNote(others: { id: number; author: string }[], identity: string): string {
  const authors = [...new Set(others.map((t) => t.author))].join(', ');
  return others.length === 1
    ? `thread ${others[0]!.id} by ${authors} carries this cluster's aks-guard marker but was not written by ${identity}, the identity this build comments as, so it was left alone`
    : `${others.length} threads by ${authors} carry this cluster's aks-guard marker but were not written by ${identity}, the identity this build comments as, so they were left alone`;
}

/**
 * Creates or updates the build's sticky thread for `o.marker`. Only the build's own threads
 * count: the first comment's author is the identity the access token stands for (its ID from
 * `_apis/connectionData`) and its content opens with the marker. A thread by anyone else that
 * carries the marker is never touched (Azure DevOps would refuse the edit anyway: only a
 * comment's author may edit it); the result's note says so.
 */
export async function upsertThreadComment(o: {
  pr: PullRequestRef;
  accessToken: string;
  marker: string;
  body: string;
}): Promise<ThreadResult> {
  const base = `${o.pr.collectionUri}${encodeURIComponent(o.pr.project)}/_apis/git/repositories/${encodeURIComponent(o.pr.repositoryId)}/pullRequests/${o.pr.pullRequestId}/threads`;
  const hide = (text: string): string =>
    o.accessToken ? text.split(o.accessToken).join('***') : text;
  const call = async (
    method: string,
    url: string,
    body?: unknown,
    apiVersion = '7.1',
  ): Promise<unknown> => {
    const res = await fetch(`${url}${url.includes('?') ? '&' : '?'}api-version=${apiVersion}`, {
      method,
      headers: {
        Authorization: `Bearer ${o.accessToken}`,
        Accept: 'application/json',
        // A refused token gets 401, not the 203 sign-in page.
        'X-TFS-FedAuthRedirect': 'Suppress',
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    if (!res.ok || res.status === 203) {
      let message = text.slice(0, 300);
      let typeKey: string | undefined;
      try {
        const e = JSON.parse(text) as { message?: string; typeKey?: string };
        message = e.message ?? message;
        typeKey = e.typeKey;
      } catch {
        // not JSON: keep the text
      }
      throw Object.assign(new Error(hide(message.split(/\r?\n/)[0]!)), {
        status: res.status === 203 ? 401 : res.status,
        typeKey,
      });
    }
    return text ? (JSON.parse(text) as unknown) : undefined;
  };
  if (!o.accessToken)
    return {
      action: 'skipped',
      reason:
        'the job has no access token (System.AccessToken), so it cannot write pull-request comments.',
    };
  const fitted = fitThreadComment(o.marker, o.body);
  const body = markedBody(o.marker, fitted.body);
  const truncated = fitted.truncated;
  try {
    // The location service's connection data is a preview resource: it wants a -preview version.
    const me = (await call(
      'GET',
      `${o.pr.collectionUri}_apis/connectionData`,
      undefined,
      '7.1-preview.1',
    )) as ConnectionData | undefined;
    const identityId = me?.authenticatedUser?.id;
    if (!identityId)
      return {
        action: 'skipped',
        reason:
          'Azure DevOps did not say which identity the job’s access token stands for (_apis/connectionData has no authenticatedUser.id), so the build’s own comment cannot be told from others’.',
      };
    const identity = me?.authenticatedUser?.providerDisplayName || identityId;

    const list = (await call('GET', base)) as { value?: Thread[] };
    let existing: (Thread & { comments: NonNullable<Thread['comments']> }) | undefined;
    const others: { id: number; author: string }[] = [];
    for (const t of list.value ?? []) {
      const first = t.comments?.[0];
      if (t.isDeleted || !first || first.isDeleted || !first.content?.includes(o.marker)) continue;
      if (!sameId(first.author?.id, identityId))
        others.push({ id: t.id, author: first.author?.displayName ?? 'someone else' });
      else if (opensWithMarker(first.content, o.marker))
        existing ??= t as Thread & { comments: NonNullable<Thread['comments']> };
    }
    const note = others.length > 0 ? { note: othersNote(others, identity) } : {};
    if (existing) {
      await call('PATCH', `${base}/${existing.id}/comments/${existing.comments[0]!.id}`, {
        content: body,
      });
      return { action: 'updated', threadId: existing.id, truncated, ...note };
    }
    const created = (await call('POST', base, {
      comments: [{ parentCommentId: 0, content: body, commentType: 1 }],
      status: 1,
    })) as Thread;
    return { action: 'created', threadId: created.id, truncated, ...note };
  } catch (err) {
    const status = (err as { status?: number }).status;
    const typeKey = (err as { typeKey?: string }).typeKey;
    const message = hide(err instanceof Error ? err.message : String(err));
    const reason =
      status === 403 && typeKey === 'GitPullRequestCommentNotEditableException'
        ? `Azure DevOps refused to edit the comment (403: ${message}): only a comment's author can edit it.`
        : status === 403
          ? `the build identity cannot comment on this pull request (403: ${message}); give it "Contribute to pull requests" on the repository.`
          : status === 401
            ? `Azure DevOps refused the job's access token (401).`
            : status !== undefined
              ? `Azure DevOps answered ${status}: ${message}`
              : `could not reach Azure DevOps: ${message}`;
    return { action: 'skipped', reason };
  }
}
