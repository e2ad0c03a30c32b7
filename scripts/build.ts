/**
 * `npm run build` and `npm run package:ado`: builds the committed bundles with ncc and writes each
 * target's content stamp, `sources.sha256` (see scripts/lib/bundles.ts).
 *
 *   node scripts/build.ts dist     dist/index.js (the Action) and dist/cli/index.js (the CLI)
 *   node scripts/build.ts task     tasks/AksGuardV1/dist/index.js (the Azure DevOps task)
 */
import { buildTarget, TARGET_NAMES, type TargetName } from './lib/bundles.ts';

const targets = process.argv.slice(2);
const unknown = targets.filter((t) => !(TARGET_NAMES as string[]).includes(t));
if (targets.length === 0 || unknown.length > 0) {
  process.stderr.write(`Usage: node scripts/build.ts ${TARGET_NAMES.join('|')}...\n`);
  process.exit(2);
}
for (const target of targets as TargetName[]) {
  const error = buildTarget(target, false);
  if (error !== undefined) {
    process.stderr.write(`${error}\n`);
    process.exit(1);
  }
}
