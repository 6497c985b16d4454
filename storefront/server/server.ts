import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import express, { type NextFunction, type Request, type Response } from "express";
import { projectRoot } from "../../subgraphs/common/projectRoot";
import type { StorefrontEnvironment } from "./environment";
import { fillTemplate } from "./html";

export const storefrontRoot = path.join(projectRoot, "storefront");
export const clientDist = path.join(storefrontRoot, "dist", "client");
export const serverEntry = path.join(storefrontRoot, "dist", "server", "entry-server.mjs");

interface Renderer {
  render(url: string, routerUrl: string): Promise<{ status: number; title: string; html: string; state: unknown }>;
}

export interface RunningStorefront {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * The storefront's web server: static assets, and every other GET rendered by React on the
 * server (catalog data fetched from the router first) with the Apollo cache embedded for the
 * browser to hydrate from. A `Server-Timing` header tells how long the render took.
 */
export async function startStorefront(settings: StorefrontEnvironment): Promise<RunningStorefront> {
  const app = express();
  app.disable("x-powered-by");
  const publicRouterUrl = settings.STOREFRONT_PUBLIC_ROUTER_URL ?? settings.ROUTER_URL;
  const mode = settings.STOREFRONT_RENDER ?? (settings.NODE_ENV === "development" ? "vite" : "built");
  let page: (url: string) => Promise<{ template: string; renderer: Renderer }>;
  let closeVite = async () => undefined as void;

  app.get("/health/ready", (_req, res) => void res.json({ status: "ready" }));

  if (mode === "vite") {
    const { createServer } = await import("vite");
    const vite = await createServer({
      configFile: path.join(storefrontRoot, "vite.config.mts"),
      server: { middlewareMode: true },
      appType: "custom",
    });
    closeVite = () => vite.close();
    app.use(vite.middlewares);
    page = async (url) => ({
      template: await vite.transformIndexHtml(url, readFileSync(path.join(storefrontRoot, "index.html"), "utf8")),
      renderer: (await vite.ssrLoadModule("/src/entry-server.tsx")) as Renderer,
    });
  } else {
    const template = readFileSync(path.join(clientDist, "index.html"), "utf8");
    const renderer = (await import(pathToFileURL(serverEntry).href)) as Renderer;
    // Hashed file names: a file's content never changes under its name, so browsers keep it for a year.
    app.use("/assets", express.static(path.join(clientDist, "assets"), { immutable: true, maxAge: "1y" }));
    app.use(express.static(clientDist, { index: false }));
    page = async () => ({ template, renderer });
  }

  app.get(/.*/, async (req: Request, res: Response, next: NextFunction) => {
    const started = performance.now();
    try {
      const { template, renderer } = await page(req.originalUrl);
      const rendered = await renderer.render(req.originalUrl, settings.ROUTER_URL);
      const html = fillTemplate(template, rendered, publicRouterUrl);
      res
        .status(rendered.status)
        .set({
          "content-type": "text/html; charset=utf-8",
          "server-timing": `render;dur=${(performance.now() - started).toFixed(1)}`,
          "cache-control": "no-store",
        })
        .send(html);
    } catch (error) {
      next(error);
    }
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    console.error("storefront: render failed", error);
    res
      .status(500)
      .type("html")
      .send('<!doctype html><title>Error</title><h1>Something went wrong</h1><p><a href="/">Back to the shop</a></p>');
  });

  const server: Server = await new Promise((resolve, reject) => {
    const listening = app.listen(settings.STOREFRONT_PORT, settings.STOREFRONT_HOST, () => resolve(listening));
    listening.once("error", reject);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : settings.STOREFRONT_PORT;
  return {
    url: `http://localhost:${port}`,
    port,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await closeVite();
    },
  };
}
