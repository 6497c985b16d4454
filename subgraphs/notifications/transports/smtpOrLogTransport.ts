import type { NotificationTransport, OutgoingMessage } from "./transport";

/** nodemailer failed while connecting: nothing listens at the SMTP address, or its host is unknown. */
export function noServerAnswers(error: unknown): boolean {
  return (error as { command?: string } | null)?.command === "CONN";
}

/**
 * Email in development: to the SMTP server when one answers (Mailpit, which docker compose
 * runs), to the log when none does, rather than retrying a message no server will take until
 * it fails for good. A server that answers and refuses a message fails the try, as always.
 */
export class SmtpOrLogTransport implements NotificationTransport {
  constructor(
    private readonly smtp: NotificationTransport,
    private readonly log: NotificationTransport,
  ) {}

  async send(message: OutgoingMessage): Promise<void> {
    try {
      await this.smtp.send(message);
    } catch (error) {
      if (!noServerAnswers(error)) throw error;
      await this.log.send(message);
    }
  }
}
