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
