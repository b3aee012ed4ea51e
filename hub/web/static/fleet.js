// The fleet page, inside the console: the console's sign-in (its session cookie; its CSRF token on every
// change), its style and languages; times in each device's site time zone as dd/mm/yyyy HH:MM.
"use strict";
I18N.add({
  vi: {switch: "English", signout: "Đăng xuất", none: "—", online: "Trực tuyến", of: "trên", release: "Bản phát hành",
       st_online: "Trực tuyến", st_offline: "Mất kết nối", st_never: "Chưa từng kết nối", st_pending: "Chờ đăng ký",
       st_revoked: "Đã thu hồi", since: "từ", never_seen: "Chưa từng liên lạc", selftest: "Tự kiểm tra",
       hardware: "Phần cứng", update: "Cập nhật", replace: "Thay thế", passed: "Đạt", failed: "Lỗi", version: "Phiên bản",
       address: "Địa chỉ", temp: "Nhiệt độ", disk: "Ổ đĩa", uptime: "Hoạt động", outbox: "Chờ gửi", hours: "giờ", minutes: "phút",
       sure_replace: "Thay thiết bị {id}? Thiết bị cũ sẽ bị ngắt kết nối ngay và cần đăng ký lại bằng mã mới.",
       sure_update: "Cập nhật phần mềm cho thiết bị {id}? Ứng dụng trên thiết bị sẽ khởi động lại.",
       code_new: "Thiết bị mới", code_replace: "Thay thế", code_text: "Mã đăng ký", code_valid: "dùng một lần, hết hạn sau {h} giờ",
       code_how: "Trên thiết bị: nhập mã trên màn hình khởi động, hoặc chạy", sent: "Đã gửi; áp dụng không cần khởi động lại.",
       sent_restart: "Đã gửi; thiết bị khởi động lại ứng dụng cho: {x}", requested: "Đã yêu cầu.",
       centre: "Trung tâm", last_contact: "Liên lạc lần cuối", counts_only: "Trung tâm này chỉ gửi số lượng (phiên bản cũ).",
       al_offline: "Mất kết nối", al_paper_low: "Sắp hết giấy", al_paper_out: "Hết giấy", al_disk_full: "Ổ đĩa > 90 %",
       al_version_behind: "Chưa cập nhật", dr_kiosk: "Ki-ốt lấy số", dr_counter: "Máy quầy", dr_display: "Màn hình sảnh",
       dr_voting: "Máy đánh giá", dr_lookup: "Máy tra cứu", nothing: "Không có."},
  en: {switch: "Tiếng Việt", signout: "Sign out", fl_title: "Device fleet", fl_back: "← Console", fl_summary: "Overview",
       fl_add: "Add a new device (enrolment code)", fl_site: "Site", f_role: "Role", c_counter: "Counter", dv_where: "Where",
       fl_code: "Issue a code", fl_devices: "This centre's devices", dv_id: "Device", c_status: "Status",
       dv_seen: "Last contact", dv_printer: "Printer, paper", fl_machine: "Machine", fl_selftest: "Self-test",
       fl_alerts: "Alerts", actions: "Actions", fl_centres: "The centres' devices (from their sync reports)",
       fl_hw_of: "Hardware map of", fl_hw: "Hardware map", fl_hw_save: "Save and send", close: "Close",
       online: "Online", of: "of", release: "Release", st_online: "Online", st_offline: "Disconnected",
       st_never: "Never connected", st_pending: "Awaiting enrolment", st_revoked: "Revoked", since: "since",
       never_seen: "Never", selftest: "Self-test", hardware: "Hardware", update: "Update", replace: "Replace",
       passed: "Passed", failed: "Failed", version: "Version", address: "Address", temp: "Temperature", disk: "Disk",
       uptime: "Up", outbox: "To send", hours: "h", minutes: "min",
       sure_replace: "Replace device {id}? The old one is disconnected at once and must enrol again with a new code.",
       sure_update: "Update the software of device {id}? Its app restarts.", code_new: "New device", code_replace: "Replacement",
       code_text: "Enrolment code", code_valid: "single use, expires in {h} h",
       code_how: "On the device: type the code on the start screen, or run", sent: "Sent; applied without a restart.",
       sent_restart: "Sent; the device restarts its app for: {x}", requested: "Requested.", centre: "Centre",
       last_contact: "Last contact", counts_only: "This centre sends counts only (an older version).",
       al_offline: "Disconnected", al_paper_low: "Paper low", al_paper_out: "Out of paper", al_disk_full: "Disk > 90 %",
       al_version_behind: "Not updated", dr_kiosk: "Ticket kiosk", dr_counter: "Counter terminal", dr_display: "Lobby display",
       dr_voting: "Rating tablet", dr_lookup: "Lookup terminal", nothing: "None."},
});
const PRINTER_EN = {ok: "Normal", paper_low: "Paper low", paper_out: "Out of paper", cover_open: "Cover open",
                    offline: "Printer not connected", unknown: "Unknown"};
