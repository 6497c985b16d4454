import type { Logger } from "../logger";
import type { BackgroundWorker } from "./subgraphDefinition";
import type { WorkerName } from "../workerNames";

/**
 * Runs `tick` every `intervalMs` (sooner when woken), one tick at a time; a failing tick is
 * logged and tried again at the next interval. `tick` returns true when there may be more to do
 * at once.
 */
export class PeriodicWorker implements BackgroundWorker {
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private woken = false;

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

  async stop(): Promise<void> {
    this.running = false;
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
