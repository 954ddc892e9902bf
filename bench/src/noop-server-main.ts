// The no-op gRPC server as a process of its own (the official client's ceiling is measured
// against it without sharing the client's event loop). Prints `listening on <endpoint>`.
import { startNoopServer } from './noop-server.js';

const server = await startNoopServer();
console.log(`listening on ${server.endpoint}`);
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
