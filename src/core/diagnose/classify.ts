/** Picks the one category an error belongs to, and the code that decided it. */
import { gatherEvidence, isWrapperCode, type DiagnoseInput, type Evidence } from './normalize.ts';
import { RULES, type Rule } from './rules.ts';
import type { Category } from './types.ts';

export interface Classification {
  category: Category;
  /** The code that decided, or the innermost specific code, or '' when there is none. */
  code: string;
  evidence: Evidence;
}

function matches(rule: Rule, e: Evidence): string | boolean {
  const code = rule.codes ? e.codes.find((c) => rule.codes!.test(c)) : undefined;
  const text = rule.text ? rule.text.test(e.text) : false;
  if (rule.requireBoth) return code !== undefined && text ? code : false;
  return code ?? text;
}

/** The innermost code that is not a wrapper (codes are listed outermost first). */
function innermostSpecific(codes: string[]): string {
  const specific = codes.filter((c) => !isWrapperCode(c));
  return specific.at(-1) ?? codes.at(-1) ?? '';
}

export function classifyEvidence(e: Evidence): Classification {
  for (const rule of RULES) {
    const m = matches(rule, e);
    if (m === false) continue;
    return {
      category: rule.category,
      code: typeof m === 'string' ? m : innermostSpecific(e.codes),
      evidence: e,
    };
  }
  return { category: 'unknown', code: innermostSpecific(e.codes), evidence: e };
}

export function classify(input: DiagnoseInput, code?: string): Classification {
  return classifyEvidence(gatherEvidence(input, code));
}
