// Starts GOV.UK Frontend's components (error summary focus, service navigation toggle, ...).
import { initAll } from "../govuk/govuk-frontend.min.js";

// GOV.UK Frontend's conditional reveals mark each radio that controls one aria-expanded, an
// attribute ARIA does not allow on a radio (axe: a critical aria-allowed-attr failure). The
// radio keeps aria-controls and the revealed fields follow it in the tab order, so take
// aria-expanded off each time GOV.UK Frontend sets it.
const dropExpanded = (radio) => radio.removeAttribute("aria-expanded");
new MutationObserver((changes) => {
  for (const change of changes) {
    if (change.target.type === "radio" && change.target.hasAttribute("aria-expanded")) {
      dropExpanded(change.target);
    }
  }
}).observe(document.body, { attributes: true, attributeFilter: ["aria-expanded"], subtree: true });

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

// Tables stack into labelled rows on phones (app.scss): give each body cell its column's
// name, read from the table's own header row, unless the template already named it.
for (const table of document.querySelectorAll("table.govuk-table")) {
  const headerRow = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
  if (!headerRow) continue;
  const names = [];
  for (const th of headerRow.cells) {
    // The visible words only: a sort link's hidden "(sorted ascending…)" is not a label.
    const copy = th.cloneNode(true);
    for (const hidden of copy.querySelectorAll(".govuk-visually-hidden")) hidden.remove();
    const name = copy.textContent.replace(/\s+/g, " ").trim();
    for (let i = 0; i < (th.colSpan || 1); i += 1) names.push(name);
  }
  for (const body of table.tBodies) {
    for (const row of body.rows) {
      let column = 0;
      for (const cell of row.cells) {
        if (cell.colSpan === 1 && !cell.hasAttribute("data-label") && names[column]) {
          cell.setAttribute("data-label", names[column]);
        }
        column += cell.colSpan || 1;
      }
    }
  }
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
