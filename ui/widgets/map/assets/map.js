// Heatmaps on canvas for CNN Playground (Streamlit Custom Components v2, no build step).
//
// One element draws a page section's maps: data = ui/widgets/map/payload.py's payload.
// Streamlit calls the default export again whenever `data` (or the theme) changes, with
// the same parentElement (our shadow root) and without calling a cleanup first, so the
// DOM and listeners are built once per root and kept in VIEWS. Each map is one canvas:
// cells as a w x h image scaled up (nearest neighbour), 1 px gaps, numbers, ticks and
// outlines on top. After a map is painted its figure gets data-revision = data.rev.

const VIEWS = new WeakMap();
const LUTS = new Map(); // "kind|stops" -> {rgba: Uint32Array(LEVELS + 1), dark: Uint8Array(...)}
const LEVELS = 256; // colours along a scale: 0 lands on its middle stop exactly
const MINUS = "\u2212";
const STEPS = [1, 2, 4, 5, 10, 20, 25, 50, 100, 200, 500];
const HALO = "#111111";
const OUTLINE = "#d62728";
const CORE = "#ffffff";
const DARK_TEXT = "#444444";
const PAD = 5; // room for outlines around a map
const MIN_TILE_PX = 48; // narrower small multiples wrap onto more rows
const GAP_PX = 16; // between maps side by side
const MIN_PANEL_PX = 180;
const MOVES = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };

// ---- numbers -------------------------------------------------------------------------

