/**
 * One redaction for everything a run lets out of the process: log lines, the summary, the PR
 * comment, outputs and annotations. It removes every secret the run has been told about (tokens,
 * assertions, client secrets, certificate keys, the job's access token) and anything shaped like a
 * credential even when nobody registered it: an SDK error that serialises its request carries an
 * `Authorization` header, a URL can carry `user:pass@`, a form body `client_secret=`.
 *
 * Hand-written on purpose: the runners' own masking (GitHub's add-mask, Azure DevOps' setsecret)
 * covers only the live log, not files such as the summary attachment or a PR thread, and no
 * library offers masking of known values plus credential shapes for these places.
 */

export const REDACTED = '***';

/** Shorter values would blank out ordinary words; the runners use similar floors. */
const MIN_SECRET_LENGTH = 6;

/** Credential shapes, whoever produced them; each replacement keeps the name, drops the value. */
const SHAPES: [RegExp, string][] = [
  // PEM private keys, whole.
  [
    /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
    `-----BEGIN $1PRIVATE KEY-----${REDACTED}-----END $1PRIVATE KEY-----`,
  ],
  // Authorization-like headers, in HTTP, JSON or key=value form (`"authorization":"Bearer …"`).
  [
    /\b((?:proxy-)?authorization|x-ms-authorization-auxiliary|x-tfs-session|cookie|set-cookie)(\\?["']?\s*[:=]\s*\\?["']?)(?:(?:bearer|basic|pop|negotiate|token)\s+)?[^\s"'\\,;}]+/gi,
    `$1$2${REDACTED}`,
  ],
  [/\b(bearer|basic)\s+[A-Za-z0-9\-._~+/]{8,}=*/gi, `$1 ${REDACTED}`],
  // JSON Web Tokens (access tokens, OIDC assertions) wherever they appear.
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, REDACTED],
  // GitHub tokens.
  [/\bgh[pousr]_[A-Za-z0-9_]{20,}\b/g, REDACTED],
  // user:password@ in URLs.
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^/\s:@"']+:[^/\s@"']+@/gi, `$1${REDACTED}@`],
  // Secrets in form bodies and query strings.
  [
    /\b(client_secret|client_assertion|assertion|refresh_token|access_token|id_token|password|sig)=([^&\s"']+)/gi,
    `$1=${REDACTED}`,
  ],
  // Secrets as JSON properties.
  [
    /(\\?")(client_?secret|access_?token|refresh_?token|id_?token|oidc_?token|password|secret|token|client_?assertion)(\\?"\s*:\s*\\?")(?:[^"\\]|\\.)*(\\?")/gi,
    `$1$2$3${REDACTED}$4`,
  ],
];

export class Secrets {
  private readonly values = new Set<string>();
  /** Longest first, so a secret that contains another is removed whole. */
  private sorted: string[] = [];

  /** Registers a secret and the forms it takes inside JSON, URLs and multi-line values. */
  add(secret: string | undefined): void {
    if (!secret) return;
    const forms = new Set<string>([secret, secret.trim()]);
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(encodeURIComponent(secret));
    // A PEM or other multi-line secret: every substantial line on its own too.
    for (const line of secret.split(/\r?\n/).map((l) => l.trim()))
      if (!line.startsWith('-----')) forms.add(line);
    let changed = false;
    for (const f of forms) {
      if (f.length < MIN_SECRET_LENGTH || this.values.has(f)) continue;
      this.values.add(f);
      changed = true;
    }
    if (changed) this.sorted = [...this.values].sort((a, b) => b.length - a.length);
  }

  /** The known values (for a runner's own masking, e.g. add-mask). */
  list(): string[] {
    return [...this.sorted];
  }

  redact(text: string): string {
    let out = text;
    for (const v of this.sorted) if (out.includes(v)) out = out.split(v).join(REDACTED);
    for (const [pattern, replacement] of SHAPES) out = out.replace(pattern, replacement);
    return out;
  }

  /** Redacts every string inside a plain value (an outcome, an error, outputs), keeping its shape. */
  redactDeep<T>(value: T): T {
    return walk(value, (s) => this.redact(s)) as T;
  }
}

function walk(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, f));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, f)]));
  }
  return value;
}
