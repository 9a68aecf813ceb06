// Shared command plumbing: per-argument error reporting (docker's "one line per failure, exit 1") and prompts.
import * as readline from 'node:readline';
import { StatusError, writeErr, writeOut } from '../context';
import { describeError } from '../errors';

/** Run `fn` for each argument; print each success's text, each failure's message; exit 1 if any failed. */
export async function reportEach(args: string[], fn: (arg: string) => Promise<string>): Promise<void> {
  const failures: string[] = [];
  for (const arg of args) {
    try {
      await writeOut(await fn(arg));
    } catch (err) {
      failures.push(describeError(err));
    }
  }
  if (failures.length) throw new StatusError(1, failures.join('\n'));
}

/** docker's prompt: "<warning>\nAre you sure you want to continue? [y/N] ". */
export async function confirm(warning: string): Promise<boolean> {
  await writeOut(`${warning}\nAre you sure you want to continue? [y/N] `);
  if (!process.stdin.readable) return false;
  const rl = readline.createInterface({ input: process.stdin });
  const answer = await new Promise<string>((resolve) => {
    rl.once('line', resolve);
    rl.once('close', () => resolve(''));
  });
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}
