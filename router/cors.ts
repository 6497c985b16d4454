import cors from "cors";

/** CORS_ORIGINS (`*`, or origins separated by commas) as the cors middleware takes it. */
function corsOrigins(setting: string): cors.CorsOptions["origin"] {
  const origins = setting
    .split(",")
    .map((origin) => origin.trim())
    .filter(Boolean);
  return origins.includes("*") ? true : origins;
}

/** Lets browsers call the API from CORS_ORIGINS; preflight answers are cached for ten minutes. */
export function allowOrigins(setting: string) {
  return cors({ origin: corsOrigins(setting), maxAge: 600 });
}
