/**
 * Durations as inputs give them: `90s`, `30m`, `1h`, `1h30m`, `1h30m15s` (each unit at most once,
 * largest first: d, h, m, s), or plain seconds.
 */
const NUMBER = '(\\d+(?:\\.\\d+)?)';
const DURATION = new RegExp(`^(?:${NUMBER}d)?(?:${NUMBER}h)?(?:${NUMBER}m)?(?:${NUMBER}s)?$`);
const UNIT_SECONDS = [86400, 3600, 60, 1];

/** The forms parseDuration reads, for error messages. */
export const DURATION_FORMS =
  '"90s", "30m", "1h", "1h30m" or "1h30m15s" (each of d, h, m, s at most once, in that order), or a number of seconds';

/** Seconds for a duration text, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const m = t === '' ? null : DURATION.exec(t);
  if (!m) return undefined;
  return UNIT_SECONDS.reduce((total, unit, i) => total + Number(m[i + 1] ?? 0) * unit, 0);
}

/** A short human form: 45s, 12m 5s, 1h 30m. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
  return rest > 0 ? `${m}m ${rest}s` : `${m}m`;
}
