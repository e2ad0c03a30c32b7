/**
 * The commands a runner would execute from a step's output, read the way each runner reads them,
 * so tests can assert that text from Azure never became one.
 *
 * GitHub (actions/runner, ActionCommand.TryParseV2 / TryParse and ActionCommandManager): per line,
 * first `::name props::data` after leading whitespace, else the v1 form `##[name props]data` at its
 * first occurrence anywhere in the line; only registered names count; `stop-commands` pauses
 * everything until a line that is the `::TOKEN::` command.
 * Azure Pipelines agent: `##vso[area.event props]data` at its first occurrence anywhere in a line.
 */

const GITHUB_COMMANDS = new Set([
  'add-mask',
  'add-matcher',
  'add-path',
  'debug',
  'echo',
  'endgroup',
  'error',
  'group',
  'notice',
  'remove-matcher',
  'save-state',
  'set-env',
  'set-output',
  'stop-commands',
  'warning',
]);

export interface RunnerCommand {
  name: string;
  props: string;
  data: string;
  line: string;
}

function parseGithubLine(line: string, registered: Set<string>): RunnerCommand | undefined {
  const trimmed = line.trimStart();
  if (trimmed.startsWith('::')) {
    const end = trimmed.indexOf('::', 2);
    if (end >= 0) {
      const info = trimmed.slice(2, end);
      const space = info.indexOf(' ');
      const name = space < 0 ? info : info.slice(0, space);
      if (registered.has(name.toLowerCase()))
        return {
          name,
          props: space < 0 ? '' : info.slice(space + 1),
          data: trimmed.slice(end + 2),
          line,
        };
    }
  }
  const at = line.indexOf('##[');
  if (at < 0) return undefined;
  const rb = line.indexOf(']', at);
  if (rb < 0) return undefined;
  const info = line.slice(at + 3, rb);
  const space = info.indexOf(' ');
  const name = space < 0 ? info : info.slice(0, space);
  if (!registered.has(name.toLowerCase())) return undefined;
  return { name, props: space < 0 ? '' : info.slice(space + 1), data: line.slice(rb + 1), line };
}

/** The workflow commands GitHub's runner would execute from this output, in order. */
export function githubCommands(stdout: string): RunnerCommand[] {
  const registered = new Set(GITHUB_COMMANDS);
  let stopToken: string | undefined;
  const out: RunnerCommand[] = [];
  for (const raw of stdout.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const cmd = parseGithubLine(line, registered);
    if (!cmd) continue;
    if (stopToken !== undefined) {
      if (cmd.name.toLowerCase() === stopToken.toLowerCase()) {
        registered.delete(stopToken.toLowerCase());
        stopToken = undefined;
      }
      continue;
    }
    if (cmd.name.toLowerCase() === 'stop-commands') {
      stopToken = cmd.data;
      registered.add(stopToken.toLowerCase());
    }
    out.push(cmd);
  }
  return out;
}

/** The logging commands the Azure Pipelines agent would execute from this output, in order. */
export function agentCommands(stdout: string): RunnerCommand[] {
  const out: RunnerCommand[] = [];
  for (const raw of stdout.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const at = line.toLowerCase().indexOf('##vso[');
    if (at < 0) continue;
    const rb = line.indexOf(']', at);
    if (rb < 0) continue;
    const info = line.slice(at + 6, rb);
    const space = info.indexOf(' ');
    out.push({
      name: space < 0 ? info : info.slice(0, space),
      props: space < 0 ? '' : info.slice(space + 1),
      data: line.slice(rb + 1),
      line,
    });
  }
  return out;
}
