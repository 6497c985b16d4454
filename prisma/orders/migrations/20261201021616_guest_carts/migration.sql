-- AlterTable
ALTER TABLE "orders" ADD COLUMN     "attached_at" TIMESTAMPTZ(3),
ADD COLUMN     "billing_address" JSONB,
ADD COLUMN     "client_key" TEXT,
ADD COLUMN     "guest_email" TEXT;

-- AlterTable
ALTER TABLE "carts" ADD COLUMN     "billing_address" JSONB,
ADD COLUMN     "email" TEXT,
ADD COLUMN     "expires_at" TIMESTAMPTZ(3),
ADD COLUMN     "shipping_address" JSONB,
ADD COLUMN     "token_hash" TEXT,
ALTER COLUMN "customer_id" DROP NOT NULL;

-- CreateIndex
CREATE INDEX "orders_guest_email_idx" ON "orders"("guest_email");

-- CreateIndex
CREATE INDEX "orders_client_key_status_idx" ON "orders"("client_key", "status");

-- CreateIndex
CREATE UNIQUE INDEX "carts_token_hash_key" ON "carts"("token_hash");

-- CreateIndex
CREATE INDEX "carts_expires_at_idx" ON "carts"("expires_at");

-- A cart belongs to a customer or is a guest's, addressed by its token: exactly one of the two.
-- Every existing cart is a customer's, so every existing row satisfies it.
ALTER TABLE "carts" ADD CONSTRAINT "carts_owner_check" CHECK (("customer_id" IS NULL) <> ("token_hash" IS NULL));
