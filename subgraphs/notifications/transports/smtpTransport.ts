import nodemailer from "nodemailer";
import addressparser from "nodemailer/lib/addressparser";
import { encodeWords, isPlainText } from "nodemailer/lib/mime-funcs";
import { composeMimeMessage } from "./mimeMessage";
import type { NotificationTransport, OutgoingMessage } from "./transport";

/** The sender as a `From` header value (a display name encoded when it needs it) and as the envelope's address. */
function senderOf(from: string): { header: string; address: string } {
  const [first] = addressparser(from, { flatten: true });
  if (!first?.address) return { header: from, address: from };
  const name = first.name ?? "";
  const shown = !name ? "" : isPlainText(name) ? `"${name.replace(/["\\]/g, "\\$&")}"` : encodeWords(name, "Q", 52);
  return { header: shown ? `${shown} <${first.address}>` : first.address, address: first.address };
}

/**
 * Email over SMTP, with nodemailer, on a pool of kept-open connections: a new SMTP session per
 * email (connect, greeting, EHLO, and TLS where used) costs about three times the sending. The
 * message is composed here, whole (mimeMessage.ts), and handed to nodemailer to send as it is.
 * Connection problems throw, so the message is retried.
 */
export class SmtpTransport implements NotificationTransport {
  private readonly transporter;

  private readonly messageIdDomain: string;

  private readonly sender: { header: string; address: string };

  constructor(smtpUrl: string, from: string) {
    this.messageIdDomain = /@([^>\s]+)/.exec(from)?.[1] ?? "notifications.invalid";
    this.sender = senderOf(from);
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
      envelope: { from: this.sender.address, to: [message.recipient] },
      raw: composeMimeMessage({
        from: this.sender.header,
        to: message.recipient,
        subject: message.subject,
        // One Message-ID per notification: a repeat of the same email is recognisable as one.
        messageId: `<${message.id}@${this.messageIdDomain}>`,
        text: message.text,
        html: message.html ?? null,
      }),
    });
  }

  close(): void {
    this.transporter.close();
  }
}
