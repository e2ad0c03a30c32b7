/**
 * One table of inputs and how each front door names them: the Action's input (action.yml), the
 * Azure DevOps task's input (task.json), the CLI's flag. Settings read inputs by the Action's
 * name; every text that leaves a front door (messages, the summary, remediation steps) names
 * inputs as that front door does, through respellInputs.
 */

/** The three front doors. */
export type FrontDoor = 'action' | 'task' | 'cli';

export interface InputSpec {
  /** The Action's name (kebab-case), which is also the core's. */
  readonly name: string;
  /**
   * The task's input, when the task has it. Absent: on Azure DevOps the value comes from the
   * service connection (`azureSubscription`) or the job itself (its access token).
   */
  readonly task?: string;
  /** Never echoed: masked the moment it is read. */
  readonly secret?: boolean;
}

export const INPUTS = [
  { name: 'operation', task: 'operation' },
  { name: 'subscription-id' },
  { name: 'resource-group', task: 'resourceGroup' },
  { name: 'cluster-name', task: 'clusterName' },
  { name: 'kubernetes-version', task: 'kubernetesVersion' },
  { name: 'control-plane-only', task: 'controlPlaneOnly' },
  { name: 'node-pool', task: 'nodePool' },
  { name: 'node-count', task: 'nodeCount' },
  { name: 'command', task: 'command' },
  { name: 'files', task: 'files' },
  { name: 'on-pending', task: 'onPending' },
  { name: 'wait-timeout', task: 'waitTimeout' },
  { name: 'abort-after', task: 'abortAfter' },
  { name: 'on-failed', task: 'onFailed' },
  { name: 'operation-timeout', task: 'operationTimeout' },
  { name: 'on-timeout', task: 'onTimeout' },
  { name: 'on-cancel', task: 'onCancel' },
  { name: 'dry-run', task: 'dryRun' },
  { name: 'comment-on-pr', task: 'commentOnPullRequest' },
  { name: 'github-token', secret: true },
  { name: 'auth-type' },
  { name: 'client-id' },
  { name: 'tenant-id' },
  { name: 'client-secret', secret: true },
  { name: 'environment' },
  { name: 'arm-endpoint' },
  { name: 'authority-host' },
] as const satisfies readonly InputSpec[];

export type InputName = (typeof INPUTS)[number]['name'];

/** Every input, by its Action (and core) name. */
export const INPUT_NAMES: readonly InputName[] = INPUTS.map((i) => i.name);

/** Inputs whose values are secrets. */
export const SECRET_INPUTS: readonly string[] = INPUTS.filter(
  (i: InputSpec) => i.secret === true,
).map((i) => i.name);

const BY_NAME: ReadonlyMap<string, InputSpec> = new Map(INPUTS.map((i) => [i.name, i]));

export function inputSpec(name: string): InputSpec | undefined {
  return BY_NAME.get(name);
}

/** kebab-case to camelCase: `on-pending` → `onPending` (output variables, connection fields). */
export function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The CLI's flag for an input: `--on-pending`. */
export function cliFlag(name: string): string {
  return `--${name}`;
}

/** How a front door's users write an input's name, and an input set to a value. */
export interface Spelling {
  readonly frontDoor: FrontDoor;
  /** `on-pending`, `onPending`, `--on-pending`; a name that is no input comes back unchanged. */
  name(input: string): string;
  /** `on-pending: wait` (workflow YAML), `onPending: wait` (pipeline YAML), `--on-pending wait`. */
  setting(input: string, value: string): string;
}

const isInput = (name: string): boolean => BY_NAME.has(name);

