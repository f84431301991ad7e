// Poll a job's progress and reload the page when it ends (progressive enhancement).
(function () {
  var box = document.getElementById("job");
  if (!box) return;
  var id = box.getAttribute("data-job");
  var names = { queued: "排队中", running: "进行中", done: "已完成", failed: "失败" };
  function tick() {
    fetch("/api/jobs/" + id, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (job) {
        if (!job) { setTimeout(tick, 3000); return; }
        var bar = document.getElementById("job-progress");
        if (bar) {
          bar.max = job.total || 1;
          bar.value = job.total ? job.done : 0;
          document.getElementById("job-count").textContent = job.done + "/" + (job.total || "?");
        }
        document.getElementById("job-status").textContent = names[job.status] || job.status;
        var msg = document.getElementById("job-message");
        if (msg) msg.textContent = job.message || "";
        if (job.status === "done" || job.status === "failed") { window.location.reload(); }
        else { setTimeout(tick, 1000); }
      })
      .catch(function () { setTimeout(tick, 3000); });
  }
  setTimeout(tick, 800);
})();
