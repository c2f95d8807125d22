// Is every label readable? Measured in the page by test_layout.py, on one widget root:
// every visible text (SVG <text>, HTML text, the value of a text/number input) must lie
// inside its SVG or its clipping container, no two texts may overlap, and each must have
// a WCAG contrast of at least 4.5:1 against the background under it (disabled controls
// included). Returns {checked, problems}, one problem per failure, with the text.
(root) => {
  const TOL = 0.5; // px of anti-aliasing slack
  const background = (el) => {
    let out = null;
    const stack = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) stack.push(c);
      if (c && c.a >= 0.99) break;
    }
    out = { r: 255, g: 255, b: 255 };
    for (let i = stack.length - 1; i >= 0; i--) out = over(stack[i], out, stack[i].a);
    return out;
  };
  const opacity = (el) => {
    let o = 1;
    for (let e = el; e && e !== document.documentElement; e = e.parentElement)
      o *= Number(getComputedStyle(e).opacity);
    return o;
  };
  const shown = (el) => {
    const s = getComputedStyle(el);
    return s.visibility !== "hidden" && s.display !== "none" && opacity(el) > 0.05;
  };
  const box = (r) => ({ x0: r.left, y0: r.top, x1: r.right, y1: r.bottom });
  const inside = (a, b) =>
    a.x0 >= b.x0 - TOL && a.y0 >= b.y0 - TOL && a.x1 <= b.x1 + TOL && a.y1 <= b.y1 + TOL;
  const overlap = (a, b) =>
    Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0) > 1 &&
    Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0) > 1;
  // The box a text must stay inside: its SVG, else the nearest ancestor that clips.
  const container = (el) => {
    if (el instanceof SVGElement && el.ownerSVGElement) return el.ownerSVGElement;
    for (let e = el.parentElement; e && e !== root.parentElement; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.overflowX !== "visible" || s.overflowY !== "visible") return e;
    }
    return root;
  };

  const items = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!node.textContent.trim() || !el || el.closest("option, title, style, script")) continue;
    if (!shown(el)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const r = range.getBoundingClientRect();
    if (r.width <= 0 || r.height <= 0) continue;
    items.push({ el, text: node.textContent.trim().slice(0, 40), box: box(r) });
  }
  const problems = [];
  for (const input of root.querySelectorAll("input[type=number], input[type=text], input:not([type])")) {
    if (!shown(input) || input.getBoundingClientRect().width === 0) continue;
    if (input.value && input.scrollWidth > input.clientWidth + 1)
      problems.push({ kind: "clipped", text: input.value, role: input.dataset.gmmRole || "" });
    if (input.value) items.push({ el: input, text: input.value, box: null });
  }
  for (const it of items) {
    const role = it.el.closest("[data-gmm-role]")?.getAttribute("data-gmm-role") || "";
    if (it.box) {
      const c = container(it.el);
      if (!inside(it.box, box(c.getBoundingClientRect())))
        problems.push({ kind: "outside", text: it.text, role, in: c.tagName.toLowerCase() });
    }
    const s = getComputedStyle(it.el);
    const svg = it.el instanceof SVGElement;
    const color = parse(svg ? s.fill : s.color);
    if (!color) continue;
    const alpha = color.a * opacity(it.el) * (svg ? Number(s.fillOpacity) : 1);
    const under = background(it.el);
    const ratio = contrast(over(color, under, alpha), under);
    if (ratio < 4.5)
      problems.push({ kind: "contrast", text: it.text, role, ratio: Math.round(ratio * 100) / 100 });
  }
  const boxed = items.filter((it) => it.box);
  for (let i = 0; i < boxed.length; i++)
    for (let j = i + 1; j < boxed.length; j++) {
      const [a, b] = [boxed[i], boxed[j]];
      if (a.el === b.el || a.el.contains(b.el) || b.el.contains(a.el)) continue;
      if (overlap(a.box, b.box)) problems.push({ kind: "overlap", text: `${a.text} | ${b.text}` });
    }
  return { checked: items.length, problems };
};
