// The error kinds every part of berth throws; src/api/http-status.ts maps them to HTTP.

export type ErrorKind =
  | 'NotFound'
  | 'Conflict'
  | 'InvalidParameter'
  | 'NotImplemented'
  | 'Unavailable'
  | 'NotModified'
  | 'Forbidden'
  | 'Unauthorized'
  | 'System';

/** Base of every error berth raises on purpose; `kind` decides the HTTP status. */
export class BerthError extends Error {
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.name = `${kind}Error`;
  }
}

export class NotFoundError extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) { super('NotFound', message, options); }
}
export class ConflictError extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) { super('Conflict', message, options); }
}
export class InvalidParameterError extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) { super('InvalidParameter', message, options); }
}
export class NotImplementedError extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) { super('NotImplemented', message, options); }
}
export class UnavailableError extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) { super('Unavailable', message, options); }
}
export class NotModifiedError extends BerthError {
  constructor(message = '', options?: { cause?: unknown }) { super('NotModified', message, options); }
}
export class ForbiddenError extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) { super('Forbidden', message, options); }
}
/** Credentials missing or refused (a registry's 401, passed on as Docker does). */
export class UnauthorizedError extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) { super('Unauthorized', message, options); }
}
export class SystemError extends BerthError {
  constructor(message: string, options?: { cause?: unknown }) { super('System', message, options); }
}

export function isBerthError(err: unknown): err is BerthError {
  return err instanceof BerthError;
}

/** True when a Node fs/child error carries the given errno code (ENOENT, EEXIST, …). */
export function hasCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
