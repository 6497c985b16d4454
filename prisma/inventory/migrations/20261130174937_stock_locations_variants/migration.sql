-- Stock per variant and per location. Every product's stock becomes the stock of its one variant
-- (whose id is the product's, as the products service made it), and everything the warehouse
-- held moves to one default location: levels, ledger entries and reservations keep every row.

-- AlterEnum
ALTER TYPE "StockMovementKind" ADD VALUE 'TRANSFER';

-- CreateTable
CREATE TABLE "stock_locations" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "address" JSONB,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "priority" INTEGER NOT NULL DEFAULT 100,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "stock_locations_pkey" PRIMARY KEY ("id")
);

-- The default location: first by priority, it holds all the stock there was.
INSERT INTO "stock_locations" ("id", "name", "active", "priority", "created_at", "updated_at")
VALUES (gen_random_uuid(), 'Main warehouse', true, 0, now(), now());

-- AlterTable: a stock level is a variant's, all locations together.
ALTER TABLE "stock_levels" ADD COLUMN "variant_id" UUID;
UPDATE "stock_levels" SET "variant_id" = "product_id";
ALTER TABLE "stock_levels" ALTER COLUMN "variant_id" SET NOT NULL;
ALTER TABLE "stock_levels" DROP CONSTRAINT "stock_levels_pkey",
ADD CONSTRAINT "stock_levels_pkey" PRIMARY KEY ("variant_id");

-- CreateTable
CREATE TABLE "location_stock_levels" (
    "variant_id" UUID NOT NULL,
    "location_id" UUID NOT NULL,
    "product_id" UUID NOT NULL,
    "on_hand" INTEGER NOT NULL DEFAULT 0,
    "reserved" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "location_stock_levels_pkey" PRIMARY KEY ("variant_id","location_id")
);

INSERT INTO "location_stock_levels" ("variant_id", "location_id", "product_id", "on_hand", "reserved", "created_at", "updated_at")
SELECT s."variant_id", l."id", s."product_id", s."on_hand", s."reserved", s."created_at", now()
  FROM "stock_levels" s CROSS JOIN "stock_locations" l;

-- AlterTable: every ledger entry names its variant and location.
ALTER TABLE "stock_movements" ADD COLUMN "location_id" UUID,
ADD COLUMN     "variant_id" UUID;
UPDATE "stock_movements" SET "variant_id" = "product_id", "location_id" = (SELECT "id" FROM "stock_locations" LIMIT 1);
ALTER TABLE "stock_movements" ALTER COLUMN "location_id" SET NOT NULL,
ALTER COLUMN "variant_id" SET NOT NULL;

-- AlterTable: a reservation holds units of one variant at one location.
DROP INDEX "reservations_product_id_status_idx";
ALTER TABLE "reservations" ADD COLUMN "location_id" UUID,
ADD COLUMN     "variant_id" UUID;
UPDATE "reservations" SET "variant_id" = "product_id", "location_id" = (SELECT "id" FROM "stock_locations" LIMIT 1);
ALTER TABLE "reservations" ALTER COLUMN "location_id" SET NOT NULL,
ALTER COLUMN "variant_id" SET NOT NULL;
ALTER TABLE "reservations" DROP CONSTRAINT "reservations_pkey",
ADD CONSTRAINT "reservations_pkey" PRIMARY KEY ("order_id", "variant_id", "location_id");

-- CreateTable
CREATE TABLE "catalog_variants" (
    "variant_id" UUID NOT NULL,
    "product_id" UUID NOT NULL,
    "sku" TEXT NOT NULL,
    "product_name" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "has_options" BOOLEAN NOT NULL DEFAULT false,
    "archived" BOOLEAN NOT NULL DEFAULT false,
    "product_status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "facts_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "catalog_variants_pkey" PRIMARY KEY ("variant_id")
);

-- The catalog read model, per variant. The old rows carry no version of the product's: any
-- catalog event is newer than them.
INSERT INTO "catalog_variants" ("variant_id", "product_id", "sku", "product_name", "title", "has_options", "archived", "product_status", "facts_at", "updated_at")
SELECT "product_id", "product_id", "sku", "name", 'Default Title', false, false,
       CASE WHEN "archived" THEN 'ARCHIVED' ELSE 'ACTIVE' END, '1970-01-01T00:00:00Z', "updated_at"
  FROM "catalog_products";

-- DropTable
DROP TABLE "catalog_products";

-- CreateTable
CREATE TABLE "stock_requests" (
    "actor_id" UUID NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stock_requests_pkey" PRIMARY KEY ("actor_id","idempotency_key")
);

-- CreateIndex
CREATE UNIQUE INDEX "stock_locations_name_key" ON "stock_locations"("name");

-- CreateIndex
CREATE INDEX "location_stock_levels_product_id_idx" ON "location_stock_levels"("product_id");

-- CreateIndex
CREATE INDEX "location_stock_levels_location_id_idx" ON "location_stock_levels"("location_id");

-- CreateIndex
CREATE INDEX "catalog_variants_product_id_idx" ON "catalog_variants"("product_id");

-- CreateIndex
CREATE INDEX "stock_levels_product_id_idx" ON "stock_levels"("product_id");

-- CreateIndex
CREATE INDEX "stock_movements_variant_id_id_idx" ON "stock_movements"("variant_id", "id" DESC);

-- CreateIndex
CREATE INDEX "reservations_variant_id_status_idx" ON "reservations"("variant_id", "status");

-- Stock at a location can never go negative nor be promised beyond what is there, whatever the code does.
ALTER TABLE "location_stock_levels" ADD CONSTRAINT "location_stock_levels_on_hand_non_negative" CHECK ("on_hand" >= 0);
ALTER TABLE "location_stock_levels" ADD CONSTRAINT "location_stock_levels_reserved_within_on_hand" CHECK ("reserved" >= 0 AND "reserved" <= "on_hand");
