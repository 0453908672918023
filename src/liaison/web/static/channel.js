// The channel page, live: listens on the event stream (/api/v1/stream, signed in by the session
// cookie) and, when a message of this channel is posted, edited or deleted, fetches it as the
// page shows it (the server decides what the reader may see) and puts it in place, raising the
// banners when it carries a higher marking. Without it the page is complete: reload to update.
"use strict";

(function () {
  const list = document.querySelector("[data-messages]");
  if (!list || !("WebSocket" in window)) return;
  const channel = list.dataset.channel;
  const status = document.querySelector("[data-live-status]");
  const idle = status ? status.textContent : "";
  const banners = Array.from(document.querySelectorAll("[data-banner]"));
  const levels = ["unclassified", "restricted", "confidential", "secret", "top-secret"];
  let cursor = null;
  let delay = 1000;

  function shownLabels() {
    const ids = new Set();
    document.querySelectorAll("[data-label]").forEach((node) => ids.add(node.dataset.label));
    return Array.from(ids).join(",");
  }

  function setBanner(marking, css) {
    banners.forEach((banner) => {
      banner.classList.remove(...levels);
      banner.classList.add(css);
      banner.textContent = marking;
    });
  }

  function place(item) {
    const existing = document.getElementById(item.id);
    if (existing) {
      const replies = existing.querySelector(":scope > article > [data-replies]");
      const fresh = item.querySelector(":scope > article > [data-replies]");
      if (replies && fresh) fresh.replaceWith(replies); // keep the replies already shown
      existing.replaceWith(item);
      return;
    }
    const root = item.dataset.thread && document.getElementById("m-" + item.dataset.thread);
    const target = root ? root.querySelector(":scope > article > [data-replies]") : null;
    (target || list).appendChild(item);
    const empty = document.querySelector("[data-empty]");
    if (empty) empty.remove();
  }

  async function show(messageId) {
    const url =
      "/channels/" + channel + "/messages/" + messageId + "/fragment?shown=" + shownLabels();
    const response = await fetch(url, { credentials: "same-origin" });
    if (response.status === 404) {
      const gone = document.getElementById("m-" + messageId); // no longer readable
      if (gone) gone.remove();
      return;
    }
    if (!response.ok) return;
    const html = await response.text();
    const fragment = new DOMParser()
      .parseFromString(html, "text/html")
      .querySelector("[data-fragment]");
    const item = fragment && fragment.querySelector("[data-message]");
    if (!item) return;
    place(document.importNode(item, true));
    setBanner(fragment.dataset.bannerMarking, fragment.dataset.bannerCss);
  }

  function onFrame(event) {
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch (error) {
      return;
    }
    cursor = frame.cursor || cursor;
    if (frame.object_type !== "message" || !frame.object_id) return;
    const data = frame.data || {};
    if (data.channel_id && data.channel_id !== channel) return;
    show(frame.object_id); // without a channel in the data, the fragment route decides
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const query = cursor ? "?cursor=" + encodeURIComponent(cursor) : "";
    const socket = new WebSocket(scheme + location.host + "/api/v1/stream" + query);
    socket.addEventListener("open", () => {
      delay = 1000;
      if (status) status.textContent = status.dataset.liveText;
    });
    socket.addEventListener("message", onFrame);
    socket.addEventListener("close", (event) => {
      if (status) status.textContent = idle;
      if (event.code === 1008 && !cursor) return; // refused: signed out
      if (event.code === 1008) cursor = null; // a stale cursor: start afresh
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    });
  }

  connect();
})();
