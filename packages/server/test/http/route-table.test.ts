/**
 * The route table over the real contract: which operation a method and path name (literal paths before
 * templates, a trailing slash ignored, HEAD as GET, 404 and 405 with `Allow`), and that a request is
 * routed once however many middleware ask (`matchRequest` keeps the match for the request object).
 */
import { describe, expect, it } from 'vitest';
import { loadApi } from '../../src/http/openapi/api-document.ts';
import { RouteTable, type RouteMatch } from '../../src/http/openapi/route-table.ts';

const { operations } = await loadApi();
const table = new RouteTable(operations);

function operationOf(match: RouteMatch): string {
  return match.kind === 'operation' ? match.operation.operationId : match.kind;
}

describe('RouteTable', () => {
  it.each([
    ['GET', '/v1/users', 'listUsers'],
    ['GET', '/v1/users/', 'listUsers'],
    ['HEAD', '/v1/users', 'listUsers'],
    ['GET', '/v1/audit-events/export', 'exportAuditEvents'],
    ['POST', '/v1/users/usr_01je28jt97kb6cq643dzvmxxqk/deactivate', 'deactivateUser'],
    ['PATCH', '/v1/ip-rules/ipr_01jxa3t5qk8m2d6v9c4b7n1e0f', 'updateIpRule'],
    ['GET', '/v1/nothing', 'not-found'],
  ])('routes %s %s to %s', (method, path, expected) => {
    expect(operationOf(table.match(method, path))).toBe(expected);
  });

  it('answers 405 with the methods the path takes', () => {
    expect(table.match('PUT', '/v1/ip-rules')).toEqual({ kind: 'method-not-allowed', allow: ['GET', 'HEAD', 'POST'] });
  });

  it('routes a request once, and each request on its own', () => {
    const first = { method: 'GET', path: '/v1/users' };
    const again = table.matchRequest(first);
    expect(table.matchRequest(first)).toBe(again);
    const other = { method: 'POST', path: '/v1/users' };
    expect(operationOf(table.matchRequest(other))).toBe('inviteUser');
    expect(table.matchRequest(first)).toBe(again);
  });
});
