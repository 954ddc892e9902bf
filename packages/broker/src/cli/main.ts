import { runServeCommand } from './serve-command.js';
import { runTransactionCommand } from './tx-command.js';

/** `txmq-broker [options]` runs a broker; `txmq-broker tx ...` works on a running broker's transactions. */
function main(argv: string[]): Promise<number> {
  return argv[0] === 'tx' ? runTransactionCommand(argv.slice(1)) : runServeCommand(argv);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('txmq-broker: failed:', error);
    process.exit(1);
  },
);
