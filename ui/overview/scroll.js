// Scrolls the page to the element whose id is data.anchor (a stage heading on the Forward
// pass) once it exists, and again while the maps above it are still growing, until the
// visitor scrolls or 3 s have passed. The address bar then ends in #anchor, as a link would.
const DONE = new WeakSet();
const AGAIN_MS = [0, 150, 400, 800, 1400, 2200, 3000];

export default function ({ data, parentElement }) {
  const anchor = data && typeof data.anchor === "string" ? data.anchor : "";
  if (!anchor || DONE.has(parentElement)) return;
  DONE.add(parentElement);
  let stopped = false;
  const stop = () => {
    stopped = true;
  };
  for (const name of ["wheel", "touchstart", "keydown", "pointerdown"]) {
    window.addEventListener(name, stop, { once: true, capture: true, passive: true });
  }
  for (const delay of AGAIN_MS) {
    setTimeout(() => {
      const target = document.getElementById(anchor);
      if (stopped || !target) return;
      target.scrollIntoView({ block: "start" });
      if (location.hash !== `#${anchor}`) {
        history.replaceState(history.state, "", `${location.pathname}${location.search}#${anchor}`);
      }
      document.documentElement.dataset.scrolledTo = anchor;
    }, delay);
  }
}
