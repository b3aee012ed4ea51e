// The console's reports tab: a period picker (week, month, quarter, half-year, year or a range of days,
// dates typed as dd/mm/yyyy or picked from the browser's calendar), the report's figures, its PDF and CSV,
// issuing it under the site's next number, and the numbered reports already issued. Uses console.js's
// api, S, $, esc, I18N and viDateTime.
"use strict";
I18N.add({
  vi: {rp_from: "Từ ngày", rp_busy: "Đang tính báo cáo… (một năm có thể mất vài giây)", rp_bad_date: "Ngày phải có dạng dd/mm/yyyy (ví dụ 05/02/2027).",
       rp_sure: "Phát hành báo cáo này với số tiếp theo của đơn vị? Số đã cấp không thu hồi được.",
       rp_done: "Đã phát hành {n}.", rp_issued_q: "Số đã cấp", rp_served_q: "Đã phục vụ", rp_noshow_q: "Vắng mặt",
       rp_avg_q: "Chờ trung bình", rp_longest_q: "Chờ lâu nhất", rp_ontime_q: "Gọi trong mục tiêu",
       rp_received: "Tiếp nhận", rp_finished: "Đã giải quyết", rp_ontime_d: "Đúng hạn", rp_late: "Trễ hạn",
       rp_rate_d: "Tỷ lệ đúng hạn", rp_supp: "Yêu cầu bổ sung", rp_refused: "Từ chối tiếp nhận tại quầy",
       rp_open: "Đang giải quyết cuối kỳ", rp_nodata: "Không có dữ liệu", rp_none: "Chưa phát hành báo cáo nào."},
  en: {rp_busy: "Computing the report… (a year may take a few seconds)", t_reports: "Reports", dl_periods: "Monthly, quarterly, yearly reports…", rp_title: "Report for a period", rp_kind: "Period", rp_week: "Week", rp_month: "Month",
       rp_quarter: "Quarter", rp_half: "Half-year", rp_year: "Year", rp_range: "Range of days", rp_day: "A day in the period",
       rp_from: "From", rp_to: "To", rp_show: "Show", rp_pdf: "Download PDF (draft, no number)", rp_csv: "Download CSV (Excel)",
       rp_queue: "Queue", rp_dossiers: "Dossiers", rp_sat: "Satisfaction (counter votes)", rp_who: "Officer / agency",
       rp_votes: "Votes", rp_ok: "Satisfied or better", rp_rate: "Rate", rp_issue_t: "Issue with a number (Số: …/BC-…)",
       rp_rec: "Recipients (one per line; empty: the unit's list)", rp_signer_t: "Signer's position",
       rp_signer_n: "Signer's name", rp_issue: "Issue and number", rp_issued: "Reports issued", rp_number: "Number",
       rp_title_c: "Title", rp_at: "Issued", rp_by: "By", rp_bad_date: "Dates are dd/mm/yyyy (e.g. 05/02/2027).",
       rp_sure: "Issue this report under the unit's next number? A number given cannot be taken back.",
       rp_done: "Issued {n}.", rp_issued_q: "Numbers issued", rp_served_q: "Served", rp_noshow_q: "No-shows",
       rp_avg_q: "Average wait", rp_longest_q: "Longest wait", rp_ontime_q: "Called within target",
       rp_received: "Received", rp_finished: "Finished", rp_ontime_d: "On time", rp_late: "Late",
       rp_rate_d: "On-time rate", rp_supp: "Supplement requests", rp_refused: "Refused at the counter",
       rp_open: "In progress at the end", rp_nodata: "No data", rp_none: "No report issued yet."},
});

const RP = {period: null, wired: false};

// dd/mm/yyyy ⇄ a calendar date (no time zone involved: a day is the site's day)
function rpParse(text) {
  const m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(text || "");
  if (!m) return null;
  const [d, mo, y] = [+m[1], +m[2], +m[3]];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  return dt.getUTCDate() === d && dt.getUTCMonth() === mo - 1 ? dt : null;
}
const rpText = (dt) => `${String(dt.getUTCDate()).padStart(2, "0")}/${String(dt.getUTCMonth() + 1).padStart(2, "0")}/${dt.getUTCFullYear()}`;
const rpIso = (dt) => dt.toISOString().slice(0, 10);

