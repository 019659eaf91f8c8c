/**
 * The few things the SQL store needs from a database connection. PGlite and a `pg`
 * pool both implement it, so one store runs the same SQL on either.
 */
export interface SqlExecutor {
  /** Runs one parameterised statement and returns its rows. */
  query<R>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface SqlDriver extends SqlExecutor {
  /**
   * True when transactions never overlap (PGlite: one session, one transaction at a
   * time), so nothing a transaction read can change before it commits.
   */
  readonly exclusiveTransactions: boolean;
  /** Runs `fn` in one transaction on one connection: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
