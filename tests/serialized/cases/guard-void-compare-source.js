// Models: a guard written without `typeof` in the source (`X !== undefined`): it is no guard
// in a worker, where X does not exist, so the unminified code already throws.
// expect: throws
(function () {
  var token = location.search || 'anonymous';

  function authWorker() {
    var t = token !== undefined ? token : 'none';
    postMessage({ token: t });
  }

  var w = new Worker(URL.createObjectURL(new Blob(['(' + authWorker + ')()'])));
  w.onmessage = function (e) { console.info('token', e.data.token); };
})();
