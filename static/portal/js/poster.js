// The poster's print button (shown only when scripts run).
document.addEventListener("DOMContentLoaded", function () {
  var button = document.querySelector(".print-button");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
