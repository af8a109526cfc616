/**
 * The ceiling the gateway path is measured against: a plain Apollo Server 5 on express 5 (the
 * product's own stack) answering `{ hello }`, as its own process. Prints "ready at <url>".
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';

const apollo = new ApolloServer({ typeDefs: 'type Query { hello: String! }', resolvers: { Query: { hello: () => 'world' } } });
await apollo.start();
const app = express();
app.use('/graphql', express.json(), expressMiddleware(apollo));
const server = http.createServer(app);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
console.log(`ready at http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`);
process.on('SIGTERM', () => {
  server.close();
  void apollo.stop().then(() => process.exit(0));
});
