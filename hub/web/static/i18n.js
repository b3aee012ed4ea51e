// Vietnamese first, English on request: elements carry data-i18n="key" and their Vietnamese text as written
// in the page (which also becomes the Vietnamese of that key); the choice is kept per browser.
const I18N = {
  lang: localStorage.getItem("motcua_lang") || "vi",
  dict: {vi: {}, en: {}},
  add(d) { for (const l of ["vi", "en"]) Object.assign(this.dict[l], d[l] || {}); this.apply(); },
  t(key) { return this.dict[this.lang][key] ?? this.dict.vi[key] ?? key; },
  error(e) { return e ? (this.lang === "vi" ? (e.message_vi || e.message) : (e.message || e.message_vi)) : ""; },
  apply() {
    document.documentElement.lang = this.lang;
    for (const el of document.querySelectorAll("[data-i18n]")) {
      const key = el.dataset.i18n;
      if (!("vi" in el.dataset)) el.dataset.vi = el.textContent;
      if (!(key in this.dict.vi)) this.dict.vi[key] = el.dataset.vi;
      el.textContent = this.lang === "vi" ? el.dataset.vi : this.t(key);
    }
  },
  toggle() { this.lang = this.lang === "vi" ? "en" : "vi"; localStorage.setItem("motcua_lang", this.lang);
             this.apply(); document.dispatchEvent(new Event("langchange")); },
};
document.addEventListener("DOMContentLoaded", () => {
  const b = document.getElementById("lang");
  if (b) b.addEventListener("click", () => I18N.toggle());
  I18N.apply();
});
