// Crossings: make the visible sidebar buttons work (mouse, touch and keyboard).
// sphinx-book-theme 1.3 and pydata-sphinx-theme 0.17 both bind their sidebar
// toggles to the FIRST .primary-toggle / .secondary-toggle of the page, which is
// the pydata header button that sphinx-book-theme hides; the visible buttons in
// the article header did nothing (no navigation on phones). Forward their clicks.
document.addEventListener("DOMContentLoaded", () => {
  for (const kind of ["primary", "secondary"]) {
    const [bound, ...others] = document.querySelectorAll(`.${kind}-toggle`);
    for (const button of others) {
      button.addEventListener("click", (event) => {
        event.preventDefault();
        bound.click();
      });
    }
  }
});

// Facilitator pack pages: on phones the detail sections start folded (open without JS).
if (window.matchMedia("(max-width: 767.98px)").matches) {
  for (const details of document.querySelectorAll("details.pack-fold-body")) details.open = false;
}
