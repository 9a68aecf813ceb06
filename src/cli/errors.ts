// How the CLI words failures: daemon errors as "Error response from daemon: …", unreachable daemons, the rest.
import { ApiError, DaemonUnreachableError } from '../client/errors';

/** The one-line message docker would print for this error. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) return `Error response from daemon: ${err.daemonMessage}`;
  if (err instanceof DaemonUnreachableError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
