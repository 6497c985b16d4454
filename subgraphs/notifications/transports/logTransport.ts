import type { Logger } from "../../common/logger";
import type { NotificationTransport, OutgoingMessage } from "./transport";

/**
 * The default SMS and push transport: writes the message to the log. A real provider plugs in
 * behind the same interface.
 */
export class LogTransport implements NotificationTransport {
  constructor(private readonly logger: Logger) {}

  async send(message: OutgoingMessage): Promise<void> {
    this.logger.info(
      { notificationId: message.id, channel: message.channel, recipient: message.recipient, subject: message.subject },
      "notification sent (log transport)",
    );
  }
}
