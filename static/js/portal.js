// Small behaviours htmx does not cover. Loaded with `defer` on every page.
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
// learner is looking and in the live region screen readers follow.
function reportFailure(event) {
  const region = document.getElementById("watched-announcement");
  if (!region) return;
  const status = event.detail.xhr ? event.detail.xhr.status : 0;
  region.textContent =
    status === 429
      ? "Too many changes in a short time. Wait a minute, then try again."
      : "That did not save. Check your connection and try again.";
  region.classList.remove("visually-hidden");
  region.classList.add("notice");
}
document.addEventListener("htmx:responseError", reportFailure);
document.addEventListener("htmx:sendError", reportFailure);
