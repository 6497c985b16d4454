-- AlterTable
ALTER TABLE "refunds" ADD COLUMN     "idempotency_key" TEXT,
ADD COLUMN     "request_hash" TEXT;

-- CreateTable
CREATE TABLE "payment_lines" (
    "payment_id" UUID NOT NULL,
    "line_id" TEXT NOT NULL,
    "paid_minor" BIGINT NOT NULL,

    CONSTRAINT "payment_lines_pkey" PRIMARY KEY ("payment_id","line_id")
);

-- CreateTable
CREATE TABLE "refund_lines" (
    "refund_id" UUID NOT NULL,
    "line_id" TEXT NOT NULL,
    "amount_minor" BIGINT NOT NULL,

    CONSTRAINT "refund_lines_pkey" PRIMARY KEY ("refund_id","line_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "refunds_payment_id_idempotency_key_key" ON "refunds"("payment_id", "idempotency_key");

-- AddForeignKey
ALTER TABLE "payment_lines" ADD CONSTRAINT "payment_lines_payment_id_fkey" FOREIGN KEY ("payment_id") REFERENCES "payments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "refund_lines" ADD CONSTRAINT "refund_lines_refund_id_fkey" FOREIGN KEY ("refund_id") REFERENCES "refunds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Every payment made before the ledger is one line of its whole amount, and every refund made
-- before it takes from that line: what is refundable stays what it was.
INSERT INTO "payment_lines" ("payment_id", "line_id", "paid_minor") SELECT "id", 'order', "amount_minor" FROM "payments";
INSERT INTO "refund_lines" ("refund_id", "line_id", "amount_minor") SELECT "id", 'order', "amount_minor" FROM "refunds";
