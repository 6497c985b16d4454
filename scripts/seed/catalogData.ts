/**
 * The demo catalog: a fixed category tree and products generated from it with a seeded random
 * generator, so that every run produces exactly the same catalog (and a second run finds it all).
 * Apparel comes in sizes and colours, shoes in sizes, everything else without options; every
 * product has a brand and most a material or colour, for the storefront's filters. Stock sits in
 * two locations.
 */

export interface SeedCategory {
  slug: string;
  name: string;
  parentSlug: string | null;
}

/** Units of a variant at each of the seed's locations, by location key. */
export type SeedStock = Record<SeedLocation["key"], number>;

export interface SeedVariant {
  sku: string;
  price: string;
  /** Option values by option name. */
  options: Record<string, string>;
  stock: SeedStock;
  attributes: Array<{ name: string; value: string }>;
}

export interface SeedProduct {
  /** The SKU of its first variant (the one `createProduct` makes). */
  sku: string;
  name: string;
  slug: string;
  description: string;
  /** The price of its first variant. */
  price: string;
  categorySlug: string;
  images: Array<{ url: string; alt: string }>;
  attributes: Array<{ name: string; value: string }>;
  /** Empty for a product without options. */
  options: Array<{ name: string; values: string[] }>;
  /** Every variant, the first one first; one for a product without options. */
  variants: SeedVariant[];
}

export interface SeedLocation {
  key: "main" | "east";
  name: string;
  priority: number;
  address: { line1: string; city: string; region: string; postalCode: string; country: string } | null;
}

/** The two stock locations: the one the inventory migration makes, and a second, reserved from after it. */
export const seedLocations: readonly SeedLocation[] = [
  { key: "main", name: "Main warehouse", priority: 0, address: null },
  {
    key: "east",
    name: "East Coast fulfilment centre",
    priority: 10,
    address: { line1: "400 Harbor Way", city: "Newark", region: "NJ", postalCode: "07114", country: "US" },
  },
];

interface Leaf {
  name: string;
  slug: string;
  nouns: string[];
  priceRange: [number, number];
  features: string[];
  /** What the products are made of, one picked per product (a facet). */
  materials?: string[];
  /** Colours a product without options comes in, one picked per product (a facet). */
  colours?: string[];
  /** Options every product of the leaf has, and how many of their values a product offers. */
  options?: Array<{ name: string; values: string[]; pick: number }>;
  /** Products in this leaf; the other leaves share what is left of the count. */
  count?: number;
}

interface Department {
  name: string;
  slug: string;
  children: Leaf[];
}

const apparelColours = ["Black", "White", "Navy", "Heather Grey", "Forest Green", "Burgundy"];

