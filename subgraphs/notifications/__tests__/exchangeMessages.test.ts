import type { EventData } from "../../common/events/catalog";
import { renderContent } from "../templates/content";
import { defaultTemplate } from "../templates/defaults";
import { returnMessage } from "../templates/messages";

const facts = {
  returnId: "0b7f6a0e-1c3d-4e5f-8a9b-0c1d2e3f4a5b",
  orderId: "8d0f5a55-41a8-4c3a-9a8b-0c6f1f0f7b11",
  customerId: "5b1f2f0e-9f5e-4d1a-8a59-2f9a6f1d0c11",
  number: "K7M-4PQ2X",
  reason: "too small",
  lines: [
    {
      orderItemId: "1b7f6a0e-1c3d-4e5f-8a9b-0c1d2e3f4a5b",
      productId: "2b7f6a0e-1c3d-4e5f-8a9b-0c1d2e3f4a5b",
      variantId: "3b7f6a0e-1c3d-4e5f-8a9b-0c1d2e3f4a5b",
      name: "Trail Shoe (S)",
      quantity: 2,
    },
  ],
  at: "2026-12-01T10:00:00.000Z",
};
const usd = (amount: string) => ({ amount, currency: "USD" });

const inApp = (message: ReturnType<typeof returnMessage>) =>
  renderContent(defaultTemplate(message.kind, "IN_APP"), message.values).text;

describe("return messages of an exchange", () => {
  it("names the order holding the replacement when the return is approved, and says nothing of it otherwise", () => {
    const approved: EventData<"orders.return.approved"> = {
      ...facts,
      labelReference: "LBL-1",
      exchangeOrder: { orderId: facts.orderId, number: "X2P-9QR4T" },
    };
    expect(inApp(returnMessage("RETURN_APPROVED", approved))).toBe(
      "Your return for order K7M-4PQ2X is approved. Please send the items back with return label LBL-1. Your replacement is set aside in order X2P-9QR4T and ships once they arrive.",
    );
    const { exchangeOrder: _none, ...plain } = approved;
    expect(inApp(returnMessage("RETURN_APPROVED", plain))).toBe(
      "Your return for order K7M-4PQ2X is approved. Please send the items back with return label LBL-1. We refund you once they arrive.",
    );
  });

  it("on receipt, tells what pays for the replacement and refunds only the rest", () => {
    const received: EventData<"orders.return.received"> = {
      ...facts,
      restockLocationId: null,
      refund: { idempotencyKey: "return:x", amount: usd("60.00"), lines: [] },
      exchange: { orderId: facts.orderId, number: "X2P-9QR4T", amount: usd("36.00"), lines: [], idempotencyKey: "e" },
    };
    expect(inApp(returnMessage("RETURN_RECEIVED", received))).toBe(
      "We received your return for order K7M-4PQ2X. It pays for your replacement order X2P-9QR4T. A refund of 24.00 USD is on its way to you.",
    );
    const exact = { ...received, exchange: { ...received.exchange!, amount: usd("60.00") } };
    expect(inApp(returnMessage("RETURN_RECEIVED", exact))).toBe(
      "We received your return for order K7M-4PQ2X. It pays for your replacement order X2P-9QR4T. Nothing is refunded for it.",
    );
  });
});
