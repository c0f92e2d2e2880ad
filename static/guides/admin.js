// The project's admin script, loaded (deferred) on every admin page by templates/admin/base_site.html.
// No framework and no inline script anywhere (a strict Content-Security-Policy is planned):
// - the article editor: live preview beside the body, figure tokens inserted with one click;
// - preview links: a click selects the whole address, ready to copy;
// - change forms: a warning before leaving a page whose edits are not saved.
(function () {
  "use strict";

  // ---------------------------------------------------------------------------------------------
  // Article editor

  // Put the live preview and the token list beside the body (side by side on wide screens,
  // below it on narrow ones; see .md-row in admin.css) and hide the fieldset that held them.
  function placePreview() {
    var row = document.querySelector(".form-row.field-body");
    var side = document.querySelector(".md-layout");
    if (!row || !side) {
      return;
    }
    var box = side.closest("fieldset");
    var tokens = side.querySelector("details.tokens");
    if (tokens && window.matchMedia("(max-width: 767px)").matches) {
      tokens.open = false; // a phone shows the long token list only when asked
    }
    row.classList.add("md-row");
    row.appendChild(side);
    if (box) {
      box.hidden = true;
    }
  }

  // A click (or Enter) on a token in the list inserts it at the cursor in the body, or at its end
  // when the body has not had the cursor yet.
  function insertTokens() {
    var body = document.getElementById("id_body");
    var codes = document.querySelectorAll(".token-list code[data-token]");
    if (!body || !codes.length) {
      return;
    }
    var cursorPlaced = false;
    body.addEventListener("focus", function () {
      cursorPlaced = true;
    });
    function insert(token) {
      if (body.readOnly || body.disabled) {
        return;
      }
      var start = cursorPlaced ? body.selectionStart : body.value.length;
      var end = cursorPlaced ? body.selectionEnd : start;
      body.value = body.value.slice(0, start) + token + body.value.slice(end);
      body.focus();
      body.selectionStart = body.selectionEnd = start + token.length;
      body.dispatchEvent(new Event("input", { bubbles: true }));
    }
    codes.forEach(function (el) {
      el.setAttribute("role", "button");
      el.setAttribute("tabindex", "0");
      el.setAttribute("title", "插入到正文");
      el.addEventListener("click", function () {
        insert(el.dataset.token);
      });
      el.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          insert(el.dataset.token);
        }
      });
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Preview links: the whole address is selected on focus or click.

  function selectShareUrls() {
    document.querySelectorAll("input.share-url").forEach(function (input) {
      input.addEventListener("focus", function () {
        input.select();
      });
      input.addEventListener("click", function () {
        input.select();
      });
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Unsaved changes: the browser asks before the page is left with edits nobody saved.
  //
  // A form counts as edited when what it would submit differs from what it held once the page had
  // loaded, or when the page shows a refused save (its typed text is not stored anywhere yet).
  // Submitting the form itself never warns. Forms opt out with data-unsaved-warning="off".

  function formState(form) {
    var parts = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.name === "csrfmiddlewaretoken") {
        return;
      }
      var type = (el.type || "").toLowerCase();
      if (type === "submit" || type === "button" || type === "reset" || type === "image") {
        return;
      }
      if (type === "checkbox" || type === "radio") {
        parts.push([el.name, el.value, el.checked]);
      } else if (type === "select-multiple") {
        // Django's two-box filter (SelectFilter2) keeps the chosen options, unselected, in
        // "<id>_to" and the others in "<id>_from": read the chosen set the same way before and
        // after the widget has been built.
        if (el.classList.contains("filtered") && /_from$/.test(el.id)) {
          return;
        }
        var all = el.classList.contains("filtered") && /_to$/.test(el.id);
        var values = Array.prototype.filter
          .call(el.options, function (option) {
            return all || option.selected;
          })
          .map(function (option) {
            return option.value;
          })
          .sort();
        parts.push([el.name, values]);
      } else if (type === "file") {
        parts.push([el.name, el.files ? el.files.length : 0, el.value]);
      } else {
        parts.push([el.name, String(el.value).replace(/\r\n?/g, "\n")]);
      }
    });
    return JSON.stringify(parts);
  }

  function watchUnsavedChanges() {
    var forms = Array.prototype.filter.call(
      document.querySelectorAll("#content-main form[method='post' i][id$='_form']"),
      function (form) {
        return form.dataset.unsavedWarning !== "off";
      }
    );
    if (!forms.length) {
      return;
    }
    var initial = new Map();
    var submitting = false;
    forms.forEach(function (form) {
      form.addEventListener("submit", function () {
        submitting = true;
      });
    });
    // After every "load" handler has run (Django builds its widgets, such as the two-box filter, then).
    function snapshot() {
      forms.forEach(function (form) {
        initial.set(form, formState(form));
      });
    }
    if (document.readyState === "complete") {
      setTimeout(snapshot, 0);
    } else {
      window.addEventListener("load", function () {
        setTimeout(snapshot, 0);
      });
    }
    function edited(form) {
      if (form.querySelector(".errornote, .errorlist, .conflict")) {
        return true; // a refused save: what is on screen was typed, not stored
      }
      return initial.has(form) && initial.get(form) !== formState(form);
    }
    window.addEventListener("beforeunload", function (event) {
      if (submitting || !forms.some(edited)) {
        return;
      }
      event.preventDefault();
      event.returnValue = ""; // older browsers need a value to show the prompt
    });
    // The page came back from the back/forward cache after a submit: watch again.
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) {
        submitting = false;
      }
    });
  }

  placePreview();
  insertTokens();
  selectShareUrls();
  watchUnsavedChanges();
})();
