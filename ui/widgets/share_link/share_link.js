// "Copy share link" for CNN Playground (Streamlit Custom Components v2, no build step).
//
// The link is read from the browser's address bar when the button is pressed: Streamlit
// keeps the URL's query string in step with st.query_params, so this is always the state
// the page shows now (a link made by Python during a run would be one run behind).
// Everything is set through textContent / value: nothing here is parsed as HTML.

export default function (component) {
  const { parentElement } = component;
  if (parentElement.querySelector(".share-root")) {
    return; // Streamlit calls us again on every rerun: build once per root
  }
  const root = document.createElement("div");
  root.className = "share-root";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "share-button";
  button.textContent = "🔗 Copy share link";
  const field = document.createElement("input");
  field.className = "share-url";
  field.readOnly = true;
  field.hidden = true;
  field.setAttribute("aria-label", "Share link of this page");
  const status = document.createElement("span");
  status.className = "share-status";
  status.setAttribute("role", "status");
  button.addEventListener("click", async () => {
    const url = window.location.href;
    field.value = url;
    field.hidden = false;
    field.select();
    try {
      await navigator.clipboard.writeText(url);
      status.textContent = "Copied.";
    } catch {
      status.textContent = "Select the link and copy it (Ctrl+C / ⌘C).";
    }
  });
  root.append(button, field, status);
  parentElement.append(root);
}
