import express from 'express';
import { rememberingEtags } from './http-shell';

const expressEtag = express().get('etag fn') as (body: Buffer | string, encoding?: BufferEncoding) => string;

describe('rememberingEtags', () => {
  it("gives Express's own ETag for every body: small, large, sent again, or another body of the same length", () => {
    let hashed = 0;
    const etagOf = rememberingEtags((body, encoding) => {
      hashed++;
      return expressEtag(body, encoding);
    });
    const page = Buffer.from(`{"data":${JSON.stringify({ text: 'a'.repeat(12_000) })}}\n`);
    const sameLength = Buffer.from(page.toString().replace('aaaa', 'aaab'));
    for (const body of [page, Buffer.from(page), page, sameLength, page, Buffer.from('{"data":{"__typename":"Query"}}\n'), 'text']) {
      expect(etagOf(body, undefined)).toBe(expressEtag(body, undefined));
    }
    // page, sameLength, page again (the length's last body was sameLength), and both small ones.
    expect(hashed).toBe(5);
  });

  it('compares with a copy: a body changed after it was sent is hashed again', () => {
    const etagOf = rememberingEtags(expressEtag);
    const body = Buffer.alloc(8_192, 'x');
    const first = etagOf(body, undefined);
    body[0] = 'y'.charCodeAt(0);
    expect(etagOf(body, undefined)).toBe(expressEtag(body, undefined));
    expect(etagOf(body, undefined)).not.toBe(first);
  });
});