function rpToday() {  // today in the site's time zone
  const p = Object.fromEntries(new Intl.DateTimeFormat("en-GB", {timeZone: S.tz, day: "2-digit", month: "2-digit",
    year: "numeric"}).formatToParts(new Date()).map((x) => [x.type, x.value]));
  return new Date(Date.UTC(+p.year, +p.month - 1, +p.day));
}

function isoWeek(dt) {  // ISO 8601 week of a date: [year, week]
  const d = new Date(dt); const day = (d.getUTCDay() + 6) % 7;
  d.setUTCDate(d.getUTCDate() - day + 3);
  const first = new Date(Date.UTC(d.getUTCFullYear(), 0, 4));
  return [d.getUTCFullYear(), 1 + Math.round(((d - first) / 86400000 - 3 + ((first.getUTCDay() + 6) % 7)) / 7)];
}

// The period the form names, written as the API reads it (2026-W49, 2026-11, 2026-Q4, 2026-H2, 2026, a..b)
function rpPeriod(f) {
  const kind = f.kind.value;
  const day = rpParse(f.day.value);
  if (!day) throw new Error(I18N.t("rp_bad_date"));
  const y = day.getUTCFullYear(), m = day.getUTCMonth() + 1;
  if (kind === "range") {
    const to = rpParse(f.to.value);
    if (!to) throw new Error(I18N.t("rp_bad_date"));
    return `${rpIso(day)}..${rpIso(to)}`;
  }
  if (kind === "week") { const [wy, w] = isoWeek(day); return `${wy}-W${String(w).padStart(2, "0")}`; }
  if (kind === "month") return `${y}-${String(m).padStart(2, "0")}`;
  if (kind === "quarter") return `${y}-Q${Math.floor((m - 1) / 3) + 1}`;
  if (kind === "half") return `${y}-H${m <= 6 ? 1 : 2}`;
  return `${y}`;
}

function rpKind(f) {
  const range = f.kind.value === "range";
  $("rp-to-l").hidden = !range;
  $("rp-day-l").querySelector("span").textContent = I18N.t(range ? "rp_from" : "rp_day");
}

const rpDur = (s) => s == null ? I18N.t("rp_nodata") : `${Math.round(s / 60)} ${I18N.t("min")}`;
const rpPct = (x) => x == null ? I18N.t("rp_nodata") : `${(x * 100).toFixed(1).replace(".", I18N.lang === "vi" ? "," : ".")}%`;
const rpDl = (items) => items.map(([k, v]) => `<div><dt>${esc(I18N.t(k))}</dt><dd>${esc(v)}</dd></div>`).join("");

function rpRender(rep) {
  const q = rep.queue.total, t = rep.report.total, ev = rep.dossier_events;
  $("rp-label").textContent = `${rep.period_label} ${rep.kind === "range" ? "" : rep.span_label}`;
  $("rp-queue").innerHTML = rpDl([["rp_issued_q", q.issued], ["rp_served_q", q.served], ["rp_noshow_q", q.no_show],
    ["rp_avg_q", rpDur(q.avg_wait_s)], ["rp_longest_q", rpDur(q.longest_wait_s)], ["rp_ontime_q", rpPct(q.on_time_rate)]]);
  $("rp-dossiers").innerHTML = rpDl([["rp_received", t.received], ["rp_finished", t.finished], ["rp_ontime_d", t.on_time],
    ["rp_late", t.late + t.open_overdue], ["rp_rate_d", rpPct(t.on_time_rate)], ["rp_supp", ev.supplement_requests],
    ["rp_refused", ev.refused_at_intake], ["rp_open", ev.in_progress_at_end]]);
  const rows = [...Object.entries(rep.satisfaction.by_officer), ...Object.entries(rep.satisfaction.by_agency)];
  $("rp-sat").querySelector("tbody").innerHTML = rows.map(([name, v]) => `<tr><td>${esc(name)}</td><td>${v.votes}</td>
    <td>${v.satisfied}</td><td>${esc(rpPct(v.rate))}</td></tr>`).join("")
    || `<tr><td colspan="4">${esc(I18N.t("rp_nodata"))}</td></tr>`;
  const base = `/api/v1/sites/${encodeURIComponent(S.site)}/reports/period`;
  const qs = `?period=${encodeURIComponent(rep.period)}`;
  $("rp-pdf").href = `${base}.pdf${qs}`; $("rp-csv").href = `${base}.csv${qs}`;
  $("rp-out").hidden = false;
}

