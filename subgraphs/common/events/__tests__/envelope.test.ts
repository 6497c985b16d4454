import { createEnvelope, InvalidEventError, parseEnvelope } from "../envelope";
import { domainOf } from "../catalog";
import { streamFor, subjectFor } from "../streams";

const productCreated = {
  productId: "8d0f5a55-41a8-4c3a-9a8b-0c6f1f0f7b11",
  sku: "HP-1",
  name: "Headphones",
  price: { amount: "19.99", currency: "USD" },
  categoryId: null,
};

describe("event envelope", () => {
  it("wraps data in one envelope with a fresh id and time", () => {
    const first = createEnvelope("products", { type: "catalog.product.created", data: productCreated });
    const second = createEnvelope("products", { type: "catalog.product.created", data: productCreated });
    expect(first).toMatchObject({ type: "catalog.product.created", source: "products", data: productCreated });
    expect(first.id).not.toBe(second.id);
    expect(new Date(first.occurredAt).toISOString()).toBe(first.occurredAt);
  });

  it("refuses data that does not match the catalog, when publishing and when consuming", () => {
    expect(() =>
      createEnvelope("products", {
        type: "catalog.product.created",
        data: { ...productCreated, price: 19.99 } as never,
      }),
    ).toThrow(InvalidEventError);
    const envelope = createEnvelope("products", { type: "catalog.product.created", data: productCreated });
    expect(() => parseEnvelope({ ...envelope, type: "catalog.product.exploded" })).toThrow(/unknown event type/);
    expect(() => parseEnvelope({ ...envelope, id: "not-a-uuid" })).toThrow(/malformed/);
    expect(() => parseEnvelope({ ...envelope, data: { ...productCreated, productId: 7 } })).toThrow(/productId/);
    expect(parseEnvelope(JSON.parse(JSON.stringify(envelope)))).toEqual(envelope);
  });

  it("routes an event type to its domain's stream and subject", () => {
    expect(domainOf("catalog.product.created")).toBe("catalog");
    expect(subjectFor("commerce", "catalog.product.created")).toBe("commerce.catalog.product.created");
    expect(streamFor("commerce", "catalog.product.created")).toBe("COMMERCE_CATALOG");
  });
});
