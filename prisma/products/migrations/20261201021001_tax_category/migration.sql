-- CreateEnum
CREATE TYPE "TaxCategory" AS ENUM ('STANDARD', 'REDUCED', 'ZERO');

-- AlterTable
ALTER TABLE "products" ADD COLUMN     "tax_category" "TaxCategory" NOT NULL DEFAULT 'STANDARD';
