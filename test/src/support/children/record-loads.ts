// `node --import ./record-loads.js report-loads.js SPECIFIER`: registers record-loads-hooks.js
// for the ESM modules; report-loads.js adds the CommonJS ones.
import { register } from 'node:module';

register('./record-loads-hooks.js', import.meta.url);
