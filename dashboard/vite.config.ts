import { vitePlugin as remix } from '@remix-run/dev';
import { defineConfig } from 'vite';

declare module '@remix-run/node' {
  interface Future {
    v3_singleFetch: true;
  }
}

export default defineConfig({
  plugins: [
    remix({
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_singleFetch: true,
        v3_lazyRouteDiscovery: true,
      },
    }),
  ],
  ssr: {
    // Workspace packages export TypeScript source, so they are bundled into the server build.
    // Everything else (mongoose, @temporalio/client, @node-rs/argon2, pino…) stays an external
    // node_modules import: native addons and their own dynamic requires must not be bundled.
    noExternal: [/^@sapa\//],
  },
  server: { host: '127.0.0.1' },
});
