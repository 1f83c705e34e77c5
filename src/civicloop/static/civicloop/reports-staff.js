// Response templates on the staff work page: choosing one fills the message at once.
// Without JavaScript, the "Use template" button does the same through the server.
(function () {
  "use strict";
  var data = document.getElementById("response-templates");
  if (!data) {
    return;
  }
  var texts = JSON.parse(data.textContent);
  document.querySelectorAll("select[data-template-target]").forEach(function (select) {
    select.addEventListener("change", function () {
      var target = document.getElementById("id_" + select.getAttribute("data-template-target"));
      if (target && Object.prototype.hasOwnProperty.call(texts, select.value)) {
        target.value = texts[select.value];
        target.focus();
      }
    });
  });
})();
