// berthd's log lines on stderr, filtered by --log-level.
const ORDER = { debug: 0, info: 1, warn: 2, error: 3 } as const;
export type Level = keyof typeof ORDER;

export function makeLogger(min: Level) {
  return (level: Level, msg: string) => {
    if (ORDER[level] < ORDER[min]) return;
    process.stderr.write(`time="${new Date().toISOString()}" level=${level} msg=${JSON.stringify(msg)}\n`);
  };
}
