import { randomBytes } from "node:crypto";
import { escapeHtml, html } from "../templates/escape";
import { orderStatus } from "../../common/events/catalog";
import { BadUserInputError } from "../../common/errors";
import { SecretSealer, UnusableSecretError } from "../../common/secrets/sealedSecrets";
import { checkedTemplate, renderContent } from "../templates/content";
import { defaultTemplate } from "../templates/defaults";
import {
  codePlaceholder,
  kindDefinitions,
  linkPlaceholder,
  notificationKinds,
  templateChannels,
} from "../templates/kinds";
import {
  linkMessage,
  lowStock,
  notifiedStatuses,
  orderMessage,
  phoneVerification,
  welcome,
} from "../templates/messages";
import { secretOpener, withSecret } from "../templates/secretLinks";

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

/** A message of `kind` on `channel` as the code's template renders it. */
const rendered = (
  kind: Parameters<typeof defaultTemplate>[0],
  channel: Parameters<typeof defaultTemplate>[1],
  values: object,
) => renderContent(defaultTemplate(kind, channel), values as never);

describe("message templates", () => {
  it("escapes everything interpolated into HTML", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    expect(html`<p>${"<b>"}</p>`.value).toBe("<p>&lt;b&gt;</p>");
    const body = rendered("WELCOME", "EMAIL", welcome({ name: "<img src=x onerror=alert(1)>" })).html!;
    expect(body).not.toContain("<img");
    expect(body).toContain("&lt;img src=x onerror=alert(1)&gt;");
  });

  it("tells a shipped order's number, lines, total and tracking number, in text and HTML", () => {
    const message = orderMessage(order)!;
    expect(message.kind).toBe("ORDER_SHIPPED");
    const email = rendered("ORDER_SHIPPED", "EMAIL", message.values);
    expect(email.subject).toBe("Order K7M-4PQ2X is on its way");
    expect(email.text).toContain("2 × Lamp <script>");
    expect(email.text).toContain("Total: 49.00 USD");
    expect(email.text).toContain("1Z999AA10123456784");
    expect(email.html).toContain("1Z999AA10123456784");
    expect(email.html).toContain("Lamp &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(email.html).not.toContain("<script>");
    expect(rendered("ORDER_SHIPPED", "IN_APP", message.values).text).toBe(
      "Your order K7M-4PQ2X has shipped. Tracking number: 1Z999AA10123456784 (UPS).",
    );
  });

  it("says why an order was cancelled, and has nothing to say about internal steps", () => {
    const cancelled = orderMessage({
      ...order,
      status: "CANCELLED",
      cancellationReason: "PAYMENT_DECLINED",
      shipment: null,
    })!;
    expect(rendered(cancelled.kind, "IN_APP", cancelled.values).text).toMatch(/payment was declined/);
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
    const values = linkMessage({ name: "Ada", expiresAt: "2026-11-23T11:00:00.000Z" });
    const message = rendered("PASSWORD_RESET", "EMAIL", values);
    expect(message.text).toContain(linkPlaceholder);
    expect(message.html).toContain(`href="${linkPlaceholder}"`);
    expect(rendered("PASSWORD_RESET", "IN_APP", values).text).toMatch(/reset link was sent/);
    const link = "https://shop.example/reset-password?token=secret&x=<1>";
    const sent = withSecret(message, { placeholder: linkPlaceholder, value: link });
    expect(sent.text).toContain(link);
    expect(sent.text).not.toContain(linkPlaceholder);
    expect(sent.html).toContain('href="https://shop.example/reset-password?token=secret&amp;x=&lt;1&gt;"');
  });

  it("opens a sealed secret into the page of its purpose, or the code, only for the user it was sealed for", () => {
    const sealer = new SecretSealer(randomBytes(32));
    const open = secretOpener(sealer, "https://shop.example/");
    const userId = "8d0f5a55-41a8-4c3a-9a8b-0c6f1f0f7b11";
    const expiresAt = new Date(Date.now() + 60_000);
    expect(open(sealer.seal({ purpose: "VERIFY_EMAIL", userId, token: "a b", expiresAt }), userId)).toEqual({
      placeholder: linkPlaceholder,
      value: "https://shop.example/verify-email?token=a%20b",
    });
    expect(open(sealer.seal({ purpose: "CHANGE_EMAIL", userId, token: "t", expiresAt }), userId).value).toBe(
      "https://shop.example/confirm-email-change?token=t",
    );
    expect(open(sealer.seal({ purpose: "VERIFY_PHONE", userId, token: "042917", expiresAt }), userId)).toEqual({
      placeholder: codePlaceholder,
      value: "042917",
    });
    const forAnother = sealer.seal({ purpose: "PASSWORD_RESET", userId: order.customerId, token: "t", expiresAt });
    expect(() => open(forAnother, userId)).toThrow(UnusableSecretError);
  });

  it("texts the phone code only in the text message; the email is a notice without it", () => {
    const values = phoneVerification({
      name: "Ada",
      phoneNumber: "+14155550123",
      expiresAt: "2026-11-23T11:00:00.000Z",
    });
    expect(rendered("PHONE_VERIFICATION", "SMS", values).text).toContain(codePlaceholder);
    expect(rendered("PHONE_VERIFICATION", "EMAIL", values).text).not.toContain(codePlaceholder);
    expect(rendered("PHONE_VERIFICATION", "EMAIL", values).text).toContain("+14155550123");
  });

  it("welcomes with a verification link only when the account has one to follow", () => {
    expect(
      rendered("WELCOME", "EMAIL", welcome({ name: "Ada" }, { expiresAt: "2026-11-24T10:00:00.000Z" })).text,
    ).toContain(linkPlaceholder);
    expect(rendered("WELCOME", "EMAIL", welcome({ name: "Ada" })).text).not.toContain(linkPlaceholder);
  });

  it("names the product of a low-stock alert", () => {
    const values = lowStock({ productId: order.orderId, sku: "LAMP-1", name: "Desk Lamp", available: 2, threshold: 5 });
    expect(rendered("LOW_STOCK", "EMAIL", values).subject).toBe("Low stock: Desk Lamp (LAMP-1)");
  });
});

