// `node dist/bench/cp-main.js`: only the `docker cp` figures of `make bench`, with plain cp and dockerd in the same rounds.
import { makeBusybox } from '../test/e2e/harness';
import { cpBenchInterleaved } from './cp';
import { standaloneBench } from './standalone';

standaloneBench(`berth cp benchmark (${process.env.BENCH_CP_RUNS ?? 3} rounds, medians)`, async (d, dir, env) => {
  await makeBusybox(d);
  return cpBenchInterleaved(d, dir, env ? { env, socket: env.DOCKER_HOST!.slice('unix://'.length) } : undefined);
}).catch((err) => {
  console.error(err);
  process.exit(1);
});
