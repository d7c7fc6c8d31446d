// Guanxi's only script besides htmx: CSRF header on htmx requests, flash dismissal, error toast, confirmations.
// No inline handlers anywhere (the CSP forbids them), so behaviour hangs off data- attributes here.
(function () {
  'use strict';
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') : '';
  }
  document.addEventListener('htmx:configRequest', function (evt) {
    evt.detail.headers['X-CSRF-Token'] = csrfToken();
  });
  // Plain forms that need a confirmation: <form data-confirm="…">.
  document.addEventListener('submit', function (evt) {
    var form = evt.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      evt.preventDefault();
      evt.stopImmediatePropagation();
    }
  }, true);
  function dismissLater(root) {
    (root || document).querySelectorAll('#flash .alert').forEach(function (el) {
      if (el.dataset.timer) return;
      el.dataset.timer = '1';
      setTimeout(function () { el.remove(); }, el.classList.contains('alert-error') ? 8000 : 4000);
    });
  }
  document.addEventListener('click', function (evt) {
    var btn = evt.target instanceof Element ? evt.target.closest('[data-dismiss]') : null;
    if (btn) { var a = btn.closest('.alert'); if (a) a.remove(); }
    // Close the user menu when clicking elsewhere.
    document.querySelectorAll('details.usermenu[open]').forEach(function (d) {
      if (!(evt.target instanceof Node) || !d.contains(evt.target)) d.removeAttribute('open');
    });
  });
  document.addEventListener('DOMContentLoaded', function () { dismissLater(); });
  document.addEventListener('htmx:afterSettle', function () { dismissLater(); });
  // A failed htmx request must never be silent.
  document.addEventListener('htmx:responseError', function (evt) {
    var flash = document.getElementById('flash');
    if (!flash) return;
    var msg = document.body.dataset.errorText || 'Error';
    var div = document.createElement('div');
    div.className = 'alert alert-error';
    div.setAttribute('role', 'alert');
    div.innerHTML = '<span class="dot"></span><span></span>';
    div.lastChild.textContent = msg + ' (' + evt.detail.xhr.status + ')';
    flash.appendChild(div);
    dismissLater();
  });
  document.addEventListener('htmx:sendError', function () {
    var flash = document.getElementById('flash');
    if (!flash) return;
    var div = document.createElement('div');
    div.className = 'alert alert-error';
    div.textContent = document.body.dataset.offlineText || 'Network error';
    flash.appendChild(div);
    dismissLater();
  });
})();
