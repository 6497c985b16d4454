-- AlterTable
ALTER TABLE "orders" ADD COLUMN     "exchange_for_return_id" UUID,
ADD COLUMN     "original_order_id" UUID;

-- AlterTable
ALTER TABLE "order_returns" ADD COLUMN     "exchange_credit_minor" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "exchange_order_id" UUID,
ADD COLUMN     "exchange_total_minor" BIGINT;

-- CreateTable
CREATE TABLE "return_exchange_lines" (
    "return_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "order_item_id" UUID NOT NULL,
    "product_id" UUID NOT NULL,
    "variant_id" UUID NOT NULL,
    "quantity" INTEGER NOT NULL,
    "unit_price_minor" BIGINT NOT NULL,

    CONSTRAINT "return_exchange_lines_pkey" PRIMARY KEY ("return_id","position")
);

-- CreateIndex
CREATE UNIQUE INDEX "orders_exchange_for_return_id_key" ON "orders"("exchange_for_return_id");

-- CreateIndex
CREATE UNIQUE INDEX "order_returns_exchange_order_id_key" ON "order_returns"("exchange_order_id");

-- AddForeignKey
ALTER TABLE "return_exchange_lines" ADD CONSTRAINT "return_exchange_lines_return_id_fkey" FOREIGN KEY ("return_id") REFERENCES "order_returns"("id") ON DELETE CASCADE ON UPDATE CASCADE;
