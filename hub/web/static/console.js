// The console: one page, tabs by role; every figure comes from the authenticated API, live parts from
// the server-sent stream. Times are shown in the site's time zone, whatever the browser's.
"use strict";
I18N.add({
  vi: {app: "Bảng điều hành", switch: "English", signout: "Đăng xuất", open: "Đang mở", paused: "Tạm dừng",
       closed: "Đóng", none: "—", min: "phút", live_on: "Trực tiếp", live_off: "Mất kết nối, đang nối lại…",
       today: "Hôm nay", t_on_time: "Gọi đúng hẹn (trong mục tiêu)", t_issued: "Đã cấp số", t_served: "Đã phục vụ",
       t_no_show: "Vắng mặt", t_waiting: "Đang chờ", t_avg_wait: "Chờ trung bình", t_longest: "Chờ lâu nhất",
       no_alerts: "Không có cảnh báo.", release: "Giải phóng", saved: "Đã lưu.", reset: "Đặt lại mật khẩu", deactivate: "Khóa",
       activate: "Mở khóa", active: "đang dùng", inactive: "đã khóa", revoke: "Thu hồi", nothing: "Không có.",
       total_line: "Tiếp nhận {r} · Đã giải quyết {f} · Đúng hạn {o} · Trễ hạn {l} (có xin lỗi {a})",
       ask_temp: "Mật khẩu tạm mới (ít nhất 10 ký tự):", arrivals_s: "Lượt đến", waiting_s: "Đang chờ",
       pw_done: "Đã đổi mật khẩu.",
       in_service: "Đang hoạt động", retired: "Đã ngừng", retire: "Ngừng", restore: "Khôi phục", edit: "Sửa",
       working: "Đang làm việc", own_staff: "Bộ phận một cửa", own_staff_pick: "Bộ phận một cửa (không cử)", at_counter_now: "Đang ở quầy {n}",
       services_cap: "Dịch vụ", counters_cap: "Quầy", new_officer: "— Thêm cán bộ mới —", new_service: "— Thêm dịch vụ mới —",
       new_counter: "— Thêm quầy mới —", pick_agency: "— Chọn cơ quan —", remove_day: "Bỏ ngày",
       sure_retire_service: "Ngừng dịch vụ {name}? Dịch vụ sẽ không còn trên ki-ốt và ở các quầy; phiếu, hồ sơ và báo cáo cũ vẫn giữ nguyên. Có thể khôi phục sau.",
       sure_retire_counter: "Ngừng {name}? Quầy sẽ không còn trên màn hình sảnh, bảng điều hành và trong danh sách chọn; lịch sử vẫn giữ. Có thể khôi phục sau.",
       sure_retire_officer: "Cho cán bộ {name} ngừng làm việc? Cán bộ bị đăng xuất ngay và không đăng nhập quầy được nữa; lịch sử phục vụ và đánh giá vẫn giữ. Có thể khôi phục sau.",
       sure_restore_service: "Khôi phục dịch vụ {name}? Dịch vụ sẽ hiện lại trên ki-ốt (hãy chọn lại quầy phục vụ dịch vụ này).",
       sure_restore_counter: "Khôi phục {name}?", sure_restore_officer: "Khôi phục cán bộ {name}? Cán bộ đăng nhập quầy được trở lại.",
       sure_deactivate: "Khóa tài khoản {name}? Tài khoản bị đăng xuất ngay; có thể mở khóa sau.",
       sure_sent: "Xác nhận đã gửi kết quả hồ sơ {code} qua bưu chính, số hiệu bưu gửi {tracking}? Hồ sơ sẽ được ghi là đã trả kết quả.",
       sure_replace_catalog: "Tệp là toàn bộ danh mục: các thủ tục không có trong tệp sẽ bị rút khỏi ki-ốt và quầy. Tiếp tục?",
       dv_never: "Chưa từng liên lạc", bad_day: "Ngày phải có dạng dd/mm/yyyy, ví dụ 02/09/2027.", month: "Tháng",
       prev_month: "Tháng trước", next_month: "Tháng sau", cat_done: "Đã nhập {n} thủ tục; {e} mục lỗi (không nhập); phiên bản danh mục {v}.", p_tracking: "Số hiệu bưu gửi", p_fees: "đã thu phí", p_sent: "Đã gửi", sure_revoke: "Thu hồi thiết bị này? Nó sẽ không kết nối được nữa."},
  en: {app: "Console", switch: "Tiếng Việt", signout: "Sign out", t_dash: "Today", t_agency: "Agency dossiers",
       t_admin: "Administration", t_audit: "Audit log", t_devices: "Devices", t_account: "Account",
       alerts: "Alerts", counters: "Counters", c_counter: "Counter", c_status: "Status", c_officer: "Officer",
       c_ticket: "Serving", c_time: "Time", services: "Waiting per service", s_service: "Service",
       s_waiting: "Waiting", s_longest: "Longest wait", s_level: "Called within target", s_open: "Open counters",
       arrivals: "Arrivals per hour", waiting_day: "Waiting over the day", officers: "Officers today",
       o_served: "Served", o_avg: "Avg per citizen", o_idle: "Idle time", o_sat: "Satisfied", dossiers: "Dossiers this week",
       dl_766: "Decision 766 index, this month (PDF)", dl_pdf: "Weekly report (PDF)", dl_csv: "Weekly report (CSV)", dl_reg: "Register this week (CSV)",
       dl_reg_pdf: "Register (PDF)", at_risk: "About to be late or late", d_code: "Dossier", d_proc: "Procedure",
       d_holder: "Agency", d_due: "Due", d_left: "Working hours left", by_agency: "Per agency",
       d_received: "Received", d_ontime: "On time", d_late: "Late", d_apology: "Late with apology",
       actions: "Actions", a_counter: "Add or change a counter",
       a_settings: "Site settings", a_config: "Services and counters", a_accounts: "Accounts", f_code: "Code",
       f_name: "Name", f_field: "Field", f_prefix: "Prefix", f_start: "First number", f_end: "Last number",
       f_target: "Wait target (min)", f_service_min: "Service time per citizen (min)", f_cname: "Counter name",
       f_oname: "Full name", f_ouser: "Counter user name", f_pin: "New PIN",
       f_oactive: "Status", f_oactive_yes: "Working", f_oactive_no: "Left (deactivated)",
       a_catalog: "Import the procedure catalogue", f_file: "CSV or JSON file (UTF-8)",
       f_replace: "The file is the whole catalogue (withdraw procedures not in it)", import: "Import",
       cat_done: "Imported {n} procedures; {e} entries refused; catalogue version {v}.", t_post: "Results by post", p_to: "Addressee", p_ready: "Ready since", p_send: "Send",
       p_tracking: "Tracking no.", p_fees: "fees collected", p_sent: "Sent", a_calendar: "Working calendar and form details",
       f_hours: "Office hours", f_unit: "Unit name on forms",
       f_hotline: "Hotline", a_vote: "Satisfaction question", f_qvi: "Question (Vietnamese)", f_qen: "Question (English)", f_number: "Counter no.",
       f_notice: "Lobby notice", f_role: "Role", f_agency: "Agency (specialists)", f_temp: "Temporary password",
       save: "Save", add: "Add", user: "User name", au_who: "Who", au_action: "Action", au_from: "From",
       au_to: "To", au_queue: "Include calls and tickets", filter: "Filter", dl_csv_only: "Download CSV", au_at: "When", au_via: "Via",
       au_target: "Target", au_change: "Before → after", pw_change: "Change password",
       must_change: "Your password was set by an administrator: change it before going on.",
       pw_old: "Current password", pw_new: "New password (at least 10 characters)",
       open: "Open", paused: "Paused", closed: "Closed", none: "—", min: "min", live_on: "Live",
       today: "Today", t_on_time: "Called on time (within target)", t_issued: "Numbers issued", t_served: "Served",
       t_no_show: "No-shows", t_waiting: "Waiting", t_avg_wait: "Average wait", t_longest: "Longest wait",
       live_off: "Disconnected, reconnecting…", no_alerts: "No alerts.", release: "Release", saved: "Saved.", reset: "Reset password",
       deactivate: "Deactivate", activate: "Activate", active: "active", inactive: "inactive", revoke: "Revoke",
       nothing: "None.", total_line: "Received {r} · Finished {f} · On time {o} · Late {l} (with apology {a})",
       ask_temp: "New temporary password (at least 10 characters):", arrivals_s: "Arrivals", waiting_s: "Waiting",
       pw_done: "Password changed.", sure_revoke: "Revoke this device? It will no longer connect.",
       a_service: "Add or change a service", f_pick_service: "Service to change", f_pick_counter: "Counter to change",
       f_pick_officer: "Officer to change", f_oagency: "Seconded by", a_officers: "Officers", o_code: "Id",
       o_counters: "Counters (last 30 days)", f_pick_day: "Day (dd/mm/yyyy)", f_add_day: "Add the day",
       f_off: "Days off", f_work: "Make-up working days", f_services: "Services it serves",
       a_officer: "Officers: add, change, reset PIN", f_oid: "Officer id (made from the name)",
       dv_fleet: "Fleet page: self-tests, updates, replacement, hardware", dv_id: "Device", dv_printer: "Printer, paper",
       dr_kiosk: "Ticket kiosk", dr_counter: "Counter terminal", dr_display: "Lobby display", dr_voting: "Rating tablet",
       dr_lookup: "Lookup terminal", in_service: "In service", retired: "Retired", retire: "Retire", restore: "Restore",
       edit: "Edit", working: "Working", own_staff: "One-stop office", own_staff_pick: "One-stop office (not seconded)", at_counter_now: "At counter {n} now",
       services_cap: "Services", counters_cap: "Counters", new_officer: "— New officer —", new_service: "— New service —",
       new_counter: "— New counter —", pick_agency: "— Pick an agency —", remove_day: "Remove",
       sure_retire_service: "Retire the service {name}? It leaves the kiosks and the counters; past tickets, dossiers and reports stay. It can be restored.",
       sure_retire_counter: "Retire {name}? It leaves the lobby screen, the dashboard and the pick-lists; its history stays. It can be restored.",
       sure_retire_officer: "Retire {name}? They are signed out at once and can no longer sign in at a counter; their history stays. It can be restored.",
       sure_restore_service: "Restore the service {name}? It shows on the kiosks again (choose the counters that serve it).",
       sure_restore_counter: "Restore {name}?", sure_restore_officer: "Restore {name}? They can sign in at a counter again.",
       sure_deactivate: "Deactivate the account {name}? It is signed out at once; it can be activated again.",
       dv_never: "Never", dv_seen: "Last contact", d_left_days: "Time left",
       sure_sent: "Confirm that the result of dossier {code} was sent by post, tracking number {tracking}? The dossier is then recorded as returned.",
       sure_replace_catalog: "The file is the whole catalogue: procedures not in it are withdrawn from the kiosks and counters. Go on?",
       f_ticket_hours: "Ticket hours (empty: tickets at any time)", f_opens: "From", f_last: "Last ticket at",
       f_policy: "Calling order", f_every: "Interleave: 1 priority citizen after every", pol_interleave: "Priority interleaved",
       pol_strict: "Priority first", pol_fifo: "In order of arrival", bad_day: "A day is written dd/mm/yyyy, e.g. 02/09/2027.",
       month: "Month", prev_month: "Previous month", next_month: "Next month", f_calendar: "Pick on a calendar"},
});
const S = {me: null, site: null, tz: "Asia/Ho_Chi_Minh", last: null, charts: {}, source: null};
const mins = (s) => s == null ? I18N.t("none") : `${Math.round(s / 60)} ${I18N.t("min")}`;
const pct = (x) => x == null ? I18N.t("none") : `${Math.round(x * 100)}%`;
const clock = (ts) => ts == null ? I18N.t("none") : new Intl.DateTimeFormat(I18N.lang === "vi" ? "vi-VN" : "en-GB",
  {timeZone: S.tz, dateStyle: "short", timeStyle: "short"}).format(new Date(ts * 1000));

