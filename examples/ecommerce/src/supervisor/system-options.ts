import type { Environment } from '../shared/environment.js';

/** How `all` (and the demo) runs the broker and the services. */
export interface SystemOptions {
  readonly host: string;
  /** The services' PGlite folders and the broker's store are under it. */
  readonly dataDir: string;
  readonly withGifts: boolean;
  /** 0 lets a process pick a free port. */
  readonly ports: { readonly broker: number; readonly account: number; readonly points: number; readonly coupons: number; readonly gifts: number };
  /** A broker to use instead of starting one (`TXMQ_ENDPOINTS`). */
  readonly externalBroker: string | undefined;
  /** The environment the services start with (`DATABASE_URL`...). */
  readonly env: Environment;
  /** `prefixed`: the processes' output is shown, each line tagged; `quiet`: kept, shown when one fails. */
  readonly output: 'prefixed' | 'quiet';
}
