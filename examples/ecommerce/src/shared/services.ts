/** The services of the example. */
export const SERVICES = ['account', 'points', 'coupons', 'gifts'] as const;

/** One of {@link SERVICES}. */
export type ServiceName = (typeof SERVICES)[number];

/** Port each service listens on unless told otherwise. */
export const DEFAULT_PORTS: Readonly<Record<ServiceName, number>> = { account: 3000, points: 3001, coupons: 3002, gifts: 3003 };

/** The environment variable that sets each service's port. */
export const PORT_VARIABLES: Readonly<Record<ServiceName, string>> = {
  account: 'ACCOUNT_PORT',
  points: 'POINTS_PORT',
  coupons: 'COUPONS_PORT',
  gifts: 'GIFTS_PORT',
};

/** Port of the broker the example starts, and that the services connect to by default. */
export const DEFAULT_BROKER_PORT = 8081;

export function isServiceName(value: unknown): value is ServiceName {
  return typeof value === 'string' && (SERVICES as readonly string[]).includes(value);
}
