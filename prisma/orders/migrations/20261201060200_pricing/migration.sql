-- CreateEnum
CREATE TYPE "TaxCategory" AS ENUM ('STANDARD', 'REDUCED', 'ZERO');

-- CreateEnum
CREATE TYPE "ShippingRateKind" AS ENUM ('FLAT', 'WEIGHT', 'ORDER_VALUE');

-- CreateEnum
CREATE TYPE "DiscountKind" AS ENUM ('PERCENTAGE', 'FIXED_AMOUNT', 'FREE_SHIPPING', 'BUY_X_GET_Y');

-- CreateEnum
CREATE TYPE "DiscountUseStatus" AS ENUM ('HELD', 'USED', 'RELEASED');

-- AlterTable
ALTER TABLE "orders" ADD COLUMN     "discount_minor" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "prices_include_tax" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "shipping_method_id" UUID,
ADD COLUMN     "shipping_method_name" TEXT,
ADD COLUMN     "shipping_minor" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "tax_minor" BIGINT NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "catalog_variants" ADD COLUMN     "category_id" UUID,
ADD COLUMN     "tax_category" TEXT NOT NULL DEFAULT 'STANDARD',
ADD COLUMN     "weight_grams" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "shop_settings" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "prices_include_tax" BOOLEAN NOT NULL DEFAULT false,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "shop_settings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "shipping_zones" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "areas" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "shipping_zones_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "shipping_methods" (
    "id" UUID NOT NULL,
    "zone_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "currency" CHAR(3) NOT NULL DEFAULT 'USD',
    "rate_kind" "ShippingRateKind" NOT NULL,
    "amount_minor" BIGINT NOT NULL DEFAULT 0,
    "bands" JSONB NOT NULL DEFAULT '[]',
    "free_above_minor" BIGINT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "shipping_methods_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tax_rates" (
    "id" UUID NOT NULL,
    "country" CHAR(2) NOT NULL,
    "region" TEXT NOT NULL DEFAULT '',
    "tax_category" "TaxCategory" NOT NULL,
    "rate_ppm" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tax_rates_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "discounts" (
    "id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "code" TEXT,
    "kind" "DiscountKind" NOT NULL,
    "value_ppm" INTEGER NOT NULL DEFAULT 0,
    "amount_minor" BIGINT NOT NULL DEFAULT 0,
    "currency" CHAR(3) NOT NULL DEFAULT 'USD',
    "product_ids" UUID[] DEFAULT ARRAY[]::UUID[],
    "category_ids" UUID[] DEFAULT ARRAY[]::UUID[],
    "buy_quantity" INTEGER NOT NULL DEFAULT 0,
    "get_quantity" INTEGER NOT NULL DEFAULT 0,
    "min_subtotal_minor" BIGINT NOT NULL DEFAULT 0,
    "starts_at" TIMESTAMPTZ(3),
    "ends_at" TIMESTAMPTZ(3),
    "active" BOOLEAN NOT NULL DEFAULT true,
    "usage_limit" INTEGER,
    "per_customer_limit" INTEGER,
    "combinable" BOOLEAN NOT NULL DEFAULT true,
    "used" INTEGER NOT NULL DEFAULT 0,
    "held" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "discounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "discount_customer_uses" (
    "discount_id" UUID NOT NULL,
    "buyer_key" TEXT NOT NULL,
    "uses" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "discount_customer_uses_pkey" PRIMARY KEY ("discount_id","buyer_key")
);

-- CreateTable
CREATE TABLE "order_discounts" (
    "id" UUID NOT NULL,
    "order_id" UUID NOT NULL,
    "discount_id" UUID NOT NULL,
    "code" TEXT,
    "title" TEXT NOT NULL,
    "amount_minor" BIGINT NOT NULL,
    "shipping_minor" BIGINT NOT NULL DEFAULT 0,
    "lines" JSONB NOT NULL DEFAULT '[]',
    "use_status" "DiscountUseStatus" NOT NULL DEFAULT 'HELD',
    "position" INTEGER NOT NULL,

    CONSTRAINT "order_discounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "order_tax_lines" (
    "id" BIGSERIAL NOT NULL,
    "order_id" UUID NOT NULL,
    "position" INTEGER,
    "tax_category" "TaxCategory" NOT NULL,
    "rate_ppm" INTEGER NOT NULL,
    "taxable_minor" BIGINT NOT NULL,
    "amount_minor" BIGINT NOT NULL,

    CONSTRAINT "order_tax_lines_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "cart_checkout_choices" (
    "cart_id" UUID NOT NULL,
    "shipping_method_id" UUID,
    "discount_codes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cart_checkout_choices_pkey" PRIMARY KEY ("cart_id")
);

-- CreateIndex
CREATE INDEX "shipping_methods_zone_id_idx" ON "shipping_methods"("zone_id");

-- CreateIndex
CREATE UNIQUE INDEX "tax_rates_country_region_tax_category_key" ON "tax_rates"("country", "region", "tax_category");

-- CreateIndex
CREATE UNIQUE INDEX "discounts_code_key" ON "discounts"("code");

-- CreateIndex
CREATE INDEX "discounts_active_code_idx" ON "discounts"("active", "code");

-- CreateIndex
CREATE INDEX "order_discounts_discount_id_idx" ON "order_discounts"("discount_id");

-- CreateIndex
CREATE UNIQUE INDEX "order_discounts_order_id_position_key" ON "order_discounts"("order_id", "position");

-- CreateIndex
CREATE INDEX "order_tax_lines_order_id_idx" ON "order_tax_lines"("order_id");

-- AddForeignKey
ALTER TABLE "shipping_methods" ADD CONSTRAINT "shipping_methods_zone_id_fkey" FOREIGN KEY ("zone_id") REFERENCES "shipping_zones"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "order_discounts" ADD CONSTRAINT "order_discounts_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "order_tax_lines" ADD CONSTRAINT "order_tax_lines_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cart_checkout_choices" ADD CONSTRAINT "cart_checkout_choices_cart_id_fkey" FOREIGN KEY ("cart_id") REFERENCES "carts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
