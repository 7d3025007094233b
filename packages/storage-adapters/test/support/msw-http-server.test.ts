/** The msw-over-HTTP bridge: handlers answer real HTTP requests, bodies stream both ways. */
import { http, HttpResponse } from 'msw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMswHttpServer, type MswHttpServer } from './msw-http-server.ts';

let server: MswHttpServer;
beforeAll(async () => {
  server = await startMswHttpServer([
    http.get('*/hello/:name', ({ params, request }) =>
      HttpResponse.json(
        { hello: params['name'], auth: request.headers.get('authorization') },
        { headers: { 'x-mock': 'yes' } },
      ),
    ),
    http.post('*/echo', async ({ request }) => new HttpResponse(await request.arrayBuffer(), { status: 201 })),
  ]);
});
afterAll(async () => server.close());

describe('startMswHttpServer', () => {
  it('answers a GET with the handler response, status and headers', async () => {
    const response = await fetch(`${server.url}/hello/ana`, { headers: { authorization: 'Bearer t' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-mock')).toBe('yes');
    expect(await response.json()).toEqual({ hello: 'ana', auth: 'Bearer t' });
  });

  it('streams a request body to the handler and the response back', async () => {
    const body = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
    const response = await fetch(`${server.url}/echo`, { method: 'POST', body });
    expect(response.status).toBe(201);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(body);
  });

  it('answers 501 naming a request no handler takes', async () => {
    const response = await fetch(`${server.url}/nothing/here`, { method: 'DELETE' });
    expect(response.status).toBe(501);
    expect(await response.text()).toContain('DELETE /nothing/here');
  });
});