const F = {me: null, sites: {}, devices: {}, last: null};
const vi = () => I18N.lang === "vi";

async function api(method, path, body) {
  const headers = {"Content-Type": "application/json"};
  if (method !== "GET" && F.me) headers["X-CSRF-Token"] = F.me.csrf;
  const r = await fetch(path, {method, headers, body: body ? JSON.stringify(body) : undefined, credentials: "same-origin"});
  if (r.status === 401) { location.href = "/login?next=" + encodeURIComponent("/console/fleet"); throw new Error("401"); }
  const j = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(I18N.error(j.error) || r.statusText);
  return j;
}

// dd/mm/yyyy HH:MM in the time zone of the device's site (never the browser's)
function when(ts, site) {
  return ts == null ? I18N.t("none") : dmyHm(new Date(ts * 1000), (F.sites[site] || {}).timezone);
}
function dur(s) {
  if (s == null) return I18N.t("none");
  const h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60);
  return h ? `${h} ${I18N.t("hours")} ${m} ${I18N.t("minutes")}` : `${m} ${I18N.t("minutes")}`;
}
const stateText = (d) => vi() && d.state_vi ? d.state_vi : I18N.t("st_" + (d.state || d.status));
const printerText = (p, pvi) => p ? (vi() ? pvi || p : PRINTER_EN[p] || p) : I18N.t("none");
const printerClass = (p) => ["paper_out", "cover_open", "offline"].includes(p) ? "bad" : p === "paper_low" ? "warn" : "";

function selftestCell(d) {
  if (!d.selftest) return I18N.t("none");
  const failed = d.selftest.checks.filter((c) => c.state === "fail");
  const title = d.selftest.checks.map((c) => `${c.name}: ${c.state} ${c.detail}`).join("\n");
  return failed.length ? `<span class="bad" title="${esc(title)}">${I18N.t("failed")}: ${esc(failed.map((c) => c.name).join(", "))}</span><br><small>${esc(failed[0].detail)}</small>`
                       : `<span class="okay" title="${esc(title)}">${I18N.t("passed")}</span><br><small>${esc(when(d.selftest_at, d.site))}</small>`;
}

function machineCell(d) {
  const parts = [[I18N.t("version"), d.version || I18N.t("none")], [I18N.t("address"), d.address || I18N.t("none")]];
  if (d.temp_c != null) parts.push([I18N.t("temp"), `${d.temp_c} °C`]);
  if (d.disk_used_pct != null) parts.push([I18N.t("disk"), `${Math.round(d.disk_used_pct)} %`]);
  if (d.uptime_s != null) parts.push([I18N.t("uptime"), dur(d.uptime_s)]);
  if (d.outbox_pending != null) parts.push([I18N.t("outbox"), d.outbox_pending]);
  return parts.map(([k, v]) => `<small>${esc(k)}: ${esc(v)}</small>`).join("<br>");
}

