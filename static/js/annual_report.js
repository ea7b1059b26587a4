// Downloads the report in the background so the page shows that it is working, then saves it.
(function () {
  var form = document.getElementById("report-form");
  var status = document.getElementById("report-progress");
  if (!form || !window.fetch) { return; }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("button");
    var url = form.action + "?" + new URLSearchParams(new FormData(form)).toString();
    button.disabled = true;
    status.hidden = false;
    fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { return response.text().then(function (text) { throw new Error(text); }); }
        var name = (response.headers.get("Content-Disposition") || "").split("filename=")[1] || "report";
        return response.blob().then(function (blob) {
          var link = document.createElement("a");
          link.href = URL.createObjectURL(blob);
          link.download = name.replace(/"/g, "");
          document.body.appendChild(link);
          link.click();
          link.remove();
          status.querySelector("span").textContent = link.download;
        });
      })
      .catch(function (error) { status.querySelector("span").textContent = error.message; })
      .finally(function () { button.disabled = false; status.querySelector("progress").hidden = true; });
  });
})();
