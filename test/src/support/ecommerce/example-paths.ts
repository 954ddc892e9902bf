import { fileURLToPath } from 'node:url';

/** The compiled command line of examples/ecommerce (`node main.js [all|demo|SERVICE] ...`). */
export const EXAMPLE_MAIN = fileURLToPath(new URL('../../../../examples/ecommerce/dist/main.js', import.meta.url));
/** The broker child of these tests (support/children/broker-child.ts). */
export const BROKER_CHILD = fileURLToPath(new URL('../children/broker-child.js', import.meta.url));
