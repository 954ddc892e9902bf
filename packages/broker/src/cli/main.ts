import { runAdmin } from './admin/admin-command.js';
import { runServeCommand } from './serve-command.js';
import { runTransactionCommand } from './tx-command.js';

/**
 * `txmq-broker [options]` runs a broker; `txmq-broker admin ...` works on a running one (and
 * `txmq-broker tx ...`, the first spelling of `admin tx`, on its transactions).
 */
function main(argv: string[]): Promise<number> {
  if (argv[0] === 'admin') return runAdmin(argv.slice(1));
  return argv[0] === 'tx' ? runTransactionCommand(argv.slice(1)) : runServeCommand(argv);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('txmq-broker: failed:', error);
    process.exit(1);
  },
);
