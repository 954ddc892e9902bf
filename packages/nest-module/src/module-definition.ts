import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { TxmqModuleOptions } from './options.js';

/** Extras of `forRoot` / `forRootAsync` beside the options themselves. */
export interface TxmqModuleExtras {
  /** Register the module globally, so every module can inject its providers (default `false`). */
  readonly isGlobal?: boolean;
}

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN: TXMQ_MODULE_OPTIONS, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<TxmqModuleOptions>()
    .setClassMethodName('forRoot')
    .setExtras<TxmqModuleExtras>({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal === true }))
    .build();
