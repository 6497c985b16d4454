import { randomBytes } from "node:crypto";
import { escapeHtml, html } from "../templates/escape";
import { orderStatus } from "../../common/events/catalog";
import { SecretSealer, UnusableSecretError } from "../../common/secrets/sealedSecrets";
import {
  linkPlaceholder,
  lowStock,
  notifiedStatuses,
  orderMessage,
  passwordReset,
  welcome,
} from "../templates/messages";
import { linkOpener, withLink } from "../templates/secretLinks";

const order = {
  orderId: "8d0f5a55-41a8-4c3a-9a8b-0c6f1f0f7b11",
  number: "K7M-4PQ2X",
  customerId: "5b1f2f0e-9f5e-4d1a-8a59-2f9a6f1d0c11",
  from: "CONFIRMED" as const,
  status: "SHIPPED" as const,
  cancellationReason: null,
  reason: null,
  total: { amount: "49.00", currency: "USD" },
  lines: [
    {
      productId: "8d0f5a55-41a8-4c3a-9a8b-0c6f1f0f7b12",
      name: 'Lamp <script>alert("x")</script>',
      quantity: 2,
      unitPrice: { amount: "24.50", currency: "USD" },
    },
  ],
  shipment: { carrier: "UPS", trackingNumber: "1Z999AA10123456784" },
  at: "2026-11-23T10:00:00.000Z",
};

describe("message templates", () => {
  it("escapes everything interpolated into HTML", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    expect(html`<p>${"<b>"}</p>`.value).toBe("<p>&lt;b&gt;</p>");
    const { html: body } = welcome({ name: "<img src=x onerror=alert(1)>" });
    expect(body).not.toContain("<img");
    expect(body).toContain("&lt;img src=x onerror=alert(1)&gt;");
  });

  it("tells a shipped order's number, lines, total and tracking number, in text and HTML", () => {
    const message = orderMessage(order)!;
    expect(message.kind).toBe("ORDER_SHIPPED");
    expect(message.content.subject).toBe("Order K7M-4PQ2X is on its way");
    expect(message.content.text).toContain("2 × Lamp <script>");
    expect(message.content.text).toContain("Total: 49.00 USD");
    expect(message.content.text).toContain("1Z999AA10123456784");
    expect(message.content.html).toContain("1Z999AA10123456784");
    expect(message.content.html).toContain("Lamp &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(message.content.html).not.toContain("<script>");
  });

  it("says why an order was cancelled, and has nothing to say about internal steps", () => {
    expect(
      orderMessage({ ...order, status: "CANCELLED", cancellationReason: "PAYMENT_DECLINED", shipment: null })?.content
        .inApp,
    ).toMatch(/payment was declined/);
    expect(orderMessage({ ...order, status: "AWAITING_PAYMENT", shipment: null })).toBeNull();
    expect(orderMessage({ ...order, status: "PENDING", shipment: null })).toBeNull();
  });

  it("has a message for exactly the statuses the consumer lets through", () => {
    for (const status of orderStatus.options) {
      expect([status, orderMessage({ ...order, status, shipment: null }) !== null]).toEqual([
        status,
        notifiedStatuses.has(status),
      ]);
    }
  });

  it("leaves a placeholder where the reset link goes, which only the copy for the transport replaces", () => {
    const message = passwordReset({ name: "Ada", expiresAt: "2026-11-23T11:00:00.000Z" });
    expect(message.text).toContain(linkPlaceholder);
    expect(message.html).toContain(`href="${linkPlaceholder}"`);
    expect(message.inApp).toMatch(/reset link was sent/);
    const link = "https://shop.example/reset-password?token=secret&x=<1>";
    const sent = withLink(message, link);
    expect(sent.text).toContain(link);
    expect(sent.text).not.toContain(linkPlaceholder);
    expect(sent.html).toContain('href="https://shop.example/reset-password?token=secret&amp;x=&lt;1&gt;"');
  });

  it("opens a sealed link into the page of its purpose, only for the user it was sealed for", () => {
    const sealer = new SecretSealer(randomBytes(32));
    const open = linkOpener(sealer, "https://shop.example/");
    const userId = "8d0f5a55-41a8-4c3a-9a8b-0c6f1f0f7b11";
    const expiresAt = new Date(Date.now() + 60_000);
    expect(open(sealer.seal({ purpose: "VERIFY_EMAIL", userId, token: "a b", expiresAt }), userId)).toBe(
      "https://shop.example/verify-email?token=a%20b",
    );
    expect(open(sealer.seal({ purpose: "CHANGE_EMAIL", userId, token: "t", expiresAt }), userId)).toBe(
      "https://shop.example/confirm-email-change?token=t",
    );
    const forAnother = sealer.seal({ purpose: "PASSWORD_RESET", userId: order.customerId, token: "t", expiresAt });
    expect(() => open(forAnother, userId)).toThrow(UnusableSecretError);
  });

  it("welcomes with a verification link only when the account has one to follow", () => {
    expect(welcome({ name: "Ada" }, { expiresAt: "2026-11-24T10:00:00.000Z" }).text).toContain(linkPlaceholder);
    expect(welcome({ name: "Ada" }).text).not.toContain(linkPlaceholder);
  });

  it("names the product of a low-stock alert", () => {
    expect(
      lowStock({ productId: order.orderId, sku: "LAMP-1", name: "Desk Lamp", available: 2, threshold: 5 }).subject,
    ).toBe("Low stock: Desk Lamp (LAMP-1)");
  });
});
