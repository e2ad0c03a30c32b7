/**
 * Every input, parsed and validated in one place before any network call. A bad input gets an
 * error that names it, shows the bad value and says what is allowed; all problems are reported
 * together so a workflow author fixes them in one go.
 */
export * from './settings/model.ts';
export { parseSettings, type ParsedSettings } from './settings/parse.ts';
