-- CreateEnum
CREATE TYPE "FulfillmentStatus" AS ENUM ('SHIPPED', 'IN_TRANSIT', 'OUT_FOR_DELIVERY', 'DELIVERED', 'EXCEPTION');

-- CreateEnum
CREATE TYPE "ReturnStatus" AS ENUM ('REQUESTED', 'APPROVED', 'REJECTED', 'RECEIVED', 'REFUNDED');

-- AlterEnum
ALTER TYPE "OrderStatus" ADD VALUE 'PARTIALLY_SHIPPED';

-- CreateTable
CREATE TABLE "carriers" (
    "id" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "tracking_url_template" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "carriers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "fulfillments" (
    "id" UUID NOT NULL,
    "order_id" UUID NOT NULL,
    "location_id" UUID,
    "carrier_id" UUID,
    "carrier_name" TEXT NOT NULL,
    "tracking_number" TEXT NOT NULL,
    "tracking_url" TEXT,
    "status" "FulfillmentStatus" NOT NULL DEFAULT 'SHIPPED',
    "status_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "shipped_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "fulfillments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "fulfillment_lines" (
    "fulfillment_id" UUID NOT NULL,
    "order_item_id" UUID NOT NULL,
    "quantity" INTEGER NOT NULL,

    CONSTRAINT "fulfillment_lines_pkey" PRIMARY KEY ("fulfillment_id","order_item_id")
);

-- CreateTable
CREATE TABLE "carrier_events" (
    "carrier_code" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "carrier_events_pkey" PRIMARY KEY ("carrier_code","event_id")
);

-- CreateTable
CREATE TABLE "order_returns" (
    "id" UUID NOT NULL,
    "order_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "status" "ReturnStatus" NOT NULL DEFAULT 'REQUESTED',
    "reason" TEXT NOT NULL,
    "rejection_reason" TEXT,
    "label_reference" TEXT,
    "restocked" BOOLEAN,
    "restock_location_id" UUID,
    "refund_shipping" BOOLEAN NOT NULL DEFAULT false,
    "refund_minor" BIGINT,
    "refunded_minor" BIGINT NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "order_returns_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "return_lines" (
    "return_id" UUID NOT NULL,
    "order_item_id" UUID NOT NULL,
    "quantity" INTEGER NOT NULL,

    CONSTRAINT "return_lines_pkey" PRIMARY KEY ("return_id","order_item_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "carriers_code_key" ON "carriers"("code");

-- CreateIndex
CREATE INDEX "fulfillments_order_id_idx" ON "fulfillments"("order_id");

-- CreateIndex
CREATE INDEX "fulfillments_carrier_id_tracking_number_idx" ON "fulfillments"("carrier_id", "tracking_number");

-- CreateIndex
CREATE INDEX "fulfillment_lines_order_item_id_idx" ON "fulfillment_lines"("order_item_id");

-- CreateIndex
CREATE INDEX "order_returns_order_id_created_at_idx" ON "order_returns"("order_id", "created_at");

-- CreateIndex
CREATE INDEX "order_returns_status_created_at_idx" ON "order_returns"("status", "created_at");

-- CreateIndex
CREATE INDEX "return_lines_order_item_id_idx" ON "return_lines"("order_item_id");

-- AddForeignKey
ALTER TABLE "fulfillments" ADD CONSTRAINT "fulfillments_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "fulfillment_lines" ADD CONSTRAINT "fulfillment_lines_fulfillment_id_fkey" FOREIGN KEY ("fulfillment_id") REFERENCES "fulfillments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "order_returns" ADD CONSTRAINT "order_returns_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "return_lines" ADD CONSTRAINT "return_lines_return_id_fkey" FOREIGN KEY ("return_id") REFERENCES "order_returns"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Orders shipped before fulfillments existed keep their shipment as their one fulfillment, of
-- every unit, delivered when the order was: every order reads the same way afterwards.
INSERT INTO "fulfillments" ("id", "order_id", "carrier_name", "tracking_number", "status", "status_at", "shipped_at", "delivered_at", "created_at")
SELECT gen_random_uuid(), "id", coalesce("carrier", ''), coalesce("tracking_number", ''),
       (CASE WHEN "delivered_at" IS NULL THEN 'SHIPPED' ELSE 'DELIVERED' END)::"FulfillmentStatus",
       coalesce("delivered_at", "shipped_at"), "shipped_at", "delivered_at", "shipped_at"
  FROM "orders" WHERE "shipped_at" IS NOT NULL;

INSERT INTO "fulfillment_lines" ("fulfillment_id", "order_item_id", "quantity")
SELECT f."id", i."id", i."quantity" FROM "fulfillments" f JOIN "order_items" i ON i."order_id" = f."order_id";
