/**
 * Security headers every answer carries. The server answers JSON only (no pages yet), so the policy is
 * the strictest: nothing may be framed, sniffed, embedded or referred to. API answers are per caller, so
 * they are not stored by caches either (the contract asks for `no-store` on the secret-bearing ones;
 * this covers every one). HSTS only over HTTPS (directly or through a trusted proxy).
 */
import type { HoldfastMiddleware } from '../koa-state.ts';

export function securityHeaders(): HoldfastMiddleware {
  return async (ctx, next) => {
    ctx.set({
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    });
    if (ctx.secure) ctx.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    await next();
  };
}
