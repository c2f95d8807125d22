// What a reader sees in a widget, measured in the page (used by test_dark_theme.py):
// the effective background, the WCAG contrast of every visible text against it, the
// contrast of the marks with a data-gmm-role (ellipses, means, grid points...) and how
// many canvas pixels (the points) stand out from the background.
(root) => {
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0.5) return c;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const opacity = (el) => {
    let o = 1;
    for (let e = el; e && e !== document.documentElement; e = e.parentElement) o *= Number(getComputedStyle(e).opacity);
    return o;
  };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none";
  };
  const bg = background(root);

  const texts = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    const text = walker.currentNode.textContent.trim();
    if (!text || !el || el.closest("option") || !visible(el)) continue;
    if (el.closest(":disabled, [aria-disabled='true']")) continue;
    const s = getComputedStyle(el);
    const svg = el instanceof SVGElement;
    const color = parse(svg ? s.fill : s.color);
    if (!color) continue;
    const alpha = color.a * opacity(el) * (svg ? Number(s.fillOpacity) : 1);
    const under = background(el);
    texts.push({ text: text.slice(0, 40), contrast: contrast(over(color, under, alpha), under) });
  }

  // A mark is often a group: the best contrast among its visible shapes counts.
  const SHAPES = "path, circle, ellipse, rect, line, polyline, polygon";
  const paintContrast = (el) => {
    const s = getComputedStyle(el);
    const o = opacity(el);
    let best = 0;
    for (const [paint, paintOpacity, width] of [[s.fill, s.fillOpacity, 1], [s.stroke, s.strokeOpacity, parseFloat(s.strokeWidth)]]) {
      const c = parse(paint);
      if (c && width > 0) best = Math.max(best, contrast(over(c, bg, c.a * o * Number(paintOpacity)), bg));
    }
    return best;
  };
  const marks = [];
  for (const el of root.querySelectorAll("svg [data-gmm-role]")) {
    if (!visible(el)) continue;
    const shapes = [el, ...el.querySelectorAll(SHAPES)].filter((e) => e.matches(SHAPES) && visible(e));
    if (!shapes.length) continue;
    marks.push({ role: el.getAttribute("data-gmm-role"), contrast: Math.max(...shapes.map(paintContrast)) });
  }

  const canvases = [];
  for (const canvas of root.querySelectorAll("canvas")) {
    if (!canvas.width || !canvas.height || !visible(canvas)) continue;
    const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    const under = background(canvas);
    let drawn = 0;
    let standing = 0;
    for (let i = 0; i < data.length; i += 4) {
      const a = data[i + 3] / 255;
      if (a < 0.05) continue;
      drawn += 1;
      if (contrast(over({ r: data[i], g: data[i + 1], b: data[i + 2] }, under, a), under) >= 1.5) standing += 1;
    }
    canvases.push({ width: canvas.width, height: canvas.height, drawn, standing });
  }
  return { background: bg, luminance: luminance(bg), texts, marks, canvases };
}
