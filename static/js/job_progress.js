// Follows a background job (an import, templates/registry/import_job.html; an annual report,
// reports/templates/reports/report_job.html): polls its status URL (JSON: running, done, total,
// progress_text), moves the progress bar and, once the work is over, reloads the page, which
// then shows the outcome.
// Without JavaScript the page refreshes itself (a meta refresh inside <noscript>).
(function () {
  var section = document.querySelector("[data-job-status]");
  if (!section) return;
  var bar = section.querySelector("progress");
  var text = section.querySelector("[data-progress-text]");

  function poll() {
    fetch(section.dataset.jobStatus, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        // Signed out meanwhile (sent to the sign-in page), or refused: the page itself says why.
        if (response.redirected || !response.ok) return { running: false };
        return response.json();
      })
      .then(function (status) {
        if (!status.running) {
          window.location.reload();
          return;
        }
        if (status.total) {
          bar.max = status.total;
          bar.value = Math.min(status.done, status.total);
        }
        text.textContent = status.progress_text;
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        window.setTimeout(poll, 5000); // the server is out of reach for now: try again
      });
  }

  window.setTimeout(poll, 1000);
})();
