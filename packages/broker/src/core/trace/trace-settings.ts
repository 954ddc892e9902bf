/** How the broker records message traces durably, best effort (config key `trace`; see `TraceConfig` and trace-writer.ts). */
export interface TraceSettings {
  /** Record trace events durably (default true). Message events reach listeners either way. */
  readonly enabled: boolean;
  /** How long recorded trace events are kept, in ms (default: as long as messages); 0 keeps them. */
  readonly retentionMs: number;
  /** Only these topics' messages are traced durably; undefined traces every topic. */
  readonly topics?: ReadonlySet<string>;
}
