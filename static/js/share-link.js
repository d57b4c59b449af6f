// The "Copy link" control of a shareable view (templates/includes/_share_link.html).
//
// Without this script the page shows a read-only field holding the link, to copy by hand. With
// it, the field is tucked away behind a "Copy link" button that writes the link to the clipboard
// (the Clipboard API, available on https and localhost) and says so in a polite live region. When
// the browser has no Clipboard API or refuses (permissions, an insecure origin), the field comes
// back with the link selected and focused, so Ctrl+C (Cmd+C) or the context menu copies it; the
// live region says that too. The button is a real <button>, so Enter and Space work.

function say(status, message) {
  // Clear first so the same message is announced again on a second press.
  status.textContent = "";
  window.setTimeout(() => {
    status.textContent = message;
  }, 50);
}

function showField(control) {
  const fallback = control.querySelector("[data-share-fallback]");
  const field = control.querySelector("[data-share-field]");
  fallback.hidden = false;
  field.focus();
  field.select();
  say(
    control.querySelector("[data-share-status]"),
    "Your browser did not let the page copy the link. It is selected in the box: press Ctrl+C (Cmd+C on a Mac) to copy it.",
  );
}

async function copy(control) {
  const field = control.querySelector("[data-share-field]");
  const status = control.querySelector("[data-share-status]");
  if (!navigator.clipboard || !window.isSecureContext) {
    showField(control);
    return;
  }
  try {
    await navigator.clipboard.writeText(field.value);
  } catch {
    showField(control);
    return;
  }
  say(status, "Link copied. Paste it into an email or message: it opens this view with the same choices.");
}

function enhance(control) {
  if (control.dataset.shareReady) {
    return;
  }
  control.dataset.shareReady = "1";
  const button = control.querySelector("[data-share-button]");
  const fallback = control.querySelector("[data-share-fallback]");
  const field = control.querySelector("[data-share-field]");
  fallback.hidden = true;
  button.hidden = false;
  button.addEventListener("click", () => copy(control));
  // Selecting the whole link on focus saves a triple-click when copying by hand.
  field.addEventListener("focus", () => field.select());
}

document.querySelectorAll("[data-share-link]").forEach(enhance);
