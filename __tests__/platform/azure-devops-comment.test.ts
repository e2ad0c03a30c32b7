/**
 * The sticky pull-request thread against the simulator's Azure DevOps: created once, updated in
 * place, one per cluster. Only the build's own threads count: the first comment's author is the
 * identity the access token stands for (`_apis/connectionData`) and its content opens with the
 * marker. Someone else's thread that carries the marker is never edited (Azure DevOps would refuse
 * with 403, which is no permission problem of the build).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Simulator } from '../../src/simulator/index.ts';
import { FAST, simulator } from '../helpers/simulator.ts';
import { commentMarker } from '../../src/core/report/marker.ts';
import {
  upsertThreadComment,
  type PullRequestRef,
} from '../../src/platform/azure-devops-comment.ts';

const SUB = '00000000-0000-0000-0000-00000000AAAA';
const MARKER = commentMarker(SUB, 'rg-demo', 'aks-demo');
const OTHER_MARKER = commentMarker(SUB, 'rg-demo', 'aks-other');
/** Pull requests with threads already there, one per test that needs them. */
const HIJACKED = 101;
const QUOTED = 102;

let sim: Simulator;
beforeAll(async () => {
  sim = await simulator('idle', {
    ...FAST,
    azureDevOps: {
      pullRequestId: 42,
      threads: [
        // A reviewer pasted the marker at the very start, as the build would put it.
        {
          pullRequestId: HIJACKED,
          author: 'Megan Bowen',
          content: `${MARKER}\nLooks fine to me, merge it.`,
        },
        // A reviewer quoting the build's comment, marker and all, further down.
        {
          pullRequestId: QUOTED,
          author: 'Adele Vance',
          content: `Why did this fail?\n\n> ${MARKER}\n> Diagnosis: …`,
        },
      ],
    },
  });
});
afterAll(() => sim.stop());

function pr(pullRequestId = 42): PullRequestRef {
  const a = sim.azureDevOps;
  return {
    collectionUri: a.collectionUri,
    project: a.projectId,
    repositoryId: a.repositoryId,
    pullRequestId,
  };
}

function threadsOn(pullRequestId: number): { id: number; author: string; content: string }[] {
  return sim.azureDevOps.threads
    .filter((t) => t.pullRequestId === pullRequestId)
    .map((t) => ({
      id: t.id,
      author: t.comments[0]!.author.displayName,
      content: t.comments[0]!.content,
    }));
}

const BUILD = 'Project Collection Build Service (contoso)';

