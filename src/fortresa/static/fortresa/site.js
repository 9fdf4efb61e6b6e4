// Site-wide progressive enhancement; every page works without it.
// A form marked data-confirm="Question?" asks before it is sent (cancel a booking,
// remove a member); without JavaScript the form is sent straight away.
"use strict";
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm) {
    if (!window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  }
});
