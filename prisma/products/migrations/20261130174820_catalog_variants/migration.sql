-- Products with options and variants. Every existing product keeps its row and becomes a product
-- with one variant, which takes over the product's SKU and price and has the product's own id:
-- the other services (stock, carts, order lines) can then name it without asking this database.

-- CreateEnum
CREATE TYPE "ProductStatus" AS ENUM ('DRAFT', 'ACTIVE', 'ARCHIVED');

-- CreateTable
CREATE TABLE "product_options" (
    "id" UUID NOT NULL,
    "product_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "values" TEXT[],

    CONSTRAINT "product_options_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "product_variants" (
    "id" UUID NOT NULL,
    "product_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "sku" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "selected_options" JSONB NOT NULL DEFAULT '[]',
    "options_key" TEXT NOT NULL DEFAULT '',
    "price_minor" BIGINT NOT NULL,
    "compare_at_price_minor" BIGINT,
    "weight_grams" INTEGER,
    "barcode" TEXT,
    "archived" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "product_variants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "variant_images" (
    "id" UUID NOT NULL,
    "variant_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "url" TEXT NOT NULL,
    "alt" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "variant_images_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "product_attributes" (
    "id" UUID NOT NULL,
    "product_id" UUID NOT NULL,
    "variant_id" UUID,
    "position" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "product_attributes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "variant_availability" (
    "variant_id" UUID NOT NULL,
    "product_id" UUID NOT NULL,
    "available" INTEGER NOT NULL,
    "version" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "variant_availability_pkey" PRIMARY KEY ("variant_id")
);

-- Backfill: each product's one variant, with the product's id, SKU and price.
INSERT INTO "product_variants" ("id", "product_id", "position", "sku", "title", "selected_options", "options_key", "price_minor", "archived", "created_at", "updated_at")
SELECT "id", "id", 0, "sku", 'Default Title', '[]'::jsonb, '', "price_minor", false, "created_at", "updated_at"
  FROM "products";

-- Backfill: availability per product becomes availability of its one variant (same id, same version).
INSERT INTO "variant_availability" ("variant_id", "product_id", "available", "version", "updated_at")
SELECT "product_id", "product_id", "available", "version", "updated_at"
  FROM "product_availability";

-- AlterTable: the status replaces the archived flag, and the price range is kept beside the lowest price.
ALTER TABLE "products" ADD COLUMN     "max_price_minor" BIGINT,
ADD COLUMN     "status" "ProductStatus" NOT NULL DEFAULT 'ACTIVE';

UPDATE "products"
   SET "max_price_minor" = "price_minor",
       "status" = CASE WHEN "archived" THEN 'ARCHIVED'::"ProductStatus" ELSE 'ACTIVE'::"ProductStatus" END;

ALTER TABLE "products" ALTER COLUMN "max_price_minor" SET NOT NULL;

-- DropForeignKey
ALTER TABLE "product_availability" DROP CONSTRAINT "product_availability_product_id_fkey";

-- DropIndex
DROP INDEX "products_sku_key";

-- AlterTable
ALTER TABLE "products" DROP COLUMN "archived",
DROP COLUMN "sku";

-- DropTable
DROP TABLE "product_availability";

-- CreateIndex
CREATE UNIQUE INDEX "product_options_product_id_position_key" ON "product_options"("product_id", "position");

-- CreateIndex
CREATE UNIQUE INDEX "product_variants_sku_key" ON "product_variants"("sku");

-- CreateIndex
CREATE INDEX "product_variants_product_id_position_idx" ON "product_variants"("product_id", "position");

-- CreateIndex
CREATE UNIQUE INDEX "variant_images_variant_id_position_key" ON "variant_images"("variant_id", "position");

-- CreateIndex
CREATE INDEX "product_attributes_product_id_idx" ON "product_attributes"("product_id");

-- CreateIndex
CREATE INDEX "product_attributes_variant_id_idx" ON "product_attributes"("variant_id");

-- CreateIndex
CREATE INDEX "variant_availability_product_id_available_idx" ON "variant_availability"("product_id", "available");

-- AddForeignKey
ALTER TABLE "product_options" ADD CONSTRAINT "product_options_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "product_variants" ADD CONSTRAINT "product_variants_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "variant_images" ADD CONSTRAINT "variant_images_variant_id_fkey" FOREIGN KEY ("variant_id") REFERENCES "product_variants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "product_attributes" ADD CONSTRAINT "product_attributes_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "product_attributes" ADD CONSTRAINT "product_attributes_variant_id_fkey" FOREIGN KEY ("variant_id") REFERENCES "product_variants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "variant_availability" ADD CONSTRAINT "variant_availability_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- No two variants for sale of one product stand for the same option values (archived ones may).
CREATE UNIQUE INDEX "product_variants_options_for_sale_key" ON "product_variants" ("product_id", "options_key") WHERE NOT "archived";
-- Attribute filters and facets match names and values without regard to letter case.
CREATE INDEX "product_attributes_lower_name_value_idx" ON "product_attributes" (lower("name"), lower("value"), "product_id");
-- Search suggestions: words of names that start with what a customer typed.
CREATE INDEX "products_name_words_idx" ON "products" USING GIN (to_tsvector('simple', "name"));
CREATE INDEX "categories_name_words_idx" ON "categories" USING GIN (to_tsvector('simple', "name"));
ALTER TABLE "product_variants" ADD CONSTRAINT "product_variants_price_non_negative" CHECK ("price_minor" >= 0 AND ("compare_at_price_minor" IS NULL OR "compare_at_price_minor" >= 0));
