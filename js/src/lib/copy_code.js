// "Copy as code": the widget's Python, `widget.to_code()`, asked of the kernel and put on
// the clipboard. The code is shown as well: the clipboard needs a secure context, and
// the user may want to read it before pasting. Pages without a kernel (offline exports)
// have no button.

import { h } from "./dom.js";
import { icon } from "./icons.js";

/**
 * The part of anywidget's model that talks to the kernel.
 * @typedef {Pick<import("@anywidget/types").AnyModel<any>, "send" | "on" | "off">} KernelModel
 */

/**
 * @typedef {object} CodeButton
 * @property {HTMLButtonElement} button the toolbar button (data-gmm-role="copy-code")
 * @property {HTMLElement} panel the code and its status (data-gmm-role="code-panel")
 * @property {() => void} destroy stops listening to the model
 */

/**
 * @param {KernelModel} model the widget's own model (it has `send`)
 * @param {{doc?: Document, clipboard?: {writeText: (text: string) => Promise<void>}}} [env]
 * @returns {CodeButton}
 */
export function createCodeButton(model, env = {}) {
  const doc = env.doc ?? globalThis.document;
  const clipboard = "clipboard" in env ? env.clipboard : globalThis.navigator?.clipboard;
  const button = /** @type {HTMLButtonElement} */ (
    h(
      "button",
      {
        type: "button",
        class: "gmm-button",
        "data-gmm-role": "copy-code",
        title: "Copy the Python that refits this model (widget.to_code())",
        "aria-label": "Copy as code",
      },
      [icon("code"), h("span", { class: "gmm-button-text", text: "Code" })],
    )
  );
  const status = h("span", { class: "gmm-code-status", "data-gmm-role": "code-status" });
  status.setAttribute("role", "status");
  const close = h("button", {
    type: "button",
    class: "gmm-button gmm-code-close",
    "data-gmm-role": "code-close",
    "aria-label": "Close the code",
    text: "Close",
  });
  const pre = h("pre", { class: "gmm-code", "data-gmm-role": "code-text", tabindex: "0" });
  const panel = h("div", { class: "gmm-code-panel", "data-gmm-role": "code-panel", hidden: true }, [
    h("div", { class: "gmm-code-head" }, [status, h("span", { class: "gmm-spacer" }), close]),
    pre,
  ]);
  if (doc?.body?.dataset?.gmmEmbed) button.hidden = true; // an offline page: no kernel

  button.addEventListener("click", () => {
    panel.hidden = false;
    pre.textContent = "";
    delete panel.dataset.gmmCode;
    status.textContent = "Asking the kernel for the code…";
    model.send({ type: "to_code" });
  });
  close.addEventListener("click", () => {
    panel.hidden = true;
    button.focus();
  });

  /** @param {any} content */
  const onMessage = (content) => {
    if (content?.type !== "code") return;
    panel.hidden = false;
    if (content.error) {
      pre.textContent = "";
      status.textContent = `No code: ${content.error}`;
      return;
    }
    pre.textContent = content.code;
    panel.dataset.gmmCode = "ready";
    if (!clipboard?.writeText) {
      status.textContent = "Select the code to copy it.";
      return;
    }
    clipboard.writeText(content.code).then(
      () => {
        status.textContent = "Copied to the clipboard.";
      },
      () => {
        status.textContent = "Select the code to copy it (the clipboard is not available).";
      },
    );
  };
  model.on("msg:custom", onMessage);
  return { button, panel, destroy: () => model.off("msg:custom", onMessage) };
}
