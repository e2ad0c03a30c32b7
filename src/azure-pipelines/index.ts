/** Entry of the Azure DevOps task bundle (tasks/AksGuardV1/dist/index.js). */
import { run } from '../platform/azure-pipelines.ts';

await run();