describe('_apis/connectionData on the simulated Azure DevOps', () => {
  const get = async (
    query: string,
    token: string | null = sim.azureDevOps.accessToken,
    path = '_apis/connectionData',
  ): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`${sim.azureDevOps.collectionUri}${path}${query}`, {
      headers: {
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        'X-TFS-FedAuthRedirect': 'Suppress',
      },
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // HTML
    }
    return { status: res.status, body };
  };

  test('names the build identity the access token stands for', async () => {
    const since = sim.log.lastSeq;
    const r = await get('?api-version=7.1-preview.1');
    expect(r.status).toBe(200);
    const identity = {
      id: sim.azureDevOps.buildIdentity.id,
      descriptor: expect.stringMatching(/^Microsoft\.TeamFoundation\.ServiceIdentity;/),
      subjectDescriptor: expect.stringMatching(/^svc\./),
      providerDisplayName: BUILD,
      isActive: true,
      properties: expect.any(Object),
    };
    expect(r.body).toEqual({
      authenticatedUser: expect.objectContaining(identity),
      authorizedUser: expect.objectContaining(identity),
      instanceId: sim.azureDevOps.organizationId,
      deploymentId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      deploymentType: 'hosted',
      locationServiceData: expect.objectContaining({ serviceOwner: expect.any(String) }),
    });
    expect(sim.log.list(since).map((e) => [e.operation, e.status])).toEqual([
      ['AzureDevOps_ConnectionData', 200],
    ]);
    // The same identity as the author of the build's comments, descriptor included.
    const made = await upsertThreadComment({
      pr: pr(43),
      accessToken: sim.azureDevOps.accessToken,
      marker: MARKER,
      body: 'x',
    });
    expect(made.action).toBe('created');
    const res = await fetch(`${sim.azureDevOps.threadsUri(true, 43)}?api-version=7.1`, {
      headers: { Authorization: `Bearer ${sim.azureDevOps.accessToken}` },
    });
    const author = ((await res.json()) as { value: { comments: { author: unknown }[] }[] })
      .value[0]!.comments[0]!.author as Record<string, unknown>;
    const me = (r.body as { authenticatedUser: Record<string, unknown> }).authenticatedUser;
    expect([author.id, author.descriptor, author.displayName]).toEqual([
      me.id,
      me.subjectDescriptor,
      me.providerDisplayName,
    ]);
  });

  test('takes no api-version or a preview one; a released version gets 400; the read-only token works too', async () => {
    expect((await get('')).status).toBe(200);
    expect((await get('?api-version=5.0-preview')).status).toBe(200);
    const released = await get('?api-version=7.1');
    expect(released).toEqual({
      status: 400,
      body: expect.objectContaining({
        $id: '1',
        typeKey: 'VssInvalidPreviewVersionException',
        message: expect.stringContaining('-preview'),
      }),
    });
    const read = await get('?api-version=7.1-preview.1', sim.azureDevOps.readToken);
    expect(read.status).toBe(200);
    expect((read.body as { authenticatedUser: { id: string } }).authenticatedUser.id).toBe(
      sim.azureDevOps.buildIdentity.id,
    );
  });

  test('without a valid token: 401 (with X-TFS-FedAuthRedirect: Suppress); under a project: 404', async () => {
    expect((await get('?api-version=7.1-preview.1', 'wrong')).status).toBe(401);
    expect((await get('?api-version=7.1-preview.1', null)).status).toBe(401);
    const underProject = await get(
      '?api-version=7.1-preview.1',
      sim.azureDevOps.accessToken,
      `${sim.azureDevOps.project}/_apis/connectionData`,
    );
    expect(underProject.status).toBe(404);
  });
});

