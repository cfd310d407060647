// A lecture's own YouTube video, and the notes tied to its timeline. Loaded on
// lecture pages with a video; without it the poster and the notes' times are
// links to YouTube. Nothing is loaded from YouTube until the learner presses
// play or a note's time. The player is driven through the messages YouTube's
// IFrame API exchanges with it, without YouTube's own script.
"use strict";

(function studyPlayer() {
  const PLAYER_ORIGIN = "https://www.youtube-nocookie.com";
  const PLAYING = 1;
  const BUFFERING = 3;
  const player = { frame: null, ready: false, time: 0, state: -1, pendingSeek: null };

  function send(message) {
    if (!player.frame || !player.frame.contentWindow) return;
    const envelope = Object.assign({ id: 1, channel: "widget" }, message);
    player.frame.contentWindow.postMessage(JSON.stringify(envelope), PLAYER_ORIGIN);
  }

  function command(func, args) {
    send({ event: "command", func: func, args: args || [] });
  }

  function create(poster, start) {
    const url = new URL(poster.dataset.embed);
    // Only now, as the player is made: it may take commands and say where it is.
    url.searchParams.set("enablejsapi", "1");
    url.searchParams.set("origin", location.origin);
    if (start !== undefined) url.searchParams.set("start", String(Math.floor(start)));
    const frame = document.createElement("iframe");
    frame.src = url.toString();
    frame.title = poster.dataset.title;
    frame.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen";
    frame.allowFullscreen = true;
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    poster.replaceWith(frame);
    player.frame = frame;
    // The player reports only once asked; ask until it answers (for 20 s at most).
    let tries = 0;
    const asking = setInterval(() => {
      tries += 1;
      if (player.ready || tries > 80) {
        clearInterval(asking);
        return;
      }
      send({ event: "listening" });
    }, 250);
    frame.addEventListener("load", () => send({ event: "listening" }));
    return frame;
  }

  window.addEventListener("message", (event) => {
    if (!player.frame || event.source !== player.frame.contentWindow || event.origin !== PLAYER_ORIGIN) return;
    let data = event.data;
    if (typeof data === "string") {
      try {
        data = JSON.parse(data);
      } catch {
        return;
      }
    }
    if (!data || typeof data !== "object") return;
    const info = data.info;
    if (data.event === "onStateChange" && typeof info === "number") player.state = info;
    if ((data.event === "infoDelivery" || data.event === "initialDelivery") && info && typeof info === "object") {
      if (typeof info.currentTime === "number") player.time = info.currentTime;
      if (typeof info.playerState === "number") player.state = info.playerState;
    }
    if (!player.ready) {
      player.ready = true;
      revealTimeButtons();
    }
    if (player.pendingSeek !== null) {
      const seconds = player.pendingSeek;
      player.pendingSeek = null;
      seek(seconds);
    }
  });

  function seek(seconds) {
    if (!player.ready) {
      player.pendingSeek = seconds;
      return;
    }
    command("seekTo", [seconds, true]);
    command("playVideo");
    player.time = seconds;
  }

  function playing() {
    return player.ready && (player.state === PLAYING || player.state === BUFFERING);
  }

  // 125 -> "2:05", 3750 -> "1:02:30": what the server reads, as the player shows it.
  function format(seconds) {
    const whole = Math.max(0, Math.floor(seconds));
    const hours = Math.floor(whole / 3600);
    const minutes = Math.floor((whole % 3600) / 60);
    const rest = String(whole % 60).padStart(2, "0");
    return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${minutes}:${rest}`;
  }

  // "Use the video's time" means something only once the player reports its time.
  function revealTimeButtons() {
    if (!player.ready) return;
    for (const button of document.querySelectorAll("[data-note-now]")) button.hidden = false;
  }
  document.addEventListener("htmx:load", revealTimeButtons);

  function fillTime(form, always) {
    const input = form && form.querySelector("input[name='time']");
    if (!input || !player.ready) return;
    // A time the learner typed or cleared is theirs: only their button overrides it.
    if (!always && (input.value || form.dataset.timeTouched)) return;
    input.value = format(player.time);
    form.dataset.timeTouched = "true";
  }

  document.addEventListener("click", (event) => {
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    const poster = event.target.closest(".video__poster[data-api]");
    if (poster) {
      event.preventDefault();
      create(poster).focus();
      return;
    }
    const now = event.target.closest("[data-note-now]");
    if (now) {
      fillTime(now.form, true);
      return;
    }
    const link = event.target.closest("a[data-seconds]");
    if (!link) return;
    const seconds = Number(link.dataset.seconds);
    const waiting = document.querySelector(".video__poster[data-api]");
    if (!Number.isFinite(seconds) || (!player.frame && !waiting)) return;
    event.preventDefault();
    // A note's time plays the video from there: the player moves, or starts at that second.
    if (player.frame) seek(seconds);
    else create(waiting, seconds);
    player.frame.scrollIntoView({ block: "nearest" });
  });

  document.addEventListener("input", (event) => {
    const form = event.target.closest(".note-form");
    if (!form) return;
    if (event.target.name === "time") form.dataset.timeTouched = "true";
    // A note begun while the video plays is about that moment.
    else if (event.target.name === "body" && playing()) fillTime(form, false);
  });

  // Capture: before htmx reads the form, so the time goes with the note.
  document.addEventListener(
    "submit",
    (event) => {
      if (event.target.id === "note-form" && playing()) fillTime(event.target, false);
    },
    true,
  );
})();
