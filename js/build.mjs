// Bundle one ES module per widget: src/<widget>.js -> ../gmm_widgets/static/<widget>.js
// (plus <widget>.css when the entry imports CSS). `node build.mjs --watch` rebuilds on
// every change, for anywidget's hot reload (ANYWIDGET_HMR=1, see CONTRIBUTING.md).
// Also builds the offline widget renderer of exported pages (embed/, see
// embed/build_options.mjs) into ../gmm_widgets/static/widgets_embed.js (+ .css).
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { embedOptions } from "./embed/build_options.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, "src");
const outdir = join(here, "..", "gmm_widgets", "static");
const watch = process.argv.includes("--watch");

const entryPoints = readdirSync(src)
  .filter((f) => f.endsWith(".js"))
  .map((f) => join(src, f));

const options = {
  entryPoints,
  outdir,
  bundle: true,
  format: "esm",
  target: ["es2020"],
  minify: !watch,
  sourcemap: watch ? "inline" : false,
  legalComments: "none",
  logLevel: "info",
};

if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
  console.log(`watching ${src} -> ${outdir}`);
} else {
  await esbuild.build(options);
  await esbuild.build(embedOptions(here, outdir, false));
}
