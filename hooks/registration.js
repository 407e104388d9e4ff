"use strict";
// Where the original registers its own hooks: none in 0.7.13.

function initHooks(hooks) {
  void hooks;
}

module.exports = { initHooks };
