// The component profile table: one row per component of the widget's model (colour,
// weight, count, each feature's mean ± sd, the features that set it apart marked),
// sortable by any column, readable for K up to 20 and d up to 30 (it scrolls, with the
// component column sticky). Its numbers come from the kernel, the `profile_table` trait
// (gmm_widgets/widgets/_profile_view.py: the numbers of gmm_widgets.model_profile). A
// click on a row (or Enter on it) asks for that component's rows to be selected.

import { decodeTree } from "./codecs.js";
import { h } from "./dom.js";
import { rgbString } from "./colors.js";
import { formatNumber } from "./scale.js";

/**
 * One component's row.
 * @typedef {object} ProfileRow
 * @property {number} row position in the table as sent (0 .. R-1)
 * @property {number} component its label (-1: the noise component)
 * @property {number} weight
 * @property {number} count rows whose most likely component it is
 * @property {number[]} mean per feature
 * @property {number[]} sd per feature
 * @property {number[]} effect (mean - data mean) / data sd, per feature
 * @property {boolean[]} separating the features that set it apart
 */

/**
 * The rows of a decoded `profile_table` trait (empty for `{}`).
 * @param {object} trait the trait's value (encoded arrays)
 * @returns {ProfileRow[]}
 */
export function profileRows(trait) {
  const t = decodeTree(trait || {});
  if (!t.weight || !t.mean) return [];
  const R = t.weight.data.length;
  const d = R ? t.mean.data.length / R : 0;
  const row = (arr, k) => Array.from(arr.data.subarray(k * d, (k + 1) * d));
  return Array.from({ length: R }, (_, k) => ({
    row: k,
    component: t.component ? t.component.data[k] : k,
    weight: t.weight.data[k],
    count: t.count.data[k],
    mean: row(t.mean, k),
    sd: row(t.sd, k),
    effect: row(t.effect, k),
    separating: row(t.separating, k).map(Boolean),
  }));
}

/**
 * The value a column sorts by: "component", "weight", "count", or "mean:<j>" (feature
 * j's mean).
 * @param {ProfileRow} r
 * @param {string} column
 */
export function sortKey(r, column) {
  if (column.startsWith("mean:")) return r.mean[Number(column.slice(5))];
  if (column === "weight" || column === "count") return r[column];
  return r.component < 0 ? Infinity : r.component; // noise last
}

/**
 * Rows sorted by a column (a stable sort: ties keep the component order).
 * @param {ProfileRow[]} rows
 * @param {string} column
 * @param {"ascending"|"descending"} direction
 * @returns {ProfileRow[]}
 */
export function sortRows(rows, column, direction) {
  const sign = direction === "descending" ? -1 : 1;
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => {
      const ka = sortKey(a.r, column);
      const kb = sortKey(b.r, column);
      if (ka !== kb) return ka < kb ? -sign : sign;
      return a.i - b.i;
    })
    .map(({ r }) => r);
}

/** "m ± s" in compact numbers. */
export function meanSd(mean, sd) {
  return `${formatNumber(mean, 3)} \u00b1 ${formatNumber(sd, 2)}`;
}

/** A component's label in the table. */
export function componentLabel(component) {
  return component < 0 ? "noise" : String(component);
}

/**
 * @param {HTMLElement} container where the table goes (hidden while empty)
 * @param {{onSelect: (component: number, event: Event) => void}} opts
 */
export function createProfileTable(container, opts) {
  const root = h("div", { class: "gmm-profile", "data-gmm-role": "profile" });
  const table = h("table", { class: "gmm-profile-table", "data-gmm-role": "profile-table" });
  const caption = h("caption", {
    class: "gmm-profile-caption",
    text: "Components: weight, rows, mean \u00b1 sd per feature (\u25b2/\u25bc: sets it apart)",
  });
  const thead = h("thead");
  const tbody = h("tbody");
  table.append(caption, thead, tbody);
  root.append(table);
  container.append(root);
  /** @type {{column: string, direction: "ascending"|"descending"}} */
  const sort = { column: "component", direction: "ascending" };
  let last = { rows: /** @type {ProfileRow[]} */ ([]), names: [], colors: [] };

  function header(names) {
    const columns = [
      ["component", "#"],
      ["weight", "weight"],
      ["count", "rows"],
      ...names.map((n, j) => [`mean:${j}`, n]),
    ];
    const tr = h("tr");
    for (const [column, label] of columns) {
      const active = sort.column === column;
      const button = h(
        "button",
        {
          type: "button",
          class: "gmm-profile-sort",
          "data-gmm-role": "profile-sort",
          "data-column": column,
          title: `Sort by ${label}`,
        },
        [label, active ? (sort.direction === "ascending" ? " \u2191" : " \u2193") : ""],
      );
      button.addEventListener("click", () => {
        if (sort.column === column)
          sort.direction = sort.direction === "ascending" ? "descending" : "ascending";
        else {
          sort.column = column;
          sort.direction = column === "component" ? "ascending" : "descending";
        }
        render();
      });
      const th = h("th", { scope: "col", "aria-sort": active ? sort.direction : "none" }, [button]);
      if (column === "component") th.className = "gmm-profile-sticky";
      tr.append(th);
    }
    thead.replaceChildren(tr);
  }

  function body(rows, names, colors) {
    const trs = sortRows(rows, sort.column, sort.direction).map((r) => {
      const color = r.component >= 0 ? colors[r.component % Math.max(1, colors.length)] : null;
      const swatch = h("span", { class: "gmm-swatch" });
      swatch.style.background = color ? rgbString(color) : "transparent";
      const cells = [
        h("th", { scope: "row", class: "gmm-profile-sticky" }, [
          swatch,
          componentLabel(r.component),
        ]),
        h("td", { text: formatNumber(r.weight, 3) }),
        h("td", { text: String(r.count) }),
        ...names.map((name, j) => {
          const td = h("td", { text: meanSd(r.mean[j], r.sd[j]) });
          if (r.separating[j]) {
            const up = r.effect[j] > 0;
            td.classList.add("gmm-separating");
            td.dataset.separating = up ? "high" : "low";
            td.prepend(
              h("span", { class: "gmm-separating-mark", text: up ? "\u25b2 " : "\u25bc " }),
            );
            td.title = `${name}: ${r.effect[j] > 0 ? "+" : ""}${r.effect[j].toFixed(1)} sd from the data's mean`;
          }
          return td;
        }),
      ];
      const tr = h(
        "tr",
        {
          "data-gmm-role": "profile-row",
          "data-component": r.component,
          tabindex: r.component >= 0 ? 0 : -1,
          title: r.component >= 0 ? `Select the rows of component ${r.component}` : "",
        },
        cells,
      );
      if (r.component >= 0) {
        tr.addEventListener("click", (event) => opts.onSelect(r.component, event));
        tr.addEventListener("keydown", (event) => {
          if (event.key === "Enter" || event.key === " ") {
            event.preventDefault();
            opts.onSelect(r.component, event);
          }
        });
      }
      return tr;
    });
    tbody.replaceChildren(...trs);
  }

  function render() {
    const { rows, names, colors } = last;
    root.hidden = rows.length === 0;
    header(names);
    body(rows, names, colors);
  }

  return {
    root,
    table,
    /** The sort now (column, direction). */
    get sort() {
      return { ...sort };
    },
    /**
     * @param {{table: object, featureNames: string[],
     *   colors: import("./colors.js").RGB[]}} state
     */
    update(state) {
      last = { rows: profileRows(state.table), names: state.featureNames, colors: state.colors };
      render();
    },
    destroy() {
      root.remove();
    },
  };
}
