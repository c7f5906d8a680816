import crypto from 'node:crypto';

/**
 * Shows the filter bars and filters their tables: the rows holding every word of the search box (case-insensitive)
 * and, for each filter, the chosen value in the row's attribute (a `|`-separated list). Plain ES5, no libraries.
 */
export const REPORT_PAGE_SCRIPT = `(function () {
  var bars = document.querySelectorAll('.filters');
  Array.prototype.forEach.call(bars, function (bar) {
    var table = document.getElementById(bar.getAttribute('data-for'));
    if (!table || !table.tBodies[0]) return;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var texts = rows.map(function (tr) { return tr.textContent.toLowerCase(); });
    var search = bar.querySelector('input');
    var selects = Array.prototype.slice.call(bar.querySelectorAll('select'));
    var count = bar.querySelector('.count');
    var update = function () {
      var words = search.value.toLowerCase().split(/\\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (tr, i) {
        var keep = words.every(function (word) { return texts[i].indexOf(word) !== -1; });
        selects.forEach(function (select) {
          var held = '|' + (tr.getAttribute(select.name) || '') + '|';
          if (select.value && held.indexOf('|' + select.value + '|') === -1) keep = false;
        });
        tr.hidden = !keep;
        if (keep) shown++;
      });
      count.textContent = shown === rows.length ? '' : shown + ' of ' + rows.length + ' shown';
    };
    search.addEventListener('input', update);
    selects.forEach(function (select) { select.addEventListener('change', update); });
    bar.hidden = false;
  });
})();`;

/** The CSP source that allows REPORT_PAGE_SCRIPT and nothing else. */
export const REPORT_PAGE_SCRIPT_HASH = `sha256-${crypto.createHash('sha256').update(REPORT_PAGE_SCRIPT).digest('base64')}`;
