import { SmtpTestServer } from "../../../test/support/smtpTestServer";
import { SmtpTransport } from "../transports/smtpTransport";

/** The message composed whole (mimeMessage.ts) reads back as sent, through a real SMTP server and mail parser. */
describe("email composed for SMTP", () => {
  let server: SmtpTestServer;

  beforeAll(async () => {
    server = await SmtpTestServer.start();
  });

  afterAll(async () => {
    await server.pause();
  });

  it("carries the sender, the recipient, the subject, the id, the text and the HTML as given", async () => {
    const smtp = new SmtpTransport(server.url, "Ça Commerce <no-reply@commerce.example>");
    const text = `Hello Zoë,\n\nYour order B-17 (2 × “Tea”) is confirmed.\n${"A long line that goes on ".repeat(8)}end.\n.\nA line with only a dot above.\n`;
    const html = `<p>Hello Zoë,</p>\n<p>Your order <b>B-17</b> is confirmed: <a href="https://shop.example/orders/17?a=1&amp;b=2">see it</a>.</p>`;
    try {
      await smtp.send({
        id: "7d0c1a4e-5f0e-4a43-9d0b-2f8f4b0e6a12",
        channel: "EMAIL",
        recipient: "zoe@example.com",
        subject: `Ihre Bestellung B-17 ist bestätigt — ${"und unterwegs ".repeat(6)}`.trim(),
        text,
        html,
      });
      const [mail] = server.to("zoe@example.com");
      expect(mail?.from?.value).toEqual([{ name: "Ça Commerce", address: "no-reply@commerce.example" }]);
      expect(mail?.subject).toBe(`Ihre Bestellung B-17 ist bestätigt — ${"und unterwegs ".repeat(6)}`.trim());
      expect(mail?.messageId).toBe("<7d0c1a4e-5f0e-4a43-9d0b-2f8f4b0e6a12@commerce.example>");
      expect(mail?.text).toBe(text);
      expect(mail?.html).toBe(html);
    } finally {
      smtp.close();
    }
  });

  it("sends a message without HTML as plain text", async () => {
    const smtp = new SmtpTransport(server.url, "Commerce <no-reply@commerce.example>");
    try {
      await smtp.send({
        id: "7d0c1a4e-5f0e-4a43-9d0b-2f8f4b0e6a13",
        channel: "EMAIL",
        recipient: "plain@example.com",
        subject: "Plain\r\nBcc: someone@example.com",
        text: "Just text.",
      });
      const [mail] = server.to("plain@example.com");
      expect(mail?.from?.value).toEqual([{ name: "Commerce", address: "no-reply@commerce.example" }]);
      // A line break in a subject never starts another header.
      expect(mail?.subject).toBe("Plain Bcc: someone@example.com");
      expect(mail?.bcc).toBeUndefined();
      expect(mail?.text).toBe("Just text.\n");
      expect(mail?.html).toBe(false);
    } finally {
      smtp.close();
    }
  });
});
