// Dark pages without JupyterLab's CSS variables (marimo's dark theme).
//
// The widgets take their colours from JupyterLab's --jp-* variables, with light
// fallbacks (widget.css, readTheme in colors.js). JupyterLab and Notebook 7 define them;
// marimo does not, and says "dark" with classes instead: `dark` and `dark-theme` on
// <body> (Tailwind's convention, `dark` on <html>, is read too). On such a page the
// outermost widget gets data-gmm-host-theme="dark", and widget.css defines JupyterLab
// Dark's values of the variables under that attribute, so every `var(--jp-..., light)`
// of every widget, and readTheme, see a dark theme. Where JupyterLab says which theme
// it shows (data-jp-theme-light on <body>), its own variables rule and nothing is marked.
//
// The OS preference (prefers-color-scheme) is not followed: a page that ignores it
// (a light documentation site on a dark desktop) would get a dark widget on white.

const ATTRIBUTE = "data-gmm-host-theme";

/**
 * What the page says about its theme, when JupyterLab does not.
 * @param {Document} [doc]
 * @returns {"dark" | null} "dark" for a page marked dark; null otherwise (JupyterLab's
 *   pages, light pages, pages that say nothing)
 */
export function hostTheme(doc = globalThis.document) {
  const body = doc?.body;
  if (!body || body.dataset.jpThemeLight !== undefined) return null;
  const html = doc.documentElement;
  const dark =
    body.classList.contains("dark") ||
    body.classList.contains("dark-theme") ||
    !!html?.classList.contains("dark");
  return dark ? "dark" : null;
}

/**
 * The outermost gmm widget that holds `el` (a view embedded in another, such as the
 * explorer's player, is inside its host's root), or `el` itself.
 * @param {Element} el
 * @returns {Element}
 */
function outermostWidget(el) {
  let top = el;
  for (let node = el.parentElement; node; node = node.parentElement) {
    if (node.classList.contains("gmm-widget")) top = node;
  }
  return top;
}

/**
 * Mark the widget that holds `el` with the page's theme (see the top of this file).
 * @param {Element | null | undefined} el
 * @param {Document} [doc]
 * @returns {"dark" | null} what {@link hostTheme} says
 */
export function markHostTheme(el, doc = el?.ownerDocument ?? globalThis.document) {
  const theme = hostTheme(doc);
  if (!el) return theme;
  const root = outermostWidget(el);
  for (const node of new Set([el, root])) {
    if (theme) node.setAttribute(ATTRIBUTE, theme);
    else node.removeAttribute(ATTRIBUTE);
  }
  return theme;
}

/**
 * Call `onChange` when {@link hostTheme} changes (marimo switches the classes of <body>).
 * @param {() => void} onChange
 * @param {Document} [doc]
 * @returns {() => void} stops watching
 */
export function watchHostTheme(onChange, doc = globalThis.document) {
  if (typeof MutationObserver === "undefined" || !doc?.body) return () => {};
  let last = hostTheme(doc);
  const observer = new MutationObserver(() => {
    const now = hostTheme(doc);
    if (now === last) return; // other class changes (a drag's cursor class) are not news
    last = now;
    onChange();
  });
  for (const node of [doc.body, doc.documentElement]) {
    observer.observe(node, { attributes: true, attributeFilter: ["class"] });
  }
  return () => observer.disconnect();
}
