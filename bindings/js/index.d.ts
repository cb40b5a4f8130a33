// Types of the npm package `wsguard` (the core's rules, compiled to WebAssembly).

/** A refusal: the core's stable code, the HTTP or close status, reason, remedy, retry advice. */
export class WsguardError extends Error {
  readonly code: string;
  status: number | null;
  readonly reason: string;
  readonly remedy: string;
  /** The reconnect decision taken after this failure (connect() only). */
  retry: Decision | null;
  /** true when the server answered the explain exchange (docs/EXPLAIN.md). */
  readonly explained: boolean;
  readonly details: { sendClose?: number; httpStatus?: number | null };
  /** connect() only, when it stopped (e.g. `wait_for_reauth` after 401): `socket.reauthenticate(token)` tries again. */
  socket?: WsguardSocket;
}

export interface WsUrl {
  secure: boolean; host: string; hostKind: 'name' | 'ipv4' | 'ipv6'; port: number | null; portOrDefault: number;
  path: string; query: string | null; resourceName: string; hostHeader: string; href: string;
}
export function deriveWsUrl(pageUrl: string, target?: string, options?: { port?: number; maxSize?: number }): string;
export function wsUrl(target?: string, options?: { page?: string; port?: number }): string;
export function checkMixedContent(pageUrl: string, url: string): void;
export function parseWsUrl(url: string): WsUrl;

export type Retry = 'never' | 'after_reauth' | 'soon' | 'with_backoff' | 'after_delay';
export interface CloseCodeInfo {
  code: number; name: string | null; category: string; wireValid: boolean; sender: string;
  description: string; remedy: string; retry: Retry; causes: string[]; appDefined: boolean;
}
/** An application close-code registry (core-checked). Build it once: entries live as long as the page. */
export interface Registry { classify(code: number): unknown }
export function createRegistry(
  entries?: { code: number; name: string; description: string; remedy: string; retry: Retry }[],
  options?: { conventions?: boolean },
): Registry;
/** The close code browsers report for every failed or dropped connection (1006), from the core. */
export const ABNORMAL_CLOSURE: number;
export function classifyClose(code: number, registry?: Registry): CloseCodeInfo;
export function parseClosePayload(bytes: Uint8Array): { code: number | null; reason: string };
export function encodeClosePayload(code: number, reason: string, maxSize?: number): Uint8Array;

export interface HeartbeatAction { action: 'send_ping' | 'wait' | 'peer_dead'; seq: number | null; payload: Uint8Array | null; until: number | null }
export class Heartbeat {
  constructor(now?: number, options?: { intervalMs?: number; deadTimeoutMs?: number; maxMissed?: number; role?: 'client' | 'server' | null });
  poll(now: number): HeartbeatAction;
  onPong(now: number, payload: Uint8Array): number | null;
  onPingReceived(now: number): boolean;
  onActivity(now: number): void;
  onClose(now: number): void;
  readonly deadReason: string | null; readonly lastRtt: number | null; readonly smoothedRtt: number | null;
  readonly stalePongs: number; readonly unsolicitedPongs: number;
}

export interface Decision {
  decision: 'stop' | 'wait_for_reauth' | 'retry_at';
  stopReason: 'normal' | 'not_retryable' | 'attempts_exhausted' | null;
  atMs: number | null; attempt: number | null; delayMs: number | null;
  code: string; reason: string; remedy: string;
}
export type Disconnect =
  | { close: number }
  | { httpStatus: number; retryAfterS?: number | null }
  | { transport: 'refused' | 'dns' | 'tls' | 'timeout' | 'reset' };
export interface ReconnectOptions {
  baseMs?: number; capMs?: number; maxAttempts?: number; jitter?: 'equal' | 'full'; stableAfterMs?: number;
  goingAwayDelayMs?: number; overloadDelayMs?: number; maxRetryAfterMs?: number; registry?: Registry;
}
export class Reconnect {
  constructor(options?: ReconnectOptions);
  onConnected(now: number): void;
  onDisconnect(now: number, disconnect: Disconnect, random?: number): Decision;
  reset(): void;
  readonly attempts: number;
}

/** Where the token goes; `value: null` sends none (yet): `reauthenticate(token)` supplies it. */
export interface Token { value: string | null; placement: 'query' | 'subprotocol_pair' | 'subprotocol_prefix'; name?: string }
export type State = 'connecting' | 'open' | 'reconnecting' | 'waiting_for_auth' | 'closed';
export interface StateEvent extends Event { state: State; error?: WsguardError; decision?: Decision }
/** One attempt (and, as a `close` event, the end of an open connection), with every input of the core's decision. */
export interface AttemptEvent extends Event {
  attempt: number; url: string; ok: boolean; code?: number; error?: WsguardError; decision?: Decision;
  /** The clock (ms) when the attempt started and when it opened or failed. */
  startedAt: number; at: number;
  /** What the core's Reconnect was told, and the random u32 it was given. */
  disconnect?: Disconnect; random?: number;
}
/** A monotonic clock and its timers (default: performance.now and setTimeout). */
export interface Clock { now(): number; setTimeout(fn: () => void, ms: number): unknown; clearTimeout(id: unknown): void }
export interface ConnectOptions {
  protocols?: string[];
  token?: Token;
  /** Application-level pings on the core's schedule; false: off. */
  heartbeat?: false | { intervalMs?: number; deadTimeoutMs?: number; maxMissed?: number };
  /** The core's reconnect policy (options), or false: reject on the first failure. */
  reconnect?: false | ReconnectOptions;
  /** Messages queued while reconnecting (default 64); beyond: `send_queue_full`. */
  queueLimit?: number;
  /** Ask the server why after a refused upgrade (default true). */
  explain?: boolean;
  /** The page URL the socket URL is derived from (default: location.href). */
  page?: string;
  WebSocket?: typeof WebSocket;
  random?: () => number;
  /** Replaces the clock and timers of the heartbeat and reconnect schedule (tests, a shared app clock). */
  clock?: Clock;
  onState?: (e: StateEvent) => void;
  onAttempt?: (e: AttemptEvent) => void;
}
export class WsguardSocket extends EventTarget {
  readonly url: string; readonly state: State; readonly readyState: number; readonly protocol: string;
  send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
  reauthenticate(token?: string): Promise<WsguardSocket>;
}
export function connect(url: string, options?: ConnectOptions): Promise<WsguardSocket>;

export interface ExplainAnswer { explained: boolean; ok?: boolean; code?: string; status?: number | null; reason?: string; remedy?: string; transport?: string }
export function explain(url: string, options?: { protocols?: string[]; token?: Token | null; origin?: string | null }): Promise<ExplainAnswer>;
