// Passkey ceremonies (WebAuthn) for the security, sign-in and verification pages.
// Loaded with the page's CSP nonce; the pages work without it (passwords and codes).
"use strict";

(function () {
  if (!window.PublicKeyCredential || !navigator.credentials) {
    return;
  }

  function toBytes(value) {
    const base64 = value.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "===".slice((base64.length + 3) % 4);
    return Uint8Array.from(atob(padded), function (c) { return c.charCodeAt(0); }).buffer;
  }

  function toText(buffer) {
    const bytes = new Uint8Array(buffer);
    let binary = "";
    for (let i = 0; i < bytes.length; i += 1) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function post(url, form, extra) {
    const body = new FormData();
    body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    Object.keys(extra || {}).forEach(function (key) { body.append(key, extra[key]); });
    return fetch(url, { method: "POST", body: body, credentials: "same-origin" });
  }

  function say(form, text) {
    const status = form.querySelector(".passkey-status");
    if (status) {
      status.textContent = text;
    }
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      return { type: item.type, id: toBytes(item.id), transports: item.transports };
    });
  }

  async function finish(response, form) {
    const answer = await response.json();
    if (answer.redirect || answer.reauthenticate) {
      window.location.assign(answer.redirect || answer.reauthenticate);
      return;
    }
    say(form, answer.error || form.dataset.failed || "");
  }

  async function register(form) {
    const optionsResponse = await post(form.dataset.optionsUrl, form);
    if (!optionsResponse.ok) {
      await finish(optionsResponse, form);
      return;
    }
    const options = await optionsResponse.json();
    options.challenge = toBytes(options.challenge);
    options.user.id = toBytes(options.user.id);
    options.excludeCredentials = descriptors(options.excludeCredentials);
    const credential = await navigator.credentials.create({ publicKey: options });
    const answer = {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      response: {
        clientDataJSON: toText(credential.response.clientDataJSON),
        attestationObject: toText(credential.response.attestationObject),
        transports: credential.response.getTransports ? credential.response.getTransports() : [],
      },
      clientExtensionResults: credential.getClientExtensionResults(),
    };
    const name = form.querySelector("[name=name]").value;
    await finish(await post(form.action, form, { name: name, credential: JSON.stringify(answer) }), form);
  }

  async function signIn(form) {
    const optionsResponse = await post(form.dataset.optionsUrl, form);
    const options = await optionsResponse.json();
    options.challenge = toBytes(options.challenge);
    options.allowCredentials = descriptors(options.allowCredentials);
    const credential = await navigator.credentials.get({ publicKey: options });
    const response = credential.response;
    const answer = {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      response: {
        clientDataJSON: toText(response.clientDataJSON),
        authenticatorData: toText(response.authenticatorData),
        signature: toText(response.signature),
        userHandle: response.userHandle ? toText(response.userHandle) : null,
      },
      clientExtensionResults: credential.getClientExtensionResults(),
    };
    const next = form.querySelector("[name=next]");
    await finish(
      await post(form.action, form, { credential: JSON.stringify(answer), next: next ? next.value : "" }),
      form,
    );
  }

  function wire(containerId, ceremony) {
    const container = document.getElementById(containerId);
    if (!container) {
      return;
    }
    container.hidden = false;
    const form = container.querySelector("form");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      say(form, "");
      ceremony(form).catch(function () { say(form, form.dataset.failed || ""); });
    });
  }

  wire("passkey-register", register);
  wire("passkey-login", signIn);
})();
