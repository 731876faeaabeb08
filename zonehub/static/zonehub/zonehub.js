// Behaviour every page shares, as a file: the Content-Security-Policy runs no inline script or
// on…= attribute. A <select data-autosubmit> sends its form when it changes (language, month, year).
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) {
    el.form.submit();
  }
});

// Issue 12. A text box with data-maxlength-counter="2000" gets a live count under it ("已输入 123 /
// 2000 字", red once over; the texts come from data-counter-text / data-counter-over, translated by
// the page). A list with data-filter-list gets its search box (data-filter-input, hidden until this
// script runs) that hides the items (data-filter-item, data-filter-text) not matching what is typed,
// and the groups (data-filter-group) left empty; a ticked item always stays in sight. Forms swapped
// in by htmx are set up too.
(function () {
  function count(box) {
    var max = parseInt(box.getAttribute("data-maxlength-counter"), 10);
    var n = Array.from(box.value).length; // characters, as the server counts them
    var out = box.zhCounter;
    if (!out) {
      out = document.createElement("div");
      out.className = "form-text";
      out.setAttribute("data-counter", "");
      out.setAttribute("aria-live", "polite");
      box.insertAdjacentElement("afterend", out);
      box.zhCounter = out;
    }
    var text = (box.getAttribute("data-counter-text") || "{n} / {max}").replace("{n}", n).replace("{max}", max);
    if (n > max) {
      text += " · " + (box.getAttribute("data-counter-over") || "").replace("{over}", n - max);
    }
    out.textContent = text;
    out.classList.toggle("text-danger", n > max);
  }

  function filter(input) {
    var list = input.closest("[data-filter-list]");
    if (!list) return;
    var words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    list.querySelectorAll("[data-filter-item]").forEach(function (item) {
      var text = (item.getAttribute("data-filter-text") || item.textContent).toLowerCase();
      var box = item.querySelector("input");
      var match = (box && box.checked) || words.every(function (w) { return text.indexOf(w) !== -1; });
      item.hidden = !match;
      if (match) shown += 1;
    });
    list.querySelectorAll("[data-filter-group]").forEach(function (group) {
      group.hidden = !group.querySelector("[data-filter-item]:not([hidden])");
    });
    var empty = list.querySelector("[data-filter-empty]");
    if (empty) empty.hidden = shown > 0;
  }

  function setUp(root) {
    root.querySelectorAll("textarea[data-maxlength-counter]").forEach(count);
    root.querySelectorAll("[data-filter-input]").forEach(function (input) {
      input.hidden = false;
      if (input.value) filter(input);
    });
  }

  document.addEventListener("input", function (event) {
    var el = event.target;
    if (el instanceof HTMLTextAreaElement && el.hasAttribute("data-maxlength-counter")) count(el);
    if (el instanceof HTMLInputElement && el.hasAttribute("data-filter-input")) filter(el);
  });
  // Enter in the search box filters; it does not send the form.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target instanceof HTMLInputElement &&
        event.target.hasAttribute("data-filter-input")) {
      event.preventDefault();
    }
  });
  document.addEventListener("htmx:load", function (event) { setUp(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  } else {
    setUp(document);
  }
})();
