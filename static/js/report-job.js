// The report job page: follows the build's progress and reloads when it is done or has failed.
// A file of its own, not inline, so the Content-Security-Policy can forbid inline scripts.
(function () {
  var box = document.getElementById("job-progress");
  if (!box || box.dataset.active !== "1") { return; }
  var bar = document.getElementById("job-progress-bar");
  var text = document.getElementById("job-progress-text");
  function poll() {
    fetch(box.dataset.statusUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (s) {
        bar.value = s.progress; text.textContent = s.progress + "%";
        if (s.state === "done" || s.state === "failed") { window.location.reload(); } else { setTimeout(poll, 1500); }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
