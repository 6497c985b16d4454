-- AlterTable
ALTER TABLE "reservations" ADD COLUMN     "shipped" INTEGER NOT NULL DEFAULT 0;

-- Reservations deducted before fulfillments existed shipped in full.
UPDATE "reservations" SET "shipped" = "quantity" WHERE "status" = 'DEDUCTED';
