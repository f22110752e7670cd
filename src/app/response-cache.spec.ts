import { CacheCoherence } from './cache-coherence';
import { ResponseCache } from './response-cache';

function cacheAt(clock: { now: number }, coherence: Pick<CacheCoherence, 'trusted'> = { trusted: true }, maxEntries = 3) {
  return new ResponseCache({ ttlMs: 1000, maxEntries }, coherence, () => clock.now);
}

describe('ResponseCache', () => {
  it('serves an entry until its TTL or the moment it changes by itself, whichever comes first', () => {
    const clock = { now: 10_000 };
    const cache = cacheAt(clock);
    cache.store('ttl', cache.begin(), { a: 1 });
    cache.store('closes', cache.begin(), { b: 1 }, 10_400);
    clock.now = 10_399;
    expect(cache.lookup('ttl')).toEqual({ a: 1 });
    expect(cache.lookup('closes')).toEqual({ b: 1 });
    clock.now = 10_400;
    expect(cache.lookup('closes')).toBeUndefined();
    clock.now = 11_000;
    expect(cache.lookup('ttl')).toBeUndefined();
  });

  it('does not store what an execution read while a write ended, and drops everything on a write', () => {
    const cache = cacheAt({ now: 0 });
    const began = cache.begin();
    cache.store('kept', began, { v: 1 });
    const overlapping = cache.begin();
    cache.invalidate();
    cache.store('overlapping', overlapping, { v: 2 });
    expect(cache.lookup('overlapping')).toBeUndefined();
    expect(cache.lookup('kept')).toBeUndefined();
    cache.store('after', cache.begin(), { v: 3 });
    expect(cache.lookup('after')).toEqual({ v: 3 });
  });

  it('keeps at most maxEntries, dropping the least recently used', () => {
    const cache = cacheAt({ now: 0 });
    for (const key of ['a', 'b', 'c']) cache.store(key, cache.begin(), { key });
    expect(cache.lookup('a')).toEqual({ key: 'a' });
    cache.store('d', cache.begin(), { key: 'd' });
    expect(cache.size).toBe(3);
    expect(cache.lookup('b')).toBeUndefined();
    expect(cache.lookup('a')).toEqual({ key: 'a' });
  });

  it('neither serves nor stores while the relay does not hear the other instances', () => {
    const relay = { listening: true };
    const coherence = new CacheCoherence(true);
    coherence.attach(relay);
    const cache = cacheAt({ now: 0 }, coherence);
    cache.store('before', cache.begin(), { v: 1 });
    relay.listening = false;
    expect(cache.lookup('before')).toBeUndefined();
    cache.store('deaf', cache.begin(), { v: 2 });
    relay.listening = true;
    expect(cache.lookup('deaf')).toBeUndefined();
  });

  it('trusts nothing when scaled out before the relay is attached, and everything on one instance', () => {
    expect(new CacheCoherence(true).trusted).toBe(false);
    expect(new CacheCoherence(false).trusted).toBe(true);
  });
});
