// A dark page without JupyterLab's variables (marimo's dark theme): the widget is marked
// and widget.css stands in for JupyterLab Dark's variables.

import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { readTheme, watchTheme } from "../src/lib/colors.js";
import { hostTheme, markHostTheme, watchHostTheme } from "../src/lib/host_theme.js";

const here = dirname(fileURLToPath(import.meta.url));
const SRC = join(here, "..", "src");
const WIDGET_CSS = readFileSync(join(SRC, "lib", "widget.css"), "utf8");
const DARK_BLOCK = WIDGET_CSS.match(/\.gmm-widget\[data-gmm-host-theme="dark"\] \{([^}]*)\}/);

function widget(parent = document.body) {
  const el = document.createElement("div");
  el.className = "gmm-widget";
  parent.appendChild(el);
  return el;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

afterEach(() => {
  document.body.className = "";
  document.documentElement.className = "";
  delete document.body.dataset.jpThemeLight;
  document.body.replaceChildren();
  for (const s of document.querySelectorAll("style")) s.remove();
});

describe("hostTheme", () => {
  it("is dark only where the page says so", () => {
    expect(hostTheme(document)).toBeNull();
    document.body.className = "light light-theme";
    expect(hostTheme(document)).toBeNull();
    document.body.className = "dark dark-theme"; // marimo's dark theme
    expect(hostTheme(document)).toBe("dark");
    document.body.className = "";
    document.documentElement.className = "dark"; // Tailwind's convention
    expect(hostTheme(document)).toBe("dark");
  });
  it("leaves JupyterLab's pages to JupyterLab's variables", () => {
    document.body.className = "dark-theme";
    document.body.dataset.jpThemeLight = "true";
    expect(hostTheme(document)).toBeNull();
    document.body.dataset.jpThemeLight = "false";
    expect(hostTheme(document)).toBeNull();
  });
});

describe("markHostTheme", () => {
  it("marks the outermost widget (an embedded player's host) and unmarks it when light", () => {
    const outer = widget();
    const inner = widget(document.createElement("section"));
    outer.appendChild(inner.parentElement);
    document.body.className = "dark-theme";
    expect(markHostTheme(inner)).toBe("dark");
    expect(outer.getAttribute("data-gmm-host-theme")).toBe("dark");
    expect(inner.getAttribute("data-gmm-host-theme")).toBe("dark");
    document.body.className = "light-theme";
    expect(markHostTheme(inner)).toBeNull();
    expect(outer.hasAttribute("data-gmm-host-theme")).toBe(false);
    expect(inner.hasAttribute("data-gmm-host-theme")).toBe(false);
  });
});

describe("readTheme on a dark page without JupyterLab's variables", () => {
  it("reads widget.css's stand-ins: a dark background and light text", () => {
    const style = document.createElement("style");
    style.textContent = WIDGET_CSS;
    document.head.appendChild(style);
    const el = widget();
    expect(readTheme(el).dark).toBe(false);
    document.body.className = "dark dark-theme";
    const t = readTheme(el);
    expect(el.dataset.gmmHostTheme).toBe("dark");
    expect(t.dark).toBe(true);
    expect(t.rgb.background).toEqual([17, 17, 17]);
    expect(t.rgb.foreground).toEqual([255, 255, 255]);
  });
  it("stands in for every colour variable the widgets read", () => {
    expect(DARK_BLOCK).not.toBeNull();
    const defined = new Set([...DARK_BLOCK[1].matchAll(/(--jp-[a-z0-9-]+):/g)].map((m) => m[1]));
    const used = new Set();
    const walk = (dir) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (/\.(css|js)$/.test(entry.name)) {
          for (const m of readFileSync(path, "utf8").matchAll(/(--jp-[a-z0-9-]+)/g)) {
            used.add(m[1]);
          }
        }
      }
    };
    walk(SRC);
    const colours = [...used].filter((name) => !/font-(size|family)|code-font/.test(name));
    expect(colours.length).toBeGreaterThan(10);
    for (const name of colours) expect(defined, name).toContain(name);
  });
});

describe("watchHostTheme", () => {
  it("calls back when the page switches between light and dark, not on other classes", async () => {
    const calls = [];
    const stop = watchHostTheme(() => calls.push(hostTheme(document)), document);
    document.body.className = "dark dark-theme";
    await tick();
    document.body.classList.add("lm-mod-override-cursor"); // a drag, still dark
    await tick();
    document.body.className = "light light-theme";
    await tick();
    stop();
    document.body.className = "dark-theme";
    await tick();
    expect(calls).toEqual(["dark", null]);
  });
  it("is part of watchTheme", async () => {
    let calls = 0;
    const stop = watchTheme(() => calls++);
    document.body.className = "dark-theme";
    await tick();
    stop();
    expect(calls).toBe(1);
  });
});
