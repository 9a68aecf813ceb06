// The classic builder's output: JSON lines of {"stream"}, {"aux"} and {"errorDetail"} as Docker writes them.

export type ProgressSink = (message: object) => void;

export class BuildProgress {
  constructor(private readonly sink: ProgressSink, private readonly quiet: boolean) {}

  /** Step output shown unless the build is quiet. */
  stream(text: string): void {
    if (!this.quiet && text) this.sink({ stream: text });
  }

  step(n: number, total: number, text: string): void {
    this.stream(`Step ${n}/${total} : ${text}\n`);
  }

  /** " ---> 3bee3060bfc8": a step's result, short image ID. */
  result(imageId: string): void {
    this.stream(` ---> ${shortId(imageId)}\n`);
  }

  aux(value: object): void {
    this.sink({ aux: value });
  }

  /** Always shown, also when quiet (the final ID, warnings). */
  always(text: string): void {
    this.sink({ stream: text });
  }

  error(message: string, code?: number): void {
    this.sink({ errorDetail: code === undefined ? { message } : { code, message }, error: message });
  }
}

export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}
