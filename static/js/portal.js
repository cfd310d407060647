// Small behaviours htmx does not cover. Loaded with `defer` on every page;
// everything here enhances markup that already works without it.
"use strict";

// Report the learner's time zone so the server shows times in it.
(function reportTimezone() {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone) return;
  const value = encodeURIComponent(zone);
  if (document.cookie.split("; ").includes("tz=" + value)) return;
  const secure = location.protocol === "https:" ? "; secure" : "";
  document.cookie = "tz=" + value + "; path=/; max-age=31536000; samesite=lax" + secure;
})();

// htmx leaves the page as it is when a request fails; say so where the
// learner is looking and in the live region screen readers follow: the one
// the form names in data-announcement, else the watched toggle's.
function reportFailure(event) {
  const source = event.detail.elt && event.detail.elt.closest("[data-announcement]");
  const region = document.getElementById(source ? source.dataset.announcement : "watched-announcement");
  if (!region) return;
  const status = event.detail.xhr ? event.detail.xhr.status : 0;
  // The page carries the messages in its own language (data-too-many, data-failed).
  region.textContent = status === 429 ? region.dataset.tooMany : region.dataset.failed;
  region.classList.remove("visually-hidden");
  region.classList.add("notice");
}
document.addEventListener("htmx:responseError", reportFailure);
document.addEventListener("htmx:sendError", reportFailure);

// A note's change swaps out the control that had focus: put focus where the
// learner carries on. Adding: the empty form, for the next note. Saving or
// cancelling an edit: the note. Deleting: the notes' heading. (Opening the
// edit form focuses its text by autofocus.)
document.addEventListener("htmx:afterSettle", (event) => {
  if (document.activeElement && document.activeElement !== document.body) return;
  const path = event.detail.pathInfo ? event.detail.pathInfo.requestPath : "";
  const verb = event.detail.requestConfig ? event.detail.requestConfig.verb : "";
  const note = path.match(/\/notes\/(\d+)\/(edit\/)?$/);
  let target = null;
  if (/\/notes\/$/.test(path)) target = document.getElementById("note-body");
  else if (/\/notes\/\d+\/delete\/$/.test(path)) target = document.getElementById("notes-title");
  else if (note && (verb === "post" || !note[2])) target = document.getElementById(`note-${note[1]}`);
  if (target) target.focus();
});

// The theme form answers htmx with a themeChanged event: apply it at once.
document.body.addEventListener("themeChanged", (event) => {
  const theme = event.detail.theme;
  if (theme === "light" || theme === "dark") {
    document.documentElement.dataset.theme = theme;
  } else {
    delete document.documentElement.dataset.theme;
  }
  for (const button of document.querySelectorAll(".theme-menu__options button")) {
    button.setAttribute("aria-pressed", String(button.value === theme));
  }
  const menu = document.querySelector(".theme-menu");
  if (menu && menu.open) {
    menu.open = false;
    menu.querySelector("summary").focus();
  }
});

// The video poster becomes the YouTube player only when pressed. A lecture's
// own video (data-api) is player.js's: it also ties the notes to the player.
document.addEventListener("click", (event) => {
  const poster = event.target.closest(".video__poster[data-embed]");
  if (!poster || "api" in poster.dataset || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  const player = document.createElement("iframe");
  player.src = poster.dataset.embed;
  player.title = poster.dataset.title;
  player.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen";
  player.allowFullscreen = true;
  player.referrerPolicy = "strict-origin-when-cross-origin";
  poster.replaceWith(player);
  player.focus();
});

// Keyboard shortcuts on a lecture page: m (watched), n / p (next, previous), ? (help).
// Keys are matched where they sit on the keyboard (event.code), so they work on
// any layout: on a Russian one the same keys type ь, т, з and Shift+, for ?.
const SHORTCUTS = { KeyM: "watched", KeyN: "next", KeyP: "previous" };

function shortcut(event) {
  if (event.key === "?" || (event.code === "Slash" && event.shiftKey)) return "help";
  return event.shiftKey ? undefined : SHORTCUTS[event.code];
}
const shortcuts = document.getElementById("shortcuts");

function typing(target) {
  return target.closest("input, textarea, select, [contenteditable]:not([contenteditable='false'])") !== null;
}

function follow(rel) {
  const link = document.querySelector(`.pager a[rel="${rel}"]`);
  if (link) link.click();
}

if (shortcuts) {
  document.querySelector("[data-shortcuts-open]").addEventListener("click", () => shortcuts.showModal());
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target) || shortcuts.open) return;
    switch (shortcut(event)) {
      case "watched": {
        const toggle = document.getElementById("watched-button");
        if (!toggle) return;
        toggle.click();
        break;
      }
      case "next":
        follow("next");
        break;
      case "previous":
        follow("prev");
        break;
      case "help":
        shortcuts.showModal();
        break;
      default:
        return;
    }
    event.preventDefault();
  });
}

// The syllabus beside a lecture scrolls on its own: bring the current lecture into its view.
(function showCurrentLecture() {
  const current = document.querySelector(".syllabus-aside [aria-current='page']");
  if (!current) return;
  const aside = current.closest(".syllabus-aside");
  if (aside.scrollHeight <= aside.clientHeight) return;
  aside.scrollTop = current.offsetTop - (aside.clientHeight - current.offsetHeight) / 2;
})();
