import { addressKey, clientAddressOf } from './client-address';

describe('clientAddressOf', () => {
  it('ignores X-Forwarded-For unless proxies are trusted', () => {
    expect(clientAddressOf('127.0.0.1', '10.0.0.1', 0)).toBe('127.0.0.1');
    expect(clientAddressOf('::ffff:127.0.0.1', undefined, 0)).toBe('127.0.0.1');
    expect(clientAddressOf(undefined, undefined, 0)).toBe('unknown');
  });

  it('takes the address the trusted proxies saw, not what the client wrote further left', () => {
    expect(clientAddressOf('127.0.0.1', '10.0.0.1', 1)).toBe('10.0.0.1');
    expect(clientAddressOf('127.0.0.1', 'spoofed, 1.2.3.4, 10.0.0.1', 1)).toBe('10.0.0.1');
    expect(clientAddressOf('127.0.0.1', '6.6.6.6, 1.2.3.4, 10.0.0.1', 2)).toBe('1.2.3.4');
    expect(clientAddressOf('127.0.0.1', ['6.6.6.6, 1.2.3.4', '10.0.0.1'], 2)).toBe('1.2.3.4');
    // Fewer hops than trusted proxies: the leftmost one is the client.
    expect(clientAddressOf('127.0.0.1', '10.0.0.1', 3)).toBe('10.0.0.1');
  });

  it('falls back to the socket peer when the trusted entry is not an address', () => {
    expect(clientAddressOf('127.0.0.1', 'not-an-address', 1)).toBe('127.0.0.1');
    expect(clientAddressOf('127.0.0.1', '', 1)).toBe('127.0.0.1');
  });
});

describe('addressKey', () => {
  it('keeps IPv4 addresses and keys IPv6 ones by their /64', () => {
    expect(addressKey('10.0.0.1')).toBe('10.0.0.1');
    expect(addressKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002::9')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::')).toBe('fe80:0:0:0::/64');
  });
});
