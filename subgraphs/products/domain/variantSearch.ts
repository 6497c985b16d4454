import { z } from "zod";
import { containsPattern } from "../../common/likePattern";
import { decodeCursor, encodeCursor, pageSize, toConnection, type Connection } from "../../common/pagination";
import { requiredText } from "../../common/validation";
import type { ProductsReader } from "../store/database";
import type { VariantRecord } from "../store/records";
import { countVariantsBySku, searchVariantsBySku } from "../store/variantSearch";

const position = z.string().min(1);

/**
 * Back-office search of variants by part of their SKU, every product's, archived ones too, by
 * SKU. Three characters at least: a trigram index cannot narrow a shorter text.
 */
export async function variantSearchPage(
  db: ProductsReader,
  args: { sku: string; first?: number | null; after?: string | null },
): Promise<Connection<VariantRecord>> {
  const text = requiredText(args.sku, "sku", { min: 3, max: 64 });
  const size = pageSize(args.first);
  const afterSku = args.after ? decodeCursor(args.after, position) : null;
  const pattern = containsPattern(text);
  const rows = await searchVariantsBySku(db, pattern, size, afterSku);
  return toConnection(
    rows,
    size,
    (row) => encodeCursor(row.sku),
    () => countVariantsBySku(db, pattern),
  );
}
