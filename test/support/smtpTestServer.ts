import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

/**
 * A real SMTP server in this process: the notifications service sends to it over SMTP, and
 * tests read what arrived. It can go down and come back on the same port.
 */
export class SmtpTestServer {
  readonly received: ParsedMail[] = [];
  private server: SMTPServer | undefined;
  private constructor(private port: number) {}

  static async start(): Promise<SmtpTestServer> {
    const smtp = new SmtpTestServer(0);
    await smtp.resume();
    return smtp;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async resume(): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      // No reverse DNS look-up of each connecting client (it is this process): it costs, and tells nothing.
      disableReverseLookup: true,
      logger: false,
      onData: (stream, _session, callback) => {
        simpleParser(stream)
          .then((mail) => {
            this.received.push(mail);
            callback();
          })
          .catch(callback);
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (this.server.server.address() as AddressInfo).port;
  }

  async pause(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
    this.server = undefined;
  }

  to(address: string): ParsedMail[] {
    return this.received.filter((mail) =>
      [mail.to].flat().some((to) => to?.value.some((entry) => entry.address === address)),
    );
  }
}
