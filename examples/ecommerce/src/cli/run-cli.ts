import { runDemo } from '../demo/run-demo.js';
import type { Environment } from '../shared/environment.js';
import { runService } from '../shared/run-service.js';
import { runSystem } from '../supervisor/run-system.js';
import { parseCommand, type Command } from './command.js';
import { USAGE } from './usage.js';
import { UsageError } from '../shared/usage-error.js';

/** Runs a command line; resolves to the exit code (2 for a usage error). */
export async function runCli(argv: readonly string[], env: Environment): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`txmq e-commerce example: ${error.message}\n${USAGE}`);
    return 2;
  }
  switch (command.kind) {
    case 'help':
      console.log(USAGE);
      return 0;
    case 'service':
      return runService(command.settings);
    case 'all':
      return runSystem(command.options);
    case 'demo':
      return runDemo(command);
  }
}
