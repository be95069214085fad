/**
 * Node side: bundles the widget into the single script the gateway serves at GET /widget.js.
 * In memory, once at gateway start; the source is TypeScript, so nothing is prebuilt or committed.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ENTRY = fileURLToPath(new URL('./index.ts', import.meta.url));

export async function buildWidgetScript(): Promise<string> {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    // Old Android WebViews and in-app browsers are a real share of Indonesian mobile traffic.
    target: 'es2019',
    minify: true,
    legalComments: 'none',
    // ASCII-only output (esbuild's default charset): a classic script is decoded with the host
    // page's encoding when the response has no charset, and not every shop site is UTF-8.
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error('esbuild produced no widget script');
  return output.text;
}
