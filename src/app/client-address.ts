/**
 * Who is asking, by network address: for HTTP requests and WebSocket upgrade
 * requests alike (rate limits and anonymous views are keyed by it).
 *
 * X-Forwarded-For is only believed as far as TRUST_PROXY says: each trusted
 * proxy appends the address it received the request from, so with N trusted
 * proxies the client is the Nth address counted from the right (the socket's
 * peer being the last proxy). Anything further left was written by the
 * client itself and could be anything. With TRUST_PROXY=0 the header is
 * ignored, so a client cannot pick its own address.
 */
import net from 'node:net';

/** The client's address, from the socket's peer address and the X-Forwarded-For header(s). */
export function clientAddressOf(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, trustProxy: number): string {
  const peer = normalise(socketAddress) ?? 'unknown';
  if (trustProxy === 0 || forwardedFor === undefined) return peer;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  // The chain, client first: what the header lists, then the socket's peer (the proxy next to us).
  const chain = [...hops, peer];
  const candidate = chain[Math.max(0, chain.length - 1 - trustProxy)];
  // A trusted proxy writes addresses; anything else means the header was not what we expect: use the peer.
  return normalise(candidate) ?? peer;
}

/** An IP address in its plain form ("::ffff:10.0.0.1" is 10.0.0.1), or null when it is none. */
function normalise(address: string | undefined): string | null {
  if (address === undefined) return null;
  const plain = address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
  return net.isIP(plain) === 0 ? null : plain.toLowerCase();
}

/**
 * The key rate limits count an address under: an IPv4 address as it is, an
 * IPv6 address by its /64 network, since one IPv6 host usually holds a whole
 * /64 and could otherwise take a fresh address for every request.
 */
export function addressKey(address: string): string {
  if (!net.isIPv6(address)) return address;
  const [head, tail = ''] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = address.includes('::') && tail !== '' ? tail.split(':') : [];
  // An embedded IPv4 tail (::ffff:1.2.3.4 and the like) sits in the last 64 bits: it never reaches the prefix.
  const groups = address.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
