/* Staff pages: the text-size buttons in the header (stored like the public site's setting),
 * forms that submit when their select changes (data-autosubmit) and print buttons
 * (data-print), so that no inline script is needed under the staff pages'
 * Content-Security-Policy. */
(function () {
  var root = document.documentElement;

  function markPressed(group) {
    var current = root.getAttribute("data-text") || "";
    group.querySelectorAll("button[data-text-size]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-text-size") === current));
    });
  }

  document.querySelectorAll(".textsize").forEach(function (group) {
    group.hidden = false;
    markPressed(group);
    group.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-text-size]");
      if (!button) {
        return;
      }
      var size = button.getAttribute("data-text-size");
      if (size) {
        root.setAttribute("data-text", size);
      } else {
        root.removeAttribute("data-text");
      }
      try {
        if (size) {
          window.localStorage.setItem("gk-text-size", size);
        } else {
          window.localStorage.removeItem("gk-text-size");
        }
      } catch (error) {
        /* Storage blocked: the size holds for this page only. */
      }
      markPressed(group);
    });
  });

  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form) {
        select.form.submit();
      }
    });
  });
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