async function api(method, path, body) {
  const headers = {"Content-Type": "application/json"};
  if (method !== "GET" && S.me) headers["X-CSRF-Token"] = S.me.csrf;
  const r = await fetch(path, {method, headers, body: body ? JSON.stringify(body) : undefined, credentials: "same-origin"});
  if (r.status === 401) { location.href = "/login"; throw new Error("401"); }
  const j = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(I18N.error(j.error) || r.statusText);
  return j;
}
const roleSees = (want) => want === "*" || S.me.role === want || (S.me.role === "admin" && want !== "specialist")
  || (want === "leader" && S.me.role === "admin");

function showTab() {
  const links = [...document.querySelectorAll("#tabs a")].filter((a) => !a.hidden);
  let tab = location.hash.slice(1);
  if (!links.some((a) => a.getAttribute("href") === "#" + tab)) tab = links[0].getAttribute("href").slice(1);
  for (const a of links) {
    if (a.getAttribute("href") === "#" + tab) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  }
  for (const m of document.querySelectorAll("main")) m.hidden = m.id !== tab;
  $("err").textContent = "";
  ({dashboard: loadDashboard, agency: loadAgency, admin: loadAdmin, audit: loadAudit, devices: loadDevices, post: loadPost,
    reports: () => window.loadReports()}[tab] || (() => {}))();
}

// dd/mm/yyyy HH:MM in the site's time zone, from an ISO time (dates are never shown as raw ISO text)
function viDateTime(iso) {
  if (!iso) return I18N.t("none");
  const d = new Date(iso); return isNaN(d) ? iso : dmyHm(d, S.tz);
}

// --- dashboard -------------------------------------------------------------------------------------
function renderTotals(t) {
  if (!t) return;
  const items = [["t_on_time", t.on_time_rate == null ? I18N.t("none") : pct(t.on_time_rate)],
    ["t_issued", t.issued], ["t_served", t.served], ["t_no_show", t.no_show], ["t_waiting", t.waiting],
    ["t_avg_wait", t.avg_wait_s == null ? I18N.t("none") : mins(t.avg_wait_s)],
    ["t_longest", t.longest_wait_s == null ? I18N.t("none") : mins(t.longest_wait_s)]];
  $("totals").innerHTML = items.map(([k, v]) => `<div data-total="${k}"><dt>${I18N.t(k)}</dt><dd>${esc(String(v))}</dd></div>`).join("");
}

