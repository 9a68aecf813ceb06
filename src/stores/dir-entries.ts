// A store folder's entry names, where a folder not made yet holds none.
import { readdir } from 'node:fs/promises';
import { hasCode } from '../errors';

/** The names in `dir`; none when it does not exist (other errors are thrown). */
export async function dirEntries(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if (hasCode(err, 'ENOENT')) return [];
    throw err;
  }
}
