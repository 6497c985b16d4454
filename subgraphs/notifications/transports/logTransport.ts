import type { Logger } from "../../common/logger";
import type { NotificationTransport, OutgoingMessage } from "./transport";

/**
 * Writes a message to the log: the default SMS and push transport (a real provider plugs in
 * behind the same interface), and in development the email transport when no SMTP server
 * answers; `withText` then logs the text too, so a developer can follow a link it carries.
 */
export class LogTransport implements NotificationTransport {
  constructor(
    private readonly logger: Logger,
    private readonly options: { withText?: boolean } = {},
  ) {}

  async send(message: OutgoingMessage): Promise<void> {
    this.logger.info(
      {
        notificationId: message.id,
        channel: message.channel,
        recipient: message.recipient,
        subject: message.subject,
        ...(this.options.withText ? { text: message.text } : {}),
      },
      "notification sent (log transport)",
    );
  }
}
