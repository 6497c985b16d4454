import { createInbox, headers, type JetStreamClient, type Msg, type NatsConnection, type Subscription } from "nats";

/** The stream's acknowledgement of a stored message. */
export interface StoredAck {
  stream: string;
  seq: number;
  duplicate: boolean;
}

/** A publication waiting for its acknowledgement. */
interface Waiting {
  resolve(ack: StoredAck): void;
  reject(error: Error): void;
  subject: string;
  /** `Date.now()` after which it fails with a timeout. */
  deadline: number;
}

/**
 * JetStream publications with an inbox of our own: one subscription on `<inbox>.*` takes every
 * acknowledgement, and one timer sweeps those overdue. It does what `JetStreamClient.publish`
 * does for a message with a `Nats-Msg-Id` (a request to the stream's subject, answered by the
 * stream with its acknowledgement or an error, or by the server with "no responders" when no
 * stream takes the subject), without what nats.js builds for every request: two `Error`s with
 * their stack (its async trace and its timeout), a third to cancel the request once answered,
 * and a timer each (~2 % of a service's CPU in the checkout's profile).
 */
export class JetStreamPublisher {
  private readonly inbox = createInbox();
  private readonly waiting = new Map<string, Waiting>();
  private subscription: Subscription | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private nextToken = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs: number,
  ) {}

  /** The publisher of a JetStream client's connection (the client's own `publish` has none to share). */
  static of(js: JetStreamClient, timeoutMs: number): JetStreamPublisher {
    // The client's class has the method; nats.js' interface of it does not.
    const connection = (js as JetStreamClient & { getConnection(): NatsConnection }).getConnection();
    return new JetStreamPublisher(connection, timeoutMs);
  }

  /** Publishes a message with its id for de-duplication; resolves once the stream has stored it. */
  publish(subject: string, data: Uint8Array, msgId: string): Promise<StoredAck> {
    this.subscribe();
    const token = (this.nextToken++).toString(36);
    const header = headers();
    header.set("Nats-Msg-Id", msgId);
    return new Promise<StoredAck>((resolve, reject) => {
      this.waiting.set(token, { resolve, reject, subject, deadline: Date.now() + this.timeoutMs });
      try {
        this.nc.publish(subject, data, { reply: `${this.inbox}.${token}`, headers: header });
      } catch (error) {
        this.waiting.delete(token);
        reject(error as Error);
      }
    });
  }

  /**
   * Publishes a message with its id for de-duplication and asks for no acknowledgement: the
   * stream stores it as it does the others, but nothing tells whether it did (for events no
   * consumer takes, `unconsumedSubjectDetails`). Throws only if the connection is closed.
   */
  send(subject: string, data: Uint8Array, msgId: string): void {
    const header = headers();
    header.set("Nats-Msg-Id", msgId);
    this.nc.publish(subject, data, { headers: header });
  }

  /** Fails what still waits and stops listening. */
  close(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    this.failAll(() => true, "the publisher was closed");
  }

  /** Subscribes at the first publication, and again if the subscription ended (the connection closed). */
  private subscribe(): void {
    if (this.subscription && !this.subscription.isClosed()) return;
    this.subscription = this.nc.subscribe(`${this.inbox}.*`, {
      callback: (error, message) => (error ? this.failAll(() => true, error.message) : this.answer(message)),
    });
    // An interval rather than a timer per publication; a tenth of the timeout late at most.
    clearInterval(this.sweeper);
    this.sweeper = setInterval(() => this.sweep(), Math.max(10, Math.floor(this.timeoutMs / 10)));
    this.sweeper.unref();
  }

  private answer(message: Msg): void {
    const token = message.subject.slice(this.inbox.length + 1);
    const waiting = this.waiting.get(token);
    if (!waiting) return; // Answered after its timeout.
    this.waiting.delete(token);
    try {
      waiting.resolve(storedAckOf(message, waiting.subject));
    } catch (error) {
      waiting.reject(error as Error);
    }
  }

  private sweep(): void {
    const now = Date.now();
    this.failAll((waiting) => waiting.deadline <= now, "timed out waiting for the stream's acknowledgement");
  }

  private failAll(which: (waiting: Waiting) => boolean, reason: string): void {
    for (const [token, waiting] of this.waiting) {
      if (!which(waiting)) continue;
      this.waiting.delete(token);
      waiting.reject(new Error(`JetStream publish failed: ${reason}`));
    }
  }
}

/** The stream's acknowledgement in an answer, or the error the answer carries. */
function storedAckOf(message: Msg, subject: string): StoredAck {
  // The server answers "no responders" (status 503, no body) when no stream takes the subject.
  if (message.data.length === 0 && message.headers?.code === 503)
    throw new Error(`JetStream publish failed: no stream takes ${subject}`);
  const answer = message.json<{
    stream?: string;
    seq?: number;
    duplicate?: boolean;
    error?: { code: number; description: string };
  }>();
  if (answer.error) throw new Error(`JetStream publish failed: ${answer.error.description} (${answer.error.code})`);
  if (!answer.stream) throw new Error("JetStream publish failed: the answer names no stream");
  return { stream: answer.stream, seq: answer.seq ?? 0, duplicate: answer.duplicate ?? false };
}
