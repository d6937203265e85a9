// Turning web push on or off for this device, on the notification settings page. The browser
// asks the person first; the subscription (the push service's address and this browser's keys)
// goes to the server with the page's CSRF token. Without this script the page still works;
// only push stays off.
"use strict";
document.addEventListener("DOMContentLoaded", async () => {
  const panel = document.getElementById("push");
  if (!panel) return;
  const state = panel.querySelector("[data-push-state]");
  const form = panel.querySelector("[data-push-form]");
  const on = panel.querySelector("[data-push-on]");
  const off = panel.querySelector("[data-push-off]");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const say = (text) => { state.textContent = text; };
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    say("This browser cannot receive push notifications. Install Coparent to your home screen, or use another browser, to get them.");
    return;
  }
  const key = Uint8Array.from(atob(panel.dataset.key.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  const send = (url, body) => fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
    body: JSON.stringify(body),
  });
  const registration = await navigator.serviceWorker.ready;
  const show = async () => {
    const subscription = await registration.pushManager.getSubscription();
    on.hidden = Boolean(subscription);
    off.hidden = !subscription;
    form.hidden = false;
    if (Notification.permission === "denied") {
      say("Notifications are blocked for this site in your browser's settings.");
      on.disabled = true;
    } else {
      say(subscription ? "Push is on for this device." : "Push is off for this device.");
    }
  };
  on.addEventListener("click", async () => {
    try {
      const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
      const reply = await send(panel.dataset.subscribeUrl, subscription.toJSON());
      if (!reply.ok) {
        await subscription.unsubscribe();
        say("This server could not use this browser's push service.");
        return;
      }
    } catch (error) {
      say("Push could not be turned on: " + error.message);
      return;
    }
    await show();
  });
  off.addEventListener("click", async () => {
    const subscription = await registration.pushManager.getSubscription();
    if (subscription) {
      await send(panel.dataset.unsubscribeUrl, { endpoint: subscription.endpoint });
      await subscription.unsubscribe();
    }
    await show();
  });
  await show();
});