function render(j) {
  F.last = j;
  F.devices = Object.fromEntries(j.devices.map((d) => [d.id, d]));
  const counts = Object.entries(j.alert_counts).map(([k, n]) => `<span class="${n ? "bad" : ""}" id="count-${k}">${I18N.t("al_" + k)}: ${n}</span>`).join("");
  $("summary").innerHTML = `<span id="count-online">${I18N.t("online")}: ${j.online}/${j.devices.length}</span><span>${I18N.t("release")}: ${esc(j.release || I18N.t("none"))}</span>${counts}`;
  const many = Object.keys(F.sites).length > 1;
  $("list").tBodies[0].innerHTML = j.devices.map((d) => `
    <tr id="dev-${esc(d.id)}" class="${esc(d.state)} st-${esc(d.state)} ${d.alerts.length ? "alert" : ""}">
      <td>${esc(d.id)}${d.name ? `<br><small>${esc(d.name)}</small>` : ""}${many ? `<br><small>${esc((F.sites[d.site] || {}).name || d.site)}</small>` : ""}</td>
      <td>${esc(I18N.t("dr_" + d.role))}</td><td>${esc(d.counter ?? "")}</td>
      <td class="state">${esc(stateText(d))}${d.status_since ? `<br><small>${I18N.t("since")} ${esc(when(d.status_since, d.site))}</small>` : ""}</td>
      <td class="nowrap">${d.last_seen ? esc(when(d.last_seen, d.site)) : I18N.t("never_seen")}</td>
      <td class="printer ${printerClass(d.printer)}">${esc(printerText(d.printer, d.printer_vi))}</td>
      <td>${machineCell(d)}</td><td>${selftestCell(d)}</td>
      <td class="alerts">${d.alerts.map((a) => `<span class="al">${esc(I18N.t("al_" + a))}</span>`).join(" ")}</td>
      <td class="acts">${d.state === "revoked" ? "" : `<button type="button" class="secondary" data-act="selftest" data-id="${esc(d.id)}">${I18N.t("selftest")}</button>
        <button type="button" class="secondary" data-act="hardware" data-id="${esc(d.id)}">${I18N.t("hardware")}</button>
        <button type="button" class="secondary" data-act="update" data-id="${esc(d.id)}">${I18N.t("update")}</button>
        <button type="button" class="danger" data-act="replace" data-id="${esc(d.id)}">${I18N.t("replace")}</button>`}</td>
    </tr>`).join("") || `<tr><td colspan="10">${I18N.t("nothing")}</td></tr>`;
  labelCells($("list"));
  const centres = j.centres || [];
  $("centres-card").hidden = !centres.length;
  $("centres").innerHTML = centres.map((c) => `<section class="centre" data-site="${esc(c.site)}" aria-label="${esc(c.name)}">
    <h3>${esc(c.name)} <small>(${esc(c.site)})</small></h3>
    <p>${I18N.t("online")}: <b>${c.online ?? I18N.t("none")}/${c.total ?? I18N.t("none")}</b> · ${I18N.t("last_contact")}: ${esc(when(c.last_contact, c.site))}</p>
    ${c.devices.length ? `<table class="stack centre-devices"><thead><tr><th>${I18N.t("dv_id")}</th><th>${I18N.t("f_role")}</th><th>${I18N.t("c_counter")}</th>
      <th>${I18N.t("c_status")}</th><th>${I18N.t("dv_printer")}</th></tr></thead><tbody>${c.devices.map((d) => `<tr id="centre-dev-${esc(c.site)}-${esc(d.id)}" class="st-${esc(d.status)}">
      <td>${esc(d.id)}${d.name ? `<br><small>${esc(d.name)}</small>` : ""}</td><td>${esc(I18N.t("dr_" + d.role))}</td><td>${esc(d.counter ?? "")}</td>
      <td class="state">${esc(vi() ? d.state_vi : I18N.t("st_" + d.status))}</td>
      <td class="printer ${printerClass(d.printer)}">${esc(printerText(d.printer, d.printer_vi))}</td></tr>`).join("")}</tbody></table>`
      : `<p>${I18N.t("counts_only")}</p>`}</section>`).join("");
  for (const t of document.querySelectorAll("table.centre-devices")) labelCells(t);
}

async function load() {
  try { render(await api("GET", "/api/v1/fleet")); }
  catch (e) { if (e.message !== "401") $("err").textContent = e.message; }
}

function showCode(j, title) {
  const box = $("code");
  box.innerHTML = `<p>${esc(title)} <b>${esc(j.device_id)}</b></p><p>${I18N.t("code_text")}: <b id="enrol-code">${esc(j.code)}</b>
    (${esc(I18N.t("code_valid").replace("{h}", Math.round(j.valid_s / 3600)))})</p><img alt="QR ${esc(j.code)}" src="${j.qr_png}">
    <p>${I18N.t("code_how")} <code>motcua provision enrol --hub ${esc(location.origin)} --code ${esc(j.code)}</code></p>`;
  box.hidden = false;
}

