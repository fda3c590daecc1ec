// Running totals on the quarterly return form (progressive enhancement: the server checks the same
// sums when the return is saved or submitted, and says so beside each breakdown).
// Each breakdown's fieldset names the input holding its total (data-total-input); under the fieldset a
// line says what its categories add up to, and how far that is from the total, as the numbers change.
(function () {
  var groups = document.querySelectorAll("[data-running-total]");
  if (!groups.length) { return; }
  function number(text) {
    var clean = String(text || "").replace(/[,\s]/g, "");
    if (clean === "") { return 0; }
    return /^-?\d+(\.\d+)?$/.test(clean) ? Number(clean) : NaN;
  }
  function update(group) {
    var sum = 0;
    var unreadable = false;
    group.querySelectorAll("input[type=text]").forEach(function (input) {
      var value = number(input.value);
      if (isNaN(value)) { unreadable = true; } else { sum += value; }
    });
    var output = group.querySelector("[data-running-total-output]");
    var totalInput = document.getElementById(group.getAttribute("data-total-input"));
    var text = "Running total: " + sum.toLocaleString("en-GB");
    if (totalInput && totalInput.value.trim() !== "" && !isNaN(number(totalInput.value))) {
      var total = number(totalInput.value);
      var label = group.getAttribute("data-total-label") || "the total";
      if (sum === total) {
        text += ", which matches " + label + " (" + total.toLocaleString("en-GB") + ")";
      } else {
        var gap = total - sum;
        text += " of " + total.toLocaleString("en-GB") + " for " + label + ": "
          + Math.abs(gap).toLocaleString("en-GB") + (gap > 0 ? " still to place" : " too many");
      }
    }
    if (unreadable) { text += ". Some boxes do not hold a whole number yet."; }
    output.textContent = text;
  }
  groups.forEach(function (group) {
    var output = document.createElement("p");
    output.className = "govuk-body-s govuk-!-margin-top-2 app-running-total";
    output.setAttribute("data-running-total-output", "");
    output.setAttribute("aria-live", "polite");
    group.appendChild(output);
    group.addEventListener("input", function () { update(group); });
    var totalInput = document.getElementById(group.getAttribute("data-total-input"));
    if (totalInput) { totalInput.addEventListener("input", function () { update(group); }); }
    update(group);
  });
})();
