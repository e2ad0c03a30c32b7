/**
 * fitMarkdown, the one way a report is cut to a size limit, and its three users: the job summary
 * (UTF-8 bytes), the GitHub comment and the Azure DevOps thread comment (characters, marker
 * included).
 */
import { describe, expect, test } from '@jest/globals';
import { fitMarkdown } from '../../src/core/report/markdown.ts';
import { commentMarker } from '../../src/core/report/marker.ts';
import { fitComment, MAX_COMMENT_CHARS } from '../../src/platform/github-comment.ts';
import {
  fitThreadComment,
  MAX_THREAD_COMMENT_CHARS,
} from '../../src/platform/azure-devops-comment.ts';

describe('fitMarkdown', () => {
  const note = (left: number): string => `\n\n_(cut, ${left} left out)_`;

  test('leaves what fits alone', () => {
    expect(fitMarkdown('abc\n', { max: 4, note })).toEqual({ body: 'abc\n', truncated: false });
  });

  test('counts UTF-8 bytes when asked, and never splits a character', () => {
    const body = `${'é'.repeat(50)}\n`.repeat(100);
    const r = fitMarkdown(body, { max: 1000, unit: 'bytes', note });
    expect(r.truncated).toBe(true);
    expect(Buffer.byteLength(r.body)).toBeLessThanOrEqual(1000);
    expect(Buffer.byteLength(r.body)).toBeGreaterThan(800);
    const [kept] = r.body.split('\n\n_(cut');
    // Cut on a line boundary: every line kept is whole.
    expect(kept!.split('\n').every((l) => l === 'é'.repeat(50))).toBe(true);
    expect(r.body).toMatch(/_\(cut, \d+ left out\)_$/);
  });

  test('closes a code block and <details> that the cut left open', () => {
    const body = `<details><summary>raw</summary>\n\n\`\`\`\`json\n${'{"a": 1}\n'.repeat(500)}\`\`\`\`\n\n</details>\n`;
    const r = fitMarkdown(body, { max: 1000, note });
    expect(r.body.length).toBeLessThanOrEqual(1000);
    expect(r.body).toMatch(/\{"a": 1\}\n````\n\n<\/details>\n\n_\(cut/);
  });
});

describe('the pull-request comments', () => {
  const marker = commentMarker('00000000-0000-0000-0000-000000000000', 'rg', 'aks');
  const table = (rows: number): string =>
    `### Report\n\n| a | b |\n| --- | --- |\n${`| ${'x'.repeat(80)} | y |\n`.repeat(rows)}`;

  test.each([
    ['GitHub', fitComment, MAX_COMMENT_CHARS, /This comment was cut to fit GitHub's limit/],
    [
      'Azure DevOps',
      fitThreadComment,
      MAX_THREAD_COMMENT_CHARS,
      /Cut to fit Azure DevOps’ limit of 150,000 characters/,
    ],
  ] as const)(
    '%s: marker, newline and body fit, cut at a row, with a note',
    (_, fit, max, note) => {
      const body = table(Math.ceil(max / 80));
      const r = fit(marker, body);
      expect(r.truncated).toBe(true);
      expect(marker.length + 1 + r.body.length).toBeLessThanOrEqual(max);
      expect(r.body).toMatch(note);
      const rows = r.body.split('\n').filter((l) => l.startsWith('| x'));
      expect(rows.length).toBeGreaterThan(100);
      expect(rows.every((l) => l === `| ${'x'.repeat(80)} | y |`)).toBe(true);
      expect(fit(marker, 'short')).toEqual({ body: 'short', truncated: false });
    },
  );
});
