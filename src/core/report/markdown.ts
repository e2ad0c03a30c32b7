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
