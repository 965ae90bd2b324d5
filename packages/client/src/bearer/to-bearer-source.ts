import { type BearerOption, type BearerSource, isBearerSource } from './bearer-source.js';
import { refreshingBearer } from './refreshing-bearer.js';
import { staticBearer } from './static-bearer.js';

/** Turns the `bearer` option into a source; a fixed token is checked now (TypeError when unusable). */
export function toBearerSource(option: BearerOption, now?: () => number): BearerSource {
  if (typeof option === 'string') return staticBearer(option, now === undefined ? {} : { now });
  if (typeof option === 'function') return refreshingBearer(option, now === undefined ? {} : { now });
  if (isBearerSource(option)) return option;
  throw new TypeError('bearer must be a token string, a function returning one, or a source with getBearer()');
}
