/**
 * The sticky pull-request comment on Azure Repos: one thread per cluster, found again by a hidden
 * marker in its first comment and updated in place, never duplicated. Through the Azure DevOps
 * REST API (pull-request threads, api-version 7.1) with the job's access token. The official
 * azure-devops-node-api client discovers routes through the location service first; for three
 * documented calls a direct request is simpler and needs no discovery round trip.
 * A comment never fails the run: every problem comes back as a reason to log.
 */

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
  | { action: 'created' | 'updated'; threadId: number; truncated: boolean }
  | { action: 'skipped'; reason: string };

interface Thread {
  id: number;
  isDeleted?: boolean;
  comments?: { id: number; content?: string; isDeleted?: boolean }[];
}

/** Cuts a body to fit, closing an open code fence and saying so. */
export function fitThreadComment(body: string): { body: string; truncated: boolean } {
  if (body.length <= MAX_THREAD_COMMENT_CHARS) return { body, truncated: false };
  const note = '\n\n_(Cut to fit Azure DevOps’ comment limit; the build summary has everything.)_';
  let kept = body.slice(0, MAX_THREAD_COMMENT_CHARS - note.length - 10);
  const newline = kept.lastIndexOf('\n');
  if (newline > kept.length / 2) kept = kept.slice(0, newline);
  const fences = (kept.match(/^```/gm) ?? []).length;
  return { body: `${kept}${fences % 2 ? '\n```' : ''}${note}`, truncated: true };
}

export async function upsertThreadComment(o: {
  pr: PullRequestRef;
  accessToken: string;
  marker: string;
  body: string;
}): Promise<ThreadResult> {
  const base = `${o.pr.collectionUri}${encodeURIComponent(o.pr.project)}/_apis/git/repositories/${encodeURIComponent(o.pr.repositoryId)}/pullRequests/${o.pr.pullRequestId}/threads`;
  const hide = (text: string): string =>
    o.accessToken ? text.split(o.accessToken).join('***') : text;
  const call = async (method: string, url: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${url}${url.includes('?') ? '&' : '?'}api-version=7.1`, {
      method,
      headers: {
        Authorization: `Bearer ${o.accessToken}`,
        Accept: 'application/json',
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    if (!res.ok) {
      let message = text.slice(0, 300);
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch {
        // not JSON: keep the text
      }
      throw Object.assign(new Error(hide(message.split(/\r?\n/)[0]!)), { status: res.status });
    }
    return text ? (JSON.parse(text) as unknown) : undefined;
  };
  if (!o.accessToken)
    return {
      action: 'skipped',
      reason:
        'the job has no access token (System.AccessToken), so it cannot write pull-request comments.',
    };
  const { body, truncated } = fitThreadComment(`${o.marker}\n${o.body}`);
  try {
    const list = (await call('GET', base)) as { value?: Thread[] };
    const existing = (list.value ?? []).find(
      (t) =>
        !t.isDeleted &&
        t.comments?.[0] &&
        !t.comments[0].isDeleted &&
        t.comments[0].content?.includes(o.marker),
    );
    if (existing) {
      await call('PATCH', `${base}/${existing.id}/comments/${existing.comments![0]!.id}`, {
        content: body,
      });
      return { action: 'updated', threadId: existing.id, truncated };
    }
    const created = (await call('POST', base, {
      comments: [{ parentCommentId: 0, content: body, commentType: 1 }],
      status: 1,
    })) as Thread;
    return { action: 'created', threadId: created.id, truncated };
  } catch (err) {
    const status = (err as { status?: number }).status;
    const message = hide(err instanceof Error ? err.message : String(err));
    const reason =
      status === 403
        ? `the build identity cannot comment on this pull request (403: ${message}); give it "Contribute to pull requests" on the repository.`
        : status === 401
          ? `Azure DevOps refused the job's access token (401).`
          : status !== undefined
            ? `Azure DevOps answered ${status}: ${message}`
            : `could not reach Azure DevOps: ${message}`;
    return { action: 'skipped', reason };
  }
}
