-- AlterEnum
ALTER TYPE "PaymentStatus" ADD VALUE 'REQUIRES_ACTION';

-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "AttemptOutcome" ADD VALUE 'UNKNOWN';
ALTER TYPE "AttemptOutcome" ADD VALUE 'REQUIRES_ACTION';

-- AlterTable
ALTER TABLE "payments" ADD COLUMN     "next_action_secret" TEXT,
ADD COLUMN     "next_action_type" TEXT,
ADD COLUMN     "next_action_url" TEXT,
ADD COLUMN     "payment_method_id" UUID,
ADD COLUMN     "provider" TEXT NOT NULL DEFAULT 'simulated';

-- AlterTable
ALTER TABLE "payment_attempts" ADD COLUMN     "next_attempt_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "provider_customers" (
    "customer_id" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "provider_customers_pkey" PRIMARY KEY ("customer_id","provider")
);

-- CreateTable
CREATE TABLE "payment_method_setups" (
    "id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payment_method_setups_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "saved_payment_methods" (
    "id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "brand" TEXT NOT NULL,
    "last4" TEXT NOT NULL,
    "expiry_month" INTEGER NOT NULL,
    "expiry_year" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "saved_payment_methods_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "processed_webhook_events" (
    "provider" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_webhook_events_pkey" PRIMARY KEY ("provider","event_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "provider_customers_provider_reference_key" ON "provider_customers"("provider", "reference");

-- CreateIndex
CREATE INDEX "payment_method_setups_customer_id_created_at_idx" ON "payment_method_setups"("customer_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "payment_method_setups_provider_reference_key" ON "payment_method_setups"("provider", "reference");

-- CreateIndex
CREATE INDEX "saved_payment_methods_customer_id_created_at_idx" ON "saved_payment_methods"("customer_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "saved_payment_methods_provider_reference_key" ON "saved_payment_methods"("provider", "reference");

-- CreateIndex
CREATE INDEX "payment_attempts_next_attempt_at_idx" ON "payment_attempts"("next_attempt_at");
