import type { ExternalContextCreator } from '@nestjs/core';

/** Errors thrown by the parameter pipes of an `@OnMessage` handler. */
const failures = new WeakSet<object>();

/**
 * `contexts` with one change: an error a parameter pipe throws is recorded (see
 * {@link isPipeFailure}) before it goes on unchanged, so exception filters still see it as
 * thrown. Nest runs every parameter pipe through `getParamValue`, a public method of
 * `ExternalContextCreator`; test/on-message-params.test.ts fails if a Nest release stops doing so.
 */
export function flaggingPipeFailures(contexts: ExternalContextCreator): ExternalContextCreator {
  const flagging = Object.create(contexts) as ExternalContextCreator;
  flagging.getParamValue = async function getParamValue(this: ExternalContextCreator, ...args: Parameters<ExternalContextCreator['getParamValue']>) {
    try {
      return (await contexts.getParamValue.apply(this, args)) as unknown;
    } catch (error) {
      if (error !== null && typeof error === 'object') failures.add(error);
      throw error;
    }
  };
  return flagging;
}

/** Whether `error` was thrown by a parameter pipe of an `@OnMessage` handler. */
export function isPipeFailure(error: unknown): boolean {
  return error !== null && typeof error === 'object' && failures.has(error);
}
