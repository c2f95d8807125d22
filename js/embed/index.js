// The offline widget renderer of exported pages (gmm_widgets.export).
//
// @jupyter-widgets/html-manager renders the widget state saved in a page, as
// ipywidgets.embed does, but its stock bundle fetches every third-party widget module
// (here: anywidget) from a CDN. This bundle carries anywidget's front end itself and
// hands it to the manager through `loader`, so a page that inlines this file and the
// widget state renders with no network at all. Each gmm_widgets widget brings its own
// code in its `_esm` trait (kept by drop_defaults=False), which anywidget imports from a
// blob URL.
import * as base from "@jupyter-widgets/base";
import { HTMLManager } from "@jupyter-widgets/html-manager/lib/htmlmanager.js";
import { renderWidgets } from "@jupyter-widgets/html-manager/lib/libembed.js";
import anywidgetFactory from "anywidget";

import "./embed.css";

const modules = { anywidget: anywidgetFactory(base) };

/** Serve the widget modules this page carries; refuse the rest with a clear message. */
export function loader(name, version) {
  // biome-ignore lint/suspicious/noPrototypeBuiltins: Object.hasOwn needs Safari 15.4
  if (Object.prototype.hasOwnProperty.call(modules, name)) return Promise.resolve(modules[name]);
  return Promise.reject(
    new Error(
      `${name}@${version} cannot render in this offline page: ` +
        "it carries only ipywidgets' and anywidget's front ends.",
    ),
  );
}

/** Render every widget view of the page; resolves when all are drawn. */
export async function render(element = document.documentElement) {
  document.body.dataset.gmmEmbed = "rendering";
  try {
    await renderWidgets(() => new HTMLManager({ loader }), element);
    document.body.dataset.gmmEmbed = "done";
  } catch (err) {
    document.body.dataset.gmmEmbed = "error";
    console.error("gmm_widgets: rendering the widgets failed", err);
    throw err;
  }
}

if (!window._jupyter_widget_embedder) {
  window._jupyter_widget_embedder = true;
  if (document.readyState === "complete") render();
  else window.addEventListener("load", () => render());
}
