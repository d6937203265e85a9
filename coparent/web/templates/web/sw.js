// Coparent's service worker (served at /sw.js, so its scope is the whole site).
// - Keeps the app's shell (styles, scripts, icons, the offline page) in a cache, so the app
//   opens fast and says "you are offline" instead of the browser's error page.
// - Never caches a family's pages or data, but one: they are private and must be current; on a
//   shared phone, nothing of a family stays behind in the cache after logging out.
// - The one exception is a child's emergency card (docs/infobank.md): fetched from the network
//   first, its last copy kept in a cache of its own for when there is none — a babysitter at
//   the park needs the allergies most when the signal is gone. The copy is dropped when the
//   server no longer shows the card (access ended) and when the person logs out here.
// - Shows web push notifications and opens their link on a tap.
"use strict";
const CACHE = "coparent-shell-{{ version }}";
const OFFLINE = "{{ offline }}";
const ICON = "{{ icon }}";
const CARDS = "coparent-cards";
const CARD_PATH = /^\/families\/[0-9a-f-]{36}\/info\/[0-9a-f-]{36}\/card\/$/;
const LOGOUT = "{{ logout }}";
const SHELL = [{% for url in shell %}"{{ url }}"{% if not forloop.last %}, {% endif %}{% endfor %}];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith("coparent-shell-") && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim())
  );
});

// Network first; a copy of each card shown is kept, and served only when the network fails.
function card(request) {
  return fetch(request)
    .then((response) => {
      const copy = response.clone();
      caches.open(CARDS).then((cache) =>
        response.ok && !response.redirected ? cache.put(request, copy) : cache.delete(request)
      );
      return response;
    })
    .catch(() =>
      caches.open(CARDS)
        .then((cache) => cache.match(request))
        .then((hit) => hit || caches.match(OFFLINE))
    );
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && url.pathname === LOGOUT) {
    // Logging out forgets every card kept on this device.
    event.waitUntil(caches.delete(CARDS));
    return;
  }
  if (request.method !== "GET") return;
  if (request.mode === "navigate" && CARD_PATH.test(url.pathname)) {
    event.respondWith(card(request));
    return;
  }
  if (request.mode === "navigate") {
    // Pages always come from the network; without one, the offline page.
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE)));
    return;
  }
  if (SHELL.includes(url.pathname)) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = {};
  }
  event.waitUntil(
    self.registration.showNotification(data.title || "Coparent", {
      body: data.body || "",
      tag: data.tag,
      icon: ICON,
      badge: ICON,
      data: { url: data.url || "/notifications/" },
    })
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const wanted = (event.notification.data && event.notification.data.url) || "/notifications/";
  const target = new URL(wanted, self.location.origin);
  if (target.origin !== self.location.origin) return; // only ever this site's own pages
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      for (const client of windows) {
        if (client.url === target.href && "focus" in client) return client.focus();
      }
      return self.clients.openWindow(target.href);
    })
  );
});
