import { defineConfig } from "vite";

/**
 * Two builds from one config: the browser bundle (`dist/client`, hashed assets and the HTML
 * shell) and the server renderer (`vite build --ssr`, `dist/server`), which server/ loads.
 * JSX is compiled by Vite's own transform (the automatic runtime, from tsconfig's `react-jsx`):
 * no React plugin is needed for builds; development reloads the page on change instead of
 * Fast Refresh.
 */
export default defineConfig({
  root: import.meta.dirname,
  build: {
    outDir: "dist/client",
    emptyOutDir: true,
  },
});
