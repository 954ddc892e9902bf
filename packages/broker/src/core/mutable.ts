/** `T` with its readonly properties writable: for building a read model's object field by field. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
