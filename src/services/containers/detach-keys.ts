// Detach keys as berthd takes them from attach and exec clients: Docker's default and its error for a bad sequence.
import { InvalidParameterError } from '../../errors';
import { parseDetachKeys as parseKeys } from '../../units/detach-keys';

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

/** The detach sequence as bytes; empty means Docker's default; InvalidParameter "Invalid detach keys (x) provided" otherwise. */
export function parseDetachKeys(spec: string | undefined, what = 'detach keys'): Buffer {
  try {
    return parseKeys(spec || DEFAULT_DETACH_KEYS);
  } catch (err) {
    throw new InvalidParameterError(`Invalid ${what} (${spec}) provided`, { cause: err });
  }
}
