// Entry point of the broker process the supervisor starts: the `txmq-broker` command, run in this
// process with this process's arguments, and stopped (as by SIGTERM: it drains) when the
// supervisor's IPC channel closes, so a broker never outlives a supervisor that was killed.
import { pathToFileURL } from 'node:url';
import { brokerBinary } from './broker-binary.js';

process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
await import(pathToFileURL(brokerBinary()).href);
