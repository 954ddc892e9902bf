/** Resolves with the reason the process was asked to stop. */
export interface StopSignal {
  readonly stopped: Promise<string>;
  /** Stops listening. */
  dispose(): void;
}

/**
 * Listens for SIGTERM and SIGINT, and for the end of the IPC channel when a supervisor started
 * this process (so a process never outlives a supervisor that was killed). It listens from before
 * the start to the end of the shutdown: a signal while starting stops the process once it is up,
 * and a second Ctrl-C does not cut a shutdown short.
 */
export function listenForStop(): StopSignal {
  let stop!: (reason: string) => void;
  const stopped = new Promise<string>((resolve) => (stop = resolve));
  const onSignal = (signal: NodeJS.Signals) => stop(signal);
  const onDisconnect = () => stop('the supervisor is gone');
  process.on('SIGTERM', onSignal).on('SIGINT', onSignal);
  const supervised = process.channel !== undefined;
  if (supervised) process.on('disconnect', onDisconnect);
  return {
    stopped,
    dispose() {
      process.off('SIGTERM', onSignal).off('SIGINT', onSignal);
      if (supervised) process.off('disconnect', onDisconnect);
    },
  };
}
