// Starts GOV.UK Frontend's components (error summary focus, service navigation toggle, ...).
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();

// After a save the page opens at the top with a success banner (role="alert", tabindex="-1").
// GOV.UK Frontend focuses it; make sure of it when something else (a fragment, the browser's
// scroll restoration) took focus first, so keyboard and screen-reader users hear it.
const banner = document.querySelector('.govuk-notification-banner[role="alert"]');
if (banner && document.activeElement !== banner) {
  banner.setAttribute("tabindex", "-1");
  banner.focus();
}

// A page that is waiting for something (a background board pack) marks a region with
// data-app-poll="<seconds>". Instead of reloading the whole page (a timed refresh moves focus
// and fails WCAG 2.2.1), fetch the page again and replace only that live region; stop once the
// fresh page no longer asks to be polled.
const waiting = document.querySelector("[data-app-poll]");
if (waiting) {
  const seconds = Number(waiting.dataset.appPoll) || 3;
  const poll = async () => {
    try {
      const response = await fetch(window.location.href, { credentials: "same-origin" });
      if (response.ok) {
        const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
        const region = fresh.getElementById(waiting.id);
        if (region) {
          // Only touch the live region when something changed, so screen readers are not
          // read the same progress again every few seconds.
          if (region.innerHTML.trim() !== waiting.innerHTML.trim()) {
            waiting.innerHTML = region.innerHTML;
            document.title = fresh.title;
          }
          if (!region.hasAttribute("data-app-poll")) {
            waiting.removeAttribute("data-app-poll");
            return;
          }
        }
      }
    } catch {
      // A network hiccup: try again at the next tick; the "Check progress now" link still works.
    }
    window.setTimeout(poll, seconds * 1000);
  };
  window.setTimeout(poll, seconds * 1000);
}

// A draft board pack is rendered while the person waits (several seconds for a PDF). A link
// marked data-app-download fetches the file itself and, once a second has passed, says in a
// status region next to it that the pack is being produced and for how long so far; the file
// is then saved as the plain link would. Anything but a file (the page offering a background
// pack, an error page) is opened as the link would open it. Without JavaScript the link works
// as an ordinary download.
const filenameOf = (response) => {
  const header = response.headers.get("Content-Disposition") || "";
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(header);
  return match ? decodeURIComponent(match[1]) : "";
};

document.querySelectorAll("a[data-app-download]").forEach((link) => {
  const status = document.getElementById(link.dataset.appDownload);
  if (!status) return;
  link.addEventListener("click", async (event) => {
    if (event.ctrlKey || event.metaKey || event.shiftKey || link.dataset.appBusy) return;
    event.preventDefault();
    link.dataset.appBusy = "1";
    const started = Date.now();
    let timer = null;
    const tick = () => {
      const seconds = Math.round((Date.now() - started) / 1000);
      status.querySelector("[data-app-elapsed]").textContent = `${seconds} s`;
    };
    const shown = window.setTimeout(() => {
      status.innerHTML =
        '<span class="app-spinner" aria-hidden="true"></span> ' +
        `${link.dataset.appDownloadMessage || "Producing the file"}… ` +
        '<span data-app-elapsed aria-hidden="true">1 s</span>';
      timer = window.setInterval(tick, 1000);
    }, 1000);
    const done = (message) => {
      window.clearTimeout(shown);
      if (timer) window.clearInterval(timer);
      status.textContent = message;
      delete link.dataset.appBusy;
    };
    try {
      const response = await fetch(link.href, { credentials: "same-origin" });
      const name = filenameOf(response);
      if (!response.ok || !name) {
        done("");
        window.location.assign(response.url || link.href);
        return;
      }
      const url = URL.createObjectURL(await response.blob());
      const save = document.createElement("a");
      save.href = url;
      save.download = name;
      document.body.appendChild(save);
      save.click();
      save.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 60000);
      done(`Downloaded ${name}.`);
    } catch {
      done("");
      window.location.assign(link.href);
    }
  });
});
