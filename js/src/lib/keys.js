// Keep the keys typed into a widget's own form controls away from JupyterLab. Its
// notebook shortcuts listen on ancestors of the output area and call preventDefault on
// keys such as the arrows, which would stop a focused <input type="range"> or <select>
// from moving. Tab, Escape and shortcuts with Ctrl/Cmd/Meta still reach JupyterLab.

/**
 * @param {HTMLElement} el container of the controls
 * @returns {() => void} removes the listener
 */
export function keepKeys(el) {
  const onKey = (event) => {
    if (event.key === "Tab" || event.key === "Escape" || event.ctrlKey || event.metaKey) return;
    event.stopPropagation();
  };
  el.addEventListener("keydown", onKey);
  return () => el.removeEventListener("keydown", onKey);
}
