import type { Context } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import ipaddr from 'ipaddr.js';

/**
 * The rate-limit key of an address as a proxy or socket writes it: ports and brackets
 * dropped (`203.0.113.7:51234`, `[2001:db8::1]:443`), IPv4-mapped IPv6 as IPv4
 * (`::ffff:203.0.113.7`), and IPv6 cut to its /64: one subscriber gets a whole /64 and can
 * rotate freely within it. Undefined when it is not an IP address at all.
 */
export function clientKeyOf(raw: string): string | undefined {
  let value = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(value);
  if (bracketed) value = bracketed[1]!;
  else if (/^[^:]+:\d{1,5}$/.test(value)) value = value.slice(0, value.lastIndexOf(':'));
  if (!ipaddr.isValid(value)) return undefined;
  const address = ipaddr.process(value);
  if (address.kind() === 'ipv4') return address.toString();
  const prefix = (address as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16));
  return `${prefix.join(':')}::/64`;
}

/**
 * The client's rate-limit key: the socket's peer, or behind a trusted reverse proxy the
 * address that proxy appended last to X-Forwarded-For (earlier entries are client-controlled).
 * An entry that is no address falls back to the peer (the proxy): garbage buys no new budget.
 */
export function clientIp(c: Context<{ Bindings: Partial<HttpBindings> }>, trustProxy: boolean): string {
  const peer = c.env?.incoming?.socket?.remoteAddress;
  const peerKey = (peer && clientKeyOf(peer)) ?? 'unknown';
  if (trustProxy) {
    const last = c.req.header('x-forwarded-for')?.split(',').pop();
    if (last) return clientKeyOf(last) ?? peerKey;
  }
  return peerKey;
}
