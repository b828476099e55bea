// Fjord console: small progressive enhancements; every page works without
// this script.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Disable a form's submit button once submitted, against double posts.
  for (const form of document.querySelectorAll("form[method=post]")) {
    form.addEventListener("submit", () => {
      for (const b of form.querySelectorAll("button[type=submit]")) b.disabled = true;
    });
  }
  // The value box of the reset form only matters for some targets.
  const reset = document.getElementById("reset");
  if (reset) {
    const to = reset.querySelector("select[name=to]");
    const value = reset.querySelector("input[name=value]");
    const sync = () => { value.disabled = to.value === "earliest" || to.value === "latest"; };
    to.addEventListener("change", sync);
    sync();
  }
});
