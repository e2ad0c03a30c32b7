/**
 * Making text from Azure safe in Markdown: names, messages and tags are data, never markup. No
 * formatting, links, HTML, table breaks, @mentions, autolinks or issue references can come out of
 * them, and no invisible bidirectional control can reorder what a reader sees.
 */
// Inline markup: emphasis, code, links and images, tables, strikethrough, footnotes.
const INLINE_SPECIAL = /[\\`*_[\]|~]/g;
// Block markup only counts at the start of a line: headings, lists, quotes, setext underlines.
const BLOCK_START = /^(\s*)(?:(\d{1,9})([.)])(?=\s|$)|([#+\-=]))/;

/** A zero-width space: it breaks a token for the renderer, and the text reads the same. */
const ZWSP = '\u200b';

/**
 * Unicode's bidirectional controls (embeddings, overrides, isolates, the implicit marks, the
 * Arabic letter mark): invisible, and able to make text read differently from what it is
 * ("Trojan Source"). They are shown as `<U+202E>` instead.
 */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** Replaces every bidi control with a visible notation, e.g. `<U+202E>` (not yet escaped). */
function showBidiControls(text: string): string {
  return text.replace(
    BIDI_CONTROLS,
    (c) => `<U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`,
  );
}

/**
 * Breaks what GitHub and Azure DevOps turn into links or references in plain text, with a
 * zero-width space, as for @mentions: `https://…` (any `scheme://`), `www.…`, `#123` issues (and
 * `owner/repo#123`), `GH-123`, and Azure DevOps' `!123` pull requests. E-mail addresses are broken
 * by the space after `@`.
 */
function breakAutolinks(text: string): string {
  return text
    .replace(/@/g, `@${ZWSP}`)
    .replace(/:\/\//g, `:${ZWSP}//`)
    .replace(/(www)\./gi, `$1${ZWSP}.`)
    .replace(/([#!])(?=\d)/g, `$1${ZWSP}`)
    .replace(/\b(gh-)(?=\d)/gi, `$1${ZWSP}`);
}

/** Escapes a string for Markdown text (and table cells): inert, single line, no mentions or links. */
export function md(text: string | number | undefined | null): string {
  if (text === undefined || text === null) return '';
  return breakAutolinks(
    showBidiControls(String(text))
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(INLINE_SPECIAL, (c) => `\\${c}`),
  )
    .split(/\r\n|\r|\n/)
    .map((line) =>
      line.replace(
        BLOCK_START,
        (_: string, space: string, digits?: string, close?: string, marker?: string) =>
          digits !== undefined ? `${space}${digits}\\${close}` : `${space}\\${marker}`,
      ),
    )
    .join('<br>');
}

/**
 * A fenced code block that its content cannot close, whatever backticks it holds. Nothing in a
 * code block is a link or a reference, but bidi controls still reorder it: they are shown as
 * `<U+202E>` (a code block needs no escaping of `<`).
 */
export function codeBlock(content: string, lang = ''): string {
  const shown = showBidiControls(content);
  const longest = Math.max(2, ...[...shown.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  // Mentions are live even in code blocks of PR comments? They are not, but keep them inert anyway.
  return `${fence}${lang}\n${shown.replace(/@/g, `@${ZWSP}`)}\n${fence}`;
}

export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A fence that opens a code block: up to some indentation, then ``` or ~~~ (3 or more). */
const FENCE = /^[ \t]*(`{3,}|~{3,})(.*)$/;

/** What is left open at the end of some Markdown: a fenced code block, <details> elements. */
function openBlocks(text: string): { fence?: string; details: number } {
  let fence: string | undefined;
  let details = 0;
  for (const line of text.split('\n')) {
    const m = FENCE.exec(line.replace(/\r$/, ''));
    if (fence !== undefined) {
      // A closing fence: same character, at least as long, nothing after it but spaces.
      if (m && m[1]![0] === fence[0] && m[1]!.length >= fence.length && m[2]!.trim() === '')
        fence = undefined;
      continue;
    }
    // A backtick fence's info string cannot hold a backtick.
    if (m && !(m[1]![0] === '`' && m[2]!.includes('`'))) {
      fence = m[1]!;
      continue;
    }
    details += (line.match(/<details\b/gi) ?? []).length;
    details -= (line.match(/<\/details\s*>/gi) ?? []).length;
    if (details < 0) details = 0;
  }
  return { ...(fence !== undefined ? { fence } : {}), details };
}

/** The first `max` UTF-16 units of `text`, cut at a line end when one is not too far back. */
function cutAt(text: string, max: number): string {
  if (max <= 0) return '';
  let kept = text.slice(0, max);
  const nl = kept.lastIndexOf('\n');
  if (nl > 0 && nl >= max / 2) {
    kept = kept.slice(0, nl).replace(/\r$/, '');
  } else if (/[\uD800-\uDBFF]$/.test(kept)) {
    // Never split a surrogate pair.
    kept = kept.slice(0, -1);
  }
  return kept;
}

/**
 * A size limit for Markdown: GitHub and Azure DevOps count a comment in characters (UTF-16 code
 * units, as JavaScript does), a job summary file in UTF-8 bytes.
 */
export interface MarkdownLimit {
  max: number;
  unit?: 'chars' | 'bytes';
  /** Said at the end of a body that was cut; gets how much was left out, in the limit's unit. */
  note: (leftOut: number) => string;
}

function sizeIn(unit: MarkdownLimit['unit']): (text: string) => number {
  return unit === 'bytes' ? (text) => Buffer.byteLength(text) : (text) => text.length;
}

/** How many UTF-16 units of `text` fit in `max` of `unit` (never splitting a code point). */
function unitsWithin(text: string, max: number, unit: MarkdownLimit['unit']): number {
  if (unit !== 'bytes') return Math.max(0, Math.min(text.length, max));
  let bytes = 0;
  let i = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes > max) break;
    i += ch.length;
  }
  return i;
}

/**
 * Markdown cut to fit a limit, the one way every report is cut (the job summary, the GitHub and
 * the Azure DevOps pull-request comments): on a line boundary when one is near, never inside a
 * surrogate pair; a fenced code block or <details> left open is closed; the note says so.
 */
export function fitMarkdown(
  body: string,
  limit: MarkdownLimit,
): { body: string; truncated: boolean } {
  const size = sizeIn(limit.unit);
  const total = size(body);
  if (total <= limit.max) return { body, truncated: false };
  let keep = unitsWithin(body, limit.max - size(limit.note(total)), limit.unit);
  while (keep > 0) {
    const kept = cutAt(body, keep);
    const open = openBlocks(kept);
    const closers =
      (open.fence !== undefined ? `\n${open.fence}` : '') + '\n\n</details>'.repeat(open.details);
    const out = kept + closers + limit.note(total - size(kept));
    const over = size(out) - limit.max;
    if (over <= 0) return { body: out, truncated: true };
    // Each UTF-16 unit is at least one unit of either measure: this never keeps too much.
    keep -= over;
  }
  const note = limit.note(total).trimStart();
  return { body: size(note) <= limit.max ? note : '', truncated: true };
}
