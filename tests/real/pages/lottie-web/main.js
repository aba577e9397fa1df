// lottie-web's player loads and completes animation data in a Blob worker when
// lottie.useWebWorker(true): dataManager's createWorker builds it from
// new Blob(['var _workerSelf = self; self.onmessage = ', fn.toString()]), and the function
// (workerStart) reads `_workerSelf`, which the prelude declares by that name and the player
// declares (as a main-thread stand-in) in dataManager's scope. Two animations: one by `path`
// (the worker fetches anim.json and completes it), one by `animationData` (the worker completes
// a copy). Each is checked after DOMLoaded at frames 0 and 15 (linear move from x 20 to 80).
realReport(function () {
  lottie.useWebWorker(true);
  var load = function (container, params) {
    return new Promise(function (resolve, reject) {
      var anim = lottie.loadAnimation(Object.assign({ container: container, renderer: 'svg', loop: false, autoplay: false }, params));
      anim.addEventListener('data_failed', function () { reject(new Error('data_failed')); });
      anim.addEventListener('error', function (e) {
        var n = e && e.nativeError;
        reject(new Error('lottie ' + (e && e.type) + ': ' + (n && n.stack ? String(n.stack).split('\n').slice(0, 4).join(' | ') : n)));
      });
      anim.addEventListener('DOMLoaded', function () { resolve(anim); });
    });
  };
  var look = function (anim, container) {
    var at = function (frame) {
      anim.goToAndStop(frame, true);
      var g = container.querySelector('g[transform]');
      return g ? g.getAttribute('transform') : null;
    };
    var path = container.querySelector('path');
    return {
      completed: anim.animationData.__complete === true && anim.animationData.layers[0].completed === true,
      totalFrames: anim.totalFrames,
      frame0: at(0),
      frame15: at(15),
      rect: path ? path.getAttribute('d').trim() : null,
      fill: path ? path.getAttribute('fill') : null,
    };
  };
  var pathEl = document.getElementById('by-path');
  var dataEl = document.getElementById('by-data');
  var url = new URL('anim.json', location.href).href;
  return fetch(url).then(function (r) { return r.json(); }).then(function (json) {
    return Promise.all([load(pathEl, { path: url }), load(dataEl, { animationData: json })]);
  }).then(function (anims) {
    var want = {
      completed: true,
      totalFrames: 31,
      frame0: 'matrix(1,0,0,1,20,50)',
      frame15: 'matrix(1,0,0,1,50,50)',
      rect: 'M10,-10 C10,-10 10,10 10,10 C10,10 -10,10 -10,10 C-10,10 -10,-10 -10,-10 C-10,-10 10,-10 10,-10z',
      fill: 'rgb(255,0,0)',
    };
    return {
      result: [look(anims[0], pathEl), look(anims[1], dataEl)],
      expected: [want, want],
      workersStartedByPage: window.realWorkers.created,
    };
  });
}, 30000);