const departments: Department[] = [
  {
    name: "Apparel",
    slug: "apparel",
    children: [
      {
        name: "T-Shirts",
        slug: "apparel-tees",
        nouns: ["Crew Tee", "Pocket Tee", "Long-Sleeve Tee"],
        priceRange: [15, 45],
        features: ["a relaxed fit", "reinforced seams", "a tagless collar", "pre-shrunk fabric"],
        materials: ["cotton", "organic cotton", "cotton blend"],
        options: [
          { name: "Size", values: ["XS", "S", "M", "L", "XL"], pick: 4 },
          { name: "Colour", values: apparelColours, pick: 3 },
        ],
        count: 8,
      },
      {
        name: "Hoodies",
        slug: "apparel-hoodies",
        nouns: ["Zip Hoodie", "Pullover Hoodie", "Fleece Hoodie"],
        priceRange: [39, 99],
        features: ["a lined hood", "a kangaroo pocket", "ribbed cuffs", "brushed fleece inside"],
        materials: ["cotton", "merino wool", "recycled polyester"],
        options: [
          { name: "Size", values: ["S", "M", "L", "XL"], pick: 4 },
          { name: "Colour", values: apparelColours, pick: 2 },
        ],
        count: 6,
      },
    ],
  },
  {
    name: "Shoes",
    slug: "shoes",
    children: [
      {
        name: "Sneakers",
        slug: "shoes-sneakers",
        nouns: ["Court Sneaker", "Runner", "Canvas Low-Top"],
        priceRange: [49, 159],
        features: ["a cushioned midsole", "a grippy rubber outsole", "a padded collar", "breathable lining"],
        materials: ["leather", "canvas", "mesh", "suede"],
        colours: ["white", "black", "grey", "navy"],
        options: [{ name: "Size", values: ["38", "39", "40", "41", "42", "43", "44", "45"], pick: 6 }],
        count: 6,
      },
      {
        name: "Boots",
        slug: "shoes-boots",
        nouns: ["Chelsea Boot", "Hiking Boot", "Work Boot"],
        priceRange: [89, 249],
        features: ["a waterproof membrane", "a Goodyear welt", "a steel shank", "a pull tab"],
        materials: ["leather", "suede", "nubuck"],
        colours: ["brown", "black", "tan"],
        options: [{ name: "Size", values: ["39", "40", "41", "42", "43", "44", "45", "46"], pick: 6 }],
        count: 4,
      },
    ],
  },
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
        colours: ["black", "white", "silver"],
      },
      {
        name: "Earbuds",
        slug: "audio-earbuds",
        nouns: ["Earbuds", "Wireless Earbuds", "Sport Earbuds"],
        priceRange: [19, 249],
        features: ["sweat resistance", "a pocket charging case", "transparency mode", "low-latency gaming mode"],
        colours: ["black", "white"],
      },
      {
        name: "Speakers",
        slug: "audio-speakers",
        nouns: ["Bluetooth Speaker", "Bookshelf Speaker", "Soundbar"],
        priceRange: [29, 599],
        features: ["room-filling bass", "waterproof housing", "multi-room pairing", "a built-in microphone"],
        colours: ["black", "grey", "white"],
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
        materials: ["aluminium", "plastic"],
      },
      {
        name: "Mice",
        slug: "computing-mice",
        nouns: ["Wireless Mouse", "Ergonomic Mouse", "Gaming Mouse"],
        priceRange: [15, 149],
        features: ["a 26,000 DPI sensor", "a rechargeable battery", "silent clicks", "programmable buttons"],
        colours: ["black", "white"],
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
        materials: ["stainless steel", "aluminium", "glass"],
      },
      {
        name: "Cookware",
        slug: "kitchen-cookware",
        nouns: ["Cast-Iron Skillet", "Saucepan", "Dutch Oven", "Wok"],
        priceRange: [24, 329],
        features: ["even heat distribution", "an induction-ready base", "oven-safe handles", "a non-stick coating"],
        materials: ["cast iron", "stainless steel", "carbon steel"],
      },
      {
        name: "Knives",
        slug: "kitchen-knives",
        nouns: ["Chef's Knife", "Paring Knife", "Bread Knife"],
        priceRange: [12, 249],
        features: ["a high-carbon steel blade", "a full tang", "a balanced handle", "a protective sheath"],
        materials: ["carbon steel", "stainless steel"],
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
        colours: ["black", "white", "brass"],
      },
      {
        name: "Textiles",
        slug: "home-textiles",
        nouns: ["Throw Blanket", "Linen Duvet Cover", "Cushion Cover"],
        priceRange: [14, 189],
        features: ["organic cotton", "stone-washed linen", "hidden zips", "machine-washable fabric"],
        materials: ["cotton", "linen", "wool"],
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

/** Units for one variant at each location: most in stock and split over both, some low, a few sold out. */
function stockOf(random: () => number, scale: number): SeedStock {
  const units =
    random() < 0.08
      ? 0
      : random() < 0.15
        ? 1 + Math.floor(random() * 4)
        : Math.max(1, Math.round((10 + Math.floor(random() * 190)) * scale));
  const east = units > 4 ? Math.floor(units * (0.2 + random() * 0.3)) : 0;
  return { main: units - east, east };
}

/** `count` values of a list, keeping the list's order (sizes stay in size order). */
function someOf<T>(random: () => number, values: readonly T[], count: number): T[] {
  if (count >= values.length) return [...values];
  const start = Math.floor(random() * (values.length - count + 1));
  return values.slice(start, start + count);
}

/** Every combination of the options' values, in the options' order. */
function combinations(options: ReadonlyArray<{ name: string; values: string[] }>): Array<Record<string, string>> {
  return options.reduce<Array<Record<string, string>>>(
    (all, option) => all.flatMap((partial) => option.values.map((value) => ({ ...partial, [option.name]: value }))),
    [{}],
  );
}

/** At least `count` products, spread over the leaf categories (leaves with options have their own counts). */
export function seedProducts(count = 216): SeedProduct[] {
  const random = seededRandom(20261123);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const leaves = departments.flatMap((department) => department.children);
  const fixed = leaves.reduce((sum, leaf) => sum + (leaf.count ?? 0), 0);
  const perLeaf = Math.ceil((count - fixed) / leaves.filter((leaf) => !leaf.count).length);
  const products: SeedProduct[] = [];
  const usedNames = new Set<string>();
  for (const [leafIndex, leaf] of leaves.entries()) {
    for (let n = 0; n < (leaf.count ?? perLeaf); n += 1) {
      let name: string;
      do {
        name = `${pick(brands)} ${pick(leaf.nouns)} ${pick(lines)}`;
      } while (usedNames.has(name) && usedNames.size < brands.length * leaf.nouns.length * lines.length);
      if (usedNames.has(name)) name = `${name} ${n + 2}`;
      usedNames.add(name);
      const [low, high] = leaf.priceRange;
      const cents = Math.round((low + random() * (high - low)) * 100) - 1;
      const price = (Math.max(cents, 99) / 100).toFixed(2);
      const features = [...leaf.features].sort(() => random() - 0.5).slice(0, 2);
      const sku = `${leaf.slug.split("-")[1]!.slice(0, 4).toUpperCase()}-${String(leafIndex * 100 + n + 1).padStart(4, "0")}`;
      const brand = name.split(" ")[0]!;
      const attributes = [
        { name: "Brand", value: brand },
        ...(leaf.materials ? [{ name: "Material", value: pick(leaf.materials) }] : []),
        ...(leaf.colours ? [{ name: "Colour", value: pick(leaf.colours) }] : []),
      ];
      const options = (leaf.options ?? []).map((option) => ({
        name: option.name,
        values: someOf(random, option.values, option.pick),
      }));
      const variants: SeedVariant[] = options.length
        ? combinations(options).map((values, index) => ({
            sku:
              index === 0
                ? sku
                : `${sku}-${Object.values(values)
                    .map((value) =>
                      value
                        .replace(/[^A-Za-z0-9]/g, "")
                        .slice(0, 5)
                        .toUpperCase(),
                    )
                    .join("-")}`,
            // Larger sizes of apparel cost a little more; everything else is one price.
            price:
              leaf.slug.startsWith("apparel") && /^X?XL$/.test(values.Size ?? "")
                ? (Number(price) + 3).toFixed(2)
                : price,
            options: values,
            stock: stockOf(random, 0.15),
            // A colour option is also an attribute of the variant, so the colour facet counts it.
            attributes: values.Colour ? [{ name: "Colour", value: values.Colour.toLowerCase() }] : [],
          }))
        : [{ sku, price, options: {}, stock: stockOf(random, 1), attributes: [] }];
      products.push({
        sku,
        name,
        slug: slugOf(`${name}-${sku}`),
        description: `The ${name} is our take on the ${leaf.nouns[0]!.toLowerCase()}, with ${features[0]} and ${features[1]}. Designed for everyday use and backed by a two-year warranty.`,
        price,
        categorySlug: leaf.slug,
        images: [1, 2].map((view) => ({
          url: `https://images.commerce.example/${slugOf(sku)}/${view}.jpg`,
          alt: `${name}, view ${view}`,
        })),
        attributes,
        options,
        variants,
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
