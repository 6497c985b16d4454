/**
 * The demo catalog: a fixed category tree and products generated from it with a seeded random
 * generator, so that every run produces exactly the same catalog (and a second run finds it all).
 */

export interface SeedCategory {
  slug: string;
  name: string;
  parentSlug: string | null;
}

export interface SeedProduct {
  sku: string;
  name: string;
  slug: string;
  description: string;
  price: string;
  categorySlug: string;
  images: Array<{ url: string; alt: string }>;
  stock: number;
}

interface Department {
  name: string;
  slug: string;
  children: Array<{ name: string; slug: string; nouns: string[]; priceRange: [number, number]; features: string[] }>;
}

const departments: Department[] = [
  {
    name: "Audio",
    slug: "audio",
    children: [
      {
        name: "Headphones",
        slug: "audio-headphones",
        nouns: ["Headphones", "Over-Ear Headphones", "Studio Headphones"],
        priceRange: [39, 399],
        features: ["active noise cancelling", "40-hour battery", "memory-foam ear cushions", "foldable design"],
      },
      {
        name: "Earbuds",
        slug: "audio-earbuds",
        nouns: ["Earbuds", "Wireless Earbuds", "Sport Earbuds"],
        priceRange: [19, 249],
        features: ["sweat resistance", "a pocket charging case", "transparency mode", "low-latency gaming mode"],
      },
      {
        name: "Speakers",
        slug: "audio-speakers",
        nouns: ["Bluetooth Speaker", "Bookshelf Speaker", "Soundbar"],
        priceRange: [29, 599],
        features: ["room-filling bass", "waterproof housing", "multi-room pairing", "a built-in microphone"],
      },
    ],
  },
  {
    name: "Computing",
    slug: "computing",
    children: [
      {
        name: "Keyboards",
        slug: "computing-keyboards",
        nouns: ["Mechanical Keyboard", "Wireless Keyboard", "Compact Keyboard"],
        priceRange: [25, 229],
        features: ["hot-swappable switches", "per-key backlight", "aluminium frame", "quiet keys"],
      },
      {
        name: "Mice",
        slug: "computing-mice",
        nouns: ["Wireless Mouse", "Ergonomic Mouse", "Gaming Mouse"],
        priceRange: [15, 149],
        features: ["a 26,000 DPI sensor", "a rechargeable battery", "silent clicks", "programmable buttons"],
      },
      {
        name: "Monitors",
        slug: "computing-monitors",
        nouns: ["27-inch Monitor", "Ultrawide Monitor", "Portable Monitor"],
        priceRange: [129, 899],
        features: ["a 144 Hz refresh rate", "USB-C power delivery", "HDR support", "a height-adjustable stand"],
      },
    ],
  },
  {
    name: "Kitchen",
    slug: "kitchen",
    children: [
      {
        name: "Coffee",
        slug: "kitchen-coffee",
        nouns: ["Coffee Grinder", "Espresso Machine", "Pour-Over Kettle", "French Press"],
        priceRange: [19, 749],
        features: ["conical burrs", "precise temperature control", "a stainless-steel body", "a timer"],
      },
      {
        name: "Cookware",
        slug: "kitchen-cookware",
        nouns: ["Cast-Iron Skillet", "Saucepan", "Dutch Oven", "Wok"],
        priceRange: [24, 329],
        features: ["even heat distribution", "an induction-ready base", "oven-safe handles", "a non-stick coating"],
      },
      {
        name: "Knives",
        slug: "kitchen-knives",
        nouns: ["Chef's Knife", "Paring Knife", "Bread Knife"],
        priceRange: [12, 249],
        features: ["a high-carbon steel blade", "a full tang", "a balanced handle", "a protective sheath"],
      },
    ],
  },
  {
    name: "Outdoors",
    slug: "outdoors",
    children: [
      {
        name: "Camping",
        slug: "outdoors-camping",
        nouns: ["Tent", "Sleeping Bag", "Camping Stove", "Headlamp"],
        priceRange: [15, 499],
        features: ["a weight under one kilogram", "weatherproof seams", "quick set-up", "a compression sack"],
      },
      {
        name: "Cycling",
        slug: "outdoors-cycling",
        nouns: ["Bike Light", "Cycling Helmet", "Bike Lock", "Saddle Bag"],
        priceRange: [12, 199],
        features: ["high visibility", "USB charging", "a lightweight shell", "quick-release mounts"],
      },
    ],
  },
  {
    name: "Home",
    slug: "home",
    children: [
      {
        name: "Lighting",
        slug: "home-lighting",
        nouns: ["Desk Lamp", "Floor Lamp", "Smart Bulb"],
        priceRange: [9, 259],
        features: ["dimmable warm light", "app control", "a weighted base", "energy-saving LEDs"],
      },
      {
        name: "Textiles",
        slug: "home-textiles",
        nouns: ["Throw Blanket", "Linen Duvet Cover", "Cushion Cover"],
        priceRange: [14, 189],
        features: ["organic cotton", "stone-washed linen", "hidden zips", "machine-washable fabric"],
      },
    ],
  },
];

