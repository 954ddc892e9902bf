// What the services answer over HTTP, shared by the account service (which reads points and
// coupons) and the demo.

/** One grant of points. */
export interface PointGrant {
  readonly reason: string;
  readonly points: number;
  /** ISO 8601. */
  readonly grantedAt: string;
}

/** `GET /points/:userId` of the points service. */
export interface PointsBalance {
  readonly userId: string;
  readonly balance: number;
  readonly grants: readonly PointGrant[];
}

/** `GET /points?users=a,b` of the points service: the balance of each user that has points. */
export interface PointsBalances {
  readonly balances: Readonly<Record<string, number>>;
}

/** A coupon. */
export interface Coupon {
  readonly code: string;
  readonly kind: string;
  /** ISO 8601. */
  readonly expiresAt: string;
  /** ISO 8601. */
  readonly grantedAt: string;
}

/** `GET /coupons/:userId` of the coupons service. */
export interface UserCoupons {
  readonly userId: string;
  readonly coupons: readonly Coupon[];
}

/** `GET /coupons?users=a,b` of the coupons service: the coupons of each user that has some. */
export interface CouponsByUser {
  readonly coupons: Readonly<Record<string, readonly Coupon[]>>;
}

/** `GET /stats` of a service that grants one welcome reward per registration. */
export interface GrantStats {
  /** Registrations that got the reward. */
  readonly registrations: number;
  /** Rows of the reward. */
  readonly grants: number;
  /** Grants beyond one per registration (`grants - registrations`). */
  readonly duplicates: number;
}

/** `GET /stats` of the account service. */
export interface AccountStats {
  readonly users: number;
}

/** A user as the account service shows it. */
export interface UserView {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  /** ISO 8601. */
  readonly registeredAt: string;
}

/** A user with the rewards the other services granted; `null` while not granted (or unknown). */
export interface UserWithRewards extends UserView {
  /** The points balance. */
  readonly points: number | null;
  /** The welcome coupon. */
  readonly coupon: Coupon | null;
}

/** Whether a service answered. */
export type ServiceState = 'up' | 'down';

/** `GET /users` of the account service. */
export interface UserList {
  readonly users: readonly UserWithRewards[];
  readonly services: { readonly points: ServiceState; readonly coupons: ServiceState };
}

/** `GET /users/:id/rewards` of the account service. */
export interface UserRewards {
  readonly userId: string;
  /** `null` when the points service did not answer. */
  readonly points: PointsBalance | null;
  /** `null` when the coupons service did not answer. */
  readonly coupons: readonly Coupon[] | null;
}
