// Drawing grid for CNN Playground (Streamlit Custom Components v2, no build step).
//
// Streamlit calls the default export again every time `data` changes, without calling the
// cleanup it returned before, and keeps the same parentElement (our shadow root). So all
// listeners are attached once per root and the drawing lives in STATES, keyed by that root.
// The seed in `data` is loaded only on the first call for a root or when `revision`
// changes; otherwise the user's own strokes stay on screen.

const STATES = new WeakMap();
const MAX_SIZE = 64;
const MOVES = {
  ArrowUp: [-1, 0],
  ArrowDown: [1, 0],
  ArrowLeft: [0, -1],
  ArrowRight: [0, 1],
};

function formatInk(v) {
  return String(Math.round(v * 1000) / 1000);
}

function clamp01(v) {
  return Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0;
}

function decodeSeed(text, n) {
  const values = new Float64Array(n * n);
  const parts = typeof text === "string" ? text.split(",") : [];
  if (parts.length === n * n) {
    parts.forEach((part, i) => {
      values[i] = clamp01(Number(part));
    });
  }
  return values;
}

function inkColour(v) {
  // White paper (255) to near-black ink (17) with grey levels in between.
  const level = Math.round(255 - v * (255 - 17));
  return `rgb(${level}, ${level}, ${level})`;
}

function buildState(parentElement) {
  let root = parentElement.querySelector(".cnn-grid-root");
  if (!root) {
    // The HTML is normally mounted before the JS runs; build it if it is not.
    root = document.createElement("div");
    root.className = "cnn-grid-root";
    root.innerHTML =
      '<div class="cnn-grid-label"></div><div class="cnn-grid" role="grid" tabindex="0"></div>';
    parentElement.appendChild(root);
  }
  const state = {
    root,
    label: root.querySelector(".cnn-grid-label"),
    grid: root.querySelector(".cnn-grid"),
    n: 0,
    revision: null,
    brush: 1,
    values: new Float64Array(0),
    cells: [],
    cursor: { row: 0, col: 0 },
    stroke: null,
    sent: 0,
    pointerFocus: false,
    send: () => {},
  };
  attachListeners(state);
  return state;
}

function buildCells(state) {
  const { grid, n } = state;
  const rows = [];
  state.cells = [];
  for (let r = 0; r < n; r += 1) {
    const row = document.createElement("div");
    row.className = "cnn-row";
    row.setAttribute("role", "row");
    for (let c = 0; c < n; c += 1) {
      const cell = document.createElement("div");
      cell.className = "cnn-cell";
      cell.id = `cnn-cell-${r}-${c}`;
      cell.setAttribute("role", "gridcell");
      cell.dataset.row = String(r);
      cell.dataset.col = String(c);
      row.appendChild(cell);
      state.cells.push(cell);
    }
    rows.push(row);
  }
  grid.replaceChildren(...rows);
  grid.setAttribute("aria-rowcount", String(n));
  grid.setAttribute("aria-colcount", String(n));
}

function renderCell(state, i) {
  const cell = state.cells[i];
  const v = state.values[i];
  const ink = formatInk(v);
  const row = Math.floor(i / state.n);
  const col = i % state.n;
  cell.style.backgroundColor = inkColour(v);
  cell.dataset.ink = ink;
  cell.setAttribute("aria-label", `row ${row + 1}, column ${col + 1}, ink ${ink}`);
}

function renderCursor(state) {
  const { row, col } = state.cursor;
  state.cells.forEach((cell) => cell.classList.remove("cursor"));
  const cell = state.cells[row * state.n + col];
  if (cell) {
    cell.classList.add("cursor");
    state.grid.setAttribute("aria-activedescendant", cell.id);
  }
}

function update(state, data) {
  const n = Math.trunc(Number(data.size));
  if (!(n >= 1 && n <= MAX_SIZE)) {
    return;
  }
  state.brush = clamp01(Number(data.brush ?? 1));
  state.label.textContent = String(data.label ?? "");
  const cellPx = Math.max(4, Math.trunc(Number(data.cellPx)) || 20);
  state.grid.style.setProperty("--n", String(n));
  state.grid.style.setProperty("--cell", `${cellPx}px`);

  if (state.n !== n || state.revision !== data.revision) {
    if (state.n !== n) {
      state.n = n;
      buildCells(state);
    }
    state.values = decodeSeed(data.seed, n);
    state.revision = data.revision;
    state.stroke = null;
    for (let i = 0; i < n * n; i += 1) {
      renderCell(state, i);
    }
    state.cursor = {
      row: Math.min(state.cursor.row, n - 1),
      col: Math.min(state.cursor.col, n - 1),
    };
    renderCursor(state);
  }
  state.grid.dataset.revision = String(state.revision);
  state.grid.dataset.brush = formatInk(state.brush);
}

