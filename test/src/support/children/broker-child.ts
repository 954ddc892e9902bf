// Child process of the e-commerce tests: the `txmq-broker` command of this checkout, run with this
// process's arguments, that dies with the test (its IPC channel closes), so a failed or killed test
// run leaves no broker behind.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
const cli = createRequire(import.meta.url).resolve('@txmq/broker').replace(/index\.js$/, 'cli/main.js');
await import(pathToFileURL(cli).href);
