// The deal board's drag and drop: dropping a card on another column posts a move (htmx) and swaps the board. A
// card's "move" opens the board's one move dialog for that card (for the keyboard; without script the link goes to
// the deal's own stage advancement). Loaded only on the board page; delegated listeners, bound once even when a
// boosted navigation loads it again.
(function () {
  'use strict';
  if (window.guanxiBoard) return;
  window.guanxiBoard = true;
  var dragged = null;
  // The card the move dialog sent and the stage chosen, until the board that answers the move has settled.
  var moved = null;

  function columnOf(el) {
    return el instanceof Element ? el.closest('.board-col') : null;
  }
  function clearOver() {
    document.querySelectorAll('.board-col.drag-over').forEach(function (c) { c.classList.remove('drag-over'); });
  }

  document.addEventListener('click', function (evt) {
    var target = evt.target instanceof Element ? evt.target : null;
    var dialog = document.getElementById('board-move-dialog');
    if (!target || !dialog || typeof dialog.showModal !== 'function') return;
    if (target.closest('[data-close-dialog]')) {
      dialog.close();
      return;
    }
    var link = target.closest('.board-card-move');
    var card = link ? link.closest('.board-card') : null;
    // A modified click (a new tab or window) keeps the link's own meaning: the deal's page.
    if (!card || evt.button !== 0 || evt.ctrlKey || evt.metaKey || evt.shiftKey || evt.altKey) return;
    // Listening in the capture phase, before htmx's boosted-link handler on the link itself would navigate.
    evt.preventDefault();
    evt.stopPropagation();
    var form = dialog.querySelector('form');
    var name = card.querySelector('.board-card-name');
    form.elements.opportunity_id.value = card.dataset.opportunityId || '';
    var dealName = name ? name.textContent : '';
    document.getElementById('board-move-title').textContent = (dialog.dataset.title || '').split('{name}').join(dealName);
    // Every stage but the card's own; the one after it chosen.
    var select = form.elements.to_stage_id;
    var own = -1;
    Array.prototype.forEach.call(select.options, function (o, i) {
      var mine = o.value === card.dataset.stageId;
      o.disabled = mine;
      o.hidden = mine;
      if (mine) own = i;
    });
    var next = select.options[own + 1] || select.options[own === 0 ? 1 : 0];
    if (next) select.value = next.value;
    dialog.showModal();
    select.focus();
  }, true);
  // The dialog's move as it is sent: which card, to which stage.
  document.addEventListener('htmx:beforeRequest', function (evt) {
    var form = evt.target instanceof Element ? evt.target.closest('#board-move-dialog form') : null;
    if (form) moved = { id: form.elements.opportunity_id.value, to: form.elements.to_stage_id.value };
  });

  // A new board after a move: focus the reason it asks for, if any (the dialog's move or a drop to won/lost, and a
  // refused empty reason); else, after a move from the dialog, the moved card (its 移动, or its name once closed), or
  // when it is now past the first cards of its column, that column's first card.
  document.addEventListener('htmx:afterSettle', function (evt) {
    if (!(evt.target instanceof Element) || evt.target.id !== 'board') return;
    var reason = document.getElementById('board-reason');
    if (reason) {
      reason.focus();
      return;
    }
    if (!moved) return;
    var card = document.querySelector('.board-card[data-opportunity-id="' + moved.id + '"]') || document.querySelector('.board-col[data-stage-id="' + moved.to + '"] .board-card');
    moved = null;
    var next = card && (card.querySelector('.board-card-move') || card.querySelector('.board-card-name'));
    if (next) next.focus();
  });
  // A move the server could not take (gone from view, an expired form, a failure) shows its message in the page's
  // flash, behind the modal dialog: close the dialog so it can be read.
  function closeOnFailure(evt) {
    var dialog = document.getElementById('board-move-dialog');
    if (!dialog || !dialog.open || !(evt.target instanceof Element) || !dialog.contains(evt.target)) return;
    moved = null;
    dialog.close();
  }
  document.addEventListener('htmx:responseError', closeOnFailure);
  document.addEventListener('htmx:sendError', closeOnFailure);

  document.addEventListener('dragstart', function (evt) {
    var card = evt.target instanceof Element ? evt.target.closest('.board-card[draggable="true"]') : null;
    if (!card) return;
    dragged = card;
    card.classList.add('dragging');
    evt.dataTransfer.effectAllowed = 'move';
    evt.dataTransfer.setData('text/plain', card.dataset.opportunityId || '');
  });
  document.addEventListener('dragend', function () {
    if (dragged) dragged.classList.remove('dragging');
    dragged = null;
    clearOver();
  });
  document.addEventListener('dragover', function (evt) {
    var col = columnOf(evt.target);
    if (!col || !dragged) return;
    evt.preventDefault();
    evt.dataTransfer.dropEffect = 'move';
    if (!col.classList.contains('drag-over')) { clearOver(); col.classList.add('drag-over'); }
  });
  document.addEventListener('drop', function (evt) {
    var col = columnOf(evt.target);
    if (!col || !dragged) return;
    evt.preventDefault();
    clearOver();
    var card = dragged;
    var toStage = col.dataset.stageId;
    if (!toStage || toStage === card.dataset.stageId) return;
    var values = { opportunity_id: card.dataset.opportunityId, to_stage_id: toStage };
    var state = document.getElementById('board-state');
    if (state) {
      state.querySelectorAll('input').forEach(function (i) { values[i.name] = i.value; });
    }
    // Shown at once where it was dropped; the server's board replaces it (and puts it back if the move is refused).
    col.querySelector('.board-cards').appendChild(card);
    var board = document.getElementById('board');
    window.htmx.ajax('POST', board ? board.dataset.moveUrl : '/opportunities/board/moves', { values: values, target: '#board', swap: 'outerHTML' });
  });
})();
