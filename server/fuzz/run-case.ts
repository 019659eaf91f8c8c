/**
 * Sends one fuzz case and judges the answer. The server must answer every hostile
 * request with a status below 500 and, when it answers JSON, with typed errors only
 * (an `extensions.code` from `TYPED_ERROR_CODES`) or ordinary data; a WebSocket must be
 * closed with a graphql-ws or WebSocket close code, or answered with typed errors.
 */
import WebSocket from 'ws';
import type { FuzzCase, HttpFuzzCase, WsFuzzCase } from './fuzz-case';

/** Codes a client may be told; anything else (or none) is a server bug. */
export const TYPED_ERROR_CODES = new Set([
  'BAD_USER_INPUT', 'BAD_REQUEST', 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'UNAUTHENTICATED', 'FORBIDDEN',
  'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'LENGTH_REQUIRED', 'CSRF_HEADER_REQUIRED', 'CHECKPOINT_EXPIRED',
  'WRITE_ID_REUSED', 'NOT_FOUND', 'MUTATION_IN_PROGRESS', 'RATE_LIMITED', 'OPERATION_RESOLUTION_FAILURE',
]);

/** The message yoga puts in place of an unhandled exception. */
export const MASKED_MESSAGE = 'Unexpected error.';

export interface CaseResult {
  /** A short class of the answer for the tally: `400 GRAPHQL_PARSE_FAILED`, `200 rejected:VALIDATION`, `ws close 4400`. */
  readonly outcome: string;
  /** Why the answer breaks the contract; undefined when it keeps it. */
  readonly problem?: string;
}

interface GraphQLBody {
  data?: unknown;
  errors?: { message?: unknown; extensions?: { code?: unknown } }[];
}

/** Judges a GraphQL JSON answer (HTTP body or WebSocket message payload). */
export function judgeErrors(errors: GraphQLBody['errors']): { codes: string[]; problem?: string } {
  const codes: string[] = [];
  let problem: string | undefined;
  for (const error of errors ?? []) {
    const code = typeof error.extensions?.code === 'string' ? error.extensions.code : 'NO_CODE';
    codes.push(code);
    if (error.message === MASKED_MESSAGE) problem ??= 'masked "Unexpected error." (an unhandled exception)';
    else if (!TYPED_ERROR_CODES.has(code)) problem ??= `error without a known code (${code}): ${String(error.message).slice(0, 200)}`;
  }
  return { codes: [...new Set(codes)].sort(), problem };
}

