// Behaviour every page shares, as a file: the Content-Security-Policy runs no inline script or
// on…= attribute. A <select data-autosubmit> sends its form when it changes (language, month, year).
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) {
    el.form.submit();
  }
});
