// Keeps a stage heading of the Forward pass in view while the maps above it paint and grow
// (Chromium's scroll anchoring would otherwise carry it away), until the visitor scrolls,
// clicks or types, or 30 s have passed. The stage is data.anchor (a Home link's ?stage=, the
// address bar then ends in #anchor as a link would) or else the URL's own #hash; only
// stage-... anchors are looked up, and nothing from the URL is ever written into the page.
const DONE = new WeakSet();
const STAGE = /^stage-[a-z0-9-]{1,40}$/;

function hashAnchor() {
  try {
    return decodeURIComponent(location.hash.slice(1));
  } catch (error) {
    return "";
  }
}

export default function ({ data, parentElement }) {
  const asked = data && typeof data.anchor === "string" ? data.anchor : "";
  const anchor = asked || hashAnchor();
  if (!STAGE.test(anchor) || DONE.has(parentElement)) return;
  DONE.add(parentElement);
  let stopped = false;
  const stop = () => {
    stopped = true;
  };
  for (const name of ["wheel", "touchstart", "keydown", "pointerdown"]) {
    window.addEventListener(name, stop, { once: true, capture: true, passive: true });
  }
  const started = Date.now();
  let top = null;
  const keep = () => {
    if (stopped || Date.now() - started > 30000) return;
    const target = document.getElementById(anchor);
    if (target) {
      if (asked && location.hash !== `#${anchor}`) {
        history.replaceState(history.state, "", `${location.pathname}${location.search}#${anchor}`);
      }
      const now = target.getBoundingClientRect().top;
      if (top === null) {
        target.scrollIntoView({ block: "start" });
        top = Math.min(Math.max(target.getBoundingClientRect().top, 0), 80);
      } else if (Math.abs(now - top) > 2) {
        target.scrollIntoView({ block: "start" });
      }
      document.documentElement.dataset.scrolledTo = anchor;
    }
    setTimeout(keep, 100);
  };
  keep();
}
