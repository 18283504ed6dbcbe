import { isIP } from 'node:net';

/**
 * A connection's client address: the socket's peer, or, behind
 * `trustedProxies` reverse proxies, the entry of `X-Forwarded-For` the
 * farthest trusted proxy appended (entries further left are the client's
 * word and are ignored). IPv4-mapped IPv6 addresses are given as IPv4.
 *
 * @example
 * clientAddress('10.0.0.2', '203.0.113.7, 10.0.0.1', 2) // '203.0.113.7'
 * clientAddress('10.0.0.2', '203.0.113.7', 0)           // '10.0.0.2' (the header is not trusted)
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, trustedProxies: number): string {
  let address = peer ?? '';
  if (trustedProxies > 0 && forwardedFor) {
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
      .split(',')
      .map((hop) => hop.trim())
      .filter(Boolean);
    const chain = [...hops, address];
    const candidate = chain[Math.max(0, chain.length - 1 - trustedProxies)];
    if (isIP(candidate)) address = candidate;
  }
  return unmapped(address);
}

/**
 * What a per-address limit counts: IPv4 as is, IPv6 by its /64 network,
 * since one subscriber usually holds a whole /64.
 */
export function addressKey(address: string): string {
  const ipv4 = unmapped(address);
  if (ipv4 !== address) return ipv4;
  const bare = address.split('%')[0];
  if (isIP(bare) !== 6) return address;
  const [head, tail = ''] = bare.split('::');
  const groups = (part: string) => (part ? part.split(':').flatMap((group) => (group.includes('.') ? ['0', '0'] : [group])) : []);
  const first = groups(head);
  const last = bare.includes('::') ? groups(tail) : [];
  const all = [...first, ...Array<string>(Math.max(0, 8 - first.length - last.length)).fill('0'), ...last];
  return `${all
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}

/** `::ffff:192.0.2.1` as `192.0.2.1`; any other address as is. */
function unmapped(address: string): string {
  return /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address)?.[1] ?? address;
}
