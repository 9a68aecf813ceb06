// Instructions that change only the image config (ENV, CMD, EXPOSE, …): the new config and the history line Docker records.
import { InvalidParameterError } from '../errors';
import type { ImageRunConfig } from '../services/images';
import { DockerfileParseError, instructionFlags, type Instruction } from './dockerfile/parser';
import { argPairs } from './stages';
import { expand, goList, shellOf, type StageState } from './state';

export interface ConfigChange {
  run: ImageRunConfig;
  /** What follows "#(nop) " in the history entry. */
  comment: string;
  author?: string;
  cmdSet?: boolean;
}

function pairs(s: StageState, ins: Instruction): Array<[string, string]> {
  return ins.args.map((w) => {
    const eq = w.indexOf('=');
    return [expand(s, w.slice(0, eq)).value, expand(s, w.slice(eq + 1)).value];
  });
}

function commandOf(s: StageState, ins: Instruction): string[] {
  if (ins.json) return ins.args;
  return ins.args.length ? [...shellOf(s), ins.args[0]!] : [];
}

/** Go duration ("30s", "1m30s", "500ms") in nanoseconds. */
export function parseDuration(text: string, line: number): number {
  const units: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  if (text === '0') return 0;
  let total = 0;
  let rest = text;
  while (rest) {
    const m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/.exec(rest);
    if (!m) throw new DockerfileParseError(line, `time: invalid duration "${text}"`);
    total += Number(m[1]) * units[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return Math.round(total);
}

function healthcheck(ins: Instruction): unknown {
  if (ins.args[0] === 'NONE') return { Test: ['NONE'] };
  const flags = instructionFlags(ins, ['interval', 'timeout', 'start-period', 'start-interval', 'retries']);
  const hc: Record<string, unknown> = { Test: ins.json ? ['CMD', ...ins.args.slice(1)] : ['CMD-SHELL', ins.args[1]] };
  const durations: Array<[string, string]> = [['interval', 'Interval'], ['timeout', 'Timeout'], ['start-period', 'StartPeriod'], ['start-interval', 'StartInterval']];
  for (const [flag, key] of durations) {
    const v = flags.get(flag);
    if (v !== undefined) hc[key] = parseDuration(v, ins.line);
  }
  const retries = flags.get('retries');
  if (retries !== undefined) {
    if (!/^\d+$/.test(retries)) throw new DockerfileParseError(ins.line, `invalid retries value: ${retries}`);
    hc.Retries = Number(retries);
  }
  return hc;
}

/** Apply a config-only instruction to a copy of the stage's run config. */
export function configStep(s: StageState, ins: Instruction): ConfigChange {
  const run: ImageRunConfig = structuredClone(s.run);
  if (ins.cmd !== 'HEALTHCHECK') instructionFlags(ins, []);
  switch (ins.cmd) {
    case 'ENV': {
      const env = [...(run.Env ?? [])];
      const kv = pairs(s, ins);
      for (const [k, v] of kv) {
        if (!k) throw new DockerfileParseError(ins.line, 'ENV names can not be blank');
        const i = env.findIndex((e) => e.slice(0, e.indexOf('=')) === k);
        if (i >= 0) env[i] = `${k}=${v}`; else env.push(`${k}=${v}`);
      }
      run.Env = env;
      return { run, comment: `ENV ${kv.map(([k, v]) => `${k}=${v}`).join(' ')}` };
    }
    case 'LABEL': {
      const kv = pairs(s, ins);
      run.Labels = { ...(run.Labels ?? {}), ...Object.fromEntries(kv) };
      return { run, comment: `LABEL ${kv.map(([k, v]) => `${k}=${v}`).join(' ')}` };
    }
    case 'MAINTAINER':
      return { run, comment: `MAINTAINER ${ins.args[0]}`, author: ins.args[0] };
    case 'EXPOSE': {
      const ports = { ...(run.ExposedPorts ?? {}) };
      const words = ins.args.flatMap((a) => expand(s, a).words);
      for (const p of words) {
        if (!/^\d+(-\d+)?(\/(tcp|udp|sctp))?$/i.test(p)) throw new DockerfileParseError(ins.line, `invalid containerPort: ${p}`);
        const [range, proto = 'tcp'] = p.toLowerCase().split('/');
        const [lo, hi = lo] = range!.split('-').map(Number);
        for (let n = lo!; n <= hi!; n++) ports[`${n}/${proto}`] = {};
      }
      run.ExposedPorts = ports;
      return { run, comment: `EXPOSE ${words.join(' ')}` };
    }
    case 'VOLUME': {
      const vols = { ...(run.Volumes ?? {}) };
      const list = ins.args.map((a) => expand(s, a).value.trim());
      for (const v of list) {
        if (!v) throw new DockerfileParseError(ins.line, 'VOLUME specified can not be an empty string');
        vols[v] = {};
      }
      run.Volumes = vols;
      return { run, comment: `VOLUME [${list.join(' ')}]` };
    }
    case 'USER':
      run.User = expand(s, ins.args[0]!).value;
      return { run, comment: `USER ${run.User}` };
    case 'STOPSIGNAL': {
      const sig = expand(s, ins.args[0]!).value;
      if (!/^(SIG)?[A-Z0-9+-]+$|^\d+$/.test(sig)) throw new DockerfileParseError(ins.line, `Invalid signal: ${sig}`);
      run.StopSignal = sig;
      return { run, comment: `STOPSIGNAL ${sig}` };
    }
    case 'CMD':
      run.Cmd = commandOf(s, ins);
      return { run, comment: `CMD ${goList(run.Cmd)}`, cmdSet: true };
    case 'ENTRYPOINT':
      run.Entrypoint = commandOf(s, ins);
      if (!s.cmdSet) run.Cmd = null;
      return { run, comment: `ENTRYPOINT ${goList(run.Entrypoint)}` };
    case 'SHELL':
      if (!ins.args.length) throw new DockerfileParseError(ins.line, 'SHELL requires at least one argument');
      run.Shell = ins.args;
      return { run, comment: `SHELL [${ins.args.join(' ')}]` };
    case 'ONBUILD':
      run.OnBuild = [...(run.OnBuild ?? []), ins.args[0]!];
      return { run, comment: `ONBUILD ${ins.args[0]}` };
    case 'HEALTHCHECK':
      run.Healthcheck = healthcheck(ins);
      return { run, comment: `HEALTHCHECK ${ins.original.replace(/^\S+\s*/, '')}` };
    case 'ARG':
      return { run, comment: `ARG ${argPairs(ins).map(([k, v]) => (v === undefined ? k : `${k}=${v}`)).join(' ')}` };
  }
  throw new InvalidParameterError(`${ins.cmd} is not a config instruction`);
}
