-- CreateTable
CREATE TABLE "order_edits" (
    "id" UUID NOT NULL,
    "order_id" UUID NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "editor_kind" TEXT NOT NULL,
    "editor_id" UUID NOT NULL,
    "reason" TEXT,
    "lines" JSONB NOT NULL,
    "previous_total_minor" BIGINT NOT NULL,
    "total_minor" BIGINT NOT NULL,
    "refund_minor" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "order_edits_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "order_edits_order_id_created_at_idx" ON "order_edits"("order_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "order_edits_order_id_idempotency_key_key" ON "order_edits"("order_id", "idempotency_key");

-- AddForeignKey
ALTER TABLE "order_edits" ADD CONSTRAINT "order_edits_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;