function renderLive(d) {
  S.last = {...(S.last || {}), ...d};
  $("site-name").textContent = d.site_name;
  renderTotals(d.totals);
  $("alerts").innerHTML = d.alerts.length ? d.alerts.map((a) =>
    `<div class="alert ${a.severity === "bad" ? "bad" : ""}" data-kind="${esc(a.kind)}">${esc(I18N.lang === "vi" ? a.text_vi : a.text_en)}`
    + (a.id != null && S.me.role === "admin" && (a.kind === "lookup_locked" || a.kind === "booking_burst")
      ? ` <button type="button" class="release" data-alert="${Number(a.id)}">${I18N.t("release")}</button>` : "")
    + `</div>`).join("")
    : `<p>${I18N.t("no_alerts")}</p>`;
  for (const b of $("alerts").querySelectorAll("button.release")) {
    b.onclick = async () => {  // unlock the code, or cancel the burst's bookings (their seats free again)
      try {
        await api("POST", `/api/v1/sites/${encodeURIComponent(S.site)}/security/alerts/${b.dataset.alert}/release`, {});
        b.closest(".alert").remove();
      } catch (e) { $("err").textContent = e.message; }
    };
  }
  $("counters").tBodies[0].innerHTML = d.counters.map((c) => `<tr data-counter="${c.number}">
    <td>${esc(c.name)}</td><td class="st-${esc(c.status)}">${I18N.t(c.status)}</td><td>${esc(c.officer || I18N.t("none"))}</td>
    <td class="big">${esc(c.ticket || I18N.t("none"))}</td><td>${c.serving_s == null ? I18N.t("none") : mins(c.serving_s)}</td></tr>`).join("");
  $("services").tBodies[0].innerHTML = d.services.map((s) => `<tr data-service="${esc(s.code)}">
    <td>${esc(I18N.lang === "vi" ? s.name : (s.name_en || s.name))}</td><td class="big">${s.waiting}</td>
    <td>${s.waiting ? mins(s.longest_wait_s) : I18N.t("none")}</td><td>${pct(s.service_level)} (≤ ${mins(s.wait_target_s)})</td>
    <td>${s.open_counters}</td></tr>`).join("");
}

function chart(id, title, data, bars) {
  const el = $(id);
  const width = Math.max(260, el.clientWidth || 320);
  if (S.charts[id]) S.charts[id].destroy();
  const opts = {width, height: 200, legend: {show: false}, title: "",
    scales: {x: bars ? {time: false, range: (u, lo, hi) => [lo - 0.5, hi + 0.5]} : {time: true}},
    axes: [{incrs: bars ? [1, 2, 3] : undefined, space: bars ? 24 : 50, values: bars ? (u, v) => v.map((h) => `${h}h`) :
      (u, v) => v.map((t) => new Intl.DateTimeFormat("vi-VN", {timeZone: S.tz, timeStyle: "short"}).format(new Date(t * 1000)))}, {}],
    series: [{}, {label: title, stroke: "#0a5c8a", width: 2, fill: "#0a5c8a33",
      paths: bars ? uPlot.paths.bars({size: [0.7, 40]}) : undefined, points: {show: !bars}}]};
  S.charts[id] = new uPlot(opts, data, el);
  el.setAttribute("role", "img");
  el.setAttribute("aria-label", `${title}: ` + data[0].map((x, i) => `${bars ? x + "h" : clock(x)} ${data[1][i]}`).join(", "));
}

function renderFull(d) {
  renderLive(d);
  const a = d.charts.arrivals_by_hour, w = d.charts.waiting_over_day;
  chart("chart-arrivals", I18N.t("arrivals_s"), [a.map((x) => x[0]), a.map((x) => x[1])], true);
  chart("chart-waiting", I18N.t("waiting_s"), [w.map((x) => x[0]), w.map((x) => x[1])], false);
  $("officers").tBodies[0].innerHTML = d.officers.map((o) => `<tr><td>${esc(o.name)}</td><td>${o.served}</td>
    <td>${mins(o.avg_service_s)}</td><td>${mins(o.idle_s)}</td>
    <td>${o.satisfaction && o.satisfaction.votes ? `${o.satisfaction.satisfied_pct}% (${o.satisfaction.votes})` : I18N.t("none")}</td></tr>`).join("")
    || `<tr><td colspan="5">${I18N.t("nothing")}</td></tr>`;
  const t = d.dossiers.total;
  $("week").textContent = d.dossiers.week;
  $("dossier-total").textContent = I18N.t("total_line").replace("{r}", t.received).replace("{f}", t.finished)
    .replace("{o}", t.on_time).replace("{l}", t.late + t.open_overdue).replace("{a}", t.late_with_apology);
  $("at-risk").tBodies[0].innerHTML = d.dossiers.at_risk.map((x) => `<tr class="${x.risk}"><td>${esc(x.code)}</td>
    <td>${esc(x.procedure)}</td><td>${esc(x.holder)}</td><td>${esc(viDateTime(x.due_at))}</td><td>${x.hours_left}</td></tr>`).join("")
    || `<tr><td colspan="5">${I18N.t("nothing")}</td></tr>`;
  $("by-agency").tBodies[0].innerHTML = Object.entries(d.dossiers.by_agency).map(([k, v]) => `<tr><td>${esc(k)}</td>
    <td>${v.received}</td><td>${v.on_time}</td><td>${v.late + v.open_overdue}</td><td>${v.late_with_apology}</td></tr>`).join("")
    || `<tr><td colspan="5">${I18N.t("nothing")}</td></tr>`;
  const base = `/api/v1/sites/${S.site}`;
  $("dl-weekly-pdf").href = `${base}/reports/weekly.pdf?week=${d.dossiers.week}`;
  $("dl-weekly-csv").href = `${base}/reports/weekly.csv?week=${d.dossiers.week}`;
  const monday = new Date(d.day + "T00:00:00Z"); monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
  const from = monday.toISOString().slice(0, 10);
  $("dl-register-csv").href = `${base}/register.csv?from=${from}&to=${d.day}`;
  $("dl-register-pdf").href = `${base}/register.pdf?from=${from}&to=${d.day}`;
  $("dl-766-pdf").href = `${base}/reports/index766.pdf?period=${d.day.slice(0, 7)}`;
}

async function loadDashboard() {
  try { renderFull(await api("GET", `/api/v1/sites/${S.site}/dashboard`)); } catch (e) { $("err").textContent = e.message; }
  if (S.source) return;
  S.source = new EventSource(`/api/v1/sites/${S.site}/live`);
  S.source.addEventListener("state", (ev) => { renderLive(JSON.parse(ev.data)); $("live").className = "live on";
    $("live").textContent = I18N.t("live_on"); });
  S.source.onerror = () => { $("live").className = "live"; $("live").textContent = I18N.t("live_off"); };
  // Charts and officers move slowly: redrawn every five minutes; counters and queues come live.
  setInterval(() => { if (!$("dashboard").hidden) api("GET", `/api/v1/sites/${S.site}/dashboard`).then(renderFull).catch(() => {}); }, 300000);
}

// --- agency (specialists) --------------------------------------------------------------------------
// Decree 118/2025: one supplement request (Art. 19(5)), a financial obligation, stop (Mẫu 05), correction (Art. 23).
const ACTIONS = {transferred: ["accept"], processing: ["finish", "supplement", "obligation", "reject", "apology", "stop"],
                 supplement: ["supplement_received", "reject", "stop"], obligation: ["obligation_paid", "stop"],
                 correction: ["corrected"]};
