import { connect, type NatsConnection, type Subscription } from "nats";

/**
 * Listens to the events published on a subject, as any consumer would see them; tests use it
 * to read what went out (a welcome, a reset token in the "email").
 */
export class NatsTap {
  private constructor(
    private readonly nats: NatsConnection,
    private readonly subscription: Subscription,
    readonly received: unknown[],
  ) {}

  static async open(subject: string): Promise<NatsTap> {
    const nats = await connect({ servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222" });
    const received: unknown[] = [];
    const subscription = nats.subscribe(subject);
    void (async () => {
      for await (const message of subscription) received.push(message.json());
    })();
    await nats.flush();
    return new NatsTap(nats, subscription, received);
  }

  async close(): Promise<void> {
    this.subscription.unsubscribe();
    await this.nats.close();
  }
}
