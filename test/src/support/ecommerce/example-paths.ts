import { fileURLToPath } from 'node:url';

/** The compiled command line of examples/ecommerce (`node main.js [all|demo|SERVICE] ...`). */
export const EXAMPLE_MAIN = fileURLToPath(new URL('../../../../examples/ecommerce/dist/main.js', import.meta.url));
/**
 * The broker process of examples/ecommerce's supervisor: the installed `txmq-broker` command, run
 * with this process's arguments, that stops when its parent's IPC channel closes, so a failed or
 * killed test run leaves no broker behind.
 */
export const EXAMPLE_BROKER = fileURLToPath(new URL('../../../../examples/ecommerce/dist/supervisor/broker-process.js', import.meta.url));
