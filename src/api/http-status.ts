// The one place error kinds become HTTP status codes and Docker's {"message": …} body.
import { isBerthError, type ErrorKind } from '../errors';

const STATUS: Record<ErrorKind, number> = {
  InvalidParameter: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  NotModified: 304,
  NotImplemented: 501,
  Unavailable: 503,
  System: 500,
};

export function statusOf(err: unknown): number {
  return isBerthError(err) ? STATUS[err.kind] : 500;
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
