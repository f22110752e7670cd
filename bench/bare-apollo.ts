/**
 * The baseline of the `{ __typename }` ceiling: a bare Apollo Server 5 answering `{ hello }`
 * through the same Express 5 integration the server uses, in production mode, in its own process
 * (forked by the bench, which it tells its port over IPC).
 */
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import http from 'node:http';

async function main(): Promise<void> {
  process.env.NODE_ENV = 'production';
  const apollo = new ApolloServer({ typeDefs: 'type Query { hello: String }', resolvers: { Query: { hello: () => 'world' } } });
  await apollo.start();
  const app = express();
  app.use('/graphql', express.json(), expressMiddleware(apollo));
  const server = http.createServer(app);
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as { port: number }).port }));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
