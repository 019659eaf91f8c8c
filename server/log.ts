/**
 * Structured logs: one JSON object per line on stdout (`{"time","level","msg",...}`),
 * which log shippers parse without a pattern. It has yoga's logger shape (`debug`,
 * `info`, `warn`, `error` taking any arguments), so yoga and the server share it: the
 * first string argument is the message, plain objects are merged in as fields and
 * errors become `{ error: { name, message, stack } }`.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

function fieldsOf(args: readonly unknown[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const words: string[] = [];
  for (const arg of args) {
    if (arg instanceof Error) fields['error'] = { name: arg.name, message: arg.message, stack: arg.stack };
    else if (arg && typeof arg === 'object') Object.assign(fields, arg);
    else if (arg !== undefined) words.push(String(arg));
  }
  return { msg: words.join(' '), ...fields };
}

export function createJsonLogger(minimum: LogLevel = 'info', write: (line: string) => void = (line) => process.stdout.write(line)): Logger {
  const at = (level: LogLevel) => (...args: unknown[]) => {
    if (ORDER[level] < ORDER[minimum]) return;
    let line: string;
    try {
      line = JSON.stringify({ time: new Date().toISOString(), level, ...fieldsOf(args) });
    } catch {
      line = JSON.stringify({ time: new Date().toISOString(), level, msg: 'unserialisable log entry' });
    }
    write(`${line}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