const brands = [
  "Aurora",
  "Northwind",
  "Kestrel",
  "Lumen",
  "Fjord",
  "Atlas",
  "Juniper",
  "Solace",
  "Vertex",
  "Cobalt",
  "Harbor",
  "Meridian",
];
const lines = ["Pro", "Air", "Lite", "Max", "One", "Plus", "Go", "Studio", "Classic", "Edge"];

/** A small deterministic random generator (mulberry32). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seedCategories(): SeedCategory[] {
  return departments.flatMap((department) => [
    { slug: department.slug, name: department.name, parentSlug: null },
    ...department.children.map((child) => ({ slug: child.slug, name: child.name, parentSlug: department.slug })),
  ]);
}

const slugOf = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

/** At least `count` products, spread over the leaf categories. */
export function seedProducts(count = 216): SeedProduct[] {
  const random = seededRandom(20261123);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const leaves = departments.flatMap((department) => department.children);
  const perLeaf = Math.ceil(count / leaves.length);
  const products: SeedProduct[] = [];
  const usedNames = new Set<string>();
  for (const [leafIndex, leaf] of leaves.entries()) {
    for (let n = 0; n < perLeaf; n += 1) {
      let name: string;
      do {
        name = `${pick(brands)} ${pick(leaf.nouns)} ${pick(lines)}`;
      } while (usedNames.has(name) && usedNames.size < brands.length * leaf.nouns.length * lines.length);
      if (usedNames.has(name)) name = `${name} ${n + 2}`;
      usedNames.add(name);
      const [low, high] = leaf.priceRange;
      const cents = Math.round((low + random() * (high - low)) * 100) - 1;
      const features = [...leaf.features].sort(() => random() - 0.5).slice(0, 2);
      const sku = `${leaf.slug.split("-")[1]!.slice(0, 4).toUpperCase()}-${String(leafIndex * 100 + n + 1).padStart(4, "0")}`;
      products.push({
        sku,
        name,
        slug: slugOf(`${name}-${sku}`),
        description: `The ${name} is our take on the ${leaf.nouns[0]!.toLowerCase()}, with ${features[0]} and ${features[1]}. Designed for everyday use and backed by a two-year warranty.`,
        price: (Math.max(cents, 99) / 100).toFixed(2),
        categorySlug: leaf.slug,
        images: [1, 2].map((view) => ({
          url: `https://images.commerce.example/${slugOf(sku)}/${view}.jpg`,
          alt: `${name}, view ${view}`,
        })),
        // Most products in stock, some low, a few sold out.
        stock: random() < 0.08 ? 0 : random() < 0.15 ? 1 + Math.floor(random() * 4) : 10 + Math.floor(random() * 190),
      });
    }
  }
  return products;
}

export interface SeedReview {
  sku: string;
  reviewer: number;
  rating: number;
  title: string;
  body: string;
}

const reviewTitles: Record<number, string[]> = {
  5: ["Excellent", "Exactly what I wanted", "Love it"],
  4: ["Very good", "Great value", "Happy with it"],
  3: ["Does the job", "Decent", "It's fine"],
  2: ["Disappointing", "Not great"],
  1: ["Broke quickly", "Would not buy again"],
};

export const seedReviewerCount = 8;

/** Reviews for about a third of the products, from the seed's reviewers. */
export function seedReviews(products: readonly SeedProduct[]): SeedReview[] {
  const random = seededRandom(42);
  const reviews: SeedReview[] = [];
  for (const product of products) {
    if (random() > 0.35) continue;
    const reviewers = new Set<number>();
    const count = 1 + Math.floor(random() * 4);
    while (reviewers.size < count) reviewers.add(Math.floor(random() * seedReviewerCount));
    for (const reviewer of reviewers) {
      const rating = Math.min(5, Math.max(1, Math.round(3.8 + (random() - 0.5) * 3)));
      const titles = reviewTitles[rating]!;
      reviews.push({
        sku: product.sku,
        reviewer,
        rating,
        title: titles[Math.floor(random() * titles.length)]!,
        body: `Bought the ${product.name}. ${titles[0]}.`,
      });
    }
  }
  return reviews;
}
