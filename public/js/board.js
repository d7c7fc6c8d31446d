// The deal board's drag and drop: dropping a card on another column posts a move (htmx) and swaps the board.
// Loaded only on the board page; delegated listeners, bound once even when a boosted navigation loads it again.
(function () {
  'use strict';
  if (window.guanxiBoard) return;
  window.guanxiBoard = true;
  var dragged = null;

  function columnOf(el) {
    return el instanceof Element ? el.closest('.board-col') : null;
  }
  function clearOver() {
    document.querySelectorAll('.board-col.drag-over').forEach(function (c) { c.classList.remove('drag-over'); });
  }

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
