// Nearest point to the pointer among many, for hover read-outs: a uniform grid of
// buckets in pixel space, built once per layout in O(n), queried in O(points nearby).

export class GridIndex {
  /**
   * @param {ArrayLike<number>} px pixel x of each point
   * @param {ArrayLike<number>} py pixel y of each point
   * @param {number} width
   * @param {number} height
   * @param {number} [cell] bucket size in px
   */
  constructor(px, py, width, height, cell = 12) {
    this.px = px;
    this.py = py;
    this.cell = cell;
    this.cols = Math.max(1, Math.ceil(width / cell));
    this.rows = Math.max(1, Math.ceil(height / cell));
    const nCells = this.cols * this.rows;
    const n = px.length;
    const cellOf = new Int32Array(n);
    const start = new Int32Array(nCells + 1);
    for (let i = 0; i < n; i++) {
      const c = this.cellAt(px[i], py[i]);
      cellOf[i] = c;
      if (c >= 0) start[c + 1] += 1;
    }
    for (let c = 0; c < nCells; c++) start[c + 1] += start[c];
    const fill = start.slice(0, nCells);
    const items = new Int32Array(start[nCells]);
    for (let i = 0; i < n; i++) if (cellOf[i] >= 0) items[fill[cellOf[i]]++] = i;
    this.start = start;
    this.items = items;
  }

  /** Bucket of a pixel position, or -1 outside. */
  cellAt(x, y) {
    if (!(x >= 0 && y >= 0)) return -1;
    const i = Math.floor(x / this.cell);
    const j = Math.floor(y / this.cell);
    if (i >= this.cols || j >= this.rows) return -1;
    return j * this.cols + i;
  }

  /**
   * Index of the point nearest to (x, y) within `radius` px, or -1.
   * @param {(i: number) => boolean} [accept] only consider points it accepts
   */
  nearest(x, y, radius = 8, accept = null) {
    const { cell, cols, rows, start, items, px, py } = this;
    const i0 = Math.max(0, Math.floor((x - radius) / cell));
    const i1 = Math.min(cols - 1, Math.floor((x + radius) / cell));
    const j0 = Math.max(0, Math.floor((y - radius) / cell));
    const j1 = Math.min(rows - 1, Math.floor((y + radius) / cell));
    let best = -1;
    let bestD = radius * radius;
    for (let j = j0; j <= j1; j++) {
      for (let i = i0; i <= i1; i++) {
        const c = j * cols + i;
        for (let t = start[c]; t < start[c + 1]; t++) {
          const k = items[t];
          const d = (px[k] - x) ** 2 + (py[k] - y) ** 2;
          if (d <= bestD && (accept === null || accept(k)) && (d < bestD || best < 0 || k < best)) {
            bestD = d;
            best = k;
          }
        }
      }
    }
    return best;
  }
}
