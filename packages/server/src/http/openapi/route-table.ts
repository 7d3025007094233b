/**
 * Matches a request's method and path to an operation of the contract, built once at start-up. A path
 * with no operation is a 404; a path whose operations use other methods is a 405 with `Allow`. Literal
 * paths win over templates (`/v1/users/me` would beat `/v1/users/{userId}`), then the template with more
 * literal characters. A trailing slash is ignored; `HEAD` matches `GET`. The middleware that need the
 * operation before the router does (the public rate limit) share the router's table and its match of
 * each request ({@link RouteTable.matchRequest}), so a request is routed once.
 */
import type { ContractOperation } from './api-document.ts';

interface Route {
  readonly template: string;
  readonly pattern: RegExp;
  readonly literal: boolean;
  readonly specificity: number;
  readonly byMethod: ReadonlyMap<string, ContractOperation>;
}

export type RouteMatch =
  | { readonly kind: 'operation'; readonly operation: ContractOperation }
  | { readonly kind: 'method-not-allowed'; readonly allow: readonly string[] }
  | { readonly kind: 'not-found' };

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class RouteTable {
  readonly #routes: readonly Route[];
  readonly #matched = new WeakMap<object, RouteMatch>();

  constructor(operations: readonly ContractOperation[]) {
    const byTemplate = new Map<string, Map<string, ContractOperation>>();
    for (const operation of operations) {
      const methods = byTemplate.get(operation.path) ?? new Map<string, ContractOperation>();
      methods.set(operation.method.toUpperCase(), operation);
      byTemplate.set(operation.path, methods);
    }
    this.#routes = [...byTemplate]
      .map(([template, byMethod]) => {
        const parts = template.split(/\{[^}]+\}/);
        return {
          template,
          pattern: new RegExp(`^${parts.map(escape).join('[^/]+')}$`),
          literal: parts.length === 1,
          specificity: parts.join('').length,
          byMethod,
        };
      })
      .sort((a, b) => Number(b.literal) - Number(a.literal) || b.specificity - a.specificity);
  }

  /** {@link match} of a request (a Koa context), worked out once and kept for that request. */
  matchRequest(request: { readonly method: string; readonly path: string }): RouteMatch {
    let found = this.#matched.get(request);
    if (found === undefined) {
      found = this.match(request.method, request.path);
      this.#matched.set(request, found);
    }
    return found;
  }

  /** Finds the operation for `method` on `path` (the URL path, without the query). */
  match(method: string, path: string): RouteMatch {
    const normalized = path.length > 1 ? path.replace(/\/+$/, '') : path;
    const wanted = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
    const allow = new Set<string>();
    for (const route of this.#routes) {
      if (!route.pattern.test(normalized)) continue;
      const operation = route.byMethod.get(wanted);
      if (operation !== undefined) return { kind: 'operation', operation };
      for (const name of route.byMethod.keys()) allow.add(name);
    }
    if (allow.size === 0) return { kind: 'not-found' };
    if (allow.has('GET')) allow.add('HEAD');
    return { kind: 'method-not-allowed', allow: [...allow].sort() };
  }
}
