// The page helpers every page shares, with no inline script (the Content-Security-Policy forbids it):
// the opportunities board's search and filters, and the tables' sorting, filtering and export to a workbook.
(function () {
  "use strict";
  var body = document.body;

  function say(name) { return body.dataset[name] || ""; }

  // A figure as shown in the reader's language (1.234,5 or 1,234.5) back to a number, or null for text.
  function figure(text) {
    var cleaned = text.replace(/[\s\u00a0%]/g, "");
    if (!/^[-+]?[\d.,]+$/.test(cleaned)) { return null; }
    if (body.dataset.lang === "vi") { cleaned = cleaned.replace(/\./g, "").replace(",", "."); }
    else { cleaned = cleaned.replace(/,/g, ""); }
    var value = parseFloat(cleaned);
    return isNaN(value) ? null : value;
  }

  // --- the header's menu on a phone ---------------------------------------------------------------------
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest(".menu-toggle");
    if (!toggle) { return; }
    var open = toggle.closest("header").classList.toggle("open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });

  // --- a form's table of rows: one more blank row ---------------------------------------------------------
  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-row]");
    if (!add) { return; }
    var table = add.previousElementSibling.querySelector("table[data-rows]");
    var last = table.rows[table.rows.length - 1];
    var row = last.cloneNode(true);
    row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
    last.parentNode.appendChild(row);
  });

  // --- the opportunities board -------------------------------------------------------------------------
  function filterBoard(form) {
    var board = form.closest("#board");
    var text = form.querySelector("[data-filter=text]").value.trim().toLowerCase();
    var enterprise = form.querySelector("[data-filter=enterprise]").value;
    var kind = form.querySelector("[data-filter=kind]").value;
    var shown = 0, total = 0;
    board.querySelectorAll(".column").forEach(function (column) {
      var count = 0;
      column.querySelectorAll(".opportunity").forEach(function (card) {
        var match = (!text || card.textContent.toLowerCase().indexOf(text) >= 0) &&
          (!enterprise || (" " + card.dataset.enterprises + " ").indexOf(" " + enterprise + " ") >= 0) &&
          (!kind || card.dataset.kind === kind);
        card.hidden = !match;
        total += 1;
        if (match) { count += 1; shown += 1; }
      });
      column.querySelector("[data-count]").textContent = count;
    });
    var status = form.querySelector("[data-testid=board-shown]");
    status.textContent = (text || enterprise || kind) ?
      status.dataset.template.replace("{shown}", shown).replace("{total}", total) : "";
  }
  document.addEventListener("input", function (event) {
    var form = event.target.closest("[data-board-filter]");
    if (form) { filterBoard(form); }
  });
  document.addEventListener("submit", function (event) {
    if (event.target.matches("[data-board-filter]")) { event.preventDefault(); }
  });

  // --- tables: sort by a column, filter rows, export to a workbook ---------------------------------------
  function rowsOf(table) {
    return Array.prototype.filter.call(table.rows, function (row) { return row.parentNode.tagName !== "THEAD" && !row.querySelector("th"); });
  }
  function sortBy(table, index, header) {
    var rows = rowsOf(table);
    var down = header.getAttribute("aria-sort") === "ascending";
    table.querySelectorAll("th[aria-sort]").forEach(function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", down ? "descending" : "ascending");
    var keyed = rows.map(function (row) {
      var cell = row.cells[index];
      var text = cell ? cell.textContent.trim() : "";
      return {row: row, number: figure(text), text: text};
    });
    keyed.sort(function (a, b) {
      var order = (a.number !== null && b.number !== null) ? a.number - b.number :
        a.text.localeCompare(b.text, body.dataset.lang || "vi", {numeric: true});
      return down ? -order : order;
    });
    var parent = rows.length ? rows[0].parentNode : table;
    keyed.forEach(function (k) { parent.appendChild(k.row); });
  }
  function filterRows(table, text) {
    var needle = text.trim().toLowerCase();
    rowsOf(table).forEach(function (row) { row.hidden = needle && row.textContent.toLowerCase().indexOf(needle) < 0; });
  }
  function exported(table) {
    var headers = Array.prototype.map.call(table.querySelectorAll("tr:first-child th"), function (th) { return th.textContent.trim(); });
    var rows = rowsOf(table).filter(function (row) { return !row.hidden; }).map(function (row) {
      return Array.prototype.map.call(row.cells, function (cell) {
        var text = cell.textContent.trim();
        var number = cell.classList.contains("num") ? figure(text) : null;
        return number === null ? text : number;
      });
    });
    return {title: table.dataset.title || document.title, headers: headers, rows: rows};
  }
  function download(table, button) {
    var token = JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
    button.disabled = true;
    fetch("/export.xlsx", {method: "POST", headers: {"Content-Type": "application/json", "X-CSRF-Token": token},
      body: JSON.stringify(exported(table)), credentials: "same-origin"})
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.blob(); })
      .then(function (blob) {
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = (table.dataset.title || "eipkit").replace(/[^\w\u00C0-\u1EF9-]+/g, "-") + ".xlsx";
        document.body.appendChild(link); link.click(); link.remove();
      })
      .catch(function () { button.classList.add("failed"); })
      .finally(function () { button.disabled = false; });
  }
  function equip(root) {
    root.querySelectorAll(".table-wrap > table:not([data-rows])").forEach(function (table) {
      if (table.dataset.equipped || rowsOf(table).length < 2) { return; }
      table.dataset.equipped = "1";
      if (rowsOf(table).length > 25) { table.parentNode.classList.add("tall"); }  // scrolls in its box, header kept
      var tools = document.createElement("div");
      tools.className = "table-tools";
      var search = document.createElement("input");
      search.type = "search"; search.placeholder = say("filterLabel"); search.setAttribute("aria-label", say("filterLabel"));
      search.addEventListener("input", function () { filterRows(table, search.value); });
      var button = document.createElement("button");
      button.type = "button"; button.textContent = say("exportLabel"); button.dataset.testid = "export";
      button.addEventListener("click", function () { download(table, button); });
      tools.appendChild(search); tools.appendChild(button);
      table.parentNode.parentNode.insertBefore(tools, table.parentNode);
      table.querySelectorAll("tr:first-child th").forEach(function (th, index) {
        th.classList.add("sortable"); th.tabIndex = 0; th.title = say("sortLabel");
        th.addEventListener("click", function () { sortBy(table, index, th); });
        th.addEventListener("keydown", function (e) { if (e.key === "Enter") { sortBy(table, index, th); } });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { equip(document); });
  document.addEventListener("htmx:afterSettle", function () { equip(document); });

  // The opportunities board: a card dragged onto another column is that card's stage form sent with the column's
  // stage, checked by the server as any change is (the select in each card does the same from the keyboard).
  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".opportunity[draggable]");
    if (!card) { return; }
    dragged = card;
    event.dataTransfer.setData("text/plain", card.id);
    event.dataTransfer.effectAllowed = "move";
  });
  document.addEventListener("dragend", function () {
    dragged = null;
    document.querySelectorAll(".column.drop-target").forEach(function (c) { c.classList.remove("drop-target"); });
  });
  document.addEventListener("dragover", function (event) {
    var column = dragged && event.target.closest(".board .column");
    if (!column || column.contains(dragged)) { return; }
    event.preventDefault();
    column.classList.add("drop-target");
  });
  document.addEventListener("dragleave", function (event) {
    var column = event.target.closest(".board .column");
    if (column && !column.contains(event.relatedTarget)) { column.classList.remove("drop-target"); }
  });
  document.addEventListener("drop", function (event) {
    var column = dragged && event.target.closest(".board .column");
    if (!column || column.contains(dragged)) { return; }
    event.preventDefault();
    var form = dragged.querySelector("form");
    form.querySelector("select[name=stage]").value = column.dataset.stage;
    column.classList.remove("drop-target");
    form.requestSubmit();
  });
})();
