export { main } from './main.js';
export { EXIT, exitCodeFor } from './exit-codes.js';
