// The compose form's live marking: asks the server (the security engine) for the overall
// marking and portion marks of the labels picked so far. The form works without it.
"use strict";

(function () {
  const form = document.getElementById("compose");
  if (!form) return;
  const overall = form.querySelector("[data-overall-marking]");
  const token = form.querySelector("input[name=csrf_token]").value;
  const pickers = Array.from(form.querySelectorAll("[data-label-picker]"));
  const levels = ["unclassified", "restricted", "confidential", "secret", "top-secret"];
  let latest = 0;

  function picked() {
    return pickers
      .map((picker) => ({
        picker: picker,
        classification: picker.querySelector("[data-classification]").value,
        releasable: Array.from(picker.querySelectorAll("[data-releasable]:checked")).map(
          (box) => box.value
        ),
      }))
      .filter((entry) => entry.classification !== "");
  }

  async function update() {
    const chosen = picked();
    pickers.forEach((picker) => {
      picker.querySelector("[data-portion-mark]").textContent = "";
    });
    if (chosen.length === 0) return;
    const request = ++latest;
    const response = await fetch(form.dataset.markingUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
      body: JSON.stringify({
        portions: chosen.map((entry) => ({
          classification: entry.classification,
          releasable: entry.releasable,
        })),
      }),
    });
    if (request !== latest) return; // a newer choice is on its way
    const answer = await response.json();
    overall.classList.remove(...levels);
    if (!response.ok) {
      overall.textContent = answer.error || answer.detail || "?";
      return;
    }
    overall.textContent = answer.marking;
    overall.classList.add(answer.css);
    chosen.forEach((entry, index) => {
      entry.picker.querySelector("[data-portion-mark]").textContent =
        "(" + answer.portions[index] + ")";
    });
  }

  form.addEventListener("change", (event) => {
    if (event.target.closest("[data-label-picker]")) update();
  });
  update();
})();
