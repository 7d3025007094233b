/**
 * Serves the server's own pages (`page-html.ts`) and their script and style sheet on `GET` and `HEAD`;
 * every other request goes on to the API. The pages get their own Content-Security-Policy, looser than
 * the API's `default-src 'none'` by exactly what they need: this origin's script, style sheet and API
 * (`connect-src 'self'`). No inline script or style, no framing, no form posts (the script sends JSON),
 * no referrer (the URL holds no token once the script has read it, but links out should not carry it
 * either). The bodies are built once; nothing in them depends on the request.
 */
import type { HoldfastMiddleware } from '../koa-state.ts';
import { pages, renderPage } from './page-html.ts';
import { pageScript, pageStyle } from './page-script.ts';

/** The pages' policy (the API's answers keep `default-src 'none'`). */
export const pageContentSecurityPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

interface Asset {
  readonly type: string;
  readonly body: string;
}

const assets = new Map<string, Asset>([
  ...pages.map((page) => [page.path, { type: 'text/html; charset=utf-8', body: renderPage(page) }] as const),
  ['/_pages/holdfast.js', { type: 'text/javascript; charset=utf-8', body: pageScript }],
  ['/_pages/holdfast.css', { type: 'text/css; charset=utf-8', body: pageStyle }],
]);

/** The paths this middleware answers. */
export const pagePaths: readonly string[] = [...assets.keys()];

export function pagesMiddleware(): HoldfastMiddleware {
  return async (ctx, next) => {
    const asset = ctx.method === 'GET' || ctx.method === 'HEAD' ? assets.get(ctx.path) : undefined;
    if (asset === undefined) {
      await next();
      return;
    }
    ctx.state.route = ctx.path;
    ctx.set('Content-Security-Policy', pageContentSecurityPolicy);
    ctx.type = asset.type;
    ctx.body = asset.body;
  };
}
