-- CreateTable
CREATE TABLE "order_closures" (
    "order_id" UUID NOT NULL,
    "closed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "order_closures_pkey" PRIMARY KEY ("order_id")
);
