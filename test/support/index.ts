export * from './keys.js';
export * from './mint-wit.js';
export * from './scenario.js';
