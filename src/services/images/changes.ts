// Dockerfile-style `changes` applied by import and commit (CMD, ENV, ENTRYPOINT, …).
import { InvalidParameterError } from '../../errors';
import type { ImageRunConfig } from './types';

const ALLOWED = new Set(['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'LABEL', 'ONBUILD', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR']);

/** JSON array form when the text is one, else undefined. */
function jsonArray(text: string): string[] | undefined {
  if (!text.startsWith('[')) return undefined;
  try {
    const v = JSON.parse(text);
    if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v;
  } catch { /* shell form */ }
  return undefined;
}

/** Split `k=v k2="v 2"` or legacy `k v` pairs as Dockerfile ENV/LABEL do. */
function keyValues(text: string): Array<[string, string]> {
  const words: string[] = [];
  const re = /(?:[^\s"']+|"(?:\\.|[^"\\])*"|'[^']*')+/g;
  for (const m of text.matchAll(re)) words.push(m[0]);
  if (words.length && !words[0].includes('=')) {
    const sp = text.search(/\s/);
    if (sp < 0) throw new InvalidParameterError(`ENV/LABEL needs a value: ${text}`);
    return [[text.slice(0, sp), text.slice(sp).trim()]];
  }
  return words.map((w) => {
    const eq = w.indexOf('=');
    if (eq <= 0) throw new InvalidParameterError(`invalid key=value: ${w}`);
    return [w.slice(0, eq), unquote(w.slice(eq + 1))];
  });
}

function unquote(s: string): string {
  return s.replace(/"((?:\\.|[^"\\])*)"|'([^']*)'/g, (_m, dq, sq) => (dq !== undefined ? dq.replace(/\\(.)/g, '$1') : sq));
}

/** Apply change lines to a copy of `base`. InvalidParameter for an unknown or malformed instruction. */
export function applyChanges(base: ImageRunConfig, changes: string[]): ImageRunConfig {
  const cfg: ImageRunConfig = structuredClone(base);
  for (const raw of changes) {
    const line = raw.trim();
    if (!line) continue;
    const m = /^(\S+)\s*(.*)$/s.exec(line)!;
    const instr = m[1].toUpperCase();
    const arg = m[2].trim();
    if (!ALLOWED.has(instr)) throw new InvalidParameterError(`${instr} is not a valid change command`);
    switch (instr) {
      case 'CMD': cfg.Cmd = jsonArray(arg) ?? ['/bin/sh', '-c', arg]; break;
      case 'ENTRYPOINT': cfg.Entrypoint = jsonArray(arg) ?? ['/bin/sh', '-c', arg]; break;
      case 'ENV': {
        const env = [...(cfg.Env ?? [])];
        for (const [k, v] of keyValues(arg)) {
          const i = env.findIndex((e) => e.split('=')[0] === k);
          if (i >= 0) env[i] = `${k}=${v}`; else env.push(`${k}=${v}`);
        }
        cfg.Env = env;
        break;
      }
      case 'LABEL': cfg.Labels = { ...(cfg.Labels ?? {}), ...Object.fromEntries(keyValues(arg)) }; break;
      case 'EXPOSE': {
        const ports = { ...(cfg.ExposedPorts ?? {}) };
        for (const p of arg.split(/\s+/).filter(Boolean)) ports[p.includes('/') ? p : `${p}/tcp`] = {};
        cfg.ExposedPorts = ports;
        break;
      }
      case 'VOLUME': {
        const vols = { ...(cfg.Volumes ?? {}) };
        for (const v of jsonArray(arg) ?? arg.split(/\s+/).filter(Boolean)) vols[v] = {};
        cfg.Volumes = vols;
        break;
      }
      case 'WORKDIR': cfg.WorkingDir = arg; break;
      case 'USER': cfg.User = arg; break;
      case 'STOPSIGNAL': cfg.StopSignal = arg; break;
      case 'ONBUILD': cfg.OnBuild = [...(cfg.OnBuild ?? []), arg]; break;
    }
  }
  return cfg;
}
