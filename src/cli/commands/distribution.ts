// `berth pull`, `berth push`, `berth login`, `berth logout`: registries through the daemon, credentials in ~/.docker/config.json.
import type { Command } from 'commander';
import { parseReference } from '../../services/images/reference';
import { subcommand } from '../command';
import { StatusError, clientFor, writeOut } from '../context';
import { eraseCredentials, registryAuthHeader, serverKey, storeCredentials } from '../registry/docker-config';
import { displayProgress } from '../streams/progress';

function authHeaders(image: string): Record<string, string> {
  let domain = 'docker.io';
  try { domain = parseReference(image).domain; } catch { /* the daemon reports the bad reference */ }
  const h = registryAuthHeader(domain);
  return h ? { 'X-Registry-Auth': h } : {};
}

function splitTag(image: string): { name: string; tag?: string } {
  const at = image.indexOf('@');
  if (at >= 0) return { name: image.slice(0, at), tag: image.slice(at + 1) };
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > slash ? { name: image.slice(0, colon), tag: image.slice(colon + 1) } : { name: image };
}

export function registerPull(parent: Command, name: string): Command {
  return subcommand(parent, name, '[OPTIONS] NAME[:TAG|@DIGEST]', 'Download an image from a registry')
    .argument('<image>')
    .option('-a, --all-tags', 'Download all tagged images in the repository')
    .option('--platform <platform>', 'Set platform if server is multi-platform capable')
    .option('-q, --quiet', 'Suppress verbose output')
    .action(async (image: string, opts: { allTags?: boolean; platform?: string; quiet?: boolean }, cmd: Command) => {
      const { name: fromImage, tag } = splitTag(image);
      if (opts.allTags && tag) throw new StatusError(1, 'tag can\'t be used with --all-tags/-a');
      if (!tag && !opts.allTags && !opts.quiet) await writeOut('Using default tag: latest\n');
      const res = await clientFor(cmd).request('POST', '/images/create', {
        query: { fromImage, tag: opts.allTags ? undefined : tag ?? 'latest', platform: opts.platform }, headers: authHeaders(image),
      });
      await displayProgress(res.body, process.stdout, { quiet: opts.quiet });
      if (opts.allTags) {
        const ref = parseReference(image);
        await writeOut(`${ref.domain}/${ref.path}\n`);
      } else if (opts.quiet) await writeOut(`${tag ? image : `${image}:latest`}\n`);
      else {
        const ref = parseReference(tag ? image : `${image}:latest`);
        await writeOut(`${ref.domain}/${ref.path}${ref.digest ? '@' + ref.digest : ':' + ref.tag}\n`);
      }
    });
}

export function registerPush(parent: Command, name: string): Command {
  return subcommand(parent, name, '[OPTIONS] NAME[:TAG]', 'Upload an image to a registry')
    .argument('<image>')
    .option('-a, --all-tags', 'Push all tags of an image to the repository')
    .option('-q, --quiet', 'Suppress verbose output')
    .action(async (image: string, opts: { allTags?: boolean; quiet?: boolean }, cmd: Command) => {
      const { name: repo, tag } = splitTag(image);
      if (!tag && !opts.allTags && !opts.quiet) await writeOut('Using default tag: latest\n');
      const res = await clientFor(cmd).request('POST', `/images/${encodeURIComponent(repo)}/push`, {
        query: { tag: opts.allTags ? undefined : tag ?? 'latest' }, headers: authHeaders(image),
      });
      await displayProgress(res.body, process.stdout, { quiet: opts.quiet });
      if (opts.quiet) await writeOut(`${image}\n`);
    });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export function registerLogin(parent: Command, name: string): Command {
  return subcommand(parent, name, '[OPTIONS] [SERVER]', 'Log in to a registry')
    .argument('[server]')
    .option('-u, --username <username>', 'Username')
    .option('-p, --password <password>', 'Password')
    .option('--password-stdin', 'Take the password from stdin')
    .action(async (server: string | undefined, opts: { username?: string; password?: string; passwordStdin?: boolean }, cmd: Command) => {
      let password = opts.password;
      if (opts.passwordStdin) {
        if (opts.password) throw new StatusError(1, '--password and --password-stdin are mutually exclusive');
        if (!opts.username) throw new StatusError(1, 'Must provide --username with --password-stdin');
        password = await readStdin();
      }
      if (!opts.username || !password) throw new StatusError(1, 'Error: Cannot perform an interactive login from a non TTY device');
      const key = serverKey(server);
      await clientFor(cmd).json('POST', '/auth', { body: { username: opts.username, password, serveraddress: key } })
        .catch((err: Error) => { throw new StatusError(1, `Error response from daemon: ${err.message}`); });
      storeCredentials(key, opts.username, password);
      await writeOut('Login Succeeded\n');
    });
}

export function registerLogout(parent: Command, name: string): Command {
  return subcommand(parent, name, '[SERVER]', 'Log out from a registry')
    .argument('[server]')
    .action(async (server: string | undefined) => {
      const key = serverKey(server);
      if (!eraseCredentials(key)) {
        await writeOut(`Not logged in to ${key}\n`);
        return;
      }
      await writeOut(`Removing login credentials for ${key}\n`);
    });
}
