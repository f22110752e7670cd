import { httpHeadFor } from './http-status';

const error = (code: string, extra: Record<string, unknown> = {}, path?: string[]) => ({ ...(path ? { path } : {}), extensions: { code, ...extra } });

describe('httpHeadFor', () => {
  it('keeps 200 (null) without errors, and with data beside the errors', () => {
    expect(httpHeadFor({ data: { topics: [] } })).toBeNull();
    expect(httpHeadFor({ data: { a: { id: '1' }, b: null }, errors: [error('RATE_LIMITED', { retryAfter: 5 }, ['b'])] })).toBeNull();
  });

  it('maps a request refused as a whole by its code', () => {
    expect(httpHeadFor({ errors: [error('GRAPHQL_VALIDATION_FAILED')] })).toEqual({ status: 400 });
    expect(httpHeadFor({ data: { logIn: null }, errors: [error('UNAUTHENTICATED', {}, ['logIn'])] })).toEqual({ status: 401 });
    expect(httpHeadFor({ data: null, errors: [error('SERVICE_UNAVAILABLE')] })).toEqual({ status: 503, retryAfter: 2 });
    // Codes about the data keep 200.
    expect(httpHeadFor({ data: { node: null }, errors: [error('NOT_FOUND', {}, ['node'])] })).toBeNull();
  });

  it('429 with the largest retryAfter, rounded up', () => {
    const errors = [error('RATE_LIMITED', { retryAfter: 3 }, ['a']), error('RATE_LIMITED', { retryAfter: 12.2 }, ['b'])];
    expect(httpHeadFor({ data: { a: null, b: null }, errors })).toEqual({ status: 429, retryAfter: 13 });
  });

  it("lets the server's condition win over the client's pace, then the token, then the document", () => {
    expect(httpHeadFor({ errors: [error('BAD_USER_INPUT'), error('RATE_LIMITED', { retryAfter: 1 }), error('SERVICE_UNAVAILABLE')] })?.status).toBe(503);
    expect(httpHeadFor({ errors: [error('BAD_USER_INPUT'), error('RATE_LIMITED', { retryAfter: 1 })] })?.status).toBe(429);
    expect(httpHeadFor({ errors: [error('BAD_USER_INPUT'), error('UNAUTHENTICATED')] })?.status).toBe(401);
  });
});
