export * from './custom-signature.js';
export * from './http-message.js';
export * from './keys.js';
export * from './mint-bearer.js';
export * from './mint-wit.js';
export * from './scenario.js';
