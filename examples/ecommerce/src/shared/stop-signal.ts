/** Resolves with the reason the process was asked to stop. */
export interface StopSignal {
  readonly stopped: Promise<string>;
  /** Says the start is over: from now on a second signal is ignored. */
  started(): void;
  /** Stops listening. */
  dispose(): void;
}

/** Exit code of a process that a second signal ended while it was starting. */
const FORCED_EXIT_CODE = 130;

/**
 * Listens for SIGTERM and SIGINT, and for the end of the IPC channel when a supervisor started
 * this process (so a process never outlives a supervisor that was killed). It listens from before
 * the start to the end of the shutdown: a signal while starting stops the process once it is up,
 * a second one while it is still starting (a start that hangs) exits at once, and once
 * `started()` was called a second Ctrl-C does not cut a shutdown short.
 */
export function listenForStop(): StopSignal {
  let stop!: (reason: string) => void;
  const stopped = new Promise<string>((resolve) => (stop = resolve));
  let starting = true;
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled && starting) {
      console.error(`${signal} again while starting: exiting now`);
      process.exit(FORCED_EXIT_CODE);
    }
    if (!signalled && starting) console.error(`${signal} while starting: stopping once started (${signal} again exits now)`);
    signalled = true;
    stop(signal);
  };
  const onDisconnect = () => stop('the supervisor is gone');
  process.on('SIGTERM', onSignal).on('SIGINT', onSignal);
  const supervised = process.channel !== undefined;
  if (supervised) process.on('disconnect', onDisconnect);
  return {
    stopped,
    started() {
      starting = false;
    },
    dispose() {
      process.off('SIGTERM', onSignal).off('SIGINT', onSignal);
      if (supervised) process.off('disconnect', onDisconnect);
    },
  };
}
