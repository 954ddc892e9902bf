
/**
 * `txmq-broker [options]` runs a broker; `txmq-broker admin ...` works on a running one (and
 * `txmq-broker tx ...`, the first spelling of `admin tx`, on its transactions).
 */
async function main(argv: string[]): Promise<number> {
  // Each command loads only its own code: an admin command does not load the broker.
  if (argv[0] === 'admin' || argv[0] === 'tx') (await import('./quiet-warnings.js')).dropIpServerNameWarning();
  if (argv[0] === 'admin') return (await import('./admin/admin-command.js')).runAdmin(argv.slice(1));
  if (argv[0] === 'tx') return (await import('./tx-command.js')).runTransactionCommand(argv.slice(1));
  return (await import('./serve-command.js')).runServeCommand(argv);
}

const argv = process.argv.slice(2);
main(argv).then(
  (code) => {
    // A command's output may still be queued for a pipe (asynchronous on macOS and Windows): an
    // admin command, which leaves nothing running once its client is closed, ends when it drains.
    if (argv[0] === 'admin' || argv[0] === 'tx') process.exitCode = code;
    else process.exit(code);
  },
  (error: unknown) => {
    console.error('txmq-broker: failed:', error);
    process.exit(1);
  },
);
