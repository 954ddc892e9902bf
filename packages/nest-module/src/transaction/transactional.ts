import 'reflect-metadata';
import { NoTransactionHostError } from '../errors.js';
import { hostFor } from './host-registry.js';
import { PROPAGATIONS, type TransactionalOptions } from './propagation.js';

/** Marks prototypes that have `@Transactional()` methods (so the module binds their instances). */
export const TRANSACTIONAL_METHODS = Symbol.for('txmq.nest.transactional-methods');

/**
 * Runs the decorated async method in the ambient transaction of the module's `TransactionHost`
 * (see {@link TransactionalOptions.propagation}; default `required`: nested calls join the
 * outer transaction). The transaction commits when the method's promise resolves and rolls back
 * when it rejects. Works whoever calls the method: an HTTP controller, a message handler, a
 * script using `app.get(Service)`; no middleware or interceptor is needed. The decorated method
 * always returns a promise.
 */
export function Transactional(options: TransactionalOptions = {}): MethodDecorator {
  const propagation = options.propagation ?? 'required';
  if (!PROPAGATIONS.includes(propagation)) {
    throw new TypeError(`@Transactional(): propagation must be one of ${PROPAGATIONS.join(', ')}, got ${String(propagation)}`);
  }
  return (target, key, descriptor) => {
    const original: unknown = descriptor.value;
    const name = `${(target as { constructor?: { name?: string } }).constructor?.name ?? 'anonymous'}.${String(key)}`;
    if (typeof original !== 'function') throw new TypeError(`@Transactional() can only decorate methods (${name})`);
    const wrapped = function (this: unknown, ...args: unknown[]): Promise<unknown> {
      const host = hostFor(this);
      if (typeof host === 'string') return Promise.reject(new NoTransactionHostError(name, host));
      return host.run(propagation, async () => original.apply(this, args), name);
    };
    Object.defineProperty(wrapped, 'name', { value: original.name });
    copyMetadata(original, wrapped);
    markPrototype(target, key);
    Object.assign(descriptor, { value: wrapped });
    return descriptor;
  };
}

/** Keeps the metadata other decorators (`@Get()`, `@UseGuards()`...) put on the method before us. */
function copyMetadata(from: object, to: object): void {
  for (const key of Reflect.getOwnMetadataKeys(from)) Reflect.defineMetadata(key, Reflect.getOwnMetadata(key, from), to);
}

function markPrototype(target: object, key: string | symbol): void {
  const own = Object.prototype.hasOwnProperty.call(target, TRANSACTIONAL_METHODS)
    ? ((target as Record<symbol, Set<string | symbol>>)[TRANSACTIONAL_METHODS] as Set<string | symbol>)
    : undefined;
  if (own !== undefined) {
    own.add(key);
    return;
  }
  Object.defineProperty(target, TRANSACTIONAL_METHODS, { value: new Set([key]), enumerable: false });
}

/** Whether `instance`'s class (or a base class) has `@Transactional()` methods. */
export function hasTransactionalMethods(instance: unknown): instance is object {
  return instance !== null && typeof instance === 'object' && TRANSACTIONAL_METHODS in instance;
}