describe('upsertThreadComment against the simulated Azure DevOps', () => {
  test("the first run creates the build's thread; the next updates it in place", async () => {
    const since = sim.log.lastSeq;
    const o = { pr: pr(), accessToken: sim.azureDevOps.accessToken, marker: MARKER };
    const first = await upsertThreadComment({ ...o, body: 'first run' });
    expect(first).toEqual({ action: 'created', threadId: expect.any(Number), truncated: false });
    if (first.action === 'skipped') throw new Error(first.reason);
    const second = await upsertThreadComment({ ...o, body: 'second run' });
    expect(second).toEqual({ action: 'updated', threadId: first.threadId, truncated: false });
    expect(threadsOn(42)).toEqual([
      { id: first.threadId, author: BUILD, content: `${MARKER}\nsecond run` },
    ]);
    expect(sim.log.list(since).map((e) => e.operation)).toEqual([
      'AzureDevOps_ConnectionData',
      'AzureDevOps_ListThreads',
      'AzureDevOps_CreateThread',
      'AzureDevOps_ConnectionData',
      'AzureDevOps_ListThreads',
      'AzureDevOps_UpdateComment',
    ]);
  });

  test("someone else's thread that carries the marker is not edited (no 403, no permission blamed): the build gets its own", async () => {
    const hers = threadsOn(HIJACKED);
    expect(hers).toEqual([
      { id: expect.any(Number), author: 'Megan Bowen', content: expect.stringMatching(/^<!--/) },
    ]);
    const since = sim.log.lastSeq;
    const o = { pr: pr(HIJACKED), accessToken: sim.azureDevOps.accessToken, marker: MARKER };
    const r = await upsertThreadComment({ ...o, body: 'the report' });
    expect(r).toEqual({
      action: 'created',
      threadId: expect.any(Number),
      truncated: false,
      note: `thread ${hers[0]!.id} by Megan Bowen carries this cluster's aks-guard marker but was not written by ${BUILD}, the identity this build comments as, so it was left alone`,
    });
    if (r.action === 'skipped') throw new Error(r.reason);
    const log = sim.log.list(since);
    expect(log.map((e) => [e.operation, e.status])).toEqual([
      ['AzureDevOps_ConnectionData', 200],
      ['AzureDevOps_ListThreads', 200],
      ['AzureDevOps_CreateThread', 200],
    ]);
    // The next run updates the build's own thread, still leaving hers alone.
    const again = await upsertThreadComment({ ...o, body: 'again' });
    expect(again).toMatchObject({ action: 'updated', threadId: r.threadId });
    expect(sim.log.list(since).some((e) => e.status === 403)).toBe(false);
    expect(threadsOn(HIJACKED)).toEqual([
      hers[0],
      { id: r.threadId, author: BUILD, content: `${MARKER}\nagain` },
    ]);
  });

  test('a thread that only quotes the marker further down is nobody’s sticky thread', async () => {
    const r = await upsertThreadComment({
      pr: pr(QUOTED),
      accessToken: sim.azureDevOps.accessToken,
      marker: MARKER,
      body: 'the report',
    });
    expect(r).toMatchObject({ action: 'created', note: expect.stringContaining('Adele Vance') });
    expect(threadsOn(QUOTED).map((t) => t.author)).toEqual(['Adele Vance', BUILD]);
    expect(threadsOn(QUOTED)[0]!.content).toMatch(/^Why did this fail\?/);
  });

  test("the build's own thread for another cluster, quoting this cluster's marker (an Azure message), is not taken for this cluster's", async () => {
    const o = { pr: pr(44), accessToken: sim.azureDevOps.accessToken };
    const other = await upsertThreadComment({
      ...o,
      marker: OTHER_MARKER,
      body: `### aks-other\n\n\`\`\`\n{"message": "see ${MARKER} for details"}\n\`\`\``,
    });
    expect(other.action).toBe('created');
    if (other.action === 'skipped') throw new Error(other.reason);
    const mine = await upsertThreadComment({ ...o, marker: MARKER, body: 'aks-demo report' });
    expect(mine).toEqual({ action: 'created', threadId: expect.any(Number), truncated: false });
    if (mine.action === 'skipped') throw new Error(mine.reason);
    expect(mine.threadId).not.toBe(other.threadId);
    expect(threadsOn(44).map((t) => t.content)).toEqual([
      `${OTHER_MARKER}\n### aks-other\n\n\`\`\`\n{"message": "see ${MARKER} for details"}\n\`\`\``,
      `${MARKER}\naks-demo report`,
    ]);
    // And each is updated in place from then on.
    expect(await upsertThreadComment({ ...o, marker: MARKER, body: 'again' })).toMatchObject({
      action: 'updated',
      threadId: mine.threadId,
    });
    expect(await upsertThreadComment({ ...o, marker: OTHER_MARKER, body: 'again' })).toMatchObject({
      action: 'updated',
      threadId: other.threadId,
    });
  });

  test('a read-only token is refused when writing, and that is a permission problem; a wrong token is refused (401)', async () => {
    const read = await upsertThreadComment({
      pr: pr(45),
      accessToken: sim.azureDevOps.readToken,
      marker: MARKER,
      body: 'x',
    });
    expect(read).toEqual({
      action: 'skipped',
      reason: expect.stringMatching(/403: TF401027.*Contribute to pull requests/),
    });
    const wrong = await upsertThreadComment({
      pr: pr(45),
      accessToken: 'not-a-token',
      marker: MARKER,
      body: 'x',
    });
    expect(wrong).toEqual({
      action: 'skipped',
      reason: expect.stringMatching(/refused .*\(401\)/),
    });
    expect(threadsOn(45)).toEqual([]);
  });
});
