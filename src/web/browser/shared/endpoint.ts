/**
 * Where the pages find the API: the same origin that served them, /graphql over HTTP and over
 * the WebSocket (graphql-ws). Same origin keeps the Content-Security-Policy at 'self'.
 */
export function graphqlHttpUrl(): string {
  return new URL('/graphql', window.location.href).toString();
}

export function graphqlWsUrl(): string {
  const url = new URL('/graphql', window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}