function sendGrid(state) {
  state.sent += 1;
  state.root.dataset.strokesSent = String(state.sent);
  state.send({
    r: state.revision,
    n: state.n,
    g: Array.from(state.values, formatInk).join(","),
  });
}

function setCell(state, row, col, value) {
  const i = row * state.n + col;
  if (state.values[i] === value) {
    return false;
  }
  state.values[i] = value;
  renderCell(state, i);
  return true;
}

// Pointer position in cell units (fractional, may be outside 0..n).
function gridPosition(state, event) {
  const { grid, n } = state;
  const rect = grid.getBoundingClientRect();
  const x = event.clientX - rect.left - grid.clientLeft;
  const y = event.clientY - rect.top - grid.clientTop;
  return { x: (x / grid.clientWidth) * n, y: (y / grid.clientHeight) * n };
}

function cellOf(state, pos) {
  const row = Math.floor(pos.y);
  const col = Math.floor(pos.x);
  if (row < 0 || col < 0 || row >= state.n || col >= state.n) {
    return null;
  }
  return { row, col };
}

// Paint every cell the segment from `from` to `to` crosses (samples every quarter cell).
function paintSegment(state, from, to) {
  const stroke = state.stroke;
  const target = stroke.erase ? 0 : state.brush;
  const steps = Math.max(1, Math.ceil(Math.hypot(to.x - from.x, to.y - from.y) * 4));
  for (let s = 1; s <= steps; s += 1) {
    const t = s / steps;
    const cell = cellOf(state, { x: from.x + (to.x - from.x) * t, y: from.y + (to.y - from.y) * t });
    if (cell && setCell(state, cell.row, cell.col, target)) {
      stroke.changed = true;
    }
  }
}

function endStroke(state, event) {
  const stroke = state.stroke;
  if (!stroke || (event && event.pointerId !== stroke.pointerId)) {
    return;
  }
  state.stroke = null;
  if (state.grid.hasPointerCapture?.(stroke.pointerId)) {
    state.grid.releasePointerCapture(stroke.pointerId);
  }
  if (stroke.changed) {
    sendGrid(state);
  }
}

function attachListeners(state) {
  const { grid } = state;

  grid.addEventListener("pointerdown", (event) => {
    if (state.stroke || (event.pointerType === "mouse" && event.button !== 0)) {
      return;
    }
    const pos = gridPosition(state, event);
    const cell = cellOf(state, pos);
    if (!cell) {
      return;
    }
    // preventDefault stops text selection and the emulated mouse events; focus by hand.
    event.preventDefault();
    state.pointerFocus = true;
    grid.focus({ preventScroll: true });
    state.pointerFocus = false;
    grid.classList.remove("show-cursor");
    try {
      grid.setPointerCapture(event.pointerId);
    } catch {
      // Capture can fail for a pointer that is already gone; the stroke still works.
    }
    const i = cell.row * state.n + cell.col;
    // A stroke that starts on ink erases; one that starts on paper paints (a click toggles).
    state.stroke = { pointerId: event.pointerId, erase: state.values[i] > 0, changed: false, last: pos };
    state.cursor = cell;
    renderCursor(state);
    state.stroke.changed = setCell(state, cell.row, cell.col, state.stroke.erase ? 0 : state.brush);
  });

  grid.addEventListener("pointermove", (event) => {
    const stroke = state.stroke;
    if (!stroke || event.pointerId !== stroke.pointerId) {
      return;
    }
    const pos = gridPosition(state, event);
    paintSegment(state, stroke.last, pos);
    stroke.last = pos;
  });

  for (const type of ["pointerup", "pointercancel", "lostpointercapture"]) {
    grid.addEventListener(type, (event) => endStroke(state, event));
  }
  grid.addEventListener("contextmenu", (event) => event.preventDefault());

  grid.addEventListener("focus", () => {
    if (!state.pointerFocus) {
      grid.classList.add("show-cursor");
    }
  });

  grid.addEventListener("keydown", (event) => {
    if (state.n === 0 || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    const move = MOVES[event.key];
    if (move) {
      state.cursor = {
        row: Math.min(state.n - 1, Math.max(0, state.cursor.row + move[0])),
        col: Math.min(state.n - 1, Math.max(0, state.cursor.col + move[1])),
      };
    } else if (event.key === " " || event.key === "Enter") {
      const { row, col } = state.cursor;
      const i = row * state.n + col;
      setCell(state, row, col, state.values[i] > 0 ? 0 : state.brush);
      sendGrid(state);
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    grid.classList.add("show-cursor");
    renderCursor(state);
  });
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let state = STATES.get(parentElement);
  if (!state || !state.root.isConnected) {
    state = buildState(parentElement);
    STATES.set(parentElement, state);
  }
  // Keep the newest setter: it carries the current fragment/form context.
  state.send = (value) => setTriggerValue("stroke", value);
  update(state, data ?? {});
}
