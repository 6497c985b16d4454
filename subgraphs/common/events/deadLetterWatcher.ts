import {
  AckPolicy,
  DeliverPolicy,
  nanos,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
} from "nats";
import type { Logger } from "../logger";
import type { ServiceName } from "../serviceNames";
import type { BackgroundWorker } from "../server/subgraphDefinition";
import { decodeDeadLetter, deadLetterStream, type StoredDeadLetter } from "./deadLetters";

export interface DeadLetterWatcherOptions {
  service: ServiceName;
  js: JetStreamClient;
  jsm: JetStreamManager;
  namespace: string;
  logger: Logger;
  /** Applies one dead letter; must be idempotent (a dead letter may come again after a crash). */
  onDeadLetter(letter: StoredDeadLetter): Promise<void>;
  /** Delay before a dead letter whose handling failed comes again. */
  retryDelayMs?: number;
}

/**
 * A durable consumer of every service's dead letters (`<namespace>.deadletter.>`), so a service
 * can see when another gave up on an event about something it owns (orders: an event about an
 * order). Replicas share the durable; each dead letter is handled once per watching service.
 */
export class DeadLetterWatcher implements BackgroundWorker {
  readonly name = "dead-letter-watch" as const;
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  private running = false;
  /** The consumer is open (readiness). */
  private opened = false;
  private readonly durable: string;
  private readonly logger: Logger;

  constructor(private readonly options: DeadLetterWatcherOptions) {
    this.durable = `${options.service}__dead_letters`;
    this.logger = options.logger.child({ module: "dead-letter-watch" });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.openUntilStopped();
  }

  /**
   * Opens the consumer, trying again while the service runs: a JetStream request that times out
   * at start (a loaded machine, a NATS restart) must not leave the service unready for good.
   */
  private async openUntilStopped(): Promise<void> {
    for (let attempt = 1; this.running; attempt += 1) {
      try {
        await this.open();
        return;
      } catch (error) {
        this.opened = false;
        if (!this.running) return;
        this.logger.error({ err: (error as Error).message, attempt }, "could not watch dead letters; trying again");
        await new Promise((resolve) => setTimeout(resolve, Math.min(attempt * 1000, 5000)));
      }
    }
  }

  private async open(): Promise<void> {
    const { jsm, js, namespace } = this.options;
    const stream = deadLetterStream(namespace);
    const config = {
      durable_name: this.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: `${namespace}.deadletter.>`,
      ack_wait: nanos(30_000),
      max_ack_pending: 100,
    };
    try {
      await jsm.consumers.add(stream, config);
    } catch (error) {
      if (!/already exists|already in use/i.test((error as Error).message)) throw error;
      await jsm.consumers.update(stream, this.durable, config);
    }
    const consumer = await js.consumers.get(stream, this.durable);
    this.messages = await consumer.consume({ max_messages: 16 });
    this.opened = true;
    for await (const message of this.messages) {
      if (!this.running) {
        message.nak();
        continue;
      }
      const letter = decodeDeadLetter(message.seq, message.subject, message.data);
      try {
        await this.options.onDeadLetter(letter);
        message.ack();
      } catch (error) {
        this.logger.warn({ err: (error as Error).message, seq: letter.seq }, "dead letter not applied; retrying");
        message.nak(this.options.retryDelayMs ?? 1000);
      }
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.messages?.close();
    await this.loop;
  }

  isRunning(): boolean {
    return this.running && this.opened;
  }
}
