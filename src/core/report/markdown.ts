/**
 * Making text from Azure safe in Markdown: names, messages and tags are data, never markup. No
 * formatting, links, HTML, table breaks or @mentions can come out of them.
 */
// Inline markup: emphasis, code, links and images, tables, strikethrough, footnotes.
const INLINE_SPECIAL = /[\\`*_[\]|~]/g;
// Block markup only counts at the start of a line: headings, lists, quotes, setext underlines.
const BLOCK_START = /^(\s*)(?:(\d{1,9})([.)])(?=\s|$)|([#+\-=]))/;

/** Escapes a string for Markdown text (and table cells): inert, single line, no mentions. */
export function md(text: string | number | undefined | null): string {
  if (text === undefined || text === null) return '';
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(INLINE_SPECIAL, (c) => `\\${c}`)
    .replace(/@/g, '@\u200b')
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

/** A fenced code block that its content cannot close, whatever backticks it holds. */
export function codeBlock(content: string, lang = ''): string {
  const longest = Math.max(2, ...[...content.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  // Mentions are live even in code blocks of PR comments? They are not, but keep them inert anyway.
  return `${fence}${lang}\n${content.replace(/@/g, '@\u200b')}\n${fence}`;
}

export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
