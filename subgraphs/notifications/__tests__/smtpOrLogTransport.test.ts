import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { SmtpTestServer } from "../../../test/support/smtpTestServer";
import type { Logger } from "../../common/logger";
import { LogTransport } from "../transports/logTransport";
import { SmtpOrLogTransport } from "../transports/smtpOrLogTransport";
import { SmtpTransport } from "../transports/smtpTransport";
import type { OutgoingMessage } from "../transports/transport";

const from = "Commerce <no-reply@commerce.example>";
const message = (id: string): OutgoingMessage => ({
  id,
  channel: "EMAIL",
  recipient: "ada@example.com",
  subject: "Reset your password",
  text: "Open https://shop.example/reset?token=abc to choose a new password.",
});

/** Email in development: to the SMTP server that answers, else to the log, never lost to retries. */
describe("email to SMTP, or to the log when no server answers", () => {
  let lines: Array<Record<string, unknown>>;
  let log: LogTransport;

  beforeEach(() => {
    lines = [];
    log = new LogTransport({ info: (fields: Record<string, unknown>) => lines.push(fields) } as unknown as Logger, {
      withText: true,
    });
  });

  it("sends through the SMTP server when one answers, and logs nothing", async () => {
    const server = await SmtpTestServer.start();
    const smtp = new SmtpTransport(server.url, from);
    try {
      await new SmtpOrLogTransport(smtp, log).send(message("7d0c1a4e-5f0e-4a43-9d0b-2f8f4b0e6a11"));
      expect(server.to("ada@example.com").map((mail) => mail.subject)).toEqual(["Reset your password"]);
      expect(lines).toEqual([]);
    } finally {
      smtp.close();
      await server.pause();
    }
  });

  it("writes the message, with its text, to the log when nothing listens at the SMTP address", async () => {
    const server = await SmtpTestServer.start();
    const url = server.url;
    await server.pause();
    const smtp = new SmtpTransport(url, from);
    try {
      await new SmtpOrLogTransport(smtp, log).send(message("1b7e6f3c-2a35-4e0e-8d7c-3c9a0b1e2f44"));
      expect(lines).toEqual([
        {
          notificationId: "1b7e6f3c-2a35-4e0e-8d7c-3c9a0b1e2f44",
          channel: "EMAIL",
          recipient: "ada@example.com",
          subject: "Reset your password",
          text: "Open https://shop.example/reset?token=abc to choose a new password.",
        },
      ]);
    } finally {
      smtp.close();
    }
  });

  it("fails the try when a server answers and refuses the message, so it is retried", async () => {
    const refusing = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      disableReverseLookup: true,
      logger: false,
      onRcptTo: (_address, _session, callback) => callback(new Error("mailbox unavailable")),
    });
    await new Promise<void>((resolve) => refusing.listen(0, "127.0.0.1", () => resolve()));
    const { port } = refusing.server.address() as AddressInfo;
    const smtp = new SmtpTransport(`smtp://127.0.0.1:${port}`, from);
    try {
      await expect(
        new SmtpOrLogTransport(smtp, log).send(message("c3a1d2e4-9b8f-4c6d-a7e5-1f2b3c4d5e66")),
      ).rejects.toThrow(/mailbox unavailable/);
      expect(lines).toEqual([]);
    } finally {
      smtp.close();
      await new Promise<void>((resolve) => refusing.close(() => resolve()));
    }
  });
});