describe("checking a template before it is saved", () => {
  const failure = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      if (error instanceof BadUserInputError) return { message: error.message, field: error.field };
      throw error;
    }
    throw new Error("the template was accepted");
  };
  const email = { subject: "Order {{order.number}}", text: "{{order.number}}", html: "<p>{{order.number}}</p>" };

  it.each(notificationKinds.flatMap((kind) => templateChannels.map((channel) => [kind, channel] as const)))(
    "accepts the code's own %s template on %s",
    (kind, channel) => {
      expect(checkedTemplate(kind, channel, defaultTemplate(kind, channel))).toEqual(defaultTemplate(kind, channel));
    },
  );

  it("refuses unbalanced sections, naming the field and the line", () => {
    expect(
      failure(() => checkedTemplate("ORDER_SHIPPED", "EMAIL", { ...email, text: "a\n{{#order.lines}}{{name}}" })),
    ).toEqual({
      field: "text",
      message: "`text`, line 2: `{{#order.lines}}` is never closed.",
    });
    expect(
      failure(() =>
        checkedTemplate("ORDER_SHIPPED", "EMAIL", { ...email, html: "{{#order.shipment}}{{/order.lines}}" }),
      ),
    ).toMatchObject({ field: "html", message: expect.stringContaining("does not close `{{#order.shipment}}`") });
    expect(failure(() => checkedTemplate("ORDER_SHIPPED", "EMAIL", { ...email, subject: "{{/order}}" })).field).toBe(
      "subject",
    );
    expect(
      failure(() => checkedTemplate("ORDER_SHIPPED", "EMAIL", { ...email, text: "{{order.number" })).message,
    ).toMatch(/never closed by `}}`/);
  });

  it("refuses unknown values, values out of their section, and raw output", () => {
    expect(failure(() => checkedTemplate("ORDER_SHIPPED", "EMAIL", { ...email, text: "{{order.nubmer}}" }))).toEqual({
      field: "text",
      message: "`text`, line 1: `order.nubmer` is not a value this message has.",
    });
    // Line fields exist only inside the lines' section.
    expect(failure(() => checkedTemplate("ORDER_SHIPPED", "EMAIL", { ...email, text: "{{quantity}}" })).field).toBe(
      "text",
    );
    expect(
      checkedTemplate("ORDER_SHIPPED", "EMAIL", {
        ...email,
        text: "{{#order.lines}}{{quantity}} {{order.number}}{{/order.lines}}",
      }),
    ).toBeTruthy();
    expect(
      failure(() => checkedTemplate("ORDER_SHIPPED", "EMAIL", { ...email, text: "{{order.lines}}" })).message,
    ).toMatch(/is a list/);
    expect(
      failure(() => checkedTemplate("ORDER_SHIPPED", "EMAIL", { ...email, html: "{{{order.number}}}" })).message,
    ).toMatch(/raw output/);
    expect(failure(() => checkedTemplate("ORDER_SHIPPED", "EMAIL", { ...email, text: "{{constructor}}" })).field).toBe(
      "text",
    );
  });

  it("keeps the secret in the message that carries it, and out of every other", () => {
    const reset = { subject: "Reset", text: "Open {{link}}", html: '<a href="{{link}}">reset</a>' };
    expect(checkedTemplate("PASSWORD_RESET", "EMAIL", reset)).toEqual(reset);
    expect(
      failure(() => checkedTemplate("PASSWORD_RESET", "EMAIL", { ...reset, html: "<p>{{name}}</p>" })),
    ).toMatchObject({
      field: "html",
      message: expect.stringContaining("must contain `{{link}}`"),
    });
    expect(failure(() => checkedTemplate("PASSWORD_RESET", "EMAIL", { ...reset, subject: "{{link}}" })).field).toBe(
      "subject",
    );
    // Another channel has no such value: the secret cannot be sent there.
    expect(failure(() => checkedTemplate("PASSWORD_RESET", "IN_APP", { subject: "x", text: "{{link}}" })).field).toBe(
      "text",
    );
    expect(failure(() => checkedTemplate("PHONE_VERIFICATION", "EMAIL", { ...reset, text: "{{code}}" })).field).toBe(
      "text",
    );
    expect(
      failure(() => checkedTemplate("WELCOME", "EMAIL", { subject: "Hi", text: "{{link}}", html: "{{link}}" })).field,
    ).toBe("text");
  });

  it("takes HTML for email only, and one-line subjects", () => {
    expect(
      failure(() => checkedTemplate("ORDER_SHIPPED", "SMS", { subject: "x", text: "y", html: "<p/>" })).field,
    ).toBe("html");
    expect(failure(() => checkedTemplate("ORDER_SHIPPED", "EMAIL", { subject: "x", text: "y" })).field).toBe("html");
    expect(failure(() => checkedTemplate("ORDER_SHIPPED", "EMAIL", { ...email, subject: "a\nb" })).field).toBe(
      "subject",
    );
    expect(failure(() => checkedTemplate("ORDER_SHIPPED", "EMAIL", { ...email, text: "x".repeat(20_001) })).field).toBe(
      "text",
    );
    expect(
      failure(() => checkedTemplate("ORDER_SHIPPED", "IN_APP", { subject: "x", text: "{{nope}}" }, "draft.")).field,
    ).toBe("draft.text");
  });

  it("previews every kind from its sample values, secrets only as placeholders", () => {
    for (const kind of notificationKinds) {
      const { sample, secret } = kindDefinitions[kind];
      for (const channel of templateChannels) {
        const content = renderContent(defaultTemplate(kind, channel), sample);
        expect(content.subject.length).toBeGreaterThan(0);
        if (secret?.channel === channel) expect(content.text).toContain(secret.placeholder);
      }
    }
  });
});
