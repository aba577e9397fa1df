// Models: legacy code that schedules function text with `setTimeout(string)`: the string
// runs in the global scope later. The function reads the enclosing `attempt` under
// `typeof attempt === "number"`.
// expect: runs
(function () {
  var attempt = navigator.hardwareConcurrency - 1;

  function retry() {
    var n = typeof attempt === 'number' ? attempt : -1;
    console.info('retry from a string timer', n);
  }

  setTimeout('(' + retry + ')()', 5);
  attempt++;
})();
