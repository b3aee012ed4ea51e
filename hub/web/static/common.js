// What the console's pages share (the console, the fleet page): escaping, dates in a site's time zone,
// tables that stack on a phone.
"use strict";
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));

// dd/mm/yyyy HH:MM in time zone `tz` (a site's, never the browser's), from a Date
function dmyHm(date, tz) {
  const p = Object.fromEntries(new Intl.DateTimeFormat("en-GB", {timeZone: tz || "Asia/Ho_Chi_Minh", day: "2-digit",
    month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23"}).formatToParts(date).map((x) => [x.type, x.value]));
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}

// On a phone a wide table's rows are stacked: each cell says what it is (its column's heading).
function labelCells(table) {
  const heads = [...table.tHead.rows[0].cells].map((th) => th.textContent);
  for (const tr of table.tBodies[0].rows) [...tr.cells].forEach((td, i) => { if (heads[i] && td.colSpan === 1) td.dataset.label = heads[i]; });
}
