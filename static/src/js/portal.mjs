// Starts GOV.UK Frontend's components (error summary focus, character counts, and so on).
import { initAll } from "./govuk-frontend.min.js";

initAll();

// A form marked data-drop-hidden-choices does not send the choices inside a conditional reveal that is
// hidden (a lot's areas once the lot is unticked), so what the person sees is what is saved.
document.querySelectorAll("form[data-drop-hidden-choices]").forEach((form) => {
  form.addEventListener("submit", () => {
    form.querySelectorAll(".govuk-checkboxes__conditional--hidden input[type=checkbox]").forEach((input) => {
      input.checked = false;
    });
  });
});
