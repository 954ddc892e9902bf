export { eventually } from './eventually.js';
export type { EventuallyOptions } from './eventually.js';
