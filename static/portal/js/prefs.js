/* Runs in <head>, before the page is drawn: applies the text size and contrast the
 * reader chose last time (kept in this browser's localStorage), so there is no flash. */
(function () {
  var root = document.documentElement;
  root.className = root.className.replace(/\bno-js\b/, "js");
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
