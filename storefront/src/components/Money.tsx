import { formatMoney, formatPriceRange, type MoneyValue } from "../lib/money";

export function Money({ value }: { value: MoneyValue }) {
  return <span className="money">{formatMoney(value)}</span>;
}

export function PriceRange({ min, max }: { min: MoneyValue; max: MoneyValue }) {
  return <span className="money">{formatPriceRange(min, max)}</span>;
}
