import { fileURLToPath } from 'node:url';

/** The entry of the workflow code the bundler starts from. */
export const WORKFLOWS_PATH = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));
/** Where `npm run build -w @sapa/workflows` writes the prebuilt workflow bundle. */
export const WORKFLOW_BUNDLE_PATH = fileURLToPath(new URL('../dist/workflow-bundle.js', import.meta.url));