export const SPELLINGS: Readonly<Record<FrontDoor, Spelling>> = {
  action: {
    frontDoor: 'action',
    name: (input) => input,
    setting: (input, value) => `${input}: ${value}`,
  },
  task: {
    frontDoor: 'task',
    // An input the task does not have (it comes from the service connection) keeps the core's
    // field name in camelCase, as the task's YAML would spell it.
    name: (input) => (isInput(input) ? (BY_NAME.get(input)!.task ?? camelCase(input)) : input),
    setting: (input, value) => `${SPELLINGS.task.name(input)}: ${value}`,
  },
  cli: {
    frontDoor: 'cli',
    name: (input) => (isInput(input) ? cliFlag(input) : input),
    setting: (input, value) =>
      isInput(input) ? `${cliFlag(input)} ${value}` : `${input}: ${value}`,
  },
};

/** A spelling from a bare renaming function (the name form; settings as `name: value`). */
function asSpelling(spell: Spelling | ((input: string) => string)): Spelling {
  if (typeof spell !== 'function') return spell;
  return {
    frontDoor: 'action',
    name: (input) => (isInput(input) ? spell(input) : input),
    setting: (input, value) => `${isInput(input) ? spell(input) : input}: ${value}`,
  };
}

const ALL: readonly string[] = [...INPUT_NAMES].sort((a, b) => b.length - a.length);
const HYPHENATED = ALL.filter((n) => n.includes('-'));
const alternation = (names: readonly string[]): string =>
  names.map((n) => n.replace(/-/g, '\\-')).join('|');
/**
 * A name is a whole word of running text: not part of `aks-dry-run`, `--node-count`, a path
 * (`/work/dry-run/x`, `dry-run.yaml`), `key=dry-run` or `$on-pending`.
 */
const BEFORE = '(?<![-\\w/\\\\.=$@])';
const AFTER = '(?![-\\w/\\\\=@]|\\.\\w)';
/** `name: value` inside a code span: the whole span, any input (`operation: scale` too). */
const CODE_SETTING = new RegExp(`^(${alternation(ALL)}): (\\S(?:.*\\S)?)$`);
/** `on-failed: reconcile` in running text: hyphenated inputs only, a single-word value. */
const TEXT_SETTING = new RegExp(
  `${BEFORE}(${alternation(HYPHENATED)}): ([\\w.][\\w.-]*(?<![.]))(?![-\\w])`,
  'g',
);
const TEXT_NAME = new RegExp(`${BEFORE}(${alternation(HYPHENATED)})${AFTER}`, 'g');
/** Code spans, double-quoted strings (with escapes), and the running text between them. */
const PARTS = /`[^`\n]+`|"(?:[^"\\\n]|\\.)*"|[^`"]+|[`"]/g;

/**
 * Text with the inputs it mentions spelled as a front door names them: `onPending` for the task,
 * `--on-pending` for the CLI; `on-pending: wait` as `onPending: wait` or `--on-pending wait`.
 * Only names are renamed, never values or commands:
 * - running text: hyphenated input names as whole words (`aks-dry-run`, `--node-count` stay);
 * - "quoted" text is a value ("rg-dry-run", a path), unless it is exactly an input's name;
 * - `code` is a command (`az aks nodepool scale --node-count 3` stays), unless it is exactly an
 *   input's name or `name: value`.
 */
export function respellInputs(text: string, spell: Spelling | ((input: string) => string)): string {
  const s = asSpelling(spell);
  if (s === SPELLINGS.action) return text;
  return text.replace(PARTS, (part) => {
    if (part.length > 1 && part.startsWith('`')) {
      const inner = part.slice(1, -1);
      if (isInput(inner)) return `\`${s.name(inner)}\``;
      const m = CODE_SETTING.exec(inner);
      return m ? `\`${s.setting(m[1]!, m[2]!)}\`` : part;
    }
    if (part.length > 1 && part.startsWith('"')) {
      const inner = part.slice(1, -1);
      return HYPHENATED.includes(inner) ? `"${s.name(inner)}"` : part;
    }
    return part
      .replace(TEXT_SETTING, (_, name: string, value: string) => s.setting(name, value))
      .replace(TEXT_NAME, (name: string) => s.name(name));
  });
}