function note(text) { $("err").textContent = ""; $("note").textContent = text; }  // what went well, not in red

$("list").addEventListener("click", async (ev) => {
  const b = ev.target.closest("button[data-act]"); if (!b) return;
  $("note").textContent = "";
  const id = b.dataset.id, act = b.dataset.act, path = `/api/v1/fleet/devices/${encodeURIComponent(id)}`;
  try {
    if (act === "hardware") {
      $("hwid").textContent = id; $("hwtext").value = JSON.stringify(F.devices[id].hardware, null, 2); $("hwerr").textContent = "";
      $("hw").showModal(); return;
    }
    if (act === "replace") {
      if (!confirm(I18N.t("sure_replace").replace("{id}", id))) return;
      showCode(await api("POST", `${path}/replace`), I18N.t("code_replace"));
    } else if (act === "update") {
      if (!confirm(I18N.t("sure_update").replace("{id}", id))) return;
      await api("POST", `${path}/update`); note(I18N.t("requested"));
    } else {
      await api("POST", `${path}/${act}`); note(I18N.t("requested"));
    }
    load();
  } catch (e) { $("err").textContent = e.message; }
});
$("hw-close").addEventListener("click", () => $("hw").close());
$("hw-save").addEventListener("click", async () => {
  const id = $("hwid").textContent;
  try {
    const r = await api("PUT", `/api/v1/fleet/devices/${encodeURIComponent(id)}/hardware`, JSON.parse($("hwtext").value));
    $("hw").close();
    note(r.restart_for.length ? I18N.t("sent_restart").replace("{x}", r.restart_for.join(", ")) : I18N.t("sent"));
    load();
  } catch (e) { $("hwerr").textContent = e.message; }
});

async function counters() {  // the chosen site's counters in service, for the new device's counter
  const site = $("add-site").value || F.me.site;
  const sel = $("add-counter");
  try {
    const d = await api("GET", `/api/v1/sites/${encodeURIComponent(site)}/devices`);
    sel.innerHTML = `<option value="">${I18N.t("none")}</option>` + d.counters.map((c) => `<option value="${c.number}">${esc(c.name)}</option>`).join("");
  } catch (e) { sel.innerHTML = `<option value="">${I18N.t("none")}</option>`; }
}
$("add-site").addEventListener("change", counters);
$("f-add").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const f = ev.target, out = f.nextElementSibling;
  out.textContent = "";
  const body = {role: f.role.value, name: f.name.value, counter: f.counter.value ? Number(f.counter.value) : null};
  if (!F.me.site) body.site = f.site.value;
  try { showCode(await api("POST", "/api/v1/fleet/devices", body), I18N.t("code_new")); load(); }
  catch (e) { out.textContent = e.message; }
});

async function start() {
  F.me = await api("GET", "/api/v1/console/me");
  if (F.me.must_change) { location.href = "/console/#account"; return; }
  $("who").textContent = F.me.name;
  const sites = (await api("GET", "/api/v1/sites")).sites;
  F.sites = Object.fromEntries(sites.map((s) => [s.id, s]));
  const mine = F.me.site ? F.sites[F.me.site] : null;
  $("site-name").textContent = mine ? mine.name : sites.map((s) => s.name).sort((a, b) => a.localeCompare(b, "vi")).join(", ");
  if (!F.me.site) {
    $("add-site").innerHTML = [...sites].sort((a, b) => a.name.localeCompare(b.name, "vi")).map((s) => `<option value="${esc(s.id)}">${esc(s.name)}</option>`).join("");
    $("add-site-label").hidden = false;
  }
  $("fleet").hidden = false;
  counters();
  await load();
  setInterval(load, 15000);
}
$("signout").addEventListener("click", async () => { await api("POST", "/logout"); location.href = "/login"; });
document.addEventListener("langchange", () => { if (F.last) render(F.last); });
start().catch((e) => { if (e.message !== "401") $("err").textContent = e.message; });
