// The administration tab's lobby card: the notices the lobby screens show in turn (add, edit, move up or
// down, retire or restore after a confirmation; dates typed dd/mm/yyyy) and its image slides (a PNG or
// JPEG uploaded with a preview first; a file too big is refused here, anything else the hub decodes and
// refuses in Vietnamese). Uses console.js's api, S, $, esc and I18N.
"use strict";
I18N.add({
  vi: {lb_hint: "Màn hình sảnh hiện lần lượt các thông báo đang dùng; sau mỗi {n} thông báo hiện một ảnh trong {s} giây.",
       lb_always: "Luôn hiện", lb_from_only: "Từ {a}", lb_until_only: "Đến hết {b}", lb_range: "{a} – {b}",
       lb_shown: "Đang dùng", lb_waiting: "Chưa đến ngày hiện", lb_over: "Đã hết hạn", lb_retired: "Đã ngừng",
       lb_up: "Lên", lb_down: "Xuống", lb_edit_title: "Sửa thông báo {n}", lb_new: "Thêm thông báo",
       lb_sure_retire: "Ngừng thông báo “{t}”? Thông báo sẽ không còn trên màn hình sảnh; vẫn giữ trong danh sách và có thể khôi phục.",
       lb_sure_restore: "Khôi phục thông báo “{t}”? Thông báo sẽ hiện lại trên màn hình sảnh.",
       lb_sure_retire_img: "Ngừng ảnh “{t}”? Ảnh sẽ không còn trên màn hình sảnh; vẫn giữ trong danh sách và có thể khôi phục.",
       lb_sure_restore_img: "Khôi phục ảnh “{t}”? Ảnh sẽ hiện lại trên màn hình sảnh.",
       lb_too_big: "Ảnh quá lớn: tối đa 2 MB. Hãy thu nhỏ ảnh rồi tải lên lại.", lb_uploaded: "Đã tải ảnh lên.",
       lb_no_caption: "(không có chú thích)", lb_none: "Chưa có thông báo nào.", lb_no_images: "Chưa có ảnh nào.",
       lb_img_alt: "Ảnh trình chiếu: {t}"},
  en: {a_lobby: "Lobby screen: notices and images", lb_notices: "Notices (the lobby shows them in turn, in this order)",
       lb_order: "Order", lb_text: "Text", lb_when: "Shown", lb_new: "Add a notice",
       lb_text_long: "Text (at most 300 characters; the screen shows it sentence by sentence)",
       lb_from: "Shown from (dd/mm/yyyy; empty: now)", lb_until: "Until the end of (empty: until retired)",
       lb_cancel_edit: "New notice", lb_images: "Image slides", lb_file: "PNG or JPEG image (at most 2 MB)",
       lb_caption: "Caption under the image", lb_upload: "Upload", lb_preview: "Preview of the image to upload",
       lb_hint: "The lobby screen shows the notices in use in turn; after every {n} notices, an image for {s} seconds.",
       lb_always: "Always", lb_from_only: "From {a}", lb_until_only: "Until {b}", lb_range: "{a} – {b}",
       lb_shown: "In use", lb_waiting: "Not yet", lb_over: "Ended", lb_retired: "Retired", lb_up: "Up", lb_down: "Down",
       lb_edit_title: "Edit notice {n}",
       lb_sure_retire: "Retire the notice “{t}”? It leaves the lobby screen; it stays in the list and can be restored.",
       lb_sure_restore: "Restore the notice “{t}”? It shows on the lobby screen again.",
       lb_sure_retire_img: "Retire the image “{t}”? It leaves the lobby screen; it stays in the list and can be restored.",
       lb_sure_restore_img: "Restore the image “{t}”? It shows on the lobby screen again.",
       lb_too_big: "The image is too big: at most 2 MB. Make it smaller and upload it again.", lb_uploaded: "Image uploaded.",
       lb_no_caption: "(no caption)", lb_none: "No notice yet.", lb_no_images: "No image yet.", lb_img_alt: "Image slide: {t}"},
});

