export { SluiceClient } from './http-client.js';
export type { SluiceClientOptions } from './http-client.js';