const ACTION_VI = {accept: "Nhận hồ sơ", finish: "Giải quyết xong", supplement: "Yêu cầu bổ sung", reject: "Từ chối",
                   apology: "Xin lỗi, đề nghị gia hạn", supplement_received: "Đã bổ sung", obligation: "Nghĩa vụ tài chính",
                   obligation_paid: "Đã nộp nghĩa vụ tài chính", stop: "Dừng giải quyết", corrected: "Đã đính chính"};
// A due time with its weekday, dd/mm/yyyy HH:MM in the site's time ("Thứ Sáu, 27/11/2026 17:00").
function dueText(d) {
  if (I18N.lang === "vi" && d.due_vi) return d.due_vi;
  const day = (d.due_at || "").slice(0, 10);
  return d.due_at ? `${viDay(day).split(",")[0]}, ${viDateTime(d.due_at)}` : I18N.t("none");
}
// A file of the dossier: the document as scanned (signed by the officer) and, for a scan, its searchable
// copy once the hub has read it (or why it could not).
function agencyFile(code, f) {
  const base = `/api/v1/agency/dossiers/${encodeURIComponent(code)}/files/${f.id}`;
  let ocr = "";
  if (f.kind === "scan" && f.ocr === "done") ocr = ` · <a class="file" href="${base}?copy=ocr">bản tìm kiếm được chữ</a>`;
  else if (f.kind === "scan" && f.ocr === "failed") ocr = ` · <span class="ocr-failed">không nhận dạng được chữ: ${esc(f.ocr_note || "")}</span>`;
  else if (f.kind === "scan") ocr = " · đang nhận dạng chữ…";
  return `<br><a class="file" href="${base}">📄 ${esc(f.name)} (${f.pages} tr.)</a>${ocr}`;
}
async function loadAgency() {
  try {
    const data = await api("GET", "/api/v1/agency/dossiers");
    $("agency-me").textContent = `${S.me.name} — ${data.agency}`;
    $("agency-list").tBodies[0].innerHTML = data.dossiers.map((d) => `<tr class="${d.risk || ""}"><td>${esc(d.code)}</td>
      <td>${esc(d.procedure)}</td><td>${esc(d.status_vi)}${d.apologised ? " (đã xin lỗi)" : ""}</td>
      <td class="nowrap">${esc(dueText(d))}</td><td class="left ${esc(d.risk || "")}">${d.risk ? esc(I18N.lang === "vi" ? d.due_left_vi : d.due_left_en) : I18N.t("none")}</td>
      <td>${(ACTIONS[d.status] || []).map((a) => `<button type="button" class="${a === "reject" || a === "stop" ? "danger" : a === "finish" ? "" : "secondary"}" data-code="${esc(d.code)}" data-act="${a}">${ACTION_VI[a]}</button>`).join(" ")}
      <a href="/api/v1/agency/dossiers/${encodeURIComponent(d.code)}/control-sheet.pdf">Phiếu kiểm soát</a>
      ${(d.files || []).map((f) => agencyFile(d.code, f)).join("")}
      ${(d.datastore || []).map((x) => `<br><span class="datastore ${esc(x.state)}">Kho dữ liệu của công dân (${esc(x.doc_code)}): ${esc(x.state_vi)}</span>`).join("")}</td></tr>`).join("")
      || `<tr><td colspan="6">${I18N.t("nothing")}</td></tr>`;
    labelCells($("agency-list"));
  } catch (e) { $("err").textContent = e.message; }
}
$("agency-list").addEventListener("click", async (ev) => {
  const b = ev.target.closest("button[data-act]"); if (!b) return;
  let body = {};
  const act = b.dataset.act;
  // Finishing, rejecting or stopping a dossier cannot be taken back: say what will happen and ask first.
  if (act === "finish" && !confirm(`Xác nhận hồ sơ ${b.dataset.code} đã giải quyết xong? Kết quả chuyển về bộ phận một cửa để trả cho công dân; không hoàn tác được.`)) return;
  if (act === "reject" && !confirm(`Từ chối hồ sơ ${b.dataset.code}? Công dân sẽ nhận văn bản từ chối; không hoàn tác được.`)) return;
  if (act === "stop" && !confirm(`Dừng giải quyết hồ sơ ${b.dataset.code}? Công dân sẽ nhận Thông báo dừng giải quyết (Mẫu 05); không hoàn tác được.`)) return;
  if (act === "supplement" && !confirm(`Yêu cầu bổ sung hồ sơ ${b.dataset.code}? Chỉ được yêu cầu bổ sung một lần; thời hạn giải quyết tính lại từ đầu khi công dân bổ sung đủ.`)) return;
  if (act === "reject" || act === "supplement" || act === "stop") { const r = prompt("Lý do (bắt buộc):"); if (!r) return; body.reason = r; }
  if (act === "obligation") { const r = prompt("Nghĩa vụ tài chính phải thực hiện:"); if (!r) return;
    const n = parseInt(prompt("Số tiền (đồng, để trống nếu chưa xác định):", "") || "", 10);
    body = {content: r}; if (!Number.isNaN(n)) body.amount_vnd = n; }
  if (act === "apology") { const r = prompt("Lý do chậm trễ:"); if (!r) return;
    body = {reason: r, extra_days: parseInt(prompt("Hẹn thêm bao nhiêu ngày làm việc?", "2"), 10)}; }
  try { await api("POST", `/api/v1/agency/dossiers/${encodeURIComponent(b.dataset.code)}/${act}`, body); loadAgency(); }
  catch (e) { $("err").textContent = e.message; }
});

// --- administration --------------------------------------------------------------------------------
const WEEKDAY_VI = ["Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"];
const WEEKDAY_EN = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
// A calendar day (YYYY-MM-DD, as the API keeps it) as a person reads it: "Thứ Hai, 02/02/2027".
function viDay(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || ""); if (!m) return iso || I18N.t("none");
  const wd = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])).getUTCDay();
  return `${(I18N.lang === "vi" ? WEEKDAY_VI : WEEKDAY_EN)[wd]}, ${m[3]}/${m[2]}/${m[1]}`;
}
// An officer's id from their name: "Nguyễn Văn Đức" → "nguyen-van-duc".
const slug = (name) => name.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase()
  .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40);
const byVi = (a, b) => a.localeCompare(b, "vi");
S.cfg = null;

function form(id, path, after, got) {
  const f = $(id);
  f.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const out = f.nextElementSibling;
    out.className = "err"; out.textContent = "";
    const data = Object.fromEntries(new FormData(f));
    delete data.pick;
    for (const k of ["start", "end", "wait_target_min", "service_min", "number", "counter", "policy_every"]) if (data[k] !== undefined && data[k] !== "") data[k] = Number(data[k]);
    if (id === "f-settings") { delete data.wd; data.ticket_days = [...f.querySelectorAll("input[name=wd]:checked")].map((x) => Number(x.value)); }
    if (id === "f-counter") { delete data.svc; data.services = [...f.querySelectorAll("input[name=svc]:checked")].map((x) => x.value); }
    if (id === "f-account") { if (data.role !== "admin") data.site = S.site; if (data.role !== "specialist") delete data.agency; }
    for (const k of ["counter", "number", "start", "end", "width", "wait_target_min", "service_min"]) if (data[k] === "") delete data[k];
    try { const res = await api("POST", typeof path === "function" ? path() : path, data); out.className = "ok";
          out.textContent = I18N.t("saved"); if (got) got(res); if (after) after(); }
    catch (e) { out.textContent = e.message; }
  });
}

