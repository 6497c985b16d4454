-- CreateTable
CREATE TABLE "order_incidents" (
    "id" UUID NOT NULL,
    "order_id" UUID NOT NULL,
    "dead_letter_seq" BIGINT NOT NULL,
    "service" TEXT NOT NULL,
    "consumer" TEXT NOT NULL,
    "event_type" TEXT,
    "event_id" TEXT,
    "reason" TEXT NOT NULL,
    "failed_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(3),
    "resolved_by" UUID,
    "resolution" TEXT,

    CONSTRAINT "order_incidents_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "order_incidents_dead_letter_seq_key" ON "order_incidents"("dead_letter_seq");

-- CreateIndex
CREATE INDEX "order_incidents_order_id_created_at_idx" ON "order_incidents"("order_id", "created_at");

-- CreateIndex
CREATE INDEX "order_incidents_resolved_at_created_at_idx" ON "order_incidents"("resolved_at", "created_at");
