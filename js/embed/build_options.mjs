// esbuild options of the offline widget renderer (embed/index.js), see build.mjs.
//
// The renderer bundles @jupyter-widgets/html-manager (webpack-style sources) and
// anywidget's front end, into one classic script plus one stylesheet that
// gmm_widgets.export inlines into exported pages:
// * `__webpack_public_path__` (assigned by html-manager) is declared;
// * anywidget's dist file is an AMD `define(["@jupyter-widgets/base"], factory)` call:
//   it is loaded as an ES module exporting that factory;
// * ipywidgets 7 (base7/controls7) is replaced by a module that refuses to load, since
//   the kernel side is ipywidgets 8;
// * Font Awesome keeps its woff2 fonts as data URLs, other font formats are dropped.
import { readFile } from "node:fs/promises";
import { join } from "node:path";

const shims = {
  name: "gmm-embed-shims",
  setup(build) {
    build.onResolve({ filter: /^@jupyter-widgets\/(base7|controls7)(\/.*)?$/ }, (args) => ({
      path: args.path,
      namespace: "gmm-ipywidgets7",
    }));
    build.onLoad({ filter: /.*/, namespace: "gmm-ipywidgets7" }, (args) => ({
      contents: args.path.endsWith(".css")
        ? ""
        : `throw new Error("ipywidgets 7 widgets cannot render in gmm_widgets' offline page");`,
      loader: args.path.endsWith(".css") ? "css" : "js",
    }));
    build.onLoad({ filter: /[\\/]anywidget[\\/]dist[\\/]index\.js$/ }, async (args) => {
      const text = await readFile(args.path, "utf8");
      return {
        contents:
          "let factory;\nconst define = (deps, f) => { factory = f; };\n" +
          `${text}\nexport default factory;\n`,
        loader: "js",
      };
    });
  },
};

/** Options for esbuild.build / esbuild.context. */
export function embedOptions(here, outdir, watch) {
  return {
    entryPoints: { widgets_embed: join(here, "embed", "index.js") },
    outdir,
    bundle: true,
    format: "iife",
    globalName: "gmmWidgetsEmbed",
    target: ["es2020"],
    minify: !watch,
    sourcemap: false,
    legalComments: "none",
    logLevel: "info",
    banner: { js: "var __webpack_public_path__ = '';" },
    loader: {
      ".woff2": "dataurl",
      ".woff": "empty",
      ".ttf": "empty",
      ".eot": "empty",
      ".svg": "empty",
    },
    define: { "process.env.NODE_ENV": '"production"' },
    plugins: [shims],
  };
}
