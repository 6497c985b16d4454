-- AlterTable
ALTER TABLE "order_items" ADD COLUMN     "product_name" TEXT NOT NULL DEFAULT '';