/** Rule outcomes inside data: push rejections and the public API's union answers. */
function dataOutcome(data: unknown): string {
  const found = new Set<string>();
  const visit = (value: unknown, depth: number): void => {
    if (depth > 6 || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach((item) => visit(item, depth + 1));
    const record = value as Record<string, unknown>;
    if (Array.isArray(record['rejections'])) for (const r of record['rejections']) found.add(`rejected:${(r as { code?: string }).code}`);
    if (Array.isArray(record['conflicts']) && record['conflicts'].length > 0) found.add('conflict');
    if (record['__typename'] === 'RuleViolation') found.add(`violation:${String(record['code'])}`);
    if (record['__typename'] === 'RevisionConflict') found.add('conflict');
    for (const [key, child] of Object.entries(record)) if (key !== 'conflicts' && key !== 'refused') visit(child, depth + 1);
  };
  visit(data, 0);
  return found.size > 0 ? [...found].sort().join('+') : 'data';
}

async function runHttp(url: string, c: HttpFuzzCase, timeoutMs: number): Promise<CaseResult> {
  let response: Response;
  try {
    response = await fetch(`${url}/graphql${c.search ?? ''}`, {
      method: c.method,
      headers: c.headers,
      body: c.body instanceof Uint8Array ? new Blob([c.body]) : c.body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    return { outcome: 'no answer', problem: `request failed: ${(error as Error).message}` };
  }
  const status = response.status;
  const text = await response.text();
  let body: GraphQLBody | undefined;
  try {
    body = JSON.parse(text) as GraphQLBody;
  } catch {
    body = undefined;
  }
  if (status >= 500) return { outcome: `${status}`, problem: `status ${status}: ${text.slice(0, 200)}` };
  if (!body || typeof body !== 'object') {
    return { outcome: `${status} not JSON`, problem: status < 400 ? `status ${status} with a body that is not GraphQL JSON` : undefined };
  }
  if (body.errors?.length) {
    const { codes, problem } = judgeErrors(body.errors);
    return { outcome: `${status} ${codes.join('+')}`, problem };
  }
  if (body.data === undefined) return { outcome: `${status} empty`, problem: 'JSON answer without data or errors' };
  return { outcome: `${status} ${dataOutcome(body.data)}` };
}

async function runWs(url: string, c: WsFuzzCase, timeoutMs: number): Promise<CaseResult> {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/graphql`, c.protocol === undefined ? [] : c.protocol);
  return new Promise<CaseResult>((resolve) => {
    let settled = false;
    const finish = (result: CaseResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.terminate();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ outcome: 'ws no answer', problem: `neither closed nor answered within ${timeoutMs} ms` }), timeoutMs);
    // Frames after a connection_init wait for its acknowledgement, as a real client's do:
    // sent at once, they would only test the "not acknowledged yet" refusal.
    const queue = [...c.frames];
    const sendUntilInit = () => {
      while (queue.length > 0) {
        const frame = queue.shift()!;
        socket.send(frame);
        if (typeof frame === 'string' && frame.includes('"connection_init"')) return;
      }
    };
    socket.on('open', sendUntilInit);
    socket.on('message', (raw) => {
      let message: { type?: string; payload?: unknown };
      try {
        message = JSON.parse(String(raw)) as typeof message;
      } catch {
        return finish({ outcome: 'ws not JSON', problem: `a frame that is not JSON: ${String(raw).slice(0, 100)}` });
      }
      if (message.type === 'connection_ack') return sendUntilInit();
      if (message.type === 'pong' || message.type === 'ping') return;
      if (message.type === 'error') {
        const { codes, problem } = judgeErrors(message.payload as GraphQLBody['errors']);
        return finish({ outcome: `ws error ${codes.join('+')}`, problem });
      }
      if (message.type === 'next') {
        const payload = message.payload as GraphQLBody;
        if (payload.errors?.length) {
          const { codes, problem } = judgeErrors(payload.errors);
          return finish({ outcome: `ws next ${codes.join('+')}`, problem });
        }
        return finish({ outcome: 'ws next data', problem: 'the hostile subscription streamed data' });
      }
      if (message.type === 'complete') return finish({ outcome: 'ws complete' });
      finish({ outcome: `ws ${message.type}`, problem: `unexpected message ${JSON.stringify(message).slice(0, 100)}` });
    });
    socket.on('unexpected-response', (_, response) => {
      const status = response.statusCode ?? 0;
      finish({ outcome: `ws http ${status}`, problem: status >= 500 ? `upgrade answered ${status}` : undefined });
    });
    let clientError = '';
    socket.on('error', (error) => (clientError = error.message));
    socket.on('close', (code) => {
      // The server answered the upgrade without the subprotocol asked for: the ws client gives up.
      if (code === 1006 && /subprotocol/i.test(clientError)) return finish({ outcome: 'ws subprotocol refused' });
      // 4400–4499: graphql-ws and Fieldbook refusals; 1002/1003/1007/1009: the WebSocket
      // layer refusing a bad frame. 4500 is graphql-ws's internal error: a bug.
      const typed = (code >= 4400 && code < 4500) || [1002, 1003, 1007, 1008, 1009].includes(code);
      finish({ outcome: `ws close ${code}`, problem: typed ? undefined : `closed with ${code}` });
    });
  });
}

export function runCase(url: string, c: FuzzCase, timeoutMs = 10_000): Promise<CaseResult> {
  return c.kind === 'http' ? runHttp(url, c, timeoutMs) : runWs(url, c, timeoutMs);
}
