// Entry of the GitHub Action bundle (dist/index.js).
import { run } from '../platform/github.ts';

await run();