// Python's f"{v:.4g}" (round half to even on the exact binary value), real minus sign,
// never "-0": payload.hover_number is the definition, a browser test compares the two.
export function hoverNumber(v, digits = 4) {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const [mantissa, expText] = Math.abs(v).toExponential(100).split("e");
  const exact = mantissa.replace(".", "");
  let exp = Number(expText);
  const rest = exact.slice(digits);
  let n = Number(exact.slice(0, digits));
  if (rest[0] > "5" || (rest[0] === "5" && (/[1-9]/.test(rest.slice(1)) || n % 2 === 1))) {
    n += 1;
  }
  if (n === 10 ** digits) {
    n = 10 ** (digits - 1);
    exp += 1;
  }
  const d = String(n);
  let text;
  if (exp < -4 || exp >= digits) {
    const m = trimZeros(`${d[0]}.${d.slice(1)}`);
    text = `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  } else if (exp >= 0) {
    text = trimZeros(`${d.slice(0, exp + 1)}.${d.slice(exp + 1)}`);
  } else {
    text = trimZeros(`0.${"0".repeat(-exp - 1)}${d}`);
  }
  return (v < 0 ? MINUS : "") + text.replaceAll("-", MINUS);
}

// A tick or hover index counted from the map's "start" (a padded input's first row is −1).
function indexText(i, start = 0) {
  const n = i + start;
  return n < 0 ? `${MINUS}${-n}` : String(n);
}

function trimZeros(text) {
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}

function decodeValues(base64, dtype) {
  let bytes;
  if (Uint8Array.fromBase64) {
    bytes = Uint8Array.fromBase64(base64);
  } else {
    const text = atob(base64);
    bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i += 1) bytes[i] = text.charCodeAt(i);
  }
  // float32, or float64 ("f8") for a map holding values beyond float32's range
  return dtype === "f8" ? new Float64Array(bytes.buffer, 0, bytes.length >> 3)
    : new Float32Array(bytes.buffer, 0, bytes.length >> 2);
}

// ---- colours -------------------------------------------------------------------------

function rgbOf(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function luminance([r, g, b]) {
  const lin = (c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

const WHITE_L = 1;
const DARK_L = luminance(rgbOf(DARK_TEXT));

// LEVELS + 1 colours along the scale's stops (linear in RGB, as plotly), and for each whether
// dark text (#444) contrasts more with it than white does.
function lutFor(kind, stops) {
  const key = `${kind}|${JSON.stringify(stops)}`;
  let lut = LUTS.get(key);
  if (lut) return lut;
  const rgba = new Uint32Array(LEVELS + 1);
  const dark = new Uint8Array(LEVELS + 1);
  const colours = stops.map(([p, hex]) => [p, rgbOf(hex)]);
  for (let i = 0; i <= LEVELS; i += 1) {
    const t = i / LEVELS;
    let j = 1;
    while (j < colours.length - 1 && colours[j][0] < t) j += 1;
    const [p0, c0] = colours[j - 1];
    const [p1, c1] = colours[j];
    const f = p1 > p0 ? Math.min(1, Math.max(0, (t - p0) / (p1 - p0))) : 0;
    const rgb = c0.map((c, k) => Math.round(c + (c1[k] - c) * f));
    rgba[i] = (255 << 24) | (rgb[2] << 16) | (rgb[1] << 8) | rgb[0]; // little-endian RGBA
    const l = luminance(rgb);
    dark[i] = (l + 0.05) / (DARK_L + 0.05) > (WHITE_L + 0.05) / (l + 0.05) ? 1 : 0;
  }
  lut = { rgba, dark };
  LUTS.set(key, lut);
  return lut;
}

function colourIndex(v, lo, hi) {
  const t = (v - lo) / (hi - lo);
  return Math.round(LEVELS * (t < 0 ? 0 : t > 1 ? 1 : t));
}

// ---- layout --------------------------------------------------------------------------

function readTheme(element) {
  const style = getComputedStyle(element);
  const get = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
  return {
    bg: get("--st-background-color", "#ffffff"),
    text: get("--st-text-color", "#31333f"),
    font: get("--st-font", "sans-serif"),
    mono: get("--st-code-font", "monospace"),
    primary: get("--st-primary-color", "#ff4b4b"),
  };
}

// Sizes in CSS px of one map drawn `width` px wide: square cells, ticks thinned so that
// labels never overlap, numbers at the house size or smaller to fit, hidden below minimum.
function layoutOf(m, width, data, theme, measure) {
  const [count, h, w] = m.shape;
  const presenter = data.presenter;
  const tiles = m.tiles;
  const tickFont = presenter ? 18 : 12;
  const labelFont = presenter ? 18 : 13;
  const ticks = !tiles;
  const [r0, c0] = m.start ?? [0, 0];
  const widest = (n, s) => Math.max(...[0, n - 1].map((i) =>
    measure(indexText(i, s), `${tickFont}px ${theme.font}`)));
  const rowLabel = ticks ? widest(h, r0) : 0;
  const colLabel = ticks ? widest(w, c0) : 0;
  const left = ticks ? Math.ceil(rowLabel) + 8 : PAD;
  const top = ticks ? tickFont + 8 : PAD;
  // Small multiples sit on one grid of cells: the gaps between tiles and the label rows
  // above them are whole cells, so that one small canvas holds every tile's cells.
  // compact tiles (an overview of many channels): one cell apart, labels in the hover only
  const compact = Boolean(tiles && tiles.compact);
  const labelPx = tiles && !compact ? labelFont + 6 : 0;
  const gapPx = tiles ? (compact ? 1 : presenter ? 14 : 10) : 0;
  const place = (tcols) => { // the largest cell that fits tcols tiles to a row
    const trows = Math.ceil(count / tcols);
    const fits = (cell) => {
      const gx = tiles ? Math.ceil(gapPx / cell) : 0;
      const ly = tiles ? Math.ceil(labelPx / cell) : 0;
      const across = tcols * w + (tcols - 1) * gx;
      const down = trows * (ly + h) + (trows - 1) * gx;
      const ok = left + across * cell + PAD <= width && Math.max(h, w) * cell <= data.side;
      return { ok, gx, ly, across, down, tcols, trows, cell };
    };
    const widthCell = Math.floor((width - left - PAD) / (tcols * w));
    let grid = fits(Math.max(2, Math.min(data.cell, widthCell)));
    while (!grid.ok && grid.cell > 2) grid = fits(grid.cell - 1); // too small: 2 px cells
    return grid;
  };
  // as many tiles to a row as asked, fewer when the map is so narrow (a phone) that a tile
  // would be under MIN_TILE_PX wide while fewer to a row would make it wider: they wrap
  let grid = place(tiles ? Math.max(1, Math.min(tiles.cols, count)) : 1);
  const most = Math.min(data.cell, Math.floor(data.side / Math.max(h, w)));
  while (grid.tcols > 1 && w * grid.cell < Math.min(MIN_TILE_PX, w * most)) {
    grid = place(grid.tcols - 1);
  }
  const { gx, ly, across, down, tcols, trows, cell } = grid;
  const gap = cell >= 8 ? 1 : 0; // below, grid lines would be a fifth of the picture
  let step = 1;
  if (ticks) {
    const need = Math.max(colLabel + 6, tickFont * 1.25);
    step = STEPS.find((s) => s * cell >= need) ?? STEPS[STEPS.length - 1];
  }
  const L = {
    count, h, w, cell, gap, left, top, gx, ly, tcols, trows, step, tickFont, labelFont, ticks,
    across, down, labelH: ly * cell, tileGap: gx * cell,
    width: left + across * cell + PAD,
    height: top + down * cell + PAD,
    font: 0,
  };
  // where tile k starts, in cells of the cells canvas and in CSS px of the map
  L.cellOrigin = (k) => [(k % tcols) * (w + gx), Math.floor(k / tcols) * (ly + h + gx) + ly];
  L.origin = (k) => {
    const [cx, cy] = L.cellOrigin(k);
    return [left + cx * cell, top + cy * cell];
  };
  if (m.texts) {
    const house = presenter ? (w <= 8 ? 22 : 16) : w <= 8 ? 15 : 11;
    const smallest = presenter ? 14 : 10;
    const weight = presenter ? "bold " : "";
    let widest = 0;
    for (const text of new Set(m.texts)) {
      if (text) widest = Math.max(widest, measure(text, `${weight}${house}px ${theme.mono}`));
    }
    // a pixel or two of paper on each side, and room for outlines drawn over cell edges
    const edge = m.boxes || m.inner ? Math.ceil(haloWidth(cell) / 2) : 0;
    const room = cell - gap - 3 - 2 * edge;
    const fit = widest > 0 ? Math.floor((house * room) / widest) : house;
    const font = Math.min(house, fit, Math.floor(0.9 * (cell - gap)));
    L.font = font >= smallest ? font : 0;
    L.room = room;
    L.fontCss = `${weight}${L.font}px ${theme.mono}`;
  }
  return L;
}

// ---- painting ------------------------------------------------------------------------
// On screen a map is two layers: a small canvas holding its cells (every tile's) at one
// pixel each, scaled up by CSS (image-rendering: pixelated, no smoothing), and one overlay
// canvas on top with the gaps, numbers, ticks, labels and outlines. A new array only
// refills the small canvas; the overlay is redrawn when what it shows changes (for
// maps without numbers: their layout, outlines or cursor). The PNG paints all of it.

function fillCells(target, m, L, lut) {
  const { count, h, w, across, down } = L;
  if (target.width !== across || target.height !== down) {
    target.width = across;
    target.height = down;
  }
  const ctx = target.getContext("2d");
  const image = ctx.createImageData(across, down); // transparent: gaps between tiles
  const pixels = new Uint32Array(image.data.buffer);
  for (let k = 0; k < count; k += 1) {
    const [cx, cy] = L.cellOrigin(k);
    for (let r = 0; r < h; r += 1) {
      const from = k * h * w + r * w;
      const to = (cy + r) * across + cx;
      for (let c = 0; c < w; c += 1) {
        const v = m.values[from + c];
        pixels[to + c] = v === v ? lut.rgba[colourIndex(v, m.lo, m.hi)] : 0; // NaN: a gap
      }
    }
  }
  ctx.putImageData(image, 0, 0);
}

function paintGaps(ctx, L, bg) {
  if (!L.gap) return;
  const { count, h, w, cell, gap } = L;
  ctx.fillStyle = bg;
  ctx.beginPath();
  for (let k = 0; k < count; k += 1) {
    const [x, y] = L.origin(k);
    for (let c = 1; c <= w; c += 1) ctx.rect(x + c * cell - gap, y, gap, h * cell);
    for (let r = 1; r <= h; r += 1) ctx.rect(x, y + r * cell - gap, w * cell, gap);
  }
  ctx.fill();
}

function paintNumbers(ctx, m, L, lut, drawn) {
  if (!m.texts || !L.font) return;
  const { count, h, w, cell, gap } = L;
  ctx.font = L.fontCss;
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  for (const dark of [1, 0]) {
    ctx.fillStyle = dark ? DARK_TEXT : "#ffffff";
    for (let k = 0; k < count; k += 1) {
      const [x, y] = L.origin(k);
      for (let i = 0; i < h * w; i += 1) {
        const text = m.texts[k * h * w + i];
        const v = m.values[k * h * w + i];
        if (!text || v !== v || lut.dark[colourIndex(v, m.lo, m.hi)] !== dark) continue;
        const r = Math.floor(i / w);
        const c = i % w;
        ctx.fillText(text, x + c * cell + (cell - gap) / 2, y + r * cell + (cell - gap) / 2 + 0.5);
        if (drawn) drawn.push([k, r, c, text]);
      }
    }
  }
}

function paintLabels(ctx, m, L, theme) {
  ctx.fillStyle = theme.text;
  if (L.ticks) {
    ctx.font = `${L.tickFont}px ${theme.font}`;
    const [x, y] = L.origin(0);
    ctx.textAlign = "center";
    ctx.textBaseline = "alphabetic";
    const [r0, c0] = m.start ?? [0, 0];
    for (let c = 0; c < L.w; c += L.step) {
      ctx.fillText(indexText(c, c0), x + (c + 0.5) * L.cell, y - 6);
    }
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (let r = 0; r < L.h; r += L.step) {
      ctx.fillText(indexText(r, r0), x - 6, y + (r + 0.5) * L.cell);
    }
  }
  if (m.tiles && !m.tiles.compact) {
    ctx.font = `${L.labelFont}px ${theme.font}`;
    ctx.textAlign = "center";
    ctx.textBaseline = "alphabetic";
    for (let k = 0; k < L.count; k += 1) {
      const [x, y] = L.origin(k);
      ctx.fillText(m.tiles.labels[k], x + (L.w * L.cell) / 2, y - 5, L.w * L.cell + L.tileGap);
    }
  }
}

function boxRect(L, [r, c, bh, bw], k = 0) {
  const [x, y] = L.origin(k);
  const half = L.gap / 2;
  return [x + c * L.cell - half, y + r * L.cell - half, bw * L.cell, bh * L.cell];
}

function bandWidth(cell) {
  return Math.max(1.5, Math.min(4, cell / 8));
}

function haloWidth(cell) {
  return bandWidth(cell) + 3;
}

// Three tones over each other (dark halo, red band, white core), as ui.figures.cues does:
// on any colour of the scales one of them contrasts at least 3:1.
function paintBoxes(ctx, m, L) {
  const band = bandWidth(L.cell);
  const tones = [[HALO, haloWidth(L.cell)], [OUTLINE, band], [CORE, Math.max(1, band / 3)]];
  for (const box of m.boxes ?? []) {
    const rect = boxRect(L, box);
    for (const [colour, width] of tones) {
      ctx.strokeStyle = colour;
      ctx.lineWidth = width;
      ctx.strokeRect(...rect);
    }
  }
  if (m.inner) {
    ctx.save();
    ctx.setLineDash([6, 4]);
    ctx.strokeStyle = DARK_TEXT;
    ctx.lineWidth = 2;
    ctx.strokeRect(...boxRect(L, m.inner));
    ctx.restore();
  }
}

function paintCursor(ctx, L, cursor, theme) {
  const rect = boxRect(L, [cursor.r, cursor.c, 1, 1], cursor.k);
  ctx.lineWidth = 3;
  ctx.strokeStyle = theme.primary;
  ctx.strokeRect(...rect);
  ctx.lineWidth = 1;
  ctx.strokeStyle = "#ffffff";
  ctx.strokeRect(rect[0] + 2, rect[1] + 2, rect[2] - 4, rect[3] - 4);
}

// Everything over the cells: gaps, numbers, ticks, tile labels, outlines (and cursor).
function paintOverlay(ctx, m, L, theme, drawn, cursor) {
  const lut = lutFor(m.kind, m.stops);
  paintGaps(ctx, L, theme.bg);
  paintNumbers(ctx, m, L, lut, drawn);
  paintLabels(ctx, m, L, theme);
  paintBoxes(ctx, m, L);
  if (cursor) paintCursor(ctx, L, cursor, theme);
}

// ---- one map: a figure with a title, a PNG button, its cells and an overlay ----------

function createPanel(view) {
  const figure = document.createElement("figure");
  figure.className = "cnn-map";
  figure.innerHTML =
    '<figcaption class="cnn-map-head"><span class="cnn-map-title"></span>' +
    '<button type="button" class="cnn-map-png">PNG</button></figcaption>' +
    '<div class="cnn-map-stack"><canvas class="cnn-map-cells"></canvas>' +
    '<canvas class="cnn-map-overlay"></canvas></div>';
  const panel = {
    figure,
    title: figure.querySelector(".cnn-map-title"),
    png: figure.querySelector(".cnn-map-png"),
    stack: figure.querySelector(".cnn-map-stack"),
    canvas: figure.querySelector(".cnn-map-overlay"),
    cells: figure.querySelector(".cnn-map-cells"),
    m: null,
    L: null,
    cursor: null,
    layoutKey: "",
    overlayKey: "",
  };
  figure.__panel = panel;
  attachPanelListeners(view, panel);
  return panel;
}

function mapOf(entry, old, scales) {
  const values = old && old.z === entry.z ? old.values : decodeValues(entry.z, entry.dtype);
  const texts = old && old.text === entry.text ? old.texts
    : entry.text != null ? entry.text.replaceAll("-", MINUS).split(",") : null;
  return { ...entry, values, texts, stops: scales[entry.kind] };
}

function focused(view, panel) {
  return view.root.getRootNode().activeElement === panel.canvas;
}

// Lay the map out and repaint what changed: cells if `cells`, the overlay if its key moved.
function drawPanel(view, panel, cells) {
  const { m, canvas } = panel;
  const theme = view.theme;
  const L = layoutOf(m, view.panelWidth, view.data, theme, view.measure);
  panel.L = L;
  const dpr = window.devicePixelRatio || 1;
  const layoutKey = [L.width, L.height, L.cell, L.across, L.down, L.left, L.top, dpr].join();
  const moved = layoutKey !== panel.layoutKey;
  if (moved) {
    panel.layoutKey = layoutKey;
    panel.stack.style.width = `${L.width}px`;
    panel.stack.style.height = `${L.height}px`;
    canvas.width = Math.round(L.width * dpr);
    canvas.height = Math.round(L.height * dpr);
    panel.cells.style.cssText = `left:${L.left}px;top:${L.top}px;` +
      `width:${L.across * L.cell}px;height:${L.down * L.cell}px`;
  }
  if (cells || moved) fillCells(panel.cells, m, L, lutFor(m.kind, m.stops));
  const c = panel.cursor;
  if (c && (c.k >= L.count || c.r >= L.h || c.c >= L.w)) panel.cursor = null; // map shrank
  const cursor = panel.cursor && focused(view, panel) ? panel.cursor : null;
  const overlayKey = [layoutKey, JSON.stringify(theme), L.font, L.step,
    m.texts ? `${m.z}|${m.text}|${m.lo}|${m.hi}|${m.kind}` : "", JSON.stringify(m.boxes),
    JSON.stringify(m.inner), JSON.stringify(m.tiles), JSON.stringify(m.start), cursor ? Object.values(cursor) : ""].join("|");
  if (overlayKey !== panel.overlayKey || moved) {
    panel.overlayKey = overlayKey;
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, L.width, L.height);
    const drawn = [];
    paintOverlay(ctx, m, L, theme, drawn, cursor);
    panel.drawn = {
      cell: L.cell, step: L.step, font: L.font, fontCss: L.fontCss, numbers: drawn,
      size: [L.width, L.height], room: L.room,
      origins: range(0, L.count, 1).map((k) => L.origin(k)),
      rows: L.ticks ? range(0, L.h, L.step) : [], cols: L.ticks ? range(0, L.w, L.step) : [],
    };
    canvas.__drawn = panel.drawn;
  }
}

function range(start, stop, step) {
  const out = [];
  for (let i = start; i < stop; i += step) out.push(i);
  return out;
}

// Cell under a point in CSS px of the canvas, or null (gaps between tiles, margins).
function cellAt(L, x, y) {
  for (let k = 0; k < L.count; k += 1) {
    const [ox, oy] = L.origin(k);
    const c = Math.floor((x - ox) / L.cell);
    const r = Math.floor((y - oy) / L.cell);
    if (r >= 0 && c >= 0 && r < L.h && c < L.w) return { k, r, c };
  }
  return null;
}

function describe(m, { k, r, c }) {
  const [, h, w] = m.shape;
  const v = m.values[k * h * w + r * w + c];
  const [r0, c0] = m.start ?? [0, 0];
  const where = `${m.tiles ? `${m.tiles.labels[k]}, ` : ""}row ${indexText(r, r0)}, ` +
    `col ${indexText(c, c0)}`;
  return v === v ? `${where}: ${hoverNumber(v)}` : null;
}

function showTip(view, panel, cell, x, y) {
  const text = cell && describe(panel.m, cell);
  if (!text) {
    view.tip.hidden = true;
    return;
  }
  const box = panel.canvas.getBoundingClientRect();
  const root = view.root.getBoundingClientRect();
  view.tip.textContent = text;
  view.tip.hidden = false;
  const left = Math.min(box.left - root.left + x + 14, Math.max(0, root.width - view.tip.offsetWidth));
  view.tip.style.left = `${left}px`;
  view.tip.style.top = `${box.top - root.top + y + 16}px`;
}

function select(view, panel, cell) {
  if (!panel.m.pick || !cell) return;
  const value = { map: panel.m.id, row: cell.r, col: cell.c };
  if (panel.m.tiles) value.tile = cell.k;
  view.sent += 1;
  view.root.dataset.selectionsSent = String(view.sent);
  view.send(value);
}

function moveCursor(panel, [dr, dc]) {
  const L = panel.L;
  const cur = panel.cursor ?? { k: 0, r: 0, c: 0 };
  // move on the whole tiled picture, so that arrows cross from tile to tile
  let gr = Math.floor(cur.k / L.tcols) * L.h + cur.r + dr;
  let gc = (cur.k % L.tcols) * L.w + cur.c + dc;
  gr = Math.min(L.trows * L.h - 1, Math.max(0, gr));
  gc = Math.min(L.tcols * L.w - 1, Math.max(0, gc));
  const k = Math.floor(gr / L.h) * L.tcols + Math.floor(gc / L.w);
  if (k < L.count) panel.cursor = { k, r: gr % L.h, c: gc % L.w };
}

function cursorCentre(L, { k, r, c }) {
  const [x, y] = L.origin(k);
  return [x + (c + 0.5) * L.cell, y + (r + 0.5) * L.cell];
}

function attachPanelListeners(view, panel) {
  const { canvas } = panel;
  const point = (event) => {
    const box = canvas.getBoundingClientRect();
    return [event.clientX - box.left, event.clientY - box.top];
  };
  canvas.addEventListener("pointermove", (event) => {
    if (!panel.L) return;
    const [x, y] = point(event);
    showTip(view, panel, cellAt(panel.L, x, y), x, y);
  });
  canvas.addEventListener("pointerleave", () => {
    view.tip.hidden = true;
  });
  canvas.addEventListener("click", (event) => {
    if (!panel.L) return;
    const cell = cellAt(panel.L, ...point(event));
    if (cell && panel.m.pick) {
      panel.cursor = cell;
      select(view, panel, cell);
    }
  });
  canvas.addEventListener("keydown", (event) => {
    if (!panel.L || !panel.m.pick || event.altKey || event.ctrlKey || event.metaKey) return;
    const move = MOVES[event.key];
    if (move) {
      moveCursor(panel, move);
    } else if (event.key === "Enter" || event.key === " ") {
      panel.cursor = panel.cursor ?? { k: 0, r: 0, c: 0 };
      select(view, panel, panel.cursor);
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    drawPanel(view, panel, false);
    showTip(view, panel, panel.cursor, ...cursorCentre(panel.L, panel.cursor));
  });
  canvas.addEventListener("focus", () => {
    if (!panel.m?.pick || !panel.L) return;
    panel.cursor = panel.cursor ?? { k: 0, r: 0, c: 0 };
    drawPanel(view, panel, false);
    showTip(view, panel, panel.cursor, ...cursorCentre(panel.L, panel.cursor));
  });
  canvas.addEventListener("blur", () => {
    view.tip.hidden = true;
    if (panel.L) drawPanel(view, panel, false);
  });
  panel.png.addEventListener("click", () => downloadPng(view, panel));
}

// The map as a PNG at twice its size, its title on top, on the theme's background.
function pngCanvas(view, panel, scale = 2) {
  const { m, L } = panel;
  const theme = view.theme;
  const titleFont = view.data.presenter ? 20 : 14;
  const titleH = m.title ? titleFont + 12 : 0;
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(L.width * scale);
  canvas.height = Math.round((L.height + titleH) * scale);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  ctx.fillStyle = theme.bg;
  ctx.fillRect(0, 0, L.width, L.height + titleH);
  if (m.title) {
    ctx.fillStyle = theme.text;
    ctx.font = `600 ${titleFont}px ${theme.font}`;
    ctx.textBaseline = "top";
    ctx.fillText(m.title, PAD, 6, L.width - PAD);
  }
  ctx.translate(0, titleH);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(panel.cells, L.left, L.top, L.across * L.cell, L.down * L.cell);
  paintOverlay(ctx, m, L, theme, null, null);
  return canvas;
}

function downloadPng(view, panel) {
  if (!panel.L) return;
  const canvas = pngCanvas(view, panel);
  panel.drawn.png = [canvas.width, canvas.height];
  const name = (panel.m.title || panel.m.id).replace(/[^\w.-]+/g, "_").replace(/^_+|_+$/g, "");
  canvas.toBlob((blob) => {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = `${name || "map"}.png`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }, "image/png");
}

// ---- the element: every map of one payload --------------------------------------------

function createView(parentElement) {
  const root = document.createElement("div");
  root.className = "cnn-maps";
  const tip = document.createElement("div");
  tip.className = "cnn-map-tip";
  tip.setAttribute("role", "status");
  tip.setAttribute("aria-live", "polite");
  tip.hidden = true;
  const error = document.createElement("div");
  error.className = "cnn-map-error";
  root.append(error, tip);
  parentElement.appendChild(root);
  const measureCanvas = document.createElement("canvas").getContext("2d");
  const widths = new Map();
  const view = {
    root, tip, error, panels: [], data: null, theme: null, width: 0, panelWidth: 0, sent: 0,
    send: () => {},
    measure(text, font) {
      const key = `${font}|${text}`;
      let width = widths.get(key);
      if (width === undefined) {
        measureCanvas.font = font;
        width = measureCanvas.measureText(text).width;
        if (widths.size > 5000) widths.clear();
        widths.set(key, width);
      }
      return width;
    },
  };
  root.__view = view; // for tests and benchmarks: root.__view.render(data)
  view.render = (data) => render(view, data);
  new ResizeObserver(() => {
    if (view.data && root.clientWidth !== view.width) render(view, view.data, true);
  }).observe(root);
  return view;
}

function render(view, data, resized = false) {
  const started = performance.now();
  draw(view, data, resized);
  // what the maps cost the main thread so far, for tests and benchmarks/browser.py
  const stats = (window.cnnMapStats ??= { renders: 0, ms: 0 });
  stats.renders += 1;
  stats.ms += performance.now() - started;
}

function setAttribute(element, name, value) {
  if (element.getAttribute(name) !== value) element.setAttribute(name, value);
}

function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

// DOM writes only where something differs: an unchanged map costs no layout.
function draw(view, data, resized) {
  const { root } = view;
  if (!data || data.v !== 1 || !Array.isArray(data.maps)) {
    setText(view.error, "This map could not be drawn (unknown data format).");
    return;
  }
  setText(view.error, "");
  view.data = data;
  view.theme = readTheme(root);
  if (!view.width || resized) view.width = root.clientWidth || 600;
  // as st.columns on a phone: fewer columns when they would be narrower than MIN_PANEL_PX
  const fit = Math.floor((view.width + GAP_PX) / (MIN_PANEL_PX + GAP_PX));
  const columns = Math.max(1, Math.min(data.columns, fit));
  view.panelWidth = Math.floor((view.width - (columns - 1) * GAP_PX) / columns);
  setAttribute(root, "style", `--columns: ${columns}`);
  root.classList.toggle("presenter", Boolean(data.presenter));
  while (view.panels.length > data.maps.length) view.panels.pop().figure.remove();
  while (view.panels.length < data.maps.length) {
    const panel = createPanel(view);
    view.panels.push(panel);
    root.insertBefore(panel.figure, view.tip);
  }
  const rev = String(data.rev);
  data.maps.forEach((entry, i) => {
    const panel = view.panels[i];
    const old = panel.m;
    panel.m = mapOf(entry, old, data.scales);
    const cells = !old || old.z !== entry.z || old.lo !== entry.lo || old.hi !== entry.hi ||
      old.kind !== entry.kind || JSON.stringify(old.stops) !== JSON.stringify(panel.m.stops);
    setText(panel.title, entry.title);
    panel.title.hidden = !entry.title;
    setAttribute(panel.png, "aria-label", `Download ${entry.label} as PNG`);
    setAttribute(panel.canvas, "role", "img");
    setAttribute(panel.canvas, "aria-label", entry.pick
      ? `${entry.label}. Arrow keys move over the cells, Enter picks one.` : entry.label);
    setAttribute(panel.canvas, "tabindex", entry.pick ? "0" : "-1");
    panel.canvas.classList.toggle("pickable", Boolean(entry.pick));
    setAttribute(panel.figure, "data-map-id", entry.id);
    drawPanel(view, panel, cells || resized);
    setAttribute(panel.figure, "data-revision", rev);
  });
  setAttribute(root, "data-revision", rev);
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let view = VIEWS.get(parentElement);
  if (!view || !view.root.isConnected) {
    view = createView(parentElement);
    VIEWS.set(parentElement, view);
  }
  // Keep the newest setter: it carries the current fragment context.
  view.send = (value) => setTriggerValue("select", value);
  render(view, data);
}
