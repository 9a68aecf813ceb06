// Typed errors the Engine API client raises: daemon answers with a status, and unreachable daemons.

/** The daemon answered with a non-2xx status; `message` is the daemon's own `{"message": …}` text. */
export class ApiError extends Error {
  readonly statusCode: number;
  /** The daemon's message, exactly as sent (docker prints it after "Error response from daemon: "). */
  readonly daemonMessage: string;
  constructor(statusCode: number, daemonMessage: string) {
    super(daemonMessage);
    this.name = 'ApiError';
    this.statusCode = statusCode;
    this.daemonMessage = daemonMessage;
  }
}

/** The daemon could not be reached at all (no socket, refused, reset before an answer). */
export class DaemonUnreachableError extends Error {
  readonly host: string;
  constructor(host: string, options?: { cause?: unknown }) {
    super(`Cannot connect to the berth daemon at ${host}. Is the berth daemon running?`, options);
    this.name = 'DaemonUnreachableError';
    this.host = host;
  }
}

export function isApiError(err: unknown, statusCode?: number): err is ApiError {
  return err instanceof ApiError && (statusCode === undefined || err.statusCode === statusCode);
}
