/**
 * The fan-out baseline: a plain `ws` server that greets every client with one frame on connect
 * and, when the bench says so over IPC, sends one given frame to every connected client. The
 * frame is encoded once and the same bytes go to every socket: what a broadcast costs without
 * GraphQL, with the same payload as the server under test sent.
 */
import { WebSocket, WebSocketServer } from 'ws';

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, backlog: 1024 });
const GREETING = JSON.stringify({ type: 'connection_ack' });

server.on('connection', (socket) => socket.send(GREETING));
server.on('listening', () => process.send?.({ port: (server.address() as { port: number }).port }));

process.on('message', (message: { type: 'broadcast'; frame: string } | { type: 'count' }) => {
  if (message.type === 'count') {
    process.send?.({ clients: server.clients.size });
    return;
  }
  const bytes = Buffer.from(message.frame);
  for (const client of server.clients) if (client.readyState === WebSocket.OPEN) client.send(bytes, { binary: false });
  process.send?.({ sent: server.clients.size });
});

process.on('SIGTERM', () => {
  for (const client of server.clients) client.terminate();
  server.close(() => process.exit(0));
});
