import { describe, expect, it, vi } from "vitest";
import { createCodeButton } from "../src/lib/copy_code.js";
import { mockModel } from "./helpers.js";

const CODE =
  "from gmm_widgets import GaussianMixture\n\nmodel = GaussianMixture(n_components=2).fit(X)\n";

describe("copy as code", () => {
  it("asks the kernel, shows the answer and puts it on the clipboard", async () => {
    const model = mockModel({});
    const clipboard = { writeText: vi.fn(() => Promise.resolve()) };
    const ui = createCodeButton(model, { clipboard });
    expect(ui.button.dataset.gmmRole).toBe("copy-code");
    expect(ui.panel.hidden).toBe(true);
    ui.button.click();
    expect(model.sent).toEqual([{ type: "to_code" }]);
    expect(ui.panel.hidden).toBe(false);
    model.emit("msg:custom", { type: "code", code: CODE });
    expect(ui.panel.querySelector('[data-gmm-role="code-text"]').textContent).toBe(CODE);
    expect(clipboard.writeText).toHaveBeenCalledWith(CODE);
    await Promise.resolve();
    expect(ui.panel.querySelector('[data-gmm-role="code-status"]').textContent).toMatch(/Copied/);
  });

  it("says why when there is no code, and when the clipboard refuses", async () => {
    const model = mockModel({});
    const clipboard = { writeText: vi.fn(() => Promise.reject(new Error("denied"))) };
    const ui = createCodeButton(model, { clipboard });
    const status = ui.panel.querySelector('[data-gmm-role="code-status"]');
    model.emit("msg:custom", { type: "code", error: "this widget shows no fitted model yet" });
    expect(status.textContent).toMatch(/no fitted model/);
    model.emit("msg:custom", { type: "code", code: CODE });
    await new Promise((r) => setTimeout(r, 0));
    expect(status.textContent).toMatch(/Select the code/);
    const bare = createCodeButton(mockModel({}), { clipboard: undefined });
    bare.button.click();
    expect(bare.panel.hidden).toBe(false);
  });

  it("ignores other messages, closes, and stops listening when destroyed", () => {
    const model = mockModel({});
    const ui = createCodeButton(model, { clipboard: undefined });
    model.emit("msg:custom", { type: "frames" });
    expect(ui.panel.hidden).toBe(true);
    model.emit("msg:custom", { type: "code", code: CODE });
    ui.panel.querySelector('[data-gmm-role="code-close"]').click();
    expect(ui.panel.hidden).toBe(true);
    const before = model.listenerCount();
    ui.destroy();
    expect(model.listenerCount()).toBe(before - 1);
  });

  it("has no button on a page without a kernel", () => {
    document.body.dataset.gmmEmbed = "1";
    try {
      expect(createCodeButton(mockModel({}), { doc: document }).button.hidden).toBe(true);
    } finally {
      delete document.body.dataset.gmmEmbed;
    }
  });
});
