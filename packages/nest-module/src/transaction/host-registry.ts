import type { TransactionHost } from './transaction-host.js';

/**
 * Where `@Transactional()` finds the `TransactionHost` of a method call without dependency
 * injection into the decorated class. Each `TxmqModule` registers its host when the application
 * initialises, binding it to the instances (providers and controllers) of that application that
 * have `@Transactional()` methods, and removes it at shutdown. Several applications in one
 * process (tests) therefore each use their own host; an object Nest did not create falls back to
 * the only registered host.
 */
const hosts = new Set<TransactionHost>();
const bound = new WeakMap<object, TransactionHost>();

/** Registers `host` and binds it to `instances`. */
export function registerHost(host: TransactionHost, instances: Iterable<object>): void {
  hosts.add(host);
  for (const instance of instances) bound.set(instance, host);
}

/** Removes `host`; instances bound to it no longer find it. */
export function unregisterHost(host: TransactionHost): void {
  hosts.delete(host);
}

/** Why no host was found for `instance`, or the host. */
export function hostFor(instance: unknown): TransactionHost | string {
  if (instance !== null && (typeof instance === 'object' || typeof instance === 'function')) {
    const host = bound.get(instance);
    if (host !== undefined) return hosts.has(host) ? host : 'its application has been closed';
  }
  if (hosts.size === 1) return hosts.values().next().value as TransactionHost;
  return hosts.size === 0
    ? 'no TxmqModule is initialised (call app.init(), or create the application context first)'
    : 'several TxmqModule applications are running and this object was not created by any of them';
}
