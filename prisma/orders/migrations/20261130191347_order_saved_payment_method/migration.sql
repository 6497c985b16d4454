-- AlterTable
ALTER TABLE "orders" ADD COLUMN     "payment_method_id" UUID;
