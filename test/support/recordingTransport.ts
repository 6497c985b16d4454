import type { NotificationTransport, OutgoingMessage } from "../../subgraphs/notifications";

/** A text-message or push provider for tests: it takes every message and keeps it for the test to read. */
export class RecordingTransport implements NotificationTransport {
  readonly sent: OutgoingMessage[] = [];

  async send(message: OutgoingMessage): Promise<void> {
    this.sent.push(message);
  }

  to(recipient: string): OutgoingMessage[] {
    return this.sent.filter((message) => message.recipient === recipient);
  }
}
