export * from './custom-signature.js';
export * from './http-message.js';
export * from './keys.js';
export * from './mint-bearer.js';
export * from './mint-wit.js';
export * from './mint-wpt.js';
export * from './proof.js';
export * from './scenario.js';