async function rpShow(ev) {
  if (ev) ev.preventDefault();
  const f = $("f-report");
  $("rp-err").textContent = "";
  const asked = RP.asked = (RP.asked || 0) + 1;  // only the last request asked is shown
  try {
    RP.period = rpPeriod(f);
    $("rp-err").className = "ok"; $("rp-err").textContent = I18N.t("rp_busy");
    const rep = await api("GET", `/api/v1/sites/${encodeURIComponent(S.site)}/reports/period.json?period=${encodeURIComponent(RP.period)}`);
    if (asked !== RP.asked) return;
    rpRender(rep);
    $("rp-err").textContent = "";
  } catch (e) {
    if (asked !== RP.asked) return;
    $("rp-err").className = "err"; $("rp-err").textContent = e.message; $("rp-out").hidden = true;
  }
}

async function rpList() {
  const rows = (await api("GET", `/api/v1/sites/${encodeURIComponent(S.site)}/reports/issued`)).reports;
  $("rp-list").querySelector("tbody").innerHTML = rows.map((r) => `<tr><td class="nowrap">${esc(r.number_line)}</td>
    <td>${esc(r.title)}</td><td class="nowrap">${esc(viDateTime(r.issued_at))}</td><td>${esc(r.issued_by)}</td>
    <td><a href="/api/v1/sites/${encodeURIComponent(S.site)}/reports/issued/${r.year}/${r.number}.pdf">PDF</a></td></tr>`).join("")
    || `<tr><td colspan="5">${esc(I18N.t("rp_none"))}</td></tr>`;
}

async function rpIssue(ev) {
  ev.preventDefault();
  const f = ev.target, out = $("rp-issue-err");
  out.className = "err"; out.textContent = "";
  if (!RP.period || !confirm(I18N.t("rp_sure"))) return;
  const body = {period: RP.period, recipients: f.recipients.value.split("\n").map((x) => x.trim()).filter(Boolean)};
  if (f.signer_title.value.trim()) body.signer_title = f.signer_title.value.trim();
  if (f.signer_name.value.trim()) body.signer_name = f.signer_name.value.trim();
  try {
    const r = await api("POST", `/api/v1/sites/${encodeURIComponent(S.site)}/reports/issued`, body);
    out.className = "ok"; out.textContent = I18N.t("rp_done").replace("{n}", r.number_line);
    await rpList();
  } catch (e) { out.textContent = e.message; }
}

window.loadReports = async function loadReports() {
  const f = $("f-report");
  if (!RP.wired) {
    RP.wired = true;
    const today = rpToday();
    f.day.value = rpText(today); f.to.value = rpText(today);
    for (const r of f.querySelectorAll("input[name=kind]")) r.addEventListener("change", () => rpKind(f));
    for (const p of f.querySelectorAll("input.picker")) {  // the browser's calendar fills the dd/mm/yyyy field
      p.addEventListener("change", () => { if (p.value) $(p.dataset.target).value = rpText(new Date(p.value + "T00:00:00Z")); });
      p.addEventListener("focus", () => { const d = rpParse($(p.dataset.target).value); if (d) p.value = rpIso(d); });
    }
    f.addEventListener("submit", rpShow);
    $("f-issue").addEventListener("submit", rpIssue);
    document.addEventListener("langchange", () => rpKind(f));
    rpKind(f);
  }
  try { await rpList(); await rpShow(); } catch (e) { $("err").textContent = e.message; }
};
