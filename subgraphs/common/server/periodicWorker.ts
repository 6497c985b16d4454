import type { Logger } from "../logger";
import type { BackgroundWorker } from "./subgraphDefinition";
import type { WorkerName } from "../workerNames";

/**
 * Runs `tick` every `intervalMs` (sooner when woken), one tick at a time; a failing tick is
 * logged and tried again at the next interval. `tick` returns true when there may be more to do
 * at once. Work a commit makes due wakes the worker at once (`emit.wake`), and work due later that
 * the worker itself scheduled (a retry) wakes it then (`wakeAt`), so the interval is only a
 * fallback poll: for work nothing in this process woke it for (a lease that ran out, another
 * replica's retry).
 */
export class PeriodicWorker implements BackgroundWorker {
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private woken = false;
  /** The earliest time a `wakeAt` asked for, and its timer. */
  private alarm: { at: number; timer: NodeJS.Timeout } | undefined;

  constructor(
    readonly name: WorkerName,
    private readonly tick: () => Promise<boolean>,
    private readonly options: { intervalMs: number; logger: Logger },
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Run a tick now rather than at the next interval. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Run a tick at `at` (epoch ms) at the latest; the earliest of several such times counts. */
  wakeAt(at: number): void {
    if (!this.running || (this.alarm && this.alarm.at <= at)) return;
    if (this.alarm) clearTimeout(this.alarm.timer);
    const timer = setTimeout(
      () => {
        this.alarm = undefined;
        this.wake();
      },
      Math.max(0, at - Date.now()),
    );
    timer.unref();
    this.alarm = { at, timer };
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.alarm) clearTimeout(this.alarm.timer);
    this.alarm = undefined;
    this.wakeUp?.();
    await this.loop;
  }

  isRunning(): boolean {
    return this.running;
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.woken = false;
      let more = false;
      try {
        more = await this.tick();
      } catch (error) {
        this.options.logger.warn(
          { worker: this.name, err: (error as Error).message },
          "background worker tick failed; retrying at the next interval",
        );
      }
      if (!this.running) break;
      if (more || this.woken) continue;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.wakeUp = undefined;
          resolve();
        };
        const timer = setTimeout(done, this.options.intervalMs);
        this.wakeUp = done;
      });
    }
  }
}
