-- Carts and orders hold variants. Every product became a product with one variant whose id is
-- the product's (the products service made it so), so each existing line's variant is its
-- product's id, known here without asking another service. Order lines keep a snapshot of what
-- was ordered. For the old lines it is what this database knew: name, price and, from the
-- catalog read model, the SKU.

-- AlterTable: cart lines are per variant, each with an id of its own.
ALTER TABLE "cart_items" ADD COLUMN "id" UUID NOT NULL DEFAULT gen_random_uuid(),
ADD COLUMN     "variant_id" UUID;
UPDATE "cart_items" SET "variant_id" = "product_id";
ALTER TABLE "cart_items" ALTER COLUMN "variant_id" SET NOT NULL;
ALTER TABLE "cart_items" DROP CONSTRAINT "cart_items_pkey",
ADD CONSTRAINT "cart_items_pkey" PRIMARY KEY ("cart_id", "variant_id");

-- AlterTable: order lines name their variant and keep a snapshot of it.
ALTER TABLE "order_items" ADD COLUMN     "image_alt" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "image_url" TEXT,
ADD COLUMN     "selected_options" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "sku" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "variant_id" UUID,
ADD COLUMN     "variant_title" TEXT NOT NULL DEFAULT 'Default Title';
UPDATE "order_items" i
   SET "variant_id" = i."product_id",
       "sku" = coalesce((SELECT c."sku" FROM "catalog_products" c WHERE c."product_id" = i."product_id"), '');
ALTER TABLE "order_items" ALTER COLUMN "variant_id" SET NOT NULL;

-- CreateTable
CREATE TABLE "catalog_variants" (
    "variant_id" UUID NOT NULL,
    "product_id" UUID NOT NULL,
    "sku" TEXT NOT NULL,
    "product_name" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "selected_options" JSONB NOT NULL DEFAULT '[]',
    "image_url" TEXT,
    "image_alt" TEXT NOT NULL DEFAULT '',
    "price_minor" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "product_status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "archived" BOOLEAN NOT NULL DEFAULT false,
    "facts_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "available" INTEGER,
    "availability_version" BIGINT NOT NULL DEFAULT -1,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "catalog_variants_pkey" PRIMARY KEY ("variant_id")
);

-- The read model, per variant: each product's facts become its one variant's, with their
-- versions (facts and availability) as they were.
INSERT INTO "catalog_variants" ("variant_id", "product_id", "sku", "product_name", "title", "selected_options", "price_minor", "currency", "product_status", "archived", "facts_at", "available", "availability_version", "updated_at")
SELECT "product_id", "product_id", "sku", "name", 'Default Title', '[]'::jsonb, "price_minor", "currency",
       CASE WHEN "archived" THEN 'ARCHIVED' ELSE 'ACTIVE' END, false, "facts_at", "available", "availability_version", "updated_at"
  FROM "catalog_products";

-- DropTable
DROP TABLE "catalog_products";

-- CreateIndex
CREATE INDEX "catalog_variants_product_id_idx" ON "catalog_variants"("product_id");

-- CreateIndex
CREATE UNIQUE INDEX "cart_items_id_key" ON "cart_items"("id");
