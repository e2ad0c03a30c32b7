/**
 * A diagnosis as Markdown: the category's title, what happened, the facts, numbered remediation
 * steps, links, and the raw error folded away. Everything that came from Azure is escaped; the
 * catalog's own commands are shown as code.
 */
import type { Diagnosis } from '../diagnose/types.ts';
import { codeBlock, md, table } from './markdown.ts';

/** Catalog steps mark commands with backticks; render those as code spans, the rest as text. */
export function stepMarkdown(step: string): string {
  return step
    .split(/(`[^`]+`)/)
    .map((part) =>
      part.startsWith('`') && part.endsWith('`') && part.length > 2
        ? inlineCode(part.slice(1, -1))
        : md(part),
    )
    .join('');
}

/** An inline code span its content cannot close. */
function inlineCode(text: string): string {
  const clean = text.replace(/\r?\n/g, ' ').replace(/@/g, '@\u200b');
  const longest = Math.max(0, ...[...clean.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = clean.startsWith('`') || clean.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${clean}${pad}${fence}`;
}

export interface DiagnosisMarkdownOptions {
  /** Heading level of the section title (default 3). */
  level?: number;
  /** The raw error, shown folded in a <details> block. */
  raw?: string;
}

export function diagnosisMarkdown(d: Diagnosis, o: DiagnosisMarkdownOptions = {}): string {
  const h = '#'.repeat(o.level ?? 3);
  const parts = [
    `${h} Diagnosis: ${md(d.title)}`,
    `**${md(d.category)}**${d.code ? ` (\`${d.code.replace(/`/g, '')}\`)` : ''}${d.retryable ? ' · transient: waiting or retrying can help' : ''}`,
    md(d.summary),
  ];
  const facts = Object.entries(d.facts);
  if (facts.length > 0)
    parts.push(
      table(
        ['fact', 'value'],
        facts.map(([k, v]) => [md(k), md(v)]),
      ),
    );
  if (d.remediation.length > 0)
    parts.push(
      `**How to fix it**\n\n${d.remediation.map((s, i) => `${i + 1}. ${stepMarkdown(s)}`).join('\n')}`,
    );
  if (d.docs.length > 0)
    parts.push(`**Docs:** ${d.docs.map((u) => `<${u.replace(/[<>\s]/g, '')}>`).join(' · ')}`);
  if (o.raw)
    parts.push(
      `<details><summary>The error as Azure returned it</summary>\n\n${codeBlock(o.raw.length > 30000 ? `${o.raw.slice(0, 30000)}\n… (cut)` : o.raw)}\n\n</details>`,
    );
  return parts.join('\n\n');
}

/** Plain text for terminals: the same content without Markdown. */
export function diagnosisText(d: Diagnosis): string {
  const lines = [
    `${d.title} [${d.category}${d.code ? `, ${d.code}` : ''}]${d.retryable ? ' (transient)' : ''}`,
    d.summary,
  ];
  const facts = Object.entries(d.facts);
  if (facts.length) lines.push('', ...facts.map(([k, v]) => `  ${k}: ${v}`));
  if (d.remediation.length)
    lines.push('', 'How to fix it:', ...d.remediation.map((s, i) => `  ${i + 1}. ${s}`));
  if (d.docs.length) lines.push('', 'Docs:', ...d.docs.map((u) => `  ${u}`));
  return lines.join('\n');
}
