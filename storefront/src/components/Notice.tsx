import type { ReactNode } from "react";
import { shopperMessage } from "../lib/errors";

/** A problem shown where it happened; announced to screen readers as it appears. */
export function ErrorNotice({ error, children }: { error?: unknown; children?: ReactNode }) {
  if (!error && !children) return null;
  return (
    <div className="notice notice-error" role="alert">
      {children ?? shopperMessage(error)}
    </div>
  );
}

export function InfoNotice({ children }: { children: ReactNode }) {
  return (
    <div className="notice notice-info" role="status">
      {children}
    </div>
  );
}

/** Space kept for content on its way, so the page does not jump when it arrives. */
export function Pending({ label = "Loading…", height = 240 }: { label?: string; height?: number }) {
  return (
    <div className="pending" style={{ minHeight: height }} aria-busy="true">
      <span className="visually-hidden">{label}</span>
    </div>
  );
}
