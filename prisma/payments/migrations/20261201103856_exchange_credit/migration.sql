-- CreateEnum
CREATE TYPE "RefundKind" AS ENUM ('PROVIDER', 'EXCHANGE_CREDIT');

-- AlterTable
ALTER TABLE "payments" ADD COLUMN     "exchange_credit_minor" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "funded_by_payment_id" UUID;

-- AlterTable
ALTER TABLE "refunds" ADD COLUMN     "kind" "RefundKind" NOT NULL DEFAULT 'PROVIDER';
