// runform pages: progressive enhancement only. Every page works without this
// file except the upload (which needs it to stream the video with a progress bar).
"use strict";

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

function formatSeconds(t) {
  return (Math.round(t * 100) / 100).toFixed(2) + " s";
}

// The video timeline: markers seek the video they belong to.
function setUpTimelines() {
  document.querySelectorAll("[data-timeline]").forEach((bar) => {
    const video = document.getElementById(bar.dataset.timeline);
    if (!video) return;
    const place = () => {
      const duration = video.duration;
      if (!isFinite(duration) || duration <= 0) return;
      bar.querySelectorAll("[data-time]").forEach((mark) => {
        const t = parseFloat(mark.dataset.time);
        mark.style.left = Math.min(100, Math.max(0, (100 * t) / duration)) + "%";
        mark.hidden = false;
      });
    };
    video.addEventListener("loadedmetadata", place);
    if (video.readyState >= 1) place();
    bar.addEventListener("click", (event) => {
      const mark = event.target.closest("[data-time]");
      if (!mark) return;
      video.currentTime = parseFloat(mark.dataset.time);
      video.focus();
    });
  });
  document.querySelectorAll("[data-seek]").forEach((link) => {
    link.addEventListener("click", (event) => {
      const video = document.getElementById(link.dataset.video);
      if (!video) return;
      event.preventDefault();
      video.currentTime = parseFloat(link.dataset.seek);
      video.scrollIntoView({ block: "center" });
      video.focus();
    });
  });
}

// A note pinned to the moment the coach paused at.
function setUpNoteTimes() {
  document.querySelectorAll("[data-use-time]").forEach((button) => {
    const video = document.getElementById(button.dataset.video);
    const field = document.getElementById(button.dataset.useTime);
    if (!video || !field) return;
    button.hidden = false;
    const show = () => { button.textContent = "Use video time (" + formatSeconds(video.currentTime) + ")"; };
    video.addEventListener("timeupdate", show);
    show();
    button.addEventListener("click", () => { field.value = video.currentTime.toFixed(2); });
  });
}

// Two videos aligned on a landing, played together.
function setUpPairs() {
  document.querySelectorAll("[data-pair]").forEach((box) => {
    const videos = Array.from(box.querySelectorAll("video[data-offset]"));
    const button = box.querySelector("[data-play-both]");
    if (videos.length !== 2 || !button) return;
    button.hidden = false;
    const align = () => {
      const [a, b] = videos;
      b.currentTime = Math.max(0, a.currentTime - parseFloat(a.dataset.offset) + parseFloat(b.dataset.offset));
    };
    button.addEventListener("click", () => {
      if (videos[0].paused) {
        videos.forEach((v) => { v.currentTime = parseFloat(v.dataset.offset); });
        Promise.all(videos.map((v) => v.play())).catch(() => {});
        button.textContent = "Pause both";
      } else {
        videos.forEach((v) => v.pause());
        align();
        button.textContent = "Play both from the landing";
      }
    });
  });
}

// Live progress of an analysis: poll the session's JSON until it ends.
function describeJob(job) {
  if (!job) return "waiting";
  if (job.state === "queued") return "waiting in the queue";
  if (job.state === "running") {
    const stage = job.stage === "video" ? "drawing the video" : "finding the body in each frame";
    if (job.frames_total) return stage + ": frame " + job.frames_done + " of " + job.frames_total;
    return stage;
  }
  if (job.state === "done") return "done";
  if (job.state === "failed") return "failed: " + job.reason;
  return job.state;
}

function watchJob(box) {
  const url = box.dataset.jobPoll;
  const bar = box.querySelector("progress");
  const text = box.querySelector("[data-job-text]");
  let delay = 1500;
  const tick = () => {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((session) => {
        const job = session.job;
        if (text) text.textContent = describeJob(job);
        if (bar && job && job.frames_total) { bar.max = job.frames_total; bar.value = job.frames_done; }
        if (job && (job.state === "done" || job.state === "failed" || job.state === "cancelled")) {
          if (box.dataset.doneUrl) window.location.assign(box.dataset.doneUrl);
          else window.location.reload();
          return;
        }
        setTimeout(tick, delay);
      })
      .catch(() => { delay = Math.min(10000, delay * 2); setTimeout(tick, delay); });
  };
  tick();
}

// The upload: the file goes as the request body with a progress bar, then the
// analysis progress is followed on the page of the new session.
function setUpUploads() {
  document.querySelectorAll("form[data-upload]").forEach((form) => {
    const input = form.querySelector('input[type="file"]');
    const bar = form.querySelector("progress");
    const text = form.querySelector("[data-upload-text]");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!input.files.length) { text.textContent = "Choose a video first."; return; }
      const file = input.files[0];
      const params = new URLSearchParams({ filename: file.name });
      const date = form.querySelector('input[name="date"]');
      if (date && date.value) params.set("date", date.value);
      const drill = form.querySelector('select[name="drill"]');
      if (drill && drill.value) params.set("drill", drill.value);
      const request = new XMLHttpRequest();
      request.open("POST", form.dataset.upload + "?" + params.toString());
      request.setRequestHeader("Content-Type", "application/octet-stream");
      const token = csrfToken();
      if (token) request.setRequestHeader("X-CSRF-Token", token);
      bar.hidden = false; bar.value = 0;
      form.querySelectorAll("button, input, select").forEach((el) => { el.disabled = true; });
      request.upload.addEventListener("progress", (e) => {
        if (e.lengthComputable) {
          bar.max = e.total; bar.value = e.loaded;
          text.textContent = "Uploading: " + Math.round((100 * e.loaded) / e.total) + " %";
        }
      });
      request.addEventListener("load", () => {
        let body = {};
        try { body = JSON.parse(request.responseText); } catch (e) { body = {}; }
        if (request.status === 201 || (request.status === 409 && body.session_id)) {
          const id = body.id || body.session_id;
          text.textContent = request.status === 409 ? "This video was uploaded before." : "Uploaded. Analysing...";
          window.location.assign(form.dataset.sessionUrl.replace("{id}", id));
          return;
        }
        text.textContent = "The upload was refused: " + (body.detail || request.statusText) + (body.hint ? " (" + body.hint + ")" : "");
        form.querySelectorAll("button, input, select").forEach((el) => { el.disabled = false; });
      });
      request.addEventListener("error", () => {
        text.textContent = "The upload did not finish (connection lost). Try again.";
        form.querySelectorAll("button, input, select").forEach((el) => { el.disabled = false; });
      });
      request.send(file);
    });
  });
}

document.addEventListener("DOMContentLoaded", () => {
  setUpTimelines();
  setUpNoteTimes();
  setUpPairs();
  setUpUploads();
  document.querySelectorAll("[data-job-poll]").forEach(watchJob);
});
