// Resolving Docker's `User` (name, uid, name:group, uid:gid) against the image's /etc/passwd and /etc/group.
import { InvalidParameterError } from '../../errors';

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  home: string;
}

/** Reads a file inside the container's root filesystem; undefined when absent. */
export type RootfsReader = (pathInRoot: string) => Promise<string | undefined>;

interface PasswdEntry { name: string; uid: number; gid: number; home: string }
interface GroupEntry { name: string; gid: number; members: string[] }

function parsePasswd(text: string | undefined): PasswdEntry[] {
  return (text ?? '').split('\n').map((l) => l.split(':')).filter((f) => f.length >= 4 && /^\d+$/.test(f[2]))
    .map((f) => ({ name: f[0], uid: Number(f[2]), gid: Number(f[3]), home: f[5] || '/' }));
}

function parseGroup(text: string | undefined): GroupEntry[] {
  return (text ?? '').split('\n').map((l) => l.split(':')).filter((f) => f.length >= 3 && /^\d+$/.test(f[2]))
    .map((f) => ({ name: f[0], gid: Number(f[2]), members: (f[3] ?? '').split(',').filter(Boolean) }));
}

const MAX_ID = 2 ** 31 - 1;

function numeric(s: string): number | undefined {
  if (!/^\d+$/.test(s)) return undefined;
  const n = Number(s);
  if (n > MAX_ID) throw new InvalidParameterError(`uids and gids must be in range 0-${MAX_ID}`);
  return n;
}

/** Resolve `spec` ("" means root) as runc/moby do; unknown names fail with Docker's message. */
export async function resolveUser(spec: string, read: RootfsReader): Promise<ResolvedUser> {
  const [userPart, groupPart] = (spec || '0').split(':', 2);
  const passwd = parsePasswd(await read('/etc/passwd'));
  let uid = numeric(userPart);
  let entry = uid !== undefined ? passwd.find((p) => p.uid === uid) : passwd.find((p) => p.name === userPart);
  if (uid === undefined) {
    if (!entry) throw new InvalidParameterError(`unable to find user ${userPart}: no matching entries in passwd file`);
    uid = entry.uid;
  }
  let gid = entry?.gid ?? 0;
  const groups = parseGroup(await read('/etc/group'));
  if (groupPart !== undefined && groupPart !== '') {
    const g = numeric(groupPart);
    if (g !== undefined) {
      gid = g;
    } else {
      const found = groups.find((x) => x.name === groupPart);
      if (!found) throw new InvalidParameterError(`unable to find group ${groupPart}: no matching entries in group file`);
      gid = found.gid;
    }
  }
  const additionalGids = entry && groupPart === undefined
    ? groups.filter((g) => g.members.includes(entry!.name) && g.gid !== gid).map((g) => g.gid)
    : [];
  return { uid, gid, additionalGids, home: entry?.home ?? '/' };
}
