// Saves typed answers to the server every 15 seconds while they change, so a timed-out session
// loses at most that much typing. Files are not autosaved; the Save button still submits them.
(function () {
  var form = document.querySelector("form[data-autosave-url]");
  if (!form || !window.fetch) { return; }
  var status = document.getElementById("autosave-status");
  var dirty = false;
  form.addEventListener("input", function () { dirty = true; });
  function save() {
    if (!dirty) { return; }
    dirty = false;
    var data = new FormData();
    form.querySelectorAll("textarea, input[type=text]").forEach(function (field) {
      data.append(field.name, field.value);
    });
    data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    fetch(form.getAttribute("data-autosave-url"), {
      method: "POST", body: data, credentials: "same-origin", headers: { "X-Requested-With": "fetch" },
    }).then(function (response) {
      return response.json().then(function (body) {
        if (status) { status.textContent = body.saved ? "Draft saved at " + body.at : body.message; }
        if (!body.saved) { dirty = true; }
      });
    }).catch(function () {
      dirty = true;
      if (status) { status.textContent = "Could not save your draft. Check your connection; your typing is still on this page."; }
    });
  }
  window.setInterval(save, 15000);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") { save(); } });
})();
