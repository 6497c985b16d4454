import { mergeChoices } from "../domain/cartMerge";

describe("mergeChoices: a guest cart's checkout choices merged into the customer's", () => {
  it.each([
    {
      case: "the customer chose nothing: everything of the guest's",
      customer: { shippingMethodId: null, discountCodes: [] },
      guest: { shippingMethodId: "express", discountCodes: ["SAVE5"] },
      merged: { shippingMethodId: "express", discountCodes: ["SAVE5"] },
      dropped: [],
    },
    {
      case: "the customer's method wins; codes are united without repeats, the customer's first",
      customer: { shippingMethodId: "standard", discountCodes: ["TEN"] },
      guest: { shippingMethodId: "express", discountCodes: ["SAVE5", "TEN"] },
      merged: { shippingMethodId: "standard", discountCodes: ["TEN", "SAVE5"] },
      dropped: [],
    },
    {
      case: "codes past five are reported, not silently lost",
      customer: { shippingMethodId: null, discountCodes: ["A", "B", "C", "D"] },
      guest: { shippingMethodId: null, discountCodes: ["E", "A", "F", "G"] },
      merged: { shippingMethodId: null, discountCodes: ["A", "B", "C", "D", "E"] },
      dropped: ["F", "G"],
    },
  ])("$case", ({ customer, guest, merged, dropped }) => {
    expect(mergeChoices(customer, guest)).toEqual({ choices: merged, droppedDiscountCodes: dropped });
  });
});
