import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { renderDemoPage } from '@sapa/channels/web/demo-page';
import type { GatewayDeps } from '../deps';
import { findWebTarget } from '../web/visitors';

/** The widget script, and a demo shop page that embeds it (linked from `npm start`'s output). */
const widgetAssetRoutes: FastifyPluginAsyncZod<GatewayDeps> = async (app, deps) => {
  let etag: string | null = null;

  app.get('/widget.js', async (req, reply) => {
    const script = await deps.widgetScript();
    etag ??= `"${createHash('sha256').update(script).digest('base64url').slice(0, 16)}"`;
    reply.header('etag', etag).header('cache-control', 'public, max-age=300');
    if (req.headers['if-none-match'] === etag) return reply.status(304).send();
    return reply.type('application/javascript; charset=utf-8').send(script);
  });

  app.get(
    '/demo/:publicId',
    { schema: { params: z.object({ publicId: z.string().regex(/^[A-Za-z0-9_-]{4,64}$/) }) } },
    async (req, reply) => {
      const { chatbot } = await findWebTarget(req.params.publicId);
      const html = renderDemoPage({
        scriptUrl: `${deps.config.gatewayPublicUrl}/widget.js`,
        publicId: chatbot.publicId,
        shopName: chatbot.name,
      });
      // The dashboard shows this page in an iframe as the widget's live preview; helmet's default
      // allows framing by the gateway's own origin only.
      const csp = reply.getHeader('content-security-policy');
      if (typeof csp === 'string') {
        reply.header('content-security-policy', csp.replace("frame-ancestors 'self'", `frame-ancestors 'self' ${new URL(deps.config.dashboardUrl).origin}`));
      }
      reply.removeHeader('x-frame-options');
      return reply.type('text/html; charset=utf-8').send(html);
    },
  );

};

export default widgetAssetRoutes;
