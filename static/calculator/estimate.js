// The live estimator (templates/calculator/estimate.html), without inline script or hx-on, so a
// strict Content-Security-Policy can forbid both. htmx fires its events on the form and they bubble.
(function () {
  "use strict";

  var form = document.getElementById("estimate-form");
  if (!form) return;

  // Before each request: clear the messages beside the fields; the fragment sends back those that
  // still apply (hx-swap-oob).
  form.addEventListener("htmx:beforeRequest", function () {
    form.querySelectorAll(".field .error, #error-summary").forEach(function (e) {
      e.textContent = "";
    });
  });

  // A new province: forget the city of the last one, so the request asks for a city and its answer
  // swaps in the new province's city list (#region-choice, hx-swap-oob). This listener runs before
  // the form's own (the event reaches the select before it bubbles to the form).
  var province = document.getElementById("id_province");
  if (province) {
    province.addEventListener("change", function () {
      var city = document.getElementById("id_region");
      if (city) city.value = "";
    });
  }

  // A request that failed (no network, a 5xx such as the 503 while the database is down, a
  // timeout): htmx swaps nothing, so the old result would stay beside inputs that no longer match
  // it. Replace it with a message; the next good answer swaps the whole section back in.
  function showFailure() {
    var result = document.getElementById("estimator");
    if (!result) return;
    var title = document.createElement("h2");
    title.id = "result-title";
    title.textContent = "暂时算不出来";
    var message = document.createElement("p");
    message.className = "request-failed";
    message.textContent = "网络或服务器出了问题，请稍后再试。你填的内容都还在。";
    result.replaceChildren(title, message);
  }

  ["htmx:sendError", "htmx:responseError", "htmx:timeout"].forEach(function (name) {
    form.addEventListener(name, showFailure);
  });
})();
