import { BadUserInputError } from "../errors";
import { boundedInt, httpUrl, optionalText, requiredId, requiredText, slug, slugify } from "../validation";

function fieldOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof BadUserInputError) return error.field;
    throw error;
  }
  throw new Error("expected BAD_USER_INPUT");
}

describe("input validation", () => {
  it("trims and bounds text", () => {
    expect(requiredText("  Headphones  ", "name", { max: 20 })).toBe("Headphones");
    expect(fieldOf(() => requiredText("   ", "name", { max: 20 }))).toBe("name");
    expect(fieldOf(() => requiredText("x".repeat(21), "name", { max: 20 }))).toBe("name");
    expect(optionalText("   ", "description", 10)).toBeNull();
    expect(fieldOf(() => optionalText("x".repeat(11), "description", 10))).toBe("description");
  });

  it("accepts UUIDs only as ids", () => {
    expect(requiredId("8D0F5A55-41A8-4C3A-9A8B-0C6F1F0F7B11", "categoryId")).toBe(
      "8d0f5a55-41a8-4c3a-9a8b-0c6f1f0f7b11",
    );
    expect(fieldOf(() => requiredId("42", "categoryId"))).toBe("categoryId");
  });

  it("bounds integers", () => {
    expect(boundedInt(5, "rating", { min: 1, max: 5 })).toBe(5);
    expect(fieldOf(() => boundedInt(6, "rating", { min: 1, max: 5 }))).toBe("rating");
    expect(fieldOf(() => boundedInt(1.5, "quantity", { min: 1, max: 5 }))).toBe("quantity");
  });

  it("checks and derives slugs", () => {
    expect(slug("audio-headphones", "slug")).toBe("audio-headphones");
    expect(fieldOf(() => slug("Audio Headphones", "slug"))).toBe("slug");
    expect(slugify("Noise-Cancelling Headphones!  (Black)")).toBe("noise-cancelling-headphones-black");
    expect(slugify("Café Crème")).toBe("cafe-creme");
  });

  it("accepts only absolute http(s) URLs", () => {
    expect(httpUrl("https://cdn.example.com/a.jpg", "url")).toBe("https://cdn.example.com/a.jpg");
    expect(fieldOf(() => httpUrl("javascript:alert(1)", "images.0.url"))).toBe("images.0.url");
    expect(fieldOf(() => httpUrl("/relative.png", "url"))).toBe("url");
  });
});