const LB = {data: null, wired: false};
// a message under a form: a refusal in red, a success ("Đã lưu.") in green
const lbSay = (el, msg, ok) => { el.textContent = msg; el.classList.toggle("ok", !!ok); };
const lbDmy = (iso) => iso ? `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}` : "";
const lbToday = () => new Intl.DateTimeFormat("en-CA", {timeZone: S.tz}).format(new Date());  // YYYY-MM-DD, the site's day
const lbUrl = (rest) => `/api/v1/sites/${encodeURIComponent(S.site)}/lobby${rest || ""}`;

function lbWhen(n) {
  const a = lbDmy(n.active_from), b = lbDmy(n.active_until);
  const key = a && b ? "lb_range" : a ? "lb_from_only" : b ? "lb_until_only" : "lb_always";
  return I18N.t(key).replace("{a}", a).replace("{b}", b);
}

function lbStatus(n) {
  if (n.retired) return "lb_retired";
  const today = lbToday();
  if (n.active_from && n.active_from > today) return "lb_waiting";
  if (n.active_until && n.active_until < today) return "lb_over";
  return "lb_shown";
}

function lbRender() {
  const d = LB.data;
  $("lobby-hint").textContent = I18N.t("lb_hint").replace("{n}", d.slide_every).replace("{s}", d.slide_s);
  const rows = d.notices;
  $("notice-list").tBodies[0].innerHTML = rows.map((n, i) => `<tr data-notice="${n.id}" class="${n.retired ? "retired" : ""}">
    <td>${i + 1}</td><td>${esc(n.text)}</td><td class="nowrap">${esc(lbWhen(n))}</td><td>${I18N.t(lbStatus(n))}</td>
    <td class="acts"><button type="button" class="secondary small" data-move="-1" ${i === 0 ? "disabled" : ""} aria-label="${I18N.t("lb_up")}: ${i + 1}">${I18N.t("lb_up")}</button>
      <button type="button" class="secondary small" data-move="1" ${i === rows.length - 1 ? "disabled" : ""} aria-label="${I18N.t("lb_down")}: ${i + 1}">${I18N.t("lb_down")}</button>
      <button type="button" class="secondary small" data-edit="1">${I18N.t("edit")}</button>
      <button type="button" class="${n.retired ? "secondary" : "danger"} small" data-retired="${n.retired ? 0 : 1}">${I18N.t(n.retired ? "restore" : "retire")}</button></td></tr>`).join("")
    || `<tr><td colspan="5">${I18N.t("lb_none")}</td></tr>`;
  labelCells($("notice-list"));
  $("image-list").innerHTML = d.images.map((im) => {
    const name = im.caption || I18N.t("lb_no_caption");
    return `<li data-image="${im.id}" class="${im.retired ? "retired" : ""}">
      <img src="${esc(im.url)}" alt="${esc(I18N.t("lb_img_alt").replace("{t}", name))}" width="${im.width}" height="${im.height}" loading="lazy">
      <p>${esc(name)}<br>${im.width}×${im.height} · ${(im.size / 1024).toFixed(0)} KB · ${I18N.t(im.retired ? "lb_retired" : "lb_shown")}</p>
      <button type="button" class="${im.retired ? "secondary" : "danger"} small" data-retired="${im.retired ? 0 : 1}">${I18N.t(im.retired ? "restore" : "retire")}</button></li>`;
  }).join("") || `<li class="none">${I18N.t("lb_no_images")}</li>`;
}

function lbEdit(n) {
  const f = $("f-notice");
  f.id.value = n ? n.id : ""; f.text.value = n ? n.text : "";
  f.active_from.value = n ? lbDmy(n.active_from) : ""; f.active_until.value = n ? lbDmy(n.active_until) : "";
  const pos = n ? LB.data.notices.indexOf(n) + 1 : 0;
  $("notice-form-title").textContent = n ? I18N.t("lb_edit_title").replace("{n}", pos) : I18N.t("lb_new");
  $("notice-err").textContent = "";
}

