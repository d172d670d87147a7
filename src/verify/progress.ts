// Progress of a verify on stderr: on a terminal one live line ("run 1/2 running … 3.2s")
// redrawn a few times a second, and a permanent line when a step ends; elsewhere (CI logs,
// pipes) plain lines only, one when a step starts and one when it ends.

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

export class Progress {
  private readonly stream: ProgressStream;
  private readonly live: boolean;
  private label = '';
  private stepStart = 0;
  private readonly start = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private shown = false;

  constructor(stream: ProgressStream, live = stream.isTTY === true) {
    this.stream = stream;
    this.live = live;
  }

  /** Begin a step ("run 1/2: building"); on a terminal its line shows the elapsed time. */
  step(label: string): void {
    this.label = label;
    this.stepStart = Date.now();
    if (this.live) {
      this.draw();
      if (this.timer === undefined) {
        this.timer = setInterval(() => this.draw(), 200);
        this.timer.unref();
      }
    } else {
      this.stream.write(`${label} …\n`);
    }
  }

  /** End the current step with a permanent line. */
  done(line: string): void {
    this.clear();
    this.stream.write(`${line}\n`);
    this.label = '';
  }

  /** A permanent line (a warning, a note) without ending the step. */
  note(line: string): void {
    this.clear();
    this.stream.write(`${line}\n`);
    if (this.live && this.label !== '') this.draw();
  }

  /** Elapsed time of the current step, in ms. */
  stepElapsed(): number {
    return Date.now() - this.stepStart;
  }

  /** Elapsed time since the verify began, in ms. */
  elapsed(): number {
    return Date.now() - this.start;
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  private draw(): void {
    if (this.label === '') return;
    let line = `${this.label} … ${seconds(this.stepElapsed())} (total ${seconds(this.elapsed())})`;
    const cols = this.stream.columns ?? 80;
    if (line.length > cols - 1) line = line.slice(0, cols - 2) + '…';
    this.stream.write(`\r\x1b[K${line}`);
    this.shown = true;
  }

  private clear(): void {
    if (this.live && this.shown) {
      this.stream.write('\r\x1b[K');
      this.shown = false;
    }
  }
}

export { seconds as formatSeconds };
