import nodemailer from "nodemailer";
import type { NotificationTransport, OutgoingMessage } from "./transport";

/**
 * Email over SMTP, with nodemailer, on a pool of kept-open connections: a new SMTP session per
 * email (connect, greeting, EHLO, and TLS where used) costs about three times the sending.
 * Connection problems throw, so the message is retried.
 */
export class SmtpTransport implements NotificationTransport {
  private readonly transporter;

  private readonly messageIdDomain: string;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    this.messageIdDomain = /@([^>\s]+)/.exec(from)?.[1] ?? "notifications.invalid";
    const url = new URL(smtpUrl);
    const secure = url.protocol === "smtps:";
    this.transporter = nodemailer.createTransport({
      host: url.hostname,
      port: Number(url.port || (secure ? 465 : 587)),
      secure,
      ...(url.username
        ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }
        : {}),
      pool: true,
      // Few sessions, each renewed after a hundred emails (servers limit messages per session).
      maxConnections: 3,
      maxMessages: 100,
      // A server that does not answer should fail the attempt (it is retried), not hold it.
      connectionTimeout: 5000,
      greetingTimeout: 5000,
      socketTimeout: 10_000,
    });
  }

  async send(message: OutgoingMessage): Promise<void> {
    await this.transporter.sendMail({
      // One Message-ID per notification: a repeat of the same email is recognisable as one.
      messageId: `<${message.id}@${this.messageIdDomain}>`,
      from: this.from,
      to: message.recipient,
      subject: message.subject,
      text: message.text,
      ...(message.html ? { html: message.html } : {}),
    });
  }

  close(): void {
    this.transporter.close();
  }
}
