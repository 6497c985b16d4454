/** Express's "trust proxy" value from TRUST_PROXY: `false`, `true`, a hop count, or a list of subnets. */
export function trustProxySetting(value: string): boolean | number | string {
  const trimmed = value.trim();
  if (trimmed === "false" || trimmed === "") return false;
  if (trimmed === "true") return true;
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  return trimmed;
}
