// Shared by every page of tests/real (copied beside each page's index.html by run.mjs).
// realReport(async () => ({result, expected, ...})) runs the page's check once, bounded by a
// timeout, and writes what it found into the DOM for the harness (tests/real/run.mjs):
//   #status  "done" or "error"
//   #report  JSON {ok, resultCorrect, result, expected, workersStarted, errors, ...}
// `ok`: the check finished without throwing; `resultCorrect`: JSON of result equals JSON of
// expected; `workersStarted`: what the page itself counted (new Worker calls that answered,
// or the library's own count); `errors`: errors seen inside the page (window error and
// unhandledrejection events, worker error events the page could see, a thrown check).
(function () {
  var errors = [];
  var started = Date.now();
  window.realErrors = errors;
  window.addEventListener('error', function (e) {
    errors.push('window error: ' + (e.error && e.error.stack ? String(e.error.stack).split('\n')[0] : e.message));
  });
  window.addEventListener('unhandledrejection', function (e) {
    var r = e.reason;
    errors.push('unhandled rejection: ' + (r && r.stack ? String(r.stack).split('\n')[0] : String(r)));
  });
  // Count the dedicated workers the page (or a library in it) creates, and record their
  // error events, by wrapping the constructor before any library script runs.
  var NativeWorker = window.Worker;
  window.realWorkers = { created: 0, errored: 0 };
  window.Worker = function (url, opts) {
    var w = new NativeWorker(url, opts);
    window.realWorkers.created++;
    w.addEventListener('error', function (e) {
      window.realWorkers.errored++;
      errors.push('worker error event: ' + (e.message || 'error') + ' (' + String(url).slice(0, 80) + ')');
    });
    return w;
  };
  window.Worker.prototype = NativeWorker.prototype;
  var write = function (status, report) {
    report.ms = Date.now() - started;
    report.workersCreated = window.realWorkers.created;
    report.errors = errors.slice();
    document.getElementById('report').textContent = JSON.stringify(report);
    document.getElementById('status').textContent = status;
  };
  window.realReport = function (check, timeoutMs) {
    var timer;
    var timeout = new Promise(function (_, reject) {
      timer = setTimeout(function () { reject(new Error('page check timed out after ' + (timeoutMs || 45000) + ' ms')); }, timeoutMs || 45000);
    });
    Promise.race([Promise.resolve().then(check), timeout]).then(function (r) {
      clearTimeout(timer);
      r = r || {};
      var correct = JSON.stringify(r.result) === JSON.stringify(r.expected);
      r.ok = true;
      r.resultCorrect = correct;
      write('done', r);
    }, function (e) {
      clearTimeout(timer);
      errors.push('check failed: ' + (e && e.stack ? String(e.stack).split('\n').slice(0, 3).join(' | ') : String(e)));
      write('error', { ok: false, resultCorrect: false });
    });
  };
})();
