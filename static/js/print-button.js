/* A "Print" button that opens the browser's print dialog. Loaded as a file (no inline script, for a strict Content
   Security Policy); without JavaScript the button stays hidden and the page says to use the browser's Print command. */
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-print-button]");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].hidden = false;
    buttons[i].addEventListener("click", function () {
      window.print();
    });
  }
})();
