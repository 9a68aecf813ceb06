// bin/berth's entry: runs the CLI bundle (dist/berth-cli.js) with V8's code cache for it, made by `make build`, so a call compiles less.
import { readFileSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import { Script } from 'node:vm';

/** Set (to anything) by `make build`: run the CLI once and write the code cache of what it compiled. */
export const WRITE_CACHE_ENV = 'BERTH_WRITE_CODE_CACHE';

interface ModuleInternals {
  paths: string[];
  filename: string;
  require(id: string): unknown;
}
const ModuleClass = Module as unknown as {
  new (id: string, parent?: NodeModule): NodeModule & ModuleInternals;
  wrap(src: string): string;
  _nodeModulePaths(dir: string): string[];
  _resolveFilename(id: string, parent: NodeModule): string;
};

function readOrUndefined(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Run `bundle` as the main module. A cache that is missing, or that V8
 * rejects (another node or V8 version, flags, or a rebuilt bundle: V8 checks
 * them all), only means the bundle is compiled as without it. Answers what
 * became of the cache.
 */
export function launch(bundle: string, cacheFile = `${bundle}.cache`): 'none' | 'used' | 'rejected' {
  const cachedData = readOrUndefined(cacheFile);
  const script = new Script(ModuleClass.wrap(readFileSync(bundle, 'utf8')), { filename: bundle, cachedData });
  if (process.env[WRITE_CACHE_ENV]) {
    delete process.env[WRITE_CACHE_ENV];
    process.once('exit', () => writeFileSync(cacheFile, script.createCachedData()));
  }
  const m = new ModuleClass(bundle, module);
  m.filename = bundle;
  m.paths = ModuleClass._nodeModulePaths(path.dirname(bundle));
  const req = Object.assign((id: string) => m.require(id), {
    main: m,
    resolve: (id: string) => ModuleClass._resolveFilename(id, m),
    cache: require.cache,
  });
  (script.runInThisContext() as (...args: unknown[]) => void)(m.exports, req, m, bundle, path.dirname(bundle));
  if (!cachedData) return 'none';
  return script.cachedDataRejected ? 'rejected' : 'used';
}

if (require.main === module) launch(path.join(__dirname, 'berth-cli.js'));
