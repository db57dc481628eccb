/* Staff pages (工作台 and 目录管理): runs in <head>, before the page is drawn, and applies the
 * text size and contrast chosen on the public site or in the staff header (the same keys in
 * this browser's localStorage as static/portal/js/prefs.js), so there is no flash. */
(function () {
  var root = document.documentElement;
  try {
    var size = window.localStorage.getItem("gk-text-size");
    if (size === "lg" || size === "xl") {
      root.setAttribute("data-text", size);
    }
    if (window.localStorage.getItem("gk-contrast") === "high") {
      root.setAttribute("data-contrast", "high");
    }
  } catch (error) {
    /* Storage blocked (private mode): keep the defaults. */
  }
})();