function fillSelect(sel, items, none) {  // items: [value, label]; `none`: a first, empty choice
  const keep = sel.value;
  sel.innerHTML = (none != null ? `<option value="">${esc(none)}</option>` : "") +
    items.map(([v, l]) => `<option value="${esc(v)}">${esc(l)}</option>`).join("");
  if ([...sel.options].some((o) => o.value === keep)) sel.value = keep;
}

function renderDays(fs, days) {
  const hidden = $("f-calendar").elements[fs.dataset.for];
  hidden.value = days.join(",");
  fs.querySelector("ul.chips").innerHTML = days.map((d) => `<li data-day="${esc(d)}">${esc(viDay(d))}
    <button type="button" class="secondary small" data-remove="${esc(d)}" aria-label="${esc(I18N.t("remove_day") + " " + viDay(d))}">✕</button></li>`).join("")
    || `<li class="none">${I18N.t("nothing")}</li>`;
}
// Days are typed as dd/mm/yyyy or picked on a month calendar (Monday first), whatever the browser's locale.
function parseDay(text) {
  const m = /^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$/.exec(text || ""); if (!m) return null;
  const d = new Date(Date.UTC(+m[3], +m[2] - 1, +m[1]));
  return d.getUTCDate() === +m[1] && d.getUTCMonth() === +m[2] - 1 ? d.toISOString().slice(0, 10) : null;
}
function drawCalendar(fs, chosen) {
  const box = fs.querySelector(".cal"), first = new Date(fs.dataset.month + "-01T00:00:00Z");
  const y = first.getUTCFullYear(), mo = first.getUTCMonth(), pad = (first.getUTCDay() + 6) % 7;
  const n = new Date(Date.UTC(y, mo + 1, 0)).getUTCDate(), cells = [];
  for (let i = 0; i < pad; i++) cells.push("<td></td>");
  for (let d = 1; d <= n; d++) {
    const iso = `${y}-${String(mo + 1).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
    cells.push(`<td><button type="button" class="day${chosen.includes(iso) ? " chosen" : ""}" data-day="${iso}" aria-pressed="${chosen.includes(iso)}" aria-label="${esc(viDay(iso))}">${d}</button></td>`);
  }
  const weeks = []; for (let i = 0; i < cells.length; i += 7) weeks.push(`<tr>${cells.slice(i, i + 7).join("")}</tr>`);
  const heads = (I18N.lang === "vi" ? ["T2", "T3", "T4", "T5", "T6", "T7", "CN"] : ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]);
  box.innerHTML = `<div class="cal-head"><button type="button" class="secondary small" data-month="-1" aria-label="${I18N.t("prev_month")}">‹</button>
    <span aria-live="polite">${I18N.t("month")} ${mo + 1}/${y}</span><button type="button" class="secondary small" data-month="1" aria-label="${I18N.t("next_month")}">›</button></div>
    <table class="cal-grid"><thead><tr>${heads.map((h) => `<th scope="col">${h}</th>`).join("")}</tr></thead><tbody>${weeks.join("")}</tbody></table>`;
}
for (const fs of document.querySelectorAll("#f-calendar fieldset.days")) {
  const days = () => ($("f-calendar").elements[fs.dataset.for].value || "").split(",").filter(Boolean);
  const out = () => $("f-calendar").nextElementSibling;
  const set = (list) => { renderDays(fs, [...new Set(list)].sort()); if (!fs.querySelector(".cal").hidden) drawCalendar(fs, days()); };
  fs.querySelector(".add-day").addEventListener("click", () => {
    const input = fs.querySelector(".day-input"), iso = parseDay(input.value);
    if (!iso) { out().className = "err"; out().textContent = I18N.t("bad_day"); input.focus(); return; }
    out().textContent = ""; set([...days(), iso]); input.value = "";
  });
  fs.querySelector(".day-input").addEventListener("keydown", (ev) => { if (ev.key === "Enter") { ev.preventDefault(); fs.querySelector(".add-day").click(); } });
  fs.querySelector(".open-cal").addEventListener("click", (ev) => {
    const box = fs.querySelector(".cal"); box.hidden = !box.hidden; ev.target.setAttribute("aria-expanded", String(!box.hidden));
    if (!fs.dataset.month) fs.dataset.month = (days().slice(-1)[0] || new Intl.DateTimeFormat("en-CA", {timeZone: S.tz}).format(new Date())).slice(0, 7);
    if (!box.hidden) drawCalendar(fs, days());
  });
  fs.querySelector(".cal").addEventListener("click", (ev) => {
    const b = ev.target.closest("button"); if (!b) return;
    if (b.dataset.month) {
      const [y, m] = fs.dataset.month.split("-").map(Number), d = new Date(Date.UTC(y, m - 1 + Number(b.dataset.month), 1));
      fs.dataset.month = d.toISOString().slice(0, 7); drawCalendar(fs, days()); return;
    }
    const iso = b.dataset.day; set(days().includes(iso) ? days().filter((d) => d !== iso) : [...days(), iso]);
    fs.querySelector(`.cal button[data-day="${iso}"]`)?.focus();
  });
  fs.querySelector("ul.chips").addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-remove]"); if (!b) return;
    set(days().filter((d) => d !== b.dataset.remove));
  });
}

function serviceName(s) { return I18N.lang === "vi" ? s.name : (s.name_en || s.name); }

function renderConfig(cfg) {
  const svcRows = cfg.services.map((s) => `<tr data-service="${esc(s.code)}"><td>${esc(s.code)}</td><td>${esc(serviceName(s))}</td>
    <td>${Math.round((s.wait_target_s || 900) / 60)}</td><td>${s.avg_service_s ? Math.round(s.avg_service_s / 60) : I18N.t("none")}</td>
    <td>${I18N.t("in_service")}</td><td><button type="button" class="secondary" data-edit-service="${esc(s.code)}">${I18N.t("edit")}</button> <button type="button" class="danger" data-retire="service" data-key="${esc(s.code)}" data-name="${esc(s.code + " – " + s.name)}">${I18N.t("retire")}</button></td></tr>`);
  const oldSvc = cfg.retired.services.map((s) => `<tr class="retired" data-service="${esc(s.code)}"><td>${esc(s.code)}</td><td>${esc(serviceName(s))}</td>
    <td>${Math.round((s.wait_target_s || 900) / 60)}</td><td>${s.avg_service_s ? Math.round(s.avg_service_s / 60) : I18N.t("none")}</td>
    <td>${I18N.t("retired")}</td><td><button type="button" class="secondary" data-restore="service" data-key="${esc(s.code)}" data-name="${esc(s.code + " – " + s.name)}">${I18N.t("restore")}</button></td></tr>`);
  const ctrRows = cfg.counters.map((c) => `<tr data-counter="${c.number}"><td>${esc(c.name)}</td><td>${esc(c.services.join(", "))}</td>
    <td>${I18N.t("in_service")}</td><td><button type="button" class="secondary" data-edit-counter="${c.number}">${I18N.t("edit")}</button> <button type="button" class="danger" data-retire="counter" data-key="${c.number}" data-name="${esc(c.name)}">${I18N.t("retire")}</button></td></tr>`);
  const oldCtr = cfg.retired.counters.map((c) => `<tr class="retired" data-counter="${c.number}"><td>${esc(c.name)}</td><td>${esc(c.services.join(", "))}</td>
    <td>${I18N.t("retired")}</td><td><button type="button" class="secondary" data-restore="counter" data-key="${c.number}" data-name="${esc(c.name)}">${I18N.t("restore")}</button></td></tr>`);
  $("config").innerHTML = `<table id="service-table"><caption>${I18N.t("services_cap")}</caption><thead><tr><th>${I18N.t("f_code")}</th><th>${I18N.t("f_name")}</th><th>${I18N.t("f_target")}</th>
    <th>${I18N.t("f_service_min")}</th><th>${I18N.t("c_status")}</th><th>${I18N.t("actions")}</th></tr></thead><tbody>${[...svcRows, ...oldSvc].join("")}</tbody></table>
    <table id="counter-table"><caption>${I18N.t("counters_cap")}</caption><thead><tr><th>${I18N.t("c_counter")}</th><th>${I18N.t("f_services")}</th><th>${I18N.t("c_status")}</th><th>${I18N.t("actions")}</th></tr></thead>
    <tbody>${[...ctrRows, ...oldCtr].join("")}</tbody></table>`;
}

function renderOfficers(list) {
  S.officers = list;
  $("officer-list").tBodies[0].innerHTML = list.map((o) => `<tr data-officer="${esc(o.id)}" class="${o.active ? "" : "retired"}">
    <td>${esc(o.name)}</td><td>${esc(o.id)}${o.username !== o.id ? `<br><small>${I18N.t("f_ouser")}: ${esc(o.username)}</small>` : ""}</td>
    <td>${esc(o.agency || I18N.t("own_staff"))}</td>
    <td>${o.counters.length ? esc(o.counters.map((n) => I18N.t("c_counter") + " " + n).join(", ")) : I18N.t("none")}${o.signed_in_at ? `<br><small>${esc(I18N.t("at_counter_now").replace("{n}", o.signed_in_at))}</small>` : ""}</td>
    <td>${I18N.t(o.active ? "working" : "retired")}</td>
    <td><button type="button" class="secondary" data-edit="${esc(o.id)}">${I18N.t("edit")}</button>
      ${o.active ? `<button type="button" class="danger" data-retire="officer" data-key="${esc(o.id)}" data-name="${esc(o.name)}">${I18N.t("retire")}</button>`
                 : `<button type="button" class="secondary" data-restore="officer" data-key="${esc(o.id)}" data-name="${esc(o.name)}">${I18N.t("restore")}</button>`}</td></tr>`).join("")
    || `<tr><td colspan="6">${I18N.t("nothing")}</td></tr>`;
  labelCells($("officer-list"));
  fillSelect($("officer-pick"), list.filter((o) => o.active).map((o) => [o.id, o.name]), I18N.t("new_officer"));
}

function editOfficer(id) {
  const f = $("f-officer"), o = (S.officers || []).find((x) => x.id === id);
  f.reset(); f.nextElementSibling.textContent = "";
  $("officer-pick").value = o && o.active ? o.id : "";
  f.id.readOnly = !!o;
  if (!o) return;
  f.name.value = o.name; f.id.value = o.id; f.agency.value = o.agency || ""; f.username.value = o.username || "";
}

function editService(code) {
  const f = $("f-service"), s = (S.cfg.services || []).find((x) => x.code === code);
  f.code.readOnly = !!s;
  if (!s) { f.reset(); $("service-pick").value = ""; return; }
  f.code.value = s.code; f.name.value = s.name; f.field.value = s.field; f.prefix.value = s.numbering.prefix || "";
  f.start.value = s.numbering.start; f.end.value = s.numbering.end; f.wait_target_min.value = Math.round((s.wait_target_s || 900) / 60);
  f.service_min.value = s.avg_service_s ? Math.round(s.avg_service_s / 60) : "";
}

function editCounter(number) {
  const f = $("f-counter"), c = (S.cfg.counters || []).find((x) => String(x.number) === String(number));
  f.number.readOnly = !!c;
  if (!c) { f.reset(); $("counter-pick").value = ""; }
  else { f.number.value = c.number; f.name.value = c.name; }
  for (const x of f.querySelectorAll("input[name=svc]")) x.checked = !!c && c.services.includes(x.value);
}

async function loadAdmin() {
  try {
    const [cfg, off] = await Promise.all([api("GET", `/api/v1/sites/${S.site}/config`), api("GET", `/api/v1/sites/${S.site}/officers`)]);
    S.cfg = cfg;
    $("field-select").innerHTML = cfg.fields.map((f) => `<option value="${esc(f.code)}">${esc(f.name)}</option>`).join("");
    fillSelect($("service-pick"), [...cfg.services].sort((a, b) => byVi(a.name, b.name)).map((s) => [s.code, `${s.name} (${s.code})`]), I18N.t("new_service"));
    fillSelect($("counter-pick"), cfg.counters.map((c) => [String(c.number), c.name]), I18N.t("new_counter"));
    $("counter-services").innerHTML = [...cfg.services].sort((a, b) => byVi(serviceName(a), serviceName(b))).map((s) =>
      `<label class="check"><input type="checkbox" name="svc" value="${esc(s.code)}"> ${esc(serviceName(s))} (${esc(s.code)})</label>`).join("");
    editCounter($("counter-pick").value);
    for (const sel of document.querySelectorAll("select.agency-select")) {
      fillSelect(sel, cfg.agencies.map((a) => [a, a]), sel.dataset.none ? I18N.t("own_staff_pick") : I18N.t("pick_agency"));
    }
    const fs = $("f-settings");
    const th = cfg.site.ticket_hours || null, pol = cfg.site.policy || {};
    fs.ticket_opens.value = th ? th.opens : ""; fs.ticket_last.value = th ? th.last_ticket : "";
    const days = th ? th.weekdays : [0, 1, 2, 3, 4];
    $("ticket-days").innerHTML = ["T2", "T3", "T4", "T5", "T6", "T7", "CN"].map((d, i) =>
      `<label class="day"><input type="checkbox" name="wd" value="${i}"${days.includes(i) ? " checked" : ""}> ${I18N.lang === "vi" ? d : ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][i]}</label>`).join(" ");
    fs.policy_mode.value = pol.mode || "interleave"; fs.policy_every.value = pol.every || 3;
    const cf = $("f-calendar");
    for (const f of cf.querySelectorAll("fieldset.days")) renderDays(f, [...(cfg.calendar[f.dataset.for] || [])].sort());
    cf.hours.value = (cfg.calendar.hours || []).map((h) => h.join("-")).join(", ");
    cf.unit_name.value = cfg.unit_name || ""; cf.hotline.value = cfg.hotline || "";
    $("f-vote").text_vi.value = cfg.vote_question.text_vi; $("f-vote").text_en.value = cfg.vote_question.text_en;
    renderConfig(cfg);
    renderOfficers(off.officers);
    window.loadLobby();
    const acc = await api("GET", "/api/v1/console/accounts");
    fillSelect($("role-select"), acc.roles.map((r) => [r.role, I18N.lang === "vi" ? r.vi : r.en]));
    $("account-agency").hidden = $("role-select").value !== "specialist";
    $("accounts").tBodies[0].innerHTML = acc.accounts.map((a) => `<tr data-account="${esc(a.username)}"><td>${esc(a.username)}</td><td>${esc(a.name)}</td>
      <td>${esc(I18N.lang === "vi" ? a.role_vi : a.role_en)}${a.agency ? " · " + esc(a.agency) : ""}</td><td>${I18N.t(a.active ? "active" : "inactive")}</td>
      <td><button type="button" class="secondary" data-reset="${esc(a.username)}">${I18N.t("reset")}</button>
      <button type="button" class="${a.active ? "danger" : "secondary"}" data-active="${esc(a.username)}" data-to="${a.active ? 0 : 1}">${I18N.t(a.active ? "deactivate" : "activate")}</button></td></tr>`).join("");
    labelCells($("accounts"));
  } catch (e) { $("err").textContent = e.message; }
}
$("role-select").addEventListener("change", () => { $("account-agency").hidden = $("role-select").value !== "specialist"; });
$("service-pick").addEventListener("change", (ev) => editService(ev.target.value));
$("counter-pick").addEventListener("change", (ev) => editCounter(ev.target.value));
$("officer-pick").addEventListener("change", (ev) => editOfficer(ev.target.value));
$("f-officer").name.addEventListener("input", (ev) => { const f = $("f-officer"); if (!f.id.readOnly) f.id.value = slug(ev.target.value); });

// Retiring takes an item out of use (kiosks, counters, choices) but keeps its history; it asks first.
async function retireOrRestore(b, out) {
  const kind = b.dataset.retire || b.dataset.restore, retired = !!b.dataset.retire;
  const ask = I18N.t(`${retired ? "sure_retire" : "sure_restore"}_${kind}`).replace("{name}", b.dataset.name);
  if (!confirm(ask)) return;
  out.textContent = "";
  try { await api("POST", `/api/v1/sites/${S.site}/retire`, {kind, key: b.dataset.key, retired}); loadAdmin(); }
  catch (e) { out.textContent = e.message; }
}
$("config").addEventListener("click", (ev) => {
  const b = ev.target.closest("button"); if (!b) return;
  if (b.dataset.editService) { $("service-pick").value = b.dataset.editService; editService(b.dataset.editService); $("f-service").name.focus(); return; }
  if (b.dataset.editCounter) { $("counter-pick").value = b.dataset.editCounter; editCounter(b.dataset.editCounter); $("f-counter").name.focus(); return; }
  retireOrRestore(b, $("config-err"));
});
$("officer-list").addEventListener("click", (ev) => {
  const b = ev.target.closest("button"); if (!b) return;
  if (b.dataset.edit) { editOfficer(b.dataset.edit); $("f-officer").scrollIntoView({block: "center"}); $("f-officer").name.focus(); return; }
  retireOrRestore(b, $("officer-err"));
});
$("accounts").addEventListener("click", async (ev) => {
  const b = ev.target.closest("button"); if (!b) return;
  try {
    if (b.dataset.reset) { const p = prompt(I18N.t("ask_temp")); if (!p) return;
      await api("POST", `/api/v1/console/accounts/${b.dataset.reset}/reset`, {password: p}); }
    else {
      if (b.dataset.to === "0" && !confirm(I18N.t("sure_deactivate").replace("{name}", b.dataset.active))) return;
      await api("POST", `/api/v1/console/accounts/${b.dataset.active}/active`, {active: b.dataset.to === "1"});
    }
    loadAdmin();
  } catch (e) { $("err").textContent = e.message; }
});

$("f-catalog").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const f = ev.target, file = f.file.files[0], out = f.nextElementSibling, bar = $("cat-progress");
  out.textContent = ""; $("cat-result").innerHTML = "";
  if (!file) return;
  if (f.replace.checked && !confirm(I18N.t("sure_replace_catalog"))) return;
  const fmt = file.name.toLowerCase().endsWith(".json") ? "json" : "csv";
  const xhr = new XMLHttpRequest();  // XHR, not fetch: its upload reports progress
  xhr.open("POST", `/api/v1/catalog/import?format=${fmt}&replace=${f.replace.checked ? 1 : 0}`);
  xhr.setRequestHeader("X-CSRF-Token", S.me.csrf);
  xhr.setRequestHeader("Content-Type", "application/octet-stream");
  bar.hidden = false; bar.value = 0;
  xhr.upload.onprogress = (e) => { if (e.lengthComputable) bar.value = 0.3 * e.loaded / e.total; };
  xhr.onload = () => {
    const j = JSON.parse(xhr.responseText || "{}");
    if (xhr.status !== 202) { out.textContent = I18N.error(j.error); bar.hidden = true; return; }
    const follow = async () => {
      const st = await api("GET", `/api/v1/catalog/import/${j.id}`);
      bar.value = 0.3 + 0.7 * (st.total ? st.done / st.total : 0);
      if (!st.finished) { setTimeout(follow, 300); return; }
      bar.value = 1;
      if (st.error) { out.textContent = st.error; return; }
      const r = st.result;
      $("cat-result").innerHTML = `<p class="ok">${esc(I18N.t("cat_done").replace("{n}", r.imported).replace("{e}", r.errors.length).replace("{v}", r.version))}</p>` +
        (r.errors.length ? `<ul>${r.errors.map((x) => `<li><b>${esc(x.where)}</b>: ${esc(x.problems.join("; "))}</li>`).join("")}</ul>` : "");
    };
    follow();
  };
  xhr.send(file);
});

// --- audit -----------------------------------------------------------------------------------------
async function loadAudit() {
  const q = new URLSearchParams(Object.entries(Object.fromEntries(new FormData($("f-audit")))).filter(([, v]) => v));
  $("audit-csv").href = `/api/v1/sites/${S.site}/audit.csv?${q}`;
  try {
    const d = await api("GET", `/api/v1/sites/${S.site}/audit?${q}`);
    const show = (v) => v == null ? "" : esc(JSON.stringify(v));
    $("audit-log").tBodies[0].innerHTML = d.entries.map((r) => `<tr data-action="${esc(r.action)}"><td class="nowrap">${esc(r.at_vi)}</td>
      <td>${esc(r.who)}</td><td>${esc(I18N.lang === "vi" ? r.role_vi : r.role)}</td><td>${esc(r.via)}</td>
      <td title="${esc(r.action)}">${esc(I18N.lang === "vi" ? r.action_vi : r.action)}</td><td>${esc(r.target || I18N.t("none"))}</td>
      <td>${show(r.before)}${r.before || r.after ? " → " : ""}${show(r.after)}</td></tr>`).join("")
      || `<tr><td colspan="7">${I18N.t("nothing")}</td></tr>`;
  } catch (e) { $("err").textContent = e.message; }
}
$("f-audit").addEventListener("submit", (ev) => { ev.preventDefault(); loadAudit(); });

// --- devices ---------------------------------------------------------------------------------------
const STATE_EN = {online: "Online", offline: "Disconnected", never: "Never connected", pending: "Awaiting enrolment",
                  revoked: "Revoked"};
const PRINTER_EN = {ok: "Normal", paper_low: "Paper low", paper_out: "Out of paper", cover_open: "Cover open",
                    offline: "Printer not connected", unknown: "Unknown"};
const stamp = (ts) => ts == null ? null : viDateTime(new Date(ts * 1000).toISOString());  // dd/mm/yyyy HH:MM, site time
async function loadDevices() {
  try {
    const d = await api("GET", `/api/v1/sites/${S.site}/devices`);
    fillSelect($("device-counter"), d.counters.map((c) => [String(c.number), c.name]), I18N.t("none"));
    const vi = I18N.lang === "vi";
    $("device-list").tBodies[0].innerHTML = d.devices.map((x) => `<tr id="device-${esc(x.id)}" class="st-${esc(x.state)}${x.alerts.length ? " alerting" : ""}">
      <td>${esc(x.id)}${x.name ? `<br><small>${esc(x.name)}</small>` : ""}</td><td>${esc(I18N.t("dr_" + x.role))}</td>
      <td>${x.counter ?? ""}</td><td class="state">${esc(vi ? x.state_vi : STATE_EN[x.state] || x.state)}</td>
      <td class="printer${["paper_out", "cover_open", "offline"].includes(x.printer) ? " bad" : x.printer === "paper_low" ? " warn" : ""}">${x.printer ? esc(vi ? x.printer_vi : PRINTER_EN[x.printer] || x.printer) : I18N.t("none")}</td>
      <td class="nowrap">${esc(stamp(x.last_seen) || I18N.t("dv_never"))}</td>
      <td>${x.revoked ? "" : `<button type="button" class="danger" data-revoke="${esc(x.id)}">${I18N.t("revoke")}</button>`}</td></tr>`).join("")
      || `<tr><td colspan="7">${I18N.t("nothing")}</td></tr>`;
    labelCells($("device-list"));
  } catch (e) { $("err").textContent = e.message; }
}
$("device-list").addEventListener("click", async (ev) => {
  const b = ev.target.closest("button[data-revoke]"); if (!b || !confirm(I18N.t("sure_revoke"))) return;
  try { await api("POST", `/api/v1/sites/${S.site}/devices/${b.dataset.revoke}/revoke`, {}); loadDevices(); }
  catch (e) { $("err").textContent = e.message; }
});

// --- post staff ----------------------------------------------------------------------------------
async function loadPost() {
  try {
    const d = await api("GET", `/api/v1/sites/${S.site}/post/dossiers`);
    $("post-list").tBodies[0].innerHTML = d.dossiers.map((x) => `<tr data-code="${esc(x.code)}"><td>${esc(x.code)}</td>
      <td>${esc(x.procedure)}</td><td>${esc(x.name)}<br>${esc(x.post_address)}<br>${esc(x.phone)}</td><td class="nowrap">${esc(viDateTime(x.ready_at))}</td>
      <td><form class="inline post-send"><label>${I18N.t("p_tracking")}<br><input name="tracking" size="14" required></label>
      <label><input type="checkbox" name="fees_paid"> ${I18N.t("p_fees")}</label>
      <button type="submit">${I18N.t("p_sent")}</button></form></td></tr>`).join("")
      || `<tr><td colspan="5">${I18N.t("nothing")}</td></tr>`;
    labelCells($("post-list"));
  } catch (e) { $("err").textContent = e.message; }
}
$("post-list").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const f = ev.target, code = f.closest("tr").dataset.code;
  $("post-err").textContent = "";
  // Sending returns the dossier: it cannot be taken back, so it is said and asked first.
  if (!confirm(I18N.t("sure_sent").replace("{code}", code).replace("{tracking}", f.tracking.value.trim()))) return;
  try { await api("POST", `/api/v1/sites/${S.site}/post/dossiers/${encodeURIComponent(code)}/sent`,
                  {tracking: f.tracking.value.trim(), fees_paid: f.fees_paid.checked}); loadPost(); }
  catch (e) { $("post-err").textContent = e.message; }
});

// --- start -----------------------------------------------------------------------------------------
async function start() {
  S.me = await api("GET", "/api/v1/console/me");
  if (S.me.role === "province_leader" && !S.me.must_change) { location.href = "/console/province"; return; }
  const ROLE = {vi: {admin: "quản trị viên", leader: "lãnh đạo", specialist: "chuyên viên", technician: "kỹ thuật viên",
                     post: "nhân viên bưu điện", province_leader: "lãnh đạo cấp tỉnh"},
                en: {admin: "administrator", leader: "leader", specialist: "specialist", technician: "technician",
                     post: "post office staff", province_leader: "province leader"}};
  const who = () => { $("who").textContent = `${S.me.name} (${(ROLE[I18N.lang] || {})[S.me.role] || S.me.role})`; };
  who(); document.addEventListener("langchange", who);
  const sites = (await api("GET", "/api/v1/sites")).sites;
  // A province principal (no site of its own) chooses the site it looks at (?site=…); everyone else
  // sees their own site only.
  const wanted = S.me.site || new URLSearchParams(location.search).get("site");
  const site = sites.find((s) => s.id === wanted) || sites[0];
  S.site = site.id; S.tz = site.timezone; $("site-name").textContent = site.name;
  // The catalogue is shared by every site: on a hub of many sites only the province imports it.
  if (S.me.site && sites.length > 1) $("f-catalog").closest("section").hidden = true;
  if (!S.me.site && sites.length > 1) {
    const pick = $("site-pick");
    for (const s of [...sites].sort((x, y) => x.name.localeCompare(y.name, "vi"))) {
      pick.add(new Option(s.name, s.id, false, s.id === S.site));
    }
    pick.hidden = false;
    pick.addEventListener("change", () => { location.search = `?site=${encodeURIComponent(pick.value)}`; });
  }
  for (const a of document.querySelectorAll("#tabs a")) a.hidden = S.me.must_change ? a.dataset.role !== "*" : !roleSees(a.dataset.role);
  $("must-change").hidden = !S.me.must_change;
  form("f-service", () => `/api/v1/sites/${S.site}/services`, loadAdmin);
  form("f-counter", () => `/api/v1/sites/${S.site}/counters`, loadAdmin);
  form("f-settings", () => `/api/v1/sites/${S.site}/settings`);
  form("f-officer", () => `/api/v1/sites/${S.site}/officers`, () => { $("f-officer").pin.value = ""; loadAdmin(); });
  form("f-vote", () => `/api/v1/sites/${S.site}/vote-question`);
  form("f-calendar", () => `/api/v1/sites/${S.site}/calendar`);
  form("f-device", () => `/api/v1/sites/${S.site}/devices`, loadDevices, (cfg) => {
    const a = $("dv-download");
    a.href = URL.createObjectURL(new Blob([JSON.stringify(cfg, null, 2)], {type: "application/json"}));
    a.download = `${cfg.device_id}.json`; $("dv-once").hidden = false;
  });
  form("f-account", "/api/v1/console/accounts", loadAdmin);
  const pw = $("f-password");
  pw.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const out = pw.nextElementSibling; out.className = "err"; out.textContent = "";
    try { await api("POST", "/api/v1/console/password", {old: pw.old.value, new: pw.new.value});
          out.className = "ok"; out.textContent = I18N.t("pw_done"); pw.reset();
          if (S.me.must_change) setTimeout(() => location.reload(), 500); }
    catch (e) { out.textContent = e.message; }
  });
  $("signout").addEventListener("click", async () => { await api("POST", "/logout"); location.href = "/login"; });
  window.addEventListener("hashchange", showTab);
  document.addEventListener("langchange", () => {
    if (S.last && S.last.charts) renderFull(S.last); else if (S.last) renderLive(S.last);
    // Lists drawn from data (roles, states, dates) are drawn again in the other language.
    if (!$("admin").hidden) loadAdmin(); if (!$("devices").hidden) loadDevices(); if (!$("agency").hidden) loadAgency();
  });
  showTab();
}
start().catch((e) => { if (e.message !== "401") $("err").textContent = e.message; });
