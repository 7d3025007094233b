/**
 * `X-Forwarded-*` from trusted proxies only. Koa believes those headers whenever `app.proxy` is on; this
 * middleware deletes them from any request whose direct peer is not a configured trusted proxy, and
 * works out the client's address by walking `X-Forwarded-For` from the right, past trusted hops only
 * (the left end is whatever the client wrote). With no trusted proxies, the peer is the client.
 *
 * A hop is an address as gateways write it: plain, IPv4 with a port (`203.0.113.7:51234`), bracketed
 * IPv6 with or without a port (`[2001:db8::1]:443`). A hop that is no address at all (a host name,
 * `unknown`, garbage) ends the walk at the trusted hop before it: the client is then that proxy's
 * address, never a string the client could vary to get a fresh rate-limit bucket or lockout record.
 */
import { BlockList, isIP } from 'node:net';
import type { HoldfastMiddleware } from '../koa-state.ts';

function normalize(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** A membership test for the configured addresses and CIDR ranges. */
export function trustedProxyList(entries: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return (address) => {
    const plain = normalize(address);
    const version = isIP(plain);
    return version !== 0 && list.check(plain, version === 6 ? 'ipv6' : 'ipv4');
  };
}

/** The address of an `X-Forwarded-For` hop, without a port or brackets; null when it is no address. */
export function hopAddress(hop: string): string | null {
  const text = hop.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  if (bracketed?.[1] !== undefined) return isIP(bracketed[1]) === 6 ? normalize(bracketed[1]) : null;
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(text);
  const plain = withPort?.[1] ?? text;
  return isIP(plain) === 0 ? null : normalize(plain);
}

export function trustedProxies(entries: readonly string[]): HoldfastMiddleware {
  const trusted = trustedProxyList(entries);
  return async (ctx, next) => {
    const peer = normalize(ctx.req.socket.remoteAddress ?? '');
    let client = peer;
    if (entries.length > 0 && trusted(peer)) {
      const hops = (ctx.get('X-Forwarded-For') || '')
        .split(',')
        .map((hop) => hop.trim())
        .filter((hop) => hop !== '');
      while (hops.length > 0 && trusted(client)) {
        const next = hopAddress(hops.pop() ?? '');
        if (next === null) break;
        client = next;
      }
    } else {
      delete ctx.req.headers['x-forwarded-for'];
      delete ctx.req.headers['x-forwarded-proto'];
      delete ctx.req.headers['x-forwarded-host'];
    }
    ctx.state.clientIp = client;
    ctx.request.ip = client;
    await next();
  };
}
