// Passkeys (WebAuthn) on the account pages: adding one, logging in with one, and using one as
// the second step. The server's options come in a data attribute (no inline script: the
// Content-Security-Policy forbids it); webauthn-json, shipped with django-allauth, turns them
// into the browser's calls and the answers back into JSON, which the form then posts.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const webauthn = window.webauthnJSON;
  if (!webauthn || !window.PublicKeyCredential) return; // the button stays hidden

  function wire(form, ceremony) {
    const button = form.querySelector("[data-passkey-start]");
    const failed = form.querySelector("[data-passkey-error]");
    if (!button) return;
    button.hidden = false;
    button.addEventListener("click", async () => {
      if (failed) failed.hidden = true;
      try {
        const credential = await ceremony();
        form.elements.credential.value = JSON.stringify(credential);
        form.submit();
      } catch (error) {
        if (failed) failed.hidden = false;
      }
    });
  }

  // A new passkey: discoverable (it can log in alone) and unlocked by the person (fingerprint,
  // face, PIN), which the server checks again.
  document.querySelectorAll("form[data-passkey-add]").forEach((form) => {
    wire(form, () => {
      const options = JSON.parse(form.dataset.passkeyAdd).creation_options;
      const selection = (options.publicKey.authenticatorSelection ||= {});
      selection.residentKey = "required";
      selection.requireResidentKey = true;
      selection.userVerification = "required";
      return webauthn.create(options);
    });
  });

  // Logging in without a password: a fresh challenge from the server, then any passkey.
  document.querySelectorAll("form[data-passkey-login]").forEach((form) => {
    wire(form, async () => {
      const answer = await fetch(form.action, { headers: { Accept: "application/json" } });
      if (!answer.ok) throw new Error("no challenge");
      return webauthn.get((await answer.json()).request_options);
    });
  });

  // The second step after the password, with one of the person's passkeys.
  document.querySelectorAll("form[data-passkey-authenticate]").forEach((form) => {
    wire(form, () => webauthn.get(JSON.parse(form.dataset.passkeyAuthenticate).request_options));
  });
});