function lbWire() {
  if (LB.wired) return;
  LB.wired = true;
  $("f-notice").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = ev.target, out = $("notice-err");
    lbSay(out, "");
    const body = {text: f.text.value, active_from: f.active_from.value.trim(), active_until: f.active_until.value.trim()};
    if (f.id.value) body.id = Number(f.id.value);
    try { await api("POST", lbUrl("/notices"), body); lbEdit(null); await window.loadLobby(); lbSay(out, I18N.t("saved"), true); }
    catch (e) { lbSay(out, e.message); }
  });
  $("notice-new").addEventListener("click", () => { lbEdit(null); $("f-notice").text.focus(); });
  $("notice-list").addEventListener("click", async (ev) => {
    const b = ev.target.closest("button"); if (!b) return;
    const id = Number(b.closest("tr").dataset.notice), n = LB.data.notices.find((x) => x.id === id), out = $("notice-list-err");
    out.textContent = "";
    if (b.dataset.edit) { lbEdit(n); $("f-notice").scrollIntoView({block: "center"}); $("f-notice").text.focus(); return; }
    try {
      if (b.dataset.move) await api("POST", lbUrl("/notices/move"), {id, step: Number(b.dataset.move)});
      else {
        const retire = b.dataset.retired === "1";
        if (!confirm(I18N.t(retire ? "lb_sure_retire" : "lb_sure_restore").replace("{t}", n.text))) return;
        await api("POST", lbUrl("/notices/retire"), {id, retired: retire});
      }
      await window.loadLobby();
    } catch (e) { out.textContent = e.message; }
  });
  $("image-list").addEventListener("click", async (ev) => {
    const b = ev.target.closest("button"); if (!b) return;
    const id = Number(b.closest("li").dataset.image), im = LB.data.images.find((x) => x.id === id);
    const retire = b.dataset.retired === "1";
    if (!confirm(I18N.t(retire ? "lb_sure_retire_img" : "lb_sure_restore_img").replace("{t}", im.caption || I18N.t("lb_no_caption")))) return;
    try { await api("POST", lbUrl("/images/retire"), {id, retired: retire}); await window.loadLobby(); }
    catch (e) { $("image-err").textContent = e.message; }
  });
  const fi = $("f-image"), preview = $("image-preview");
  fi.file.addEventListener("change", () => {
    const file = fi.file.files[0];
    lbSay($("image-err"), "");
    if (!file) { preview.hidden = true; return; }
    if (file.size > LB.data.limits.image_bytes) { lbSay($("image-err"), I18N.t("lb_too_big")); preview.hidden = true; return; }
    const img = preview.querySelector("img");
    img.alt = I18N.t("lb_preview");
    img.onerror = () => { preview.hidden = true; };
    img.src = URL.createObjectURL(file);
    preview.hidden = false;
  });
  fi.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const file = fi.file.files[0], out = $("image-err");
    lbSay(out, "");
    if (!file) return;
    if (file.size > LB.data.limits.image_bytes) { lbSay(out, I18N.t("lb_too_big")); return; }
    const r = await fetch(lbUrl(`/images?caption=${encodeURIComponent(fi.caption.value.trim())}`), {method: "POST",
      headers: {"Content-Type": file.type || "application/octet-stream", "X-CSRF-Token": S.me.csrf}, body: file,
      credentials: "same-origin"});
    const j = await r.json().catch(() => ({}));
    if (!r.ok) { lbSay(out, I18N.error(j.error) || r.statusText); return; }
    fi.reset(); preview.hidden = true;
    await window.loadLobby();
    lbSay(out, I18N.t("lb_uploaded"), true);
  });
}

window.loadLobby = async function loadLobby() {
  lbWire();
  try { LB.data = await api("GET", lbUrl()); lbRender(); }
  catch (e) { $("notice-list-err").textContent = e.message; }
};
