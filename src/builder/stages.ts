// Splitting a Dockerfile into stages, resolving the meta ARGs of FROM lines, and choosing the stages a target needs.
import { InvalidParameterError } from '../errors';
import { DockerfileParseError, instructionFlags, type Dockerfile, type Instruction } from './dockerfile/parser';
import { processWord } from './dockerfile/shell-lex';
import { hostArchitecture } from '../services/images/image-service';

export interface Stage {
  index: number;
  /** The `AS name`, lower-cased as Docker compares them. */
  name?: string;
  from: Instruction;
  /** The base after meta-ARG expansion: "scratch", a stage name or an image reference. */
  base: string;
  platform?: string;
  instructions: Instruction[];
}

export interface StagePlan {
  /** ARGs declared before the first FROM, with their values (build-arg or default). */
  metaArgs: Map<string, string>;
  metaInstructions: Instruction[];
  stages: Stage[];
  /** Indexes of the stages to build, in order; the last one is the target. */
  needed: number[];
}

/** The `name=value` / `name` words of an ARG, split (value undefined when there is none). */
export function argPairs(ins: Instruction): Array<[string, string | undefined]> {
  return ins.args.map((w) => {
    const eq = w.indexOf('=');
    return eq < 0 ? [w, undefined] : [w.slice(0, eq), w.slice(eq + 1)];
  });
}

export function planStages(df: Dockerfile, buildArgs: Record<string, string | null>, target?: string): StagePlan {
  const metaArgs = platformArgs(buildArgs);
  const metaInstructions: Instruction[] = [];
  const stages: Stage[] = [];
  for (const ins of df.instructions) {
    if (ins.cmd === 'FROM') {
      const flags = instructionFlags(ins, ['platform']);
      const base = processWord(ins.args[0]!, metaArgs, df.escape).value;
      if (!base) throw new DockerfileParseError(ins.line, `base name (${ins.args[0]}) should not be blank`);
      const name = ins.args.length === 3 ? ins.args[2]!.toLowerCase() : undefined;
      if (name && !/^[a-z][a-z0-9-_.]*$/.test(name)) throw new DockerfileParseError(ins.line, `invalid name for build stage: "${ins.args[2]}", name can't start with a number or contain symbols`);
      if (name && stages.some((s) => s.name === name)) throw new DockerfileParseError(ins.line, `duplicate name ${name}`);
      const platform = flags.get('platform');
      stages.push({ index: stages.length, name, from: ins, base, instructions: [],
        ...(platform ? { platform: processWord(platform, metaArgs, df.escape).value } : {}) });
      continue;
    }
    const current = stages[stages.length - 1];
    if (current) {
      current.instructions.push(ins);
      continue;
    }
    if (ins.cmd !== 'ARG') throw new DockerfileParseError(ins.line, `no build stage in current context`);
    metaInstructions.push(ins);
    for (const [k, v] of argPairs(ins)) {
      const given = buildArgs[k];
      const value = given !== undefined && given !== null ? given : v === undefined ? undefined : processWord(v, metaArgs, df.escape).value;
      if (value !== undefined) metaArgs.set(k, value);
    }
  }
  if (!stages.length) throw new InvalidParameterError('the Dockerfile (Dockerfile) cannot be empty');
  let last = stages.length - 1;
  if (target) {
    const t = stages.find((s) => s.name === target.toLowerCase());
    if (!t) throw new InvalidParameterError(`failed to reach build target ${target} in Dockerfile`);
    last = t.index;
  }
  return { metaArgs, metaInstructions, stages, needed: neededStages(stages, last, metaArgs, df.escape) };
}

/**
 * BuildKit's automatic platform ARGs (BUILDPLATFORM, TARGETARCH, …): usable in
 * FROM lines and, once declared with `ARG NAME`, in a stage. Many Dockerfiles
 * rely on them; berth builds for the host only, so build = target = host.
 */
function platformArgs(buildArgs: Record<string, string | null>): Map<string, string> {
  const arch = hostArchitecture();
  const out = new Map<string, string>();
  for (const side of ['BUILD', 'TARGET']) {
    out.set(`${side}PLATFORM`, `linux/${arch}`);
    out.set(`${side}OS`, 'linux');
    out.set(`${side}ARCH`, arch);
    out.set(`${side}VARIANT`, '');
  }
  for (const k of out.keys()) {
    const v = buildArgs[k];
    if (typeof v === 'string') out.set(k, v);
  }
  return out;
}

/** The stage a name or index refers to, among the stages before `before`. */
export function findStage(stages: Stage[], ref: string, before: number): Stage | undefined {
  const byName = stages.find((s) => s.name === ref.toLowerCase() && s.index < before);
  if (byName) return byName;
  if (/^\d+$/.test(ref) && Number(ref) < before) return stages[Number(ref)];
  return undefined;
}

/** The target and, transitively, the stages it builds on (FROM <stage>) or copies from (COPY --from). */
function neededStages(stages: Stage[], last: number, metaArgs: Map<string, string>, escape: string): number[] {
  const need = new Set<number>();
  const visit = (i: number) => {
    if (need.has(i)) return;
    need.add(i);
    const s = stages[i]!;
    const base = findStage(stages, s.base, i);
    if (base) visit(base.index);
    for (const ins of s.instructions) {
      if (ins.cmd !== 'COPY' && !(ins.cmd === 'ONBUILD')) continue;
      const from = ins.flags.find((f) => f.startsWith('--from='));
      if (!from) continue;
      const dep = findStage(stages, processWord(from.slice(7), metaArgs, escape).value, i);
      if (dep) visit(dep.index);
    }
  };
  visit(last);
  return [...need].sort((a, b) => a - b);
}
