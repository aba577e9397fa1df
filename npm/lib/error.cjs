'use strict';

/**
 * An error meant for the person running the build: its message says everything, so its
 * stack is only that message (build tools print `stack`; a trace would bury the advice).
 */
class GuardminError extends Error {
  constructor(message, props) {
    super(message);
    this.name = 'GuardminError';
    Object.assign(this, props);
    // Vite prints `stack`, and strips `${name}: ${message}\n` from its start when present.
    this.stack = `${this.name}: ${message}\n`;
  }
}

module.exports = { GuardminError };
