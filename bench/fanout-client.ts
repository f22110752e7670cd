/**
 * The audience of the fan-out measurements, in its own process so that the server under test and
 * the baseline pay nothing for it: opens N WebSockets in batches, speaks graphql-transport-ws by
 * hand (connection_init, subscribe, the first `next`) or, against the plain `ws` baseline, waits for
 * its greeting; then, once armed with a marker, records when each socket first receives a frame
 * containing it. Driven by the bench over IPC, one command at a time.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

type Mode = 'graphql' | 'plain';
type Command =
  | { type: 'connect'; url: string; count: number; inFlight: number; mode: Mode; payload?: object }
  | { type: 'arm'; marker: string }
  | { type: 'collect'; timeoutMs: number }
  | { type: 'close' };

interface Audience {
  sockets: WebSocket[];
  receivedAt: Float64Array;
  duplicates: number;
  marker: string | null;
  sample: string | null;
}

let audience: Audience = { sockets: [], receivedAt: new Float64Array(0), duplicates: 0, marker: null, sample: null };

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
const now = () => performance.timeOrigin + performance.now();

function onFrame(index: number, text: string): void {
  if (audience.marker === null || !text.includes(audience.marker)) return;
  if (audience.receivedAt[index] !== 0) {
    audience.duplicates++;
    return;
  }
  audience.receivedAt[index] = now();
  audience.sample ??= text;
}

/** Opens one socket and resolves true once it is subscribed and has its first message. */
function open(index: number, command: Extract<Command, { type: 'connect' }>): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new WebSocket(command.url, command.mode === 'graphql' ? 'graphql-transport-ws' : undefined, { perMessageDeflate: false });
    audience.sockets[index] = socket;
    let ready = false;
    const settle = (ok: boolean) => {
      if (ready) return;
      ready = true;
      resolve(ok);
    };
    socket.on('open', () => {
      if (command.mode === 'graphql') socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
    });
    socket.on('message', (data) => {
      const text = data.toString();
      if (ready) return onFrame(index, text);
      if (command.mode === 'plain') return settle(true);
      const message = JSON.parse(text) as { type: string };
      if (message.type === 'connection_ack') socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: command.payload }));
      else if (message.type === 'next') settle(true);
      else if (message.type === 'ping') socket.send(JSON.stringify({ type: 'pong' }));
      else if (message.type === 'error') settle(false);
    });
    socket.on('error', () => settle(false));
    socket.on('close', () => settle(false));
  });
}

async function connect(command: Extract<Command, { type: 'connect' }>) {
  audience = { sockets: [], receivedAt: new Float64Array(command.count), duplicates: 0, marker: null, sample: null };
  const started = now();
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < command.count) if (!(await open(next++, command))) failed++;
  };
  await Promise.all(Array.from({ length: Math.min(command.inFlight, command.count) }, worker));
  return { ms: now() - started, connected: command.count - failed, failed };
}

async function collect(timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  const missing = () => audience.receivedAt.reduce((sum, at) => sum + (at === 0 ? 1 : 0), 0);
  while (missing() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  // Late duplicates would show up right after the last delivery.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const times = Array.from(audience.receivedAt).filter((at) => at !== 0);
  return { times, missing: missing(), duplicates: audience.duplicates, sample: audience.sample };
}

async function close() {
  await Promise.all(
    audience.sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === WebSocket.CLOSED) return resolve();
          socket.once('close', () => resolve());
          socket.close();
        }),
    ),
  );
  audience.sockets = [];
  return { closed: true };
}

process.on('message', (command: Command) => {
  const reply = (result: Promise<object> | object) => void Promise.resolve(result).then((value) => process.send?.(value));
  if (command.type === 'connect') reply(connect(command));
  else if (command.type === 'arm') {
    audience.marker = command.marker;
    audience.receivedAt.fill(0);
    audience.duplicates = 0;
    audience.sample = null;
    reply({ armed: true });
  } else if (command.type === 'collect') reply(collect(command.timeoutMs));
  else reply(close());
});

process.send?.({ ready: true });
