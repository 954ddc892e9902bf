/** Injection token of the service's {@link ServiceSettings}. */
export const SERVICE_SETTINGS = Symbol('ServiceSettings');
/** Injection token of the service's {@link ServiceDatabase}. */
export const SERVICE_DATABASE = Symbol('ServiceDatabase');
